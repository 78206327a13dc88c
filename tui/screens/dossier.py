"""One dossier: its timeline, the message thread with reply, documents and payment.

Four tabs over one load (dossier, events, messages, documents, payment in a
single worker), reloaded when the event stream reports a change on this
dossier. Replying to a complement request is a plain message (the portal
moves the dossier back to ``in_review``); a file picked from the file system
is uploaded first and sent with the message. Documents are saved into a
folder (names sanitised, never overwriting) and their seals verified with
the client's verifier; the payment tab draws the EPC QR code in text and,
in the sandbox, lets the person "pay".
"""

from __future__ import annotations

import base64
import io
import mimetypes
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Footer, Input, Label, Static, TabbedContent, TabPane

from monespace_cli.client import SealInvalid, verify_seal
from monespace_cli.files import safe_target
from monespace_cli.forms import display_amount, display_iban
from monespace_cli.i18n import _
from monespace_cli.qr import qr_text
from tui import format as fmt
from tui.focus import focus_now
from tui.messages import ConnectionChanged, PortalEvent
from tui.screens.base import PortalScreen
from tui.widgets.context_bar import ContextBar
from tui.widgets.file_picker import FilePicker, FolderPrompt

if TYPE_CHECKING:
    from monespace_cli.client import PortalClient

#: Statuses in which the applicant may still edit the data (the form screen).
EDITABLE = frozenset({"draft", "awaiting_complement"})


@dataclass
class DossierView:
    """Everything the screen shows about one dossier."""

    dossier: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    payment: dict[str, Any] | None = None


def load_dossier(client: PortalClient, dossier_id: str) -> DossierView:
    """Fetch the dossier and what hangs off it (blocking; run in a worker)."""
    dossier = dict(client.get_dossier(dossier_id))
    view = DossierView(dossier)
    view.events = [dict(e) for e in client.dossier_events(dossier_id)]
    view.messages = [dict(m) for m in client.list_messages(dossier_id)]
    view.documents = [
        dict(d) for d in client.iter_documents() if str(d.get("dossier_id")) == dossier_id
    ]
    if dossier.get("payment_id"):
        view.payment = dict(client.get_payment(str(dossier["payment_id"])))
    return view


_OPAQUE_ID = re.compile(r"^[a-z]+_[A-Za-z0-9_-]{10,}$")


def event_line(event: dict[str, Any]) -> str:
    """What changed, in a few words (``submitted → in review``); opaque ids left out."""
    old, new = event.get("old"), event.get("new")
    if event.get("type") == "status_changed" or (
        isinstance(old, str) and isinstance(new, str) and old in fmt.STATUS_LABELS
    ):
        return f"{fmt.status_label(old)} → {fmt.status_label(new)}"
    detail = event.get("detail")
    if isinstance(detail, dict):
        return ", ".join(f"{k}: {v}" for k, v in list(detail.items())[:3])
    parts = []
    if isinstance(new, str | int | float) and not isinstance(new, bool):
        parts.append(fmt.status_label(new))
    if isinstance(detail, str) and detail and not _OPAQUE_ID.match(detail):
        parts.append(detail)
    return " · ".join(parts)


def message_text(message: dict[str, Any]) -> str:
    """One message of the thread as a block of text."""
    author = message.get("author") or {}
    role = _("agent") if author.get("role") == "agent" else _("you")
    head = f"{fmt.when(message.get('created_at'))} · {author.get('name', '')} ({role})"
    if message.get("complement_request"):
        head += " · " + _("COMPLEMENT REQUESTED, due {due}").format(
            due=fmt.day(message.get("due_at"))
        )
    lines = [head, str(message.get("body", ""))]
    for attachment in message.get("attachments") or []:
        lines.append(f"  📎 {attachment.get('filename')} ({attachment.get('size')} B)")
    return "\n".join(lines)


def payment_text(payment: dict[str, Any]) -> str:
    status = {"pending": _("to pay"), "paid": _("paid"), "expired": _("expired")}.get(
        str(payment.get("status")), str(payment.get("status"))
    )
    return "\n".join(
        [
            _("Amount: {amount} {currency} — {status}").format(
                amount=display_amount(payment.get("amount")),
                currency=payment.get("currency"),
                status=status,
            ),
            _("To: {beneficiary}").format(beneficiary=payment.get("beneficiary")),
            f"IBAN: {display_iban(payment.get('iban'))}  BIC: {payment.get('bic')}",
            _("Structured communication: {ref}").format(ref=payment.get("structured_ref")),
        ]
    )


class DossierScreen(PortalScreen[None]):
    """Follow one dossier and answer the agent."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", _("Back")),
        Binding("m", "reply", _("Reply")),
        Binding("a", "attach", _("Attach")),
        Binding("e", "edit", _("Edit")),
        Binding("f5", "reload", _("Reload")),
        Binding("s", "save_document", _("Save document"), show=False),
        Binding("v", "verify_document", _("Verify seal"), show=False),
        Binding("p", "pay", _("Pay (sandbox)"), show=False),
        Binding("1", "tab('timeline')", _("Timeline"), show=False),
        Binding("2", "tab('messages')", _("Messages"), show=False),
        Binding("3", "tab('documents')", _("Documents"), show=False),
        Binding("4", "tab('payment')", _("Payment"), show=False),
    ]

    DEFAULT_CSS = """
    DossierScreen #summary { height: auto; padding: 0 1; background: $boost; }
    DossierScreen TabbedContent { height: 1fr; }
    DossierScreen #thread { height: 1fr; }
    DossierScreen .message { margin: 0 0 1 0; padding: 0 1; border-left: wide $primary; }
    DossierScreen .message.-agent { border-left: wide $warning; }
    DossierScreen #reply-row { height: 1; }
    DossierScreen #reply { width: 1fr; border: none; height: 1; }
    DossierScreen #attached { width: auto; max-width: 30; color: $text-muted; padding: 0 1; }
    DossierScreen #qr { width: auto; }
    """

    def __init__(self, dossier_id: str, *, edit_first: bool = False) -> None:
        super().__init__()
        self.dossier_id = dossier_id
        #: Open the form on top once this screen is up (a dossier just started).
        self.edit_first = edit_first
        self.view: DossierView | None = None
        self.attachment: Path | None = None

    def compose(self) -> ComposeResult:
        yield ContextBar(fmt.ref(self.dossier_id))
        yield Static(
            _("Loading {id}…").format(id=fmt.ref(self.dossier_id)), id="summary", markup=False
        )
        with TabbedContent(id="tabs"):
            with TabPane(_("Timeline"), id="timeline"):
                events: DataTable[str] = DataTable(cursor_type="row", id="events")
                events.add_columns(_("When"), _("What"), _("Who"), _("Change"))
                yield events
            with TabPane(_("Messages"), id="messages"):
                yield VerticalScroll(id="thread")
                with Horizontal(id="reply-row"):
                    yield Input(placeholder=_("Write a reply, Enter to send (m)"), id="reply")
                    yield Label("", id="attached", markup=False)
            with TabPane(_("Documents"), id="documents"):
                docs: DataTable[str] = DataTable(cursor_type="row", id="docs")
                docs.add_columns(_("Document"), _("Kind"), _("Date"))
                yield docs
            with TabPane(_("Payment"), id="payment"):
                with VerticalScroll():
                    yield Static(_("No payment for this dossier."), id="payment-text", markup=False)
                    yield Static("", id="qr", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.reload()
        if self.edit_first:
            # After this screen's first refresh: its tabs must be laid out before
            # another screen covers them (Textual's tabs fail on a resize otherwise).
            self.call_after_refresh(self._open_form_first)

    def _open_form_first(self) -> None:
        self.host.navigate.form(self.dossier_id)

    # -- loading -----------------------------------------------------------------

    def reload(self) -> None:
        dossier_id = self.dossier_id
        self.run_portal(
            lambda client: load_dossier(client, dossier_id),
            self._show,
            group="dossier",
            exclusive=True,
        )

    def _show(self, view: DossierView) -> None:
        self.view = view
        d = view.dossier
        applicant = d.get("applicant") or {}
        lines = [
            f"{fmt.ref(d.get('id'))} · {d.get('title') or d.get('procedure')}",
            _("Status: {status} · applicant: {who} · updated {at}").format(
                status=fmt.status_label(d.get("status")),
                who=applicant.get("name", ""),
                at=fmt.when(d.get("updated_at")),
            ),
        ]
        if d.get("status") == "awaiting_complement" and d.get("due_at"):
            lines.append(
                _("The agent asks for a complement by {due}: reply in Messages (2).").format(
                    due=fmt.day(d.get("due_at"))
                )
            )
        self.query_one("#summary", Static).update("\n".join(lines))
        self._show_events(view.events)
        self._show_messages(view.messages)
        self._show_documents(view.documents)
        self._show_payment(view.payment)

    def _show_events(self, events: list[dict[str, Any]]) -> None:
        table = self.query_one("#events", DataTable)
        table.clear()
        for event in events:
            table.add_row(
                fmt.when(event.get("at")),
                fmt.event_label(event.get("type")),
                str((event.get("actor") or {}).get("name", "")),
                event_line(event),
            )

    def _show_messages(self, messages: list[dict[str, Any]]) -> None:
        thread = self.query_one("#thread", VerticalScroll)
        thread.remove_children()
        if not messages:
            thread.mount(Static(_("No message yet."), markup=False))
            return
        for message in messages:
            agent = (message.get("author") or {}).get("role") == "agent"
            classes = "message -agent" if agent else "message"
            thread.mount(Static(message_text(message), classes=classes, markup=False))
        thread.scroll_end(animate=False)

    def _show_documents(self, documents: list[dict[str, Any]]) -> None:
        table = self.query_one("#docs", DataTable)
        table.clear()
        for document in documents:
            table.add_row(
                str(document.get("title")),
                str(document.get("kind")),
                fmt.day(document.get("created_at")),
                key=str(document.get("id")),
            )

    def _show_payment(self, payment: dict[str, Any] | None) -> None:
        text = self.query_one("#payment-text", Static)
        qr = self.query_one("#qr", Static)
        if payment is None:
            text.update(_("No payment for this dossier."))
            qr.update("")
            return
        text.update(payment_text(payment))
        payload = str(payment.get("epc_qr") or "")
        if payload and payment.get("status") == "pending":
            qr.update(qr_text(payload) + "\n" + _("Scan with your banking app (EPC QR)."))
        else:
            qr.update("")

    def on_portal_event(self, message: PortalEvent) -> None:
        if message.dossier_id == self.dossier_id:
            self.reload()

    def on_connection_changed(self, message: ConnectionChanged) -> None:
        if message.online:
            self.reload()

    def on_screen_resume(self) -> None:
        if self.view is not None:
            self.reload()

    # -- navigation ------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.reload()

    def action_tab(self, tab: str) -> None:
        self.query_one("#tabs", TabbedContent).active = tab

    def action_edit(self) -> None:
        status = (self.view.dossier.get("status") if self.view else None) or ""
        if status not in EDITABLE:
            self.notify(
                _("A dossier can be edited only as a draft or when a complement is requested."),
                severity="warning",
            )
            return
        self.host.navigate.form(self.dossier_id)

    # -- reply with an attachment ----------------------------------------------------

    def action_reply(self) -> None:
        self.action_tab("messages")
        focus_now(self.query_one("#reply", Input))

    def action_attach(self) -> None:
        self.action_tab("messages")
        self.app.push_screen(FilePicker(self.files_dir), self._attach_chosen)

    def _attach_chosen(self, path: Path | None) -> None:
        self.attachment = path
        label = self.query_one("#attached", Label)
        label.update(f"📎 {path.name}" if path else "")
        self.query_one("#reply", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "reply":
            return
        event.stop()
        body = event.value.strip()
        if not body:
            self.notify(_("The message is empty."), severity="warning")
            return
        self._send(body, self.attachment)

    def _send(self, body: str, attachment: Path | None) -> None:
        dossier_id = self.dossier_id

        def send(client: PortalClient) -> None:
            ids = []
            if attachment is not None:
                ctype = mimetypes.guess_type(attachment.name)[0]
                with attachment.open("rb") as handle:
                    added = client.add_attachment(
                        dossier_id, "other", attachment.name, handle, content_type=ctype
                    )
                ids.append(str(added["id"]))
            client.send_message(dossier_id, body, attachment_ids=ids or None)

        self.run_portal(send, self._sent, group="send")

    def _sent(self, _none: None = None) -> None:
        self.query_one("#reply", Input).value = ""
        self._attach_chosen(None)
        self.notify(_("Message sent."))
        self.reload()

    # -- documents and payment ----------------------------------------------------------

    def _current_document(self) -> dict[str, Any] | None:
        if self.view is None or not self.view.documents:
            self.notify(_("This dossier has no document yet."), severity="warning")
            return None
        table = self.query_one("#docs", DataTable)
        return self.view.documents[min(table.cursor_row, len(self.view.documents) - 1)]

    def action_save_document(self) -> None:
        document = self._current_document()
        if document is None:
            return
        self.action_tab("documents")
        question = _("Save “{title}” in the folder:").format(title=document.get("title"))
        self.app.push_screen(
            FolderPrompt(self.files_dir, question), lambda f: self._save_to(document, f)
        )

    def _save_to(self, document: dict[str, Any], folder: Path | None) -> None:
        if folder is None:
            return

        def save(client: PortalClient) -> str:
            target = safe_target(folder, str(document.get("filename") or "document.pdf"))
            with target.open("xb") as out:
                client.download_document(str(document["id"]), out)
            return _("Saved to {path}.").format(path=target)

        self.run_portal(save, self._tell, group="save")

    def _tell(self, message: str) -> None:
        self.notify(message, markup=False)

    def action_verify_document(self) -> None:
        document = self._current_document()
        if document is None:
            return
        self.action_tab("documents")
        title = document.get("title")

        def verify(client: PortalClient) -> tuple[str, bool]:
            buffer = io.BytesIO()
            client.download_document(str(document["id"]), buffer)
            seal = dict(client.get_seal(str(document["id"])))
            anchor = base64.b64decode(str(client.seal_certificates()["trust_anchor"]))
            try:
                report = verify_seal(buffer.getvalue(), seal, anchor)
            except SealInvalid as exc:
                text = _("The seal of “{title}” is NOT valid: {reason}")
                return text.format(title=title, reason=exc), False
            text = _("Seal valid: “{title}”, sealed {at} by {signer}.")
            return text.format(title=title, at=report.signed_at, signer=report.signer), True

        self.run_portal(verify, self._verified, group="verify")

    def _verified(self, outcome: tuple[str, bool]) -> None:
        message, valid = outcome
        self.notify(message, severity="information" if valid else "error", markup=False)

    def action_pay(self) -> None:
        """Sandbox: the portal plays the bank and marks the payment paid."""
        payment = self.view.payment if self.view else None
        if payment is None or payment.get("status") != "pending":
            self.notify(_("Nothing to pay on this dossier."), severity="warning")
            return
        if not self.host.settings.sandbox:
            self.notify(_("Pay with your banking app: scan the QR code."))
            return
        payment_id = str(payment["id"])
        self.action_tab("payment")
        self.run_portal(lambda client: client.sandbox_pay(payment_id), self._paid, group="pay")

    def _paid(self, _answer: object) -> None:
        self.notify(_("Paid (sandbox)."))
        self.reload()
