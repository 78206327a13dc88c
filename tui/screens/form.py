"""Fill in a dossier's form, save the draft, attach files and submit.

``FormScreen(dossier_id)`` loads the dossier and the form of the procedure
version it was started on, and renders the form from its JSON Schema
(:mod:`tui.forms`): prefilled values show their authentic source, fields
under ``if``/``then`` conditions appear as the data changes, mistakes show
under the field as they are typed.

Keys: ``ctrl+s`` saves the draft (``PUT`` with ``If-Match``: when someone
else saved meanwhile, the portal answers 412 and the screen offers to
reload) then asks the portal what is still missing and shows it on the
fields; ``ctrl+l`` checks the whole form locally; ``ctrl+f`` attaches a
file; ``ctrl+g`` submits after a confirmation listing every field and file
that will be sent, then shows the receipt and, for a procedure with a fee,
how to pay. The portal is the authority: its 422 ``errors`` pointers land
on the fields they name. All network work runs in thread workers.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, LoadingIndicator, Static

from monespace_cli.client import StaleVersion, ValidationFailed, new_idempotency_key
from monespace_cli.forms import display_amount, display_iban
from monespace_cli.i18n import _, pick_language
from tui import format as fmt
from tui.forms import schema as form_schema
from tui.forms.modals import ConfirmSubmit, FilePicker, Receipt, StaleDraft
from tui.forms.summary import summary_lines
from tui.forms.validation import form_errors, humanise, route
from tui.forms.widgets import (
    UNSET,
    AttachmentsPanel,
    AttachRequested,
    FieldChanged,
    FormContext,
    GroupField,
    field_widgets,
    make_field,
)
from tui.screens.base import PortalScreen
from tui.screens.dossier import DossierScreen
from tui.widgets.context_bar import ContextBar

if TYPE_CHECKING:
    from textual.worker import Worker

    from monespace_cli.client import PortalClient

T = TypeVar("T")

#: Statuses in which the applicant may still change the data.
EDITABLE = frozenset({"draft", "awaiting_complement"})


class FormScreen(PortalScreen[None]):
    """The form of one dossier: fill, save, attach, submit."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", _("Back")),
        Binding("ctrl+s", "save", _("Save draft")),
        Binding("ctrl+l", "check", _("Check")),
        Binding("ctrl+f", "attach", _("Attach file")),
        Binding("ctrl+g", "submit", _("Submit")),
        Binding("f1", "app.help", _("Keys"), show=False),
    ]

    DEFAULT_CSS = """
    FormScreen #form-title { height: auto; background: $primary 30%; padding: 0 1; }
    FormScreen #form-status { height: auto; padding: 0 1; color: $text-muted; }
    FormScreen #form-errors { height: auto; padding: 0 1; color: $error; display: none; }
    FormScreen #form-errors.-shown { display: block; }
    FormScreen #form-body { padding: 0 1; }
    """

    def __init__(self, dossier_id: str, *, files_dir: Path | None = None) -> None:
        super().__init__()
        self.dossier_id = dossier_id
        self._files_dir = files_dir
        self.dossier: dict[str, Any] = {}
        self.procedure: dict[str, Any] = {}
        self.form: dict[str, Any] = {}
        self.saved_data: dict[str, Any] = {}
        self.loaded = False
        self._leaving = False

    # -- plumbing ---------------------------------------------------------------

    @property
    def files_dir(self) -> Path:
        """The folder given to the screen (its tests run it without the app), else the app's."""
        return self._files_dir or super().files_dir

    def _run(
        self,
        job: Callable[[PortalClient], T],
        then: Callable[[T], object],
        failed: Callable[[BaseException], object] | None = None,
    ) -> Worker[None]:
        """``job`` with a client off the UI thread; a failure clears "Saving…" and is shown."""
        return self.run_portal(job, then, failed or self._report, group="form-portal")

    def _report(self, error: BaseException) -> None:
        self._busy(None)
        self.host.report_error(error)

    def _busy(self, text: str | None) -> None:
        status = self.query_one("#form-status", Static)
        status.update(text or self._status_line())

    # -- building ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ContextBar(_("Form"))  # the acting context and the live state, as everywhere
        yield Static(_("Loading dossier {id}…").format(id=self.dossier_id), id="form-title")
        yield Static("", id="form-status")
        yield Static("", id="form-errors", markup=False)
        with VerticalScroll(id="form-body"):
            yield LoadingIndicator()
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        """Fetch the dossier and its procedure version's form, then render."""

        def job(client: PortalClient) -> tuple[dict[str, Any], dict[str, Any]]:
            dossier = client.get_dossier(self.dossier_id)
            procedure = client.get_procedure(
                dossier["procedure"], version=dossier["procedure_version"]
            )
            return dict(dossier), dict(procedure)

        self._run(job, lambda pair: self.call_later(self._show_form, *pair))

    async def _show_form(self, dossier: dict[str, Any], procedure: dict[str, Any]) -> None:
        self.dossier, self.procedure = dossier, procedure
        self.form = procedure.get("form") or {}
        data = json.loads(json.dumps(dossier.get("data") or {}))
        context = FormContext(data, dict(dossier.get("prefilled") or {}))
        tree = form_schema.build(self.form)
        root = make_field(tree, self.form, "", context)
        root.add_class("root-group")
        body = self.query_one("#form-body", VerticalScroll)
        await body.remove_children()
        panel = AttachmentsPanel(
            list(procedure.get("attachment_kinds") or []), list(dossier.get("attachments") or [])
        )
        await body.mount_all([root, panel])
        self.query_one("#form-title", Static).update(self._title_line())
        self._show_general([])
        self.root_group().apply_conditions()
        self.saved_data = self.collect()
        self.loaded = True
        self._busy(None)
        if dossier.get("status") not in EDITABLE:
            self.notify(
                _("This dossier is {status}: it can no longer be edited.").format(
                    status=fmt.status_label(dossier.get("status"))
                ),
                severity="warning",
            )
        body.focus()  # not the first input: a stray key must not replace a prefilled value
        body.scroll_home(animate=False)

    def _title_line(self) -> str:
        title = pick_language(self.procedure.get("title")) or self.dossier.get("procedure", "")
        return f"{title} — {self.dossier.get('id', self.dossier_id)}"

    def _status_line(self) -> str:
        if not self.loaded:
            return ""
        dirty = _(" · unsaved changes") if self.dirty() else ""
        return (
            _("Status: {status} · version {version}").format(
                status=fmt.status_label(self.dossier.get("status")),
                version=self.dossier.get("version"),
            )
            + dirty
        )

    def root_group(self) -> GroupField:
        return self.query_one("#form-body > GroupField", GroupField)

    def collect(self) -> dict[str, Any]:
        """The data as the form now holds it (hidden conditional fields left out)."""
        value = self.root_group().value()
        return value if isinstance(value, dict) and value is not UNSET else {}

    def dirty(self) -> bool:
        return self.loaded and self.collect() != self.saved_data

    def on_field_changed(self, event: FieldChanged) -> None:
        event.stop()
        if self.loaded:
            self.root_group().apply_conditions()
            self._busy(None)

    # -- errors on fields -------------------------------------------------------

    def show_errors(self, errors: list[dict[str, str]]) -> None:
        """Every message under the field its pointer names (clearing the others)."""
        widgets = {w.pointer: w for w in field_widgets(self.root_group())}
        kinds = {k["kind"] for k in self.procedure.get("attachment_kinds") or []}
        on_files = [e for e in errors if e.get("pointer", "").startswith("/attachments/")]
        on_data = [e for e in errors if e not in on_files]
        routed = route(on_data, set(widgets) - {""})
        for pointer, widget in widgets.items():
            widget.show_errors(routed.get(pointer, []) if pointer else [])
        panel = self.query_one(AttachmentsPanel)
        for kind in kinds:
            panel.show_errors(
                kind, [e["message"] for e in on_files if e["pointer"] == f"/attachments/{kind}"]
            )
        general = routed.get("", [])
        self._show_general(general)
        first = next((widgets[p] for p in widgets if p in routed and p), None)
        if first is not None:
            first.scroll_visible()

    def _show_general(self, messages: list[str]) -> None:
        errors = self.query_one("#form-errors", Static)
        errors.update("\n".join(f"⚠ {m}" for m in messages))
        errors.set_class(bool(messages), "-shown")

    # -- actions ----------------------------------------------------------------

    def action_back(self) -> None:
        if self.dirty() and not self._leaving:
            self._leaving = True
            self.notify(
                _("Unsaved changes: ctrl+s saves them; escape again leaves without saving."),
                severity="warning",
            )
            return
        self.app.pop_screen()

    def _editable(self) -> bool:
        if not self.loaded:
            return False
        if self.dossier.get("status") not in EDITABLE:
            self.notify(_("This dossier can no longer be edited."), severity="warning")
            return False
        return True

    def action_check(self) -> None:
        """Check the whole form here, without the network."""
        if not self.loaded:
            return
        errors = form_errors(self.form, self.collect())
        self.show_errors(errors)
        if errors:
            self.notify(
                _("{n} thing(s) to correct or complete.").format(n=len(errors)),
                severity="warning",
            )
        else:
            self.notify(_("The form is complete."))

    def action_save(self) -> None:
        """Save the draft, then show what the portal says is still missing."""
        if not self._editable():
            return
        data = self.collect()
        version = int(self.dossier["version"])
        self._busy(_("Saving…"))

        def job(client: PortalClient) -> tuple[dict[str, Any], dict[str, Any]]:
            saved = dict(client.put_dossier_data(self.dossier_id, data, version=version))
            return saved, dict(client.validate_dossier(self.dossier_id))

        self._run(job, lambda pair: self._saved(data, *pair), self._save_failed)

    def _saved(self, data: dict[str, Any], dossier: dict[str, Any], check: dict[str, Any]) -> None:
        self.dossier = dossier
        self.saved_data = data
        self._leaving = False
        self._busy(None)
        errors = humanise(self.form, data, list(check.get("errors") or []))
        errors += [
            {"pointer": f"/attachments/{kind}", "message": _("This attachment is required.")}
            for kind in check.get("missing_attachments") or []
        ]
        self.show_errors(errors)
        if errors:
            self.notify(
                _("Draft saved. {n} thing(s) still to complete before submitting.").format(
                    n=len(errors)
                )
            )
        else:
            self.notify(_("Draft saved. The dossier is ready to submit."))

    def _save_failed(self, error: BaseException) -> None:
        self._busy(None)
        if isinstance(error, StaleVersion):
            self.app.push_screen(StaleDraft(), self._after_stale)
        elif isinstance(error, ValidationFailed) and error.errors:
            self.show_errors(humanise(self.form, self.collect(), list(error.errors)))
            self.notify(
                _("The portal refused the data: see the fields marked ⚠."), severity="error"
            )
        else:
            self.host.report_error(error)

    def _after_stale(self, reload: bool | None) -> None:
        if reload:
            self.loaded = False
            self.load()

    def action_attach(self, kind: str | None = None) -> None:
        if not self._editable():
            return
        kinds = list(self.procedure.get("attachment_kinds") or [])
        if not kinds:
            self.notify(_("This procedure needs no attachment."))
            return
        attached = {str(a.get("kind")) for a in self.dossier.get("attachments") or []}
        picker = FilePicker(kinds, kind, self.files_dir, attached)
        self.app.push_screen(picker, self._picked)

    def on_attach_requested(self, event: AttachRequested) -> None:
        event.stop()
        self.action_attach(event.kind)

    def _picked(self, choice: tuple[str, Path] | None) -> None:
        if choice is None:
            return
        kind, path = choice
        self._busy(_("Uploading {name}…").format(name=path.name))

        def job(client: PortalClient) -> list[dict[str, Any]]:
            ctype = mimetypes.guess_type(path.name)[0]
            with path.open("rb") as handle:
                client.add_attachment(self.dossier_id, kind, path.name, handle, content_type=ctype)
            files = client.get_dossier(self.dossier_id).get("attachments") or []
            return [dict(a) for a in files]

        self._run(job, lambda files: self._attached(path, files), self._upload_failed)

    def _attached(self, path: Path, attachments: list[dict[str, Any]]) -> None:
        self.dossier["attachments"] = attachments
        self.query_one(AttachmentsPanel).update_attachments(attachments)
        self._busy(None)
        self.notify(_("{name} attached.").format(name=path.name))

    def _upload_failed(self, error: BaseException) -> None:
        self._busy(None)
        if isinstance(error, ValidationFailed):
            self.notify(error.detail or error.title, title=_("File refused"), severity="error")
        else:
            self.host.report_error(error)

    def action_submit(self) -> None:
        """Save if needed, ask the portal what is missing, then confirm and submit."""
        if not self._editable():
            return
        data = self.collect()
        dirty = data != self.saved_data
        version = int(self.dossier["version"])
        self._busy(_("Checking…"))

        def job(client: PortalClient) -> tuple[dict[str, Any], dict[str, Any]]:
            dossier: dict[str, Any] = dict(self.dossier)
            if dirty:
                dossier = dict(client.put_dossier_data(self.dossier_id, data, version=version))
            return dossier, dict(client.validate_dossier(self.dossier_id))

        self._run(job, lambda pair: self._checked(data, *pair), self._save_failed)

    def _checked(
        self, data: dict[str, Any], dossier: dict[str, Any], check: dict[str, Any]
    ) -> None:
        self.dossier = dossier
        self.saved_data = data
        self._busy(None)
        if not check.get("valid"):
            self._saved(data, dossier, check)
            self.notify(_("Not submitted: complete the fields marked ⚠ first."), severity="warning")
            return
        self.show_errors([])
        files = [f"{a['filename']} ({a['kind']})" for a in self.dossier.get("attachments") or []]
        lines = summary_lines(self.root_group())
        title = pick_language(self.procedure.get("title")) or self.dossier_id
        self.app.push_screen(ConfirmSubmit(title, lines, files), self._confirmed)

    def _confirmed(self, yes: bool | None) -> None:
        if not yes:
            return
        self._busy(_("Submitting…"))
        key = new_idempotency_key()

        def job(client: PortalClient) -> tuple[dict[str, Any], dict[str, Any] | None]:
            dossier = client.submit_dossier(self.dossier_id, idempotency_key=key)
            payment_id = dossier.get("payment_id")
            payment = dict(client.get_payment(payment_id)) if payment_id else None
            return dict(dossier), payment

        self._run(job, lambda pair: self._submitted(*pair), self._submit_failed)

    def _submit_failed(self, error: BaseException) -> None:
        self._busy(None)
        if isinstance(error, ValidationFailed) and error.errors:
            self.show_errors(humanise(self.form, self.collect(), list(error.errors)))
            self.notify(
                _("The portal refused the submission: see the fields marked ⚠."), severity="error"
            )
        else:
            self.host.report_error(error)

    def _submitted(self, dossier: dict[str, Any], payment: dict[str, Any] | None) -> None:
        self.dossier = dossier
        self._busy(None)
        self.query_one("#form-title", Static).update(self._title_line())
        to_pay = payment is not None
        self.app.push_screen(
            Receipt(receipt_lines(dossier, payment)), lambda _closed: self._to_dossier(to_pay)
        )

    def _to_dossier(self, to_pay: bool) -> None:
        """A submitted form can no longer change: leave it for the dossier (payment first)."""
        stack = self.app.screen_stack
        below = stack[-2] if len(stack) > 1 else None
        self.app.pop_screen()
        if isinstance(below, DossierScreen) and below.dossier_id == self.dossier_id:
            if to_pay:
                below.action_tab("payment")
        else:
            self.app.push_screen(DossierScreen(self.dossier_id))


def receipt_lines(dossier: dict[str, Any], payment: dict[str, Any] | None) -> list[str]:
    """The dossier number, the receipt, and the payment instructions when there is a fee."""
    lines = [
        _("Dossier: {id}").format(id=dossier.get("id")),
        _("Status: {status}").format(status=fmt.status_label(dossier.get("status"))),
        _("Submitted at: {at}").format(at=fmt.when(dossier.get("submitted_at")) or "—"),
    ]
    if dossier.get("receipt_document_id"):
        lines.append(
            _("Receipt: document {id} in your documents").format(id=dossier["receipt_document_id"])
        )
    if payment:
        lines += [
            "",
            _("To pay: {amount} {currency}").format(
                amount=display_amount(payment.get("amount")),
                currency=payment.get("currency", "EUR"),
            ),
            _("Beneficiary: {name}").format(name=payment.get("beneficiary", "")),
            _("IBAN: {iban}   BIC: {bic}").format(
                iban=display_iban(payment.get("iban", "")), bic=payment.get("bic", "")
            ),
            _("Structured communication: {ref}").format(ref=payment.get("structured_ref", "")),
            _("The payment with its QR code is in the dossier's detail."),
        ]
    return lines
