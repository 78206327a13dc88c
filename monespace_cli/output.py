"""Rendering command results: one helper for every command and every format.

Like gh's ``json_flags``: commands hand over API data and a column list, and
this module decides the form from the global options:

- ``table`` (default) on a terminal: aligned columns with a header, fitted to
  the terminal width, colours only on a TTY and never with ``NO_COLOR``;
- ``table`` piped: tab-separated rows, no header, no colours (for ``cut``,
  ``awk``, ``while read``);
- ``json``: the API objects as they came (same field names), indented;
- ``jsonl``: one compact JSON object a line (a list item each);
- ``csv``: every field, nested objects flattened to dotted names
  (``title.fr``, ``service.code``), lists as JSON, cells protected from
  spreadsheet formula injection;
- ``--jq EXPR``: the jq program is run on the JSON value; strings print raw,
  other results as compact JSON, one a line (as ``gh --jq``).

Usage in a command::

    from monespace_cli.context import current
    from monespace_cli.output import Column

    f = current()
    f.printer.list(
        items,
        [Column("code"), Column("title", _("Title")), Column("fee.amount", _("Fee"))],
        empty=_("No procedure matches."),
    )
    f.printer.object(procedure, [Column("code"), Column("title", _("Title"))])

An empty list prints nothing on stdout in table form (the ``empty`` message
goes to stderr) and ``[]`` in JSON: never an error.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from monespace_cli.errors import UsageProblem
from monespace_cli.i18n import _, pick_language

FORMATS = ("table", "json", "jsonl", "csv")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_ANSI = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "blue": "34"}


@dataclass(frozen=True)
class Column:
    """A table column: an API field path (dotted), a header, an optional formatter.

    ``key`` names the field the same way the API does (``title``,
    ``service.code``). ``header`` is the translated human header (defaults to
    the key in capitals). ``format`` turns the raw value into the cell text;
    without it, multilingual objects pick the user's language, lists are
    joined with commas, ``None`` is empty.
    """

    key: str
    header: str | None = None
    format: Callable[[Any], str] | None = None

    def title(self) -> str:
        return self.header or self.key.replace("_", " ").replace(".", " ").upper()

    def cell(self, item: Any) -> str:
        value = get_path(item, self.key)
        if self.format is not None:
            return self.format(value)
        return cell_text(value)


def get_path(item: Any, path: str) -> Any:
    """``item["a"]["b"]`` for ``"a.b"``; None where anything is missing."""
    value = item
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


def cell_text(value: Any) -> str:
    """The human text of an API value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        if value and set(value) <= {"fr", "en", "de", "nl"}:
            return pick_language(value)
        if set(value) == {"amount", "currency"}:
            return f"{value['amount']} {value['currency']}"
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return ", ".join(cell_text(v) for v in value)
    return str(value)


def csv_safe(text: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula (OWASP CSV injection).

    Plain numbers (``-37.18``) are left alone; anything else starting with
    ``= + - @`` or a control character gets a leading apostrophe.
    """
    if not text or not text.startswith(_FORMULA_START):
        return text
    try:
        float(text)
    except ValueError:
        return "'" + text
    return text


def flatten(item: Any, prefix: str = "") -> dict[str, Any]:
    """Nested objects to dotted keys (``{"a": {"b": 1}}`` → ``{"a.b": 1}``)."""
    if not isinstance(item, dict):
        return {prefix or "value": item}
    out: dict[str, Any] = {}
    for key, value in item.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict) and value:
            out.update(flatten(value, name))
        else:
            out[name] = value
    return out


def _dotted(item: Any, name: str) -> Any:
    """``item["a"]["b"]`` for ``a.b``; None where a level is missing or null."""
    for part in name.split("."):
        if not isinstance(item, dict):
            return None
        item = item.get(part)
    return item


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def run_jq(program: str, data: Any) -> list[Any]:
    """Run a jq program on a JSON value; a bad program is a usage error."""
    import jq

    try:
        compiled = jq.compile(program)
    except ValueError as exc:
        raise UsageProblem(_("Invalid --jq expression: {detail}").format(detail=exc)) from None
    try:
        return list(compiled.input_value(data).all())
    except ValueError as exc:
        raise UsageProblem(_("The --jq expression failed: {detail}").format(detail=exc)) from None


class Printer:
    """Writes results on stdout in the chosen format (see the module docstring)."""

    def __init__(
        self,
        stdout: TextIO,
        stderr: TextIO,
        *,
        fmt: str = "table",
        jq: str | None = None,
        tty: bool = False,
        color: bool = False,
        width: int = 80,
        context: str | None = None,
    ) -> None:
        if fmt not in FORMATS:
            raise UsageProblem(
                _("Unknown output format {fmt!r}: use one of {formats}.").format(
                    fmt=fmt, formats=", ".join(FORMATS)
                )
            )
        if jq is not None and fmt in ("csv", "jsonl"):
            raise UsageProblem(_("--jq works on JSON: drop --output {fmt}.").format(fmt=fmt))
        self.stdout = stdout
        self.stderr = stderr
        self.fmt = "json" if jq is not None else fmt
        self.jq = jq
        self.tty = tty
        self.color = color
        self.width = width
        self.context = context

    @property
    def human(self) -> bool:
        """True when the output is for a person (table format)."""
        return self.fmt == "table"

    def style(self, text: str, *styles: str) -> str:
        """ANSI-styled text when colours are on; the text as it is otherwise."""
        if not self.color or not styles:
            return text
        codes = ";".join(_ANSI[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"

    def list(
        self,
        items: Sequence[Mapping[str, Any]],
        columns: Sequence[Column | str],
        *,
        empty: str | None = None,
        show_context: bool = False,
        fields: Sequence[str] | None = None,
    ) -> None:
        """Print a list of API objects.

        ``fields`` (see :func:`fields_of`) fixes the CSV columns from the API's
        schema; without it they come from the rows, and move with them.
        """
        cols = [c if isinstance(c, Column) else Column(c) for c in columns]
        items = list(items)
        if self.fmt == "table":
            self._note_context(show_context)
            if not items:
                if empty and self.tty:
                    print(empty, file=self.stderr)
                return
            rows = [[c.cell(item) for c in cols] for item in items]
            self._table([c.title() for c in cols], rows)
        elif self.fmt == "csv":
            self._csv(items, fields)
        elif self.fmt == "jsonl" and fields:
            self.json([_schema_keys(item, fields) for item in items])
        else:
            self.json(items)

    def object(
        self,
        obj: Mapping[str, Any],
        fields: Sequence[Column | str] | None = None,
        *,
        show_context: bool = False,
    ) -> None:
        """Print one API object: ``label: value`` lines for people."""
        if self.fmt == "table":
            self._note_context(show_context)
            cols = [c if isinstance(c, Column) else Column(c) for c in fields or obj.keys()]
            if self.tty:
                titles = [c.header or c.key for c in cols]
                pad = max((len(t) for t in titles), default=0)
                for col, label in zip(cols, titles, strict=True):
                    print(
                        f"{self.style(label.ljust(pad), 'bold')}  {col.cell(obj)}", file=self.stdout
                    )
            else:
                for col in cols:
                    print(f"{col.key}\t{_one_line(col.cell(obj))}", file=self.stdout)
        elif self.fmt == "csv":
            self._csv([obj])
        else:
            self.json(obj)

    def json(self, data: Any) -> None:
        """Print a JSON value as JSON/JSONL, through ``--jq`` when given."""
        if self.jq is not None:
            for result in run_jq(self.jq, data):
                if isinstance(result, str):
                    print(result, file=self.stdout)
                else:
                    print(json.dumps(result, ensure_ascii=False), file=self.stdout)
            return
        if self.fmt == "jsonl":
            for item in data if isinstance(data, list) else [data]:
                print(json.dumps(item, ensure_ascii=False), file=self.stdout)
            return
        print(json.dumps(data, ensure_ascii=False, indent=2), file=self.stdout)

    def text(self, text: str) -> None:
        """Print free text on stdout (e.g. a token, a QR code); no formatting."""
        print(text, file=self.stdout)

    def heading(self, title: str) -> None:
        """A blank line and a bold title: the start of a section in a human view."""
        self.text("")
        self.text(self.style(title, "bold"))

    def _note_context(self, show: bool) -> None:
        if show and self.context and self.tty:
            if self.context == "me":  # the --as keyword, not a word to show
                label = _("Acting as: yourself")
            else:
                label = _("Acting as: {context}").format(context=self.context)
            print(self.style(label, "dim"), file=self.stderr)

    def _table(self, headers: Sequence[str], cells: Sequence[Sequence[str]]) -> None:
        rows = [[_one_line(c) for c in row] for row in cells]
        if not self.tty:
            for row in rows:
                print("\t".join(row), file=self.stdout)
            return
        widths = _fit_widths(headers, rows, self.width)
        line = "  ".join(
            self.style(_clip(h, w).ljust(w), "bold") for h, w in zip(headers, widths, strict=True)
        )
        print(line.rstrip(), file=self.stdout)
        for row in rows:
            print(
                "  ".join(_clip(c, w).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip(),
                file=self.stdout,
            )

    def _csv(self, items: Iterable[Any], fields: Sequence[str] | None = None) -> None:
        import csv
        import io

        items = list(items)
        flat = [flatten(item) for item in items]
        if fields:  # a nested value the schema keeps whole (a {"fr", "en"} title) as JSON
            flat = [{f: _dotted(item, f) for f in fields} for item in items]
        fieldnames: list[str] = list(fields or [])
        for row in [] if fields else flat:
            for key in row:
                if key not in fieldnames:
                    fieldnames.append(key)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([csv_safe(name) for name in fieldnames])
        for row in flat:
            writer.writerow([csv_safe(_csv_value(row.get(name))) for name in fieldnames])
        self.stdout.write(buffer.getvalue())


def _one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ").replace("\t", " ")


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def _fit_widths(headers: Sequence[str], rows: Sequence[Sequence[str]], total: int) -> list[int]:
    """Column widths that fit the terminal, shrinking the widest columns first."""
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    budget = total - 2 * (len(widths) - 1)
    while sum(widths) > budget:
        widest = max(range(len(widths)), key=lambda i: widths[i])
        if widths[widest] <= 8:
            break
        widths[widest] -= 1
    return widths


def _schema_keys(item: Any, fields: Sequence[str]) -> Any:
    """A JSON Lines object with the schema's keys first, in its order, absent ones null.

    Why: every line then has the same keys in the same place, as the CSV has
    the same columns; keys the schema does not know follow, untouched.
    """
    if not isinstance(item, dict):
        return item
    keys = dict.fromkeys(field.split(".", 1)[0] for field in fields)
    return {**{k: item.get(k) for k in keys}, **{k: v for k, v in item.items() if k not in keys}}


def fields_of(schema: Any, prefix: str = "") -> list[str]:
    """The dotted CSV columns of an API object, from its TypedDict, in schema order.

    Why from the schema: a column set read from the rows changes with the data
    (an unassigned first dossier has ``assigned_to`` empty, not
    ``assigned_to.nrn``), and a script reading the CSV by position breaks.
    """
    import types
    import typing

    try:
        hints = typing.get_type_hints(schema)
    except TypeError:
        return [prefix] if prefix else []
    names: list[str] = []
    for key, hint in hints.items():
        name = f"{prefix}.{key}" if prefix else key
        # An object (or an optional one) becomes dotted columns; a list of
        # objects stays one column of JSON, as a list of anything does.
        union = typing.get_origin(hint) in (typing.Union, types.UnionType)
        nested = [
            a for a in (typing.get_args(hint) if union else (hint,)) if typing.is_typeddict(a)
        ]
        names.extend(fields_of(nested[0], name) if nested else [name])
    return names
