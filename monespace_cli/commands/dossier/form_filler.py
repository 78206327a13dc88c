"""``dossier fill`` without options: ask for a form field by field, from its JSON Schema.

The schema drives everything: order (``x-ui.order``), titles, nested groups,
lists (how many items, then each), enumerations (pick by number or value),
booleans (y/n), dates (``YYYY-MM-DD``), amounts (two decimals). Each answer is
checked at once against its own sub-schema, formats included, so a mistake is
reported where it is made, not at submit; the current value (often prefilled
from an authentic source) is the default, so Enter keeps it. Conditions
across fields (``if/then``) are left to the portal's validation afterwards.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from monespace_cli import forms
from monespace_cli.assign import PathPart, to_pointer
from monespace_cli.commands.dossier.data_input import FALSE_WORDS, TRUE_WORDS, coerce
from monespace_cli.errors import UsageProblem
from monespace_cli.i18n import N_, _, pick_language, plural, schema_title

if TYPE_CHECKING:
    from monespace_cli.client import Dossier, PortalClient
    from monespace_cli.context import Factory

Ask = Callable[[str, str | None], str]
Say = Callable[[str], None]
CLEAR = "-"


def fill_interactively(
    f: Factory, client: PortalClient, dossier: Mapping[str, Any], form: dict[str, Any]
) -> Dossier:
    """Ask every field, save the data (If-Match on the version read), return the dossier."""
    if not f.io.can_prompt():
        raise UsageProblem(
            _(
                "dossier fill asks questions and this is not an interactive terminal: "
                "use --data FILE, --set path=value or --editor."
            )
        )
    f.io.info(_("Enter keeps the value in brackets; '-' clears an optional field."))
    filler = FormFiller(
        form, dossier.get("prefilled") or {}, ask=lambda q, d: f.prompt(q, default=d), say=f.io.info
    )
    data = filler.fill(dossier.get("data") or {})
    return client.put_dossier_data(dossier["id"], data, version=dossier["version"])


class FormFiller:
    """Walks a schema and asks for each value; I/O through ``ask`` and ``say``."""

    def __init__(
        self, form: dict[str, Any], prefilled: dict[str, str], *, ask: Ask, say: Say
    ) -> None:
        self.root = form
        self.prefilled = prefilled
        self.ask = ask
        self.say = say

    def fill(self, data: dict[str, Any]) -> dict[str, Any]:
        result = self._object(forms.resolve_ref(self.root, self.root), copy.deepcopy(data), ())
        return result if isinstance(result, dict) else {}

    # -- structure -------------------------------------------------------------

    def _value(
        self, schema: dict[str, Any], current: Any, path: tuple[PathPart, ...], required: bool
    ) -> Any:
        schema = forms.resolve_ref(schema, self.root)
        types = forms.schema_types(schema)
        if "object" in types or ("properties" in schema and not types):
            if not required and not current and not self._wanted(schema, path):
                return _UNSET
            return self._object(schema, current if isinstance(current, dict) else {}, path)
        if "array" in types:
            return self._array(schema, current if isinstance(current, list) else [], path)
        return self._scalar(schema, current, path, required)

    def _wanted(self, schema: dict[str, Any], path: tuple[PathPart, ...]) -> bool:
        """An optional group left empty so far: fill it only if the person says so."""
        question = _("Fill in {title}? (y/n)").format(title=self._title(schema, path))
        while True:
            answer = self.ask(question, "n").strip().lower()
            if answer in TRUE_WORDS | FALSE_WORDS:
                return answer in TRUE_WORDS
            self.say("  " + _("Answer y or n."))

    def _object(
        self, schema: dict[str, Any], current: dict[str, Any], path: tuple[PathPart, ...]
    ) -> Any:
        if path:
            self.say("")
            self.say(f"— {self._title(schema, path)} —")
        required = set(schema.get("required") or [])
        for key, sub in self._properties(schema):
            value = self._value(sub, current.get(key), (*path, key), key in required)
            if value is _UNSET:
                current.pop(key, None)
            else:
                current[key] = value
        return current

    def _properties(self, schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        return forms.ordered_properties(schema, self.root)

    def _array(
        self, schema: dict[str, Any], current: list[Any], path: tuple[PathPart, ...]
    ) -> list[Any]:
        items = forms.resolve_ref(schema.get("items") or {}, self.root)
        title = self._title(schema, path)
        if isinstance(items.get("enum"), list):
            return self._choices(schema, items, current, path)
        low = int(schema.get("minItems", 0))
        while True:
            answer = self.ask(_("{title}: how many items?").format(title=title), str(len(current)))
            if answer.strip().isdigit() and int(answer) >= low:
                count = int(answer)
                break
            self.say("  " + _("Enter a whole number (at least {n}).").format(n=low))
        result = []
        for index in range(count):
            existing = current[index] if index < len(current) else None
            value = self._value(items, existing, (*path, index), True)
            result.append(None if value is _UNSET else value)
        return result

    def _choices(
        self,
        schema: dict[str, Any],
        items: dict[str, Any],
        current: list[Any],
        path: tuple[PathPart, ...],
    ) -> list[Any]:
        """Several values from a list (checkboxes): numbers or values, comma-separated."""
        options = list(items["enum"])
        labels = _ui(schema).get("labels") or _ui(items).get("labels") or {}
        for index, option in enumerate(options, 1):
            self.say(f"  {index}) {_option_text(option, labels)}")
        question = _("{title} (numbers or values, comma-separated)").format(
            title=self._title(schema, path)
        )
        default = ",".join(_text(v) for v in current) if current else None
        while True:
            answer = self.ask(question, default).strip()
            picked: list[Any] = []
            wrong = []
            for token in filter(None, (t.strip() for t in answer.split(","))):
                match = [o for o in options if _text(o) == token]
                if not match and token.isdigit() and 1 <= int(token) <= len(options):
                    match = [options[int(token) - 1]]
                if match:
                    picked.extend(m for m in match if m not in picked)
                else:
                    wrong.append(token)
            problem = (
                plural(
                    len(wrong), N_("Unknown choice: {wrong}"), N_("Unknown choices: {wrong}")
                ).format(wrong=", ".join(wrong))
                if wrong
                else None
            )
            problem = problem or self._check(schema, picked)
            if problem is None:
                return picked
            self.say("  " + problem)

    # -- one value -------------------------------------------------------------

    def _scalar(
        self, schema: dict[str, Any], current: Any, path: tuple[PathPart, ...], required: bool
    ) -> Any:
        question = self._question(schema, path, required)
        default = None if current is None else _text(current)
        while True:
            answer = self.ask(question, default).strip()
            if answer == CLEAR and not required:
                return _UNSET
            if answer == "" and default is None:
                if not required:
                    return _UNSET
                self.say("  " + _("This field is required."))
                continue
            try:
                value = self._parse(schema, answer or (default or ""), path)
            except UsageProblem as exc:
                self.say("  " + exc.message)
                continue
            problem = self._check(schema, value)
            if problem is None:
                return value
            self.say("  " + problem)

    def _parse(self, schema: dict[str, Any], answer: str, path: tuple[PathPart, ...]) -> Any:
        options = schema.get("enum")
        if isinstance(options, list):
            for option in options:
                if _text(option) == answer:
                    return option
            if answer.isdigit() and 1 <= int(answer) <= len(options):
                return options[int(answer) - 1]
        if schema.get("format") == "iban" or _ui(schema).get("widget") == "iban":
            answer = answer.replace(" ", "").upper()  # people copy IBANs in groups of four
        return coerce(answer, schema, where=to_pointer(path))

    def _check(self, schema: dict[str, Any], value: Any) -> str | None:
        """The first problem of ``value`` against its sub-schema, in the person's words."""
        return forms.first_problem(schema, value, self.root)

    def _question(self, schema: dict[str, Any], path: tuple[PathPart, ...], required: bool) -> str:
        parts = [self._title(schema, path)]
        hint = _hint(schema)
        if hint:
            parts.append(f"({hint})")
        if required:
            parts.append("*")
        source = self._prefill_source(path)
        if source:
            parts.append("[" + _("prefilled from {source}").format(source=source) + "]")
        options = schema.get("enum")
        if isinstance(options, list):
            labels = _ui(schema).get("labels") or {}
            for index, option in enumerate(options, 1):
                self.say(f"  {index}) {_option_text(option, labels)}")
        description = schema.get("description")
        if isinstance(description, str | dict):
            self.say(f"  {_local(description)}")
        return " ".join(parts)

    def _title(self, schema: dict[str, Any], path: tuple[PathPart, ...]) -> str:
        return schema_title(schema) or to_pointer(path) or "/"

    def _prefill_source(self, path: tuple[PathPart, ...]) -> str | None:
        pointer = forms.nearest_pointer(to_pointer(path), self.prefilled)
        return None if pointer is None else self.prefilled[pointer]


def _ui(schema: dict[str, Any]) -> dict[str, Any]:
    return forms.ui_hints(schema)


def _option_text(option: Any, labels: dict[str, Any]) -> str:
    label = labels.get(_text(option)) if isinstance(labels, dict) else None
    return f"{_text(option)} – {_local(label)}" if label else _text(option)


class _Unset:
    """Marks a field left empty (removed from the data, not set to null)."""


_UNSET: Any = _Unset()


def _hint(schema: dict[str, Any]) -> str:
    fmt = schema.get("format")
    types = forms.schema_types(schema)
    ui = _ui(schema)
    if fmt == "date" or ui.get("widget") == "date":
        return "YYYY-MM-DD"
    if fmt == "email":
        return "e-mail"
    if fmt == "iban" or ui.get("widget") == "iban":
        return _("IBAN, e.g. BE68 5390 0754 7034")
    if ui.get("widget") in ("amount", "money") or (
        "string" in types and str(schema.get("pattern", "")).endswith(r"\.\d{2}$")
    ):
        return _("amount in EUR, e.g. 1250.00")
    if "boolean" in types:
        return _("yes/no")
    if "integer" in types:
        return _("whole number")
    if "number" in types:
        return _("number")
    return ""


def _local(value: Any) -> str:
    if isinstance(value, dict):
        return pick_language(value)
    return str(value)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    return json.dumps(value, ensure_ascii=False)
