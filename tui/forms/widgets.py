"""One widget per kind of form field, built from :mod:`tui.forms.schema` nodes.

Every field widget knows its JSON pointer in the dossier data, shows its
title (with ``*`` when required and the source when prefilled from an
authentic source), checks what is typed as it is typed, and answers
:meth:`FieldWidget.value` with the JSON value to send (``UNSET`` when left
empty, so optional fields are left out rather than sent as ``""``). Values
are shown the way people in Belgium type them (``14/03/1968``, ``1250,50``,
``BE68 5390 0754 7034``) and stored the way the schema wants.

Groups render nested objects as titled boxes; :class:`ArrayField` renders
repeatable rows (``ctrl+n`` adds, ``ctrl+r`` removes the row holding the
focus); fields under an ``if``/``then`` condition are shown or hidden by
:meth:`GroupField.apply_conditions` as the data changes.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, SelectionList, Static, Switch, TextArea

from monespace_cli import forms
from monespace_cli.i18n import _, pick_language
from tui.forms.conditional import shown
from tui.forms.schema import Field, Kind
from tui.forms.validation import FieldValidator, check, parse


class _Unset:
    """A field left empty: its key is left out of the data."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


def source_text(source: str) -> str:
    """The phrase naming where a prefilled value came from (``rn``, ``bce``)."""
    if source == "rn":
        return _("from the National Register")
    if source == "bce":
        return _("from the Crossroads Bank for Enterprises (BCE)")
    return _("from {source}").format(source=source)


class FieldChanged(Message):
    """A value changed somewhere in the form (conditions and dirty state follow)."""

    def __init__(self, field: FieldWidget) -> None:
        super().__init__()
        self.field = field


class FieldWidget(Vertical):
    """Base of every field: title line, the input, help and error lines."""

    DEFAULT_CSS = """
    FieldWidget { height: auto; margin: 0 0 1 0; }
    FieldWidget > .field-title { color: $text; }
    FieldWidget > .field-help { color: $text-muted; }
    FieldWidget > .field-error { color: $error; display: none; }
    FieldWidget.-invalid > .field-error { display: block; }
    FieldWidget Input, FieldWidget Select { width: 1fr; }
    FieldWidget TextArea { height: 3; }
    /* The field being typed in must stand out at a glance, not by one grey shade. */
    FieldWidget Input:focus, FieldWidget TextArea:focus { background: $accent 35%; }
    FieldWidget Switch:focus { background: $accent 35%; }
    """

    def __init__(self, node: Field, root: dict[str, Any], pointer: str, context: FormContext):
        super().__init__(classes=f"field field-{node.kind.value}")
        self.node = node
        self.root = root
        self.pointer = pointer
        self.context = context

    def title_text(self) -> str:
        return self.node.title + (" *" if self.node.required else "")

    def compose_head(self) -> ComposeResult:
        title = Content.styled(self.title_text(), "bold")
        source = self.context.source_of(self.pointer)
        if source:
            title = title + Content.styled(" ↳ " + source_text(source), "italic $text-muted")
        yield Label(title, classes="field-title")

    def compose_tail(self) -> ComposeResult:
        if self.node.help:
            yield Static(self.node.help, classes="field-help")
        yield Static("", classes="field-error")

    def value(self) -> Any:
        """The JSON value to send, or ``UNSET``."""
        raise NotImplementedError

    def show_errors(self, messages: list[str]) -> None:
        """Show messages under the field (an empty list clears them)."""
        if messages == getattr(self, "_shown_errors", []):
            return  # nothing new: spare a restyle of the subtree on every key
        self._shown_errors = list(messages)
        error = self.query_one(".field-error", Static)
        error.update("\n".join(f"⚠ {m}" for m in messages))
        self.set_class(bool(messages), "-invalid")

    def focus_input(self) -> None:
        """Put the focus on the first focusable widget of the field."""
        for widget in self.query("*"):
            if widget.focusable:
                widget.focus()
                return

    def changed(self) -> None:
        self.post_message(FieldChanged(self))


class TextField(FieldWidget):
    """Text, dates, amounts, IBANs, numbers: one line, typed then parsed."""

    def compose(self) -> ComposeResult:
        yield from self.compose_head()
        yield Input(
            value=self.text_of(self.context.value_at(self.pointer)),
            placeholder=_placeholder(self.node),
            validators=[FieldValidator(self.node, self.root)],
            validate_on=["changed", "blur", "submitted"],
            select_on_focus=False,  # tabbing through must not arm a prefilled value for erasure
            compact=True,
        )
        yield from self.compose_tail()

    def text_of(self, value: Any) -> str:
        if value is None or value is UNSET:
            return ""
        if self.node.kind is Kind.DATE:
            return forms.display_date(value)
        if self.node.kind is Kind.AMOUNT:
            return forms.display_amount(value)
        if self.node.kind is Kind.IBAN:
            return forms.display_iban(value)
        return str(value)

    def value(self) -> Any:
        text = self.query_one(Input).value
        if not text.strip():
            return UNSET
        try:
            return parse(self.node, text)
        except ValueError:
            return text  # kept as typed: the draft is saved, the portal names the problem

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        result = event.validation_result
        self.show_errors([] if result is None or result.is_valid else result.failure_descriptions)
        self.changed()

    def on_input_blurred(self, event: Input.Blurred) -> None:
        """Re-show the value in its tidy form (``be68539…`` → ``BE68 5390 …``)."""
        value = self.value()
        if value is not UNSET and not isinstance(value, str | int | float):
            return
        if value is not UNSET and check(self.node, event.input.value, self.root) is None:
            tidy = self.text_of(value)
            if tidy != event.input.value:
                event.input.value = tidy


class MultilineField(FieldWidget):
    """Long text (``x-ui.widget: textarea``)."""

    def compose(self) -> ComposeResult:
        yield from self.compose_head()
        current = self.context.value_at(self.pointer)
        yield TextArea(
            "" if current in (None, UNSET) else str(current), soft_wrap=True, compact=True
        )
        yield from self.compose_tail()

    def value(self) -> Any:
        text = self.query_one(TextArea).text
        return text if text.strip() else UNSET

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        problem = check(self.node, event.text_area.text, self.root)
        self.show_errors([problem] if problem else [])
        self.changed()


class EnumField(FieldWidget):
    """One value from a list: a Select with the labels of ``x-ui.labels``."""

    def compose(self) -> ComposeResult:
        yield from self.compose_head()
        current = self.context.value_at(self.pointer)
        values = [v for _label, v in self.node.options]
        select: Select[Any] = Select(
            [(label, index) for index, (label, _v) in enumerate(self.node.options)],
            prompt=_("Choose…"),
            value=values.index(current) if current in values else Select.NULL,
            compact=True,
        )
        yield select
        yield from self.compose_tail()

    def value(self) -> Any:
        select = self.query_one(Select)
        if select.is_blank():
            return UNSET
        return self.node.options[int(select.value)][1]  # type: ignore[arg-type]

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.show_errors([])
        self.changed()


class BooleanField(FieldWidget):
    """Yes/no: a Switch (``const: true`` ones must be switched on to submit)."""

    DEFAULT_CSS = """
    BooleanField > Horizontal { height: auto; }
    BooleanField > Horizontal > Label { padding: 0 1; }
    BooleanField Switch { border: none; height: 1; padding: 0; }
    """

    def compose(self) -> ComposeResult:
        yield from self.compose_head()
        current = self.context.value_at(self.pointer)
        self._touched = current is not None and current is not UNSET
        with Horizontal():
            yield Switch(value=current is True, animate=False)
            yield Label(_("yes") if current is True else _("no"), classes="switch-state")
        yield from self.compose_tail()

    def value(self) -> Any:
        if not self._touched and not self.node.required:
            return UNSET
        return self.query_one(Switch).value

    def on_switch_changed(self, event: Switch.Changed) -> None:
        event.stop()
        self._touched = True
        self.query_one(".switch-state", Label).update(_("yes") if event.value else _("no"))
        problem = forms.first_problem(self.node.schema, event.value, self.root)
        self.show_errors([problem] if problem else [])
        self.changed()


class ChoicesField(FieldWidget):
    """Several values from a list (an array of enum): a SelectionList."""

    DEFAULT_CSS = "ChoicesField SelectionList { height: auto; max-height: 8; }"

    def compose(self) -> ComposeResult:
        yield from self.compose_head()
        current = self.context.value_at(self.pointer)
        picked = current if isinstance(current, list) else []
        self._first_order = list(picked)
        yield SelectionList[int](
            *[(label, i, value in picked) for i, (label, value) in enumerate(self.node.options)]
        )
        yield from self.compose_tail()

    def value(self) -> Any:
        picked = self.query_one(SelectionList).selected
        if not picked and not self.node.required:
            return UNSET
        values = [self.node.options[i][1] for i in sorted(picked)]
        known = [v for v in self._first_order if v in values]  # keep the order the data had
        return known + [v for v in values if v not in known]

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged[Any]) -> None:
        event.stop()
        problem = forms.first_problem(self.node.schema, self.value(), self.root)
        self.show_errors([problem] if problem else [])
        self.changed()


class GroupField(FieldWidget):
    """A nested object: a titled box of fields; conditional children come and go."""

    DEFAULT_CSS = """
    GroupField { border: round $primary 50%; padding: 0 1; border-title-style: bold; }
    GroupField.root-group { border: none; padding: 0; }
    """

    def compose(self) -> ComposeResult:
        if self.pointer and self.node.key:  # array items are titled by their row
            self.border_title = self.title_text()
            source = self.context.source_of(self.pointer)
            if source:
                self.border_subtitle = source_text(source)
        if self.node.help:
            yield Static(self.node.help, classes="field-help")
        yield Static("", classes="field-error")
        for child in self.node.children:
            yield make_field(child, self.root, f"{self.pointer}/{_escape(child.key)}", self.context)

    def fields(self) -> list[FieldWidget]:
        return [w for w in self.children if isinstance(w, FieldWidget)]

    def value(self) -> Any:
        data: dict[str, Any] = {}
        for widget in self.fields():
            if widget.display:
                child_value = widget.value()
                if child_value is not UNSET:
                    data[widget.node.key] = child_value
        if not data and not self.node.required:
            return UNSET
        return data

    def apply_conditions(self) -> None:
        """Show the children whose condition holds on this object's current data."""
        for widget in self.fields():
            if isinstance(widget, GroupField | ArrayField):
                widget.apply_conditions()
        data = self.value()
        for widget in self.fields():
            if widget.node.conditional:
                visible = shown(widget.node.conditions, data if data is not UNSET else {})
                if widget.display != visible:
                    widget.display = visible
                    data = self.value()


class ArrayRow(Vertical):
    """One row of a repeatable group: "Work item 2" and a remove button, then its fields."""

    DEFAULT_CSS = """
    ArrayRow { height: auto; border-left: thick $accent 50%; padding-left: 1; margin-bottom: 1; }
    ArrayRow > .row-head { height: 1; }
    ArrayRow > .row-head > Label { width: 1fr; text-style: bold; }
    ArrayRow > .row-head > Button { min-width: 10; }
    ArrayRow > GroupField { border: none; padding: 0; margin: 0; }
    """

    def __init__(self, index: int, field: FieldWidget) -> None:
        super().__init__(classes="array-row")
        self.index = index
        self.field = field

    def compose(self) -> ComposeResult:
        with Horizontal(classes="row-head"):
            yield Label(f"{self.field.node.title} {self.index + 1}")
            yield Button(_("Remove"), classes="remove-row", variant="error", compact=True)
        yield self.field


class ArrayField(FieldWidget):
    """Repeatable rows (``minItems``/``maxItems`` respected); ctrl+n adds, ctrl+r removes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "add_row", _("Add row")),
        Binding("ctrl+r", "remove_row", _("Remove row")),
    ]

    DEFAULT_CSS = """
    ArrayField { border: round $accent 50%; padding: 0 1; border-title-style: bold; }
    ArrayField > .array-rows { height: auto; }
    ArrayField > .array-foot { height: auto; }
    """

    def compose(self) -> ComposeResult:
        self.border_title = self.title_text()
        self.border_subtitle = _("ctrl+n add · ctrl+r remove")
        if self.node.help:
            yield Static(self.node.help, classes="field-help")
        yield Static("", classes="field-error")
        current = self.context.value_at(self.pointer)
        items = current if isinstance(current, list) else []
        count = max(len(items), self.node.min_items)
        with Vertical(classes="array-rows"):
            for index in range(count):
                yield self._row(index)
        with Horizontal(classes="array-foot"):
            yield Button(_("Add a row"), classes="add-row", compact=True)

    def _row(self, index: int) -> ArrayRow:
        assert self.node.item is not None
        return ArrayRow(
            index,
            make_field(self.node.item, self.root, f"{self.pointer}/{index}", self.context),
        )

    def rows(self) -> list[ArrayRow]:
        return list(self.query_one(".array-rows", Vertical).query_children(ArrayRow))

    def value(self) -> Any:
        values = [row.field.value() for row in self.rows()]
        values = [{} if v is UNSET and self._objects() else v for v in values]
        values = [v for v in values if v is not UNSET]
        if not values and not self.node.required:
            return UNSET
        return values

    def _objects(self) -> bool:
        return self.node.item is not None and self.node.item.kind is Kind.GROUP

    def apply_conditions(self) -> None:
        for row in self.rows():
            if isinstance(row.field, GroupField | ArrayField):
                row.field.apply_conditions()

    async def action_add_row(self) -> None:
        rows = self.rows()
        if self.node.max_items is not None and len(rows) >= self.node.max_items:
            self.app.notify(
                _("At most {n} rows.").format(n=self.node.max_items), severity="warning"
            )
            return
        row = self._row(len(rows))
        await self.query_one(".array-rows", Vertical).mount(row)
        row.field.focus_input()
        row.scroll_visible()
        self.changed()

    async def action_remove_row(self, row: ArrayRow | None = None) -> None:
        rows = self.rows()
        target = row or self._focused_row() or (rows[-1] if rows else None)
        if target is None:
            return
        if len(rows) <= self.node.min_items:
            self.app.notify(
                _("At least {n} row(s) needed.").format(n=self.node.min_items), severity="warning"
            )
            return
        kept = [r.field.value() for r in rows if r is not target]
        await self._rebuild(kept)
        self.changed()

    def _focused_row(self) -> ArrayRow | None:
        node = self.app.focused
        while node is not None and node is not self:
            if isinstance(node, ArrayRow):
                return node
            node = node.parent  # type: ignore[assignment]
        return None

    async def _rebuild(self, values: list[Any]) -> None:
        """Rows again from values (pointers follow the new indexes)."""
        self.context.override(self.pointer, [None if v is UNSET else v for v in values])
        container = self.query_one(".array-rows", Vertical)
        await container.remove_children()
        await container.mount_all([self._row(i) for i in range(len(values))])
        rows = self.rows()
        if rows:
            rows[-1].field.focus_input()
        self.apply_conditions()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.has_class("add-row"):
            event.stop()
            await self.action_add_row()
        elif event.button.has_class("remove-row"):
            event.stop()
            row = next((a for a in event.button.ancestors if isinstance(a, ArrayRow)), None)
            await self.action_remove_row(row)


_WIDGETS: dict[Kind, type[FieldWidget]] = {
    Kind.MULTILINE: MultilineField,
    Kind.ENUM: EnumField,
    Kind.BOOLEAN: BooleanField,
    Kind.CHOICES: ChoicesField,
    Kind.GROUP: GroupField,
    Kind.ARRAY: ArrayField,
}


def make_field(
    node: Field, root: dict[str, Any], pointer: str, context: FormContext
) -> FieldWidget:
    """The widget for a node (text-like kinds share :class:`TextField`)."""
    widget = _WIDGETS.get(node.kind, TextField)(node, root, pointer, context)
    if node.conditional:
        widget.display = False
    return widget


class FormContext:
    """What every field of one form reads: the current data and the prefill sources."""

    def __init__(self, data: dict[str, Any], prefilled: dict[str, str]) -> None:
        self.data = data
        self.prefilled = prefilled

    def value_at(self, pointer: str) -> Any:
        node: Any = self.data
        for part in _parts(pointer):
            if isinstance(node, dict):
                node = node.get(part)
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        return node

    def override(self, pointer: str, value: Any) -> None:
        """Replace the value at ``pointer`` (rows rebuilt after a removal read it back)."""
        parts = _parts(pointer)
        node: Any = self.data
        for part in parts[:-1]:
            if isinstance(node, dict):
                node = node.setdefault(part, {})
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return
        if isinstance(node, dict) and parts:
            node[parts[-1]] = value
        elif isinstance(node, list) and parts and parts[-1].isdigit():
            index = int(parts[-1])
            if index < len(node):
                node[index] = value

    def source_of(self, pointer: str) -> str | None:
        """``rn``/``bce`` when the value at ``pointer`` came from an authentic source."""
        return self.prefilled.get(pointer) if pointer else None


def _parts(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("/").split("/")]


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _placeholder(node: Field) -> str:
    if node.kind is Kind.DATE:
        return _("dd/mm/yyyy")
    if node.kind is Kind.AMOUNT:
        currency = forms.ui_hints(node.schema).get("currency") or "EUR"
        return _("amount in {currency}, e.g. 1250,00").format(currency=currency)
    if node.kind is Kind.IBAN:
        return "BE68 5390 0754 7034"
    fmt = node.schema.get("format")
    if fmt == "be-nrn":
        return _("11 digits")
    if fmt == "be-bce":
        return _("10 digits")
    return ""


def option_label(node: Field, value: Any) -> str:
    """The label of a choice (for the submit summary)."""
    for label, option in node.options:
        if option == value:
            return label
    return pick_language(value) if isinstance(value, dict) else str(value)


class AttachRequested(Message):
    """The person wants to attach a file of this kind."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind


class AttachmentsPanel(Vertical):
    """The procedure's attachment kinds, what is attached so far, and attach buttons."""

    DEFAULT_CSS = """
    AttachmentsPanel { height: auto; border: round $secondary 50%; padding: 0 1; }
    AttachmentsPanel .kind-row { height: auto; }
    AttachmentsPanel .kind-row > Static { width: 1fr; }
    AttachmentsPanel .kind-row > Button { min-width: 14; }
    AttachmentsPanel .field-error { color: $error; display: none; }
    AttachmentsPanel .field-error.-shown { display: block; }
    """

    def __init__(self, kinds: list[dict[str, Any]], attachments: list[dict[str, Any]]) -> None:
        super().__init__(id="attachments")
        self.kinds = kinds
        self.attachments = attachments

    def compose(self) -> ComposeResult:
        self.border_title = _("Attachments")
        self.border_subtitle = _("ctrl+f attach a file")
        if not self.kinds:
            yield Static(_("This procedure needs no attachment."))
        for kind in self.kinds:
            with Horizontal(classes="kind-row", id=f"kind-{kind['kind']}"):
                yield Static(self._line(kind), classes="kind-line")
                yield Button(_("Attach…"), classes="attach", name=kind["kind"], compact=True)
            yield Static("", classes="field-error", id=f"kind-error-{kind['kind']}")

    def _line(self, kind: dict[str, Any]) -> str:
        title = pick_language(kind.get("title")) or kind["kind"]
        mark = " *" if kind.get("required") else ""
        files = [a for a in self.attachments if a.get("kind") == kind["kind"]]
        listed = ", ".join(f"{a['filename']} ({_size(int(a.get('size', 0)))})" for a in files)
        return f"{title}{mark}\n  " + (listed or _("no file yet"))

    def update_attachments(self, attachments: list[dict[str, Any]]) -> None:
        self.attachments = attachments
        for kind in self.kinds:
            row = self.query_one(f"#kind-{kind['kind']}", Horizontal)
            row.query_one(".kind-line", Static).update(self._line(kind))
            self.show_errors(kind["kind"], [])

    def show_errors(self, kind: str, messages: list[str]) -> None:
        for widget in self.query(f"#kind-error-{kind}"):
            if isinstance(widget, Static):
                widget.update("\n".join(f"⚠ {m}" for m in messages))
                widget.set_class(bool(messages), "-shown")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.has_class("attach") and event.button.name:
            event.stop()
            self.post_message(AttachRequested(event.button.name))


def _size(size: int) -> str:
    return f"{size} B" if size < 1024 else f"{size / 1024:.0f} kB"


def field_widgets(root: Widget) -> list[FieldWidget]:
    """Every field widget shown under ``root`` (hidden conditional ones left out)."""
    found = []
    for widget in root.query(FieldWidget):
        if all(a.display for a in [widget, *widget.ancestors] if isinstance(a, Widget)):
            found.append(widget)
    return found
