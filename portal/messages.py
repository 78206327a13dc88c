"""The caller's language for problem details: negotiation and a small catalogue.

Why not gettext: the portal's messages are built where the error happens
("dossier 'MSP-…' not found"), and the portal serves many callers at once,
each in their own language, so translating means choosing per request, at
the moment the answer is written. The English text stays the source; a
catalogue per language (``portal/locale/<lang>.json``) maps a sentence, or
a template with ``{placeholders}``, to its translation. A sentence the
catalogue does not have stays English: an answer is never refused for it.

Adding a language is adding ``<lang>.json`` and its code to
:data:`LANGUAGES`; nothing else changes. German (``de``) is there for the
German-speaking Community; a test (tests/portal/test_portal_i18n_de.py)
reads every sentence the portal can answer from its source and fails when
French or German lacks one.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

LANGUAGES = ("en", "fr", "de")
LOCALE_DIR = Path(__file__).parent / "locale"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


#: Registered languages that are a person's default when they send no
#: ``Accept-Language``. German: the German-language area's residents are
#: answered in German by Walloon services; French-speaking callers keep the
#: API's English default (programs and scripts were written against it), and
#: anyone chooses with ``Accept-Language``.
PERSON_DEFAULT_LANGUAGES = frozenset({"de"})


def person_default(language: str | None) -> str | None:
    """The ``Accept-Language`` to assume for a person registered with ``language``."""
    return language if language in PERSON_DEFAULT_LANGUAGES else None


def negotiate(accept_language: str | None) -> str:
    """The best of :data:`LANGUAGES` for an ``Accept-Language`` header (English by default)."""
    if not accept_language:
        return "en"
    wanted: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        match = re.search(r"q\s*=\s*([0-9.]+)", params)
        if match:
            try:
                quality = float(match.group(1))
            except ValueError:
                quality = 0.0
        lang = tag.strip().split("-")[0].lower()
        if lang in LANGUAGES and quality > 0:
            wanted.append((-quality, index, lang))
    return min(wanted)[2] if wanted else "en"


@functools.lru_cache(maxsize=len(LANGUAGES))
def _catalogue(lang: str) -> tuple[dict[str, str], list[tuple[re.Pattern[str], str]]]:
    """Exact sentences, and templates as (regex, translation), longest first."""
    path = LOCALE_DIR / f"{lang}.json"
    entries: dict[str, str] = json.loads(path.read_text("utf-8")) if path.exists() else {}
    exact = {k: v for k, v in entries.items() if not _PLACEHOLDER.search(k)}
    templates = [
        (_template_regex(k), v)
        for k, v in sorted(entries.items(), key=lambda kv: -len(kv[0]))
        if _PLACEHOLDER.search(k)
    ]
    return exact, templates


#: Placeholders that stand for one token (an id, a number, a status code):
#: they never span a space, so "dossier {id}" — a fragment for "{what} not
#: found" — does not swallow a whole sentence that starts with "dossier".
_TOKENS = frozenset("id code nrn bce version n wait status current target field step limit".split())


def _template_regex(template: str) -> re.Pattern[str]:
    parts: list[str] = []
    last = 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[last : match.start()]))
        name = match.group(1)
        parts.append(f"(?P<{name}>\\S+?)" if name in _TOKENS else f"(?P<{name}>.+?)")
        last = match.end()
    parts.append(re.escape(template[last:]))
    return re.compile("^" + "".join(parts) + "$", re.DOTALL)


def known(text: str, lang: str) -> bool:
    """Whether ``lang``'s catalogue has ``text`` or a template it fits (English: always)."""
    if lang == "en":
        return True
    exact, templates = _catalogue(lang)
    return text in exact or any(regex.match(text) for regex, _ in templates)


def translate(text: str, lang: str, *, depth: int = 0) -> str:
    """``text`` in ``lang`` when the catalogue knows it (or its template), else as it is."""
    if lang == "en" or not text:
        return text
    exact, templates = _catalogue(lang)
    if text in exact:
        return exact[text]
    for regex, translation in templates:
        match = regex.match(text)
        if match:
            values = match.groupdict()
            if depth < 2:  # "dossier 'X'" inside "{what} not found"
                values = {k: translate(v, lang, depth=depth + 1) for k, v in values.items()}
            return translation.format(**values)
    return text


def human_size(size: int) -> str:
    """``20 MiB`` rather than ``20971520 bytes`` in the portal's messages."""
    if size < 1024:
        return f"{size} bytes"
    units = ("KiB", "MiB", "GiB")
    value, index = size / 1024, 0
    while value >= 1024 and index < len(units) - 1:
        value, index = value / 1024, index + 1
    unit = units[index]
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"
