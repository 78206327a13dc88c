"""Keep the gettext catalogues up to date: extract messages, compile ``.mo`` files.

``python -m monespace_cli.i18n_compile`` (the proposed ``make i18n``):

1. extracts every ``_("…")`` / ``N_("…")`` string and every command
   docstring (Typer shows them as help) from ``monespace_cli/`` (its
   ``client`` package aside) and ``eid/`` (whose ``N_`` marks its error
   and doctor message templates);
2. adds the new ones to each ``locale/<lang>/LC_MESSAGES/monespace.po``
   with an empty translation, keeping the existing translations;
3. compiles each ``.po`` to its ``.mo`` (the GNU format, as CPython's
   ``Tools/i18n/msgfmt.py`` writes it), which is committed so that no build
   step is needed.

``--check`` changes nothing and exits 1 when a ``.mo`` is stale (the test
suite calls :func:`compile_po` directly for the same check). ``--missing de``
lists the German msgids still untranslated (one quoted msgid a line).
"""

from __future__ import annotations

import argparse
import ast
import struct
import sys
from pathlib import Path

from monespace_cli.i18n import DOMAIN, LANGUAGES, LOCALE_DIR

PACKAGE_DIR = Path(__file__).parent
EID_DIR = PACKAGE_DIR.parent / "eid"
TUI_DIR = PACKAGE_DIR.parent / "tui"
HEADER = (
    "Project-Id-Version: monespace\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "Language: {lang}\n"
    "Plural-Forms: {plural}\n"
)
#: Each language's plural rule, in the header gettext reads (``i18n.plural`` uses it).
PLURAL_FORMS = {
    "fr": "nplurals=2; plural=(n > 1);",
    "de": "nplurals=2; plural=(n != 1);",
    "en": "nplurals=2; plural=(n != 1);",
}


def header(lang: str) -> str:
    """The ``.po`` header (the empty msgid's translation) of one language."""
    return HEADER.format(lang=lang, plural=PLURAL_FORMS[lang])


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _unquote(text: str) -> str:
    return str(ast.literal_eval(text))


def parse_po(text: str) -> dict[str, str]:
    """msgid → msgstr of a ``.po`` file (singular entries; ``#`` comments ignored)."""
    catalog: dict[str, str] = {}
    msgid: str | None = None
    msgstr: str | None = None
    section = ""

    def flush() -> None:
        if msgid is not None and msgstr is not None:
            catalog[msgid] = msgstr

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("msgid "):
            flush()
            msgid, msgstr, section = _unquote(line[6:]), None, "id"
        elif line.startswith("msgstr "):
            msgstr, section = _unquote(line[7:]), "str"
        elif line.startswith('"'):
            if section == "id" and msgid is not None:
                msgid += _unquote(line)
            elif section == "str" and msgstr is not None:
                msgstr += _unquote(line)
    flush()
    return catalog


def compile_po(catalog: dict[str, str]) -> bytes:
    """The ``.mo`` bytes for a catalogue (untranslated entries left out)."""
    entries = sorted((k, v) for k, v in catalog.items() if v)
    ids = b""
    strs = b""
    offsets = []
    for msgid, msgstr in entries:
        mid, mstr = msgid.encode("utf-8"), msgstr.encode("utf-8")
        offsets.append((len(ids), len(mid), len(strs), len(mstr)))
        ids += mid + b"\0"
        strs += mstr + b"\0"
    count = len(entries)
    key_start = 7 * 4 + 16 * count
    value_start = key_start + len(ids)
    koffsets: list[int] = []
    voffsets: list[int] = []
    for id_off, id_len, str_off, str_len in offsets:
        koffsets += [id_len, id_off + key_start]
        voffsets += [str_len, str_off + value_start]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, count, 7 * 4, 7 * 4 + count * 8, 0, 0)
    table = struct.pack(f"{len(koffsets)}i", *koffsets) + struct.pack(
        f"{len(voffsets)}i", *voffsets
    )
    return header + table + ids + strs


def _constants(tree: ast.Module) -> dict[str, str]:
    out = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            out[node.targets[0].id] = node.value.value
    return out


def _is_command(node: ast.FunctionDef) -> bool:
    for deco in node.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        if isinstance(target, ast.Attribute) and target.attr in ("command", "callback"):
            return True
    return False


def extract_messages(paths: list[Path]) -> list[str]:
    """Every translatable string of the given modules, in order of appearance."""
    found: list[str] = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _constants(tree)
        for node in ast.walk(tree):
            text: str | None = None
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id in ("_", "N_") and node.args:
                    arg = node.args[0]
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        text = arg.value
                    elif isinstance(arg, ast.Name):
                        text = constants.get(arg.id)
            elif isinstance(node, ast.FunctionDef) and _is_command(node):
                text = ast.get_docstring(node, clean=True)
            if text and text not in found:
                found.append(text)
    return found


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def render_po(lang: str, msgids: list[str], translations: dict[str, str]) -> str:
    """A ``.po`` file text with the header and one entry a message."""
    lines = ['msgid ""', 'msgstr ""']
    lines += [_quote(line + "\n") for line in header(lang).splitlines()]
    for msgid in msgids:
        lines += ["", f"msgid {_quote(msgid)}", f"msgstr {_quote(translations.get(msgid, ''))}"]
    return "\n".join(lines) + "\n"


def source_files() -> list[Path]:
    """The modules whose messages go into the catalogue.

    ``eid/`` is included: the library cannot import our gettext, so it marks
    its English message templates with its own no-op ``N_`` and the CLI
    translates them (see ``eid.errors``). ``tui/`` is included: the TUI
    shares the CLI's catalogue (``monespace_cli.i18n``).
    """
    own = [p for p in PACKAGE_DIR.rglob("*.py") if "client" not in p.relative_to(PACKAGE_DIR).parts]
    return sorted(own) + sorted(EID_DIR.rglob("*.py")) + sorted(TUI_DIR.rglob("*.py"))


def update(check: bool = False) -> list[str]:
    """Extract, merge and compile; returns the stale files (all fixed unless ``check``)."""
    msgids = extract_messages(source_files())
    stale: list[str] = []
    for lang in LANGUAGES:
        po = po_path(lang)
        old_text = po.read_text(encoding="utf-8") if po.exists() else ""
        translations = parse_po(old_text)
        keep = [m for m in translations if m and m not in msgids]  # hand-added entries stay
        text = render_po(lang, [*msgids, *keep], translations)
        catalog = parse_po(text)
        catalog.pop("", None)
        catalog[""] = header(lang)
        mo_bytes = compile_po(catalog)
        mo = po.with_suffix(".mo")
        for path, content in ((po, text.encode("utf-8")), (mo, mo_bytes)):
            if not path.exists() or path.read_bytes() != content:
                stale.append(str(path))
                if not check:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(content)
    return stale


def missing(lang: str) -> list[str]:
    """The msgids of ``lang``'s catalogue still without a translation.

    What a translator works through after a merge brought new messages
    (``--missing de``); the completeness test fails until it is empty.
    """
    catalog = parse_po(po_path(lang).read_text(encoding="utf-8"))
    return [msgid for msgid, msgstr in catalog.items() if msgid and not msgstr.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m monespace_cli.i18n_compile")
    parser.add_argument("--check", action="store_true", help="report stale files, change nothing")
    parser.add_argument(
        "--missing",
        metavar="LANG",
        choices=[lang for lang in LANGUAGES if lang != "en"],
        help="after updating, list LANG's untranslated msgids (exit 1 if any)",
    )
    args = parser.parse_args(argv)
    stale = update(check=args.check)
    if args.missing:
        untranslated = missing(args.missing)
        for msgid in untranslated:
            print(_quote(msgid))
        return 1 if untranslated else 0
    for path in stale:
        print(("stale: " if args.check else "wrote: ") + path, file=sys.stderr)
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
