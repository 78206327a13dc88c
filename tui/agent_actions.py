"""An agent's actions from the queue: one dossier, a bulk run, the export.

The queue screen calls :func:`run_action` with the selected rows and
:func:`run_export` with its filters; everything else happens here: the
dialog (``tui.widgets.agent_dialogs``), the call in a thread worker, the
notification, and :class:`DossiersChanged` posted to the calling screen so
it reloads those rows.

Why every call carries the row's version (``If-Match``, or ``items`` in a
bulk run): the agent decided on what the row showed. If the dossier changed
meanwhile, the portal answers 412 (one dossier) or skips it as ``changed``
(bulk) — it is never overwritten, and the row is reloaded for a second look.

Why a bulk run is a dry run first, then the real run with the versions the
dry run went by: the agent confirms a summary, and the real run changes
exactly what was confirmed (the CLI's ``agent bulk`` does the same).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from textual.message import Message

from monespace_cli.client import EXPORT_FIELDS, Conflict, Forbidden, StaleVersion
from monespace_cli.files import atomic_write
from monespace_cli.i18n import _
from tui.threads import on_ui, run_in_thread
from tui.widgets import agent_dialogs as dialogs
from tui.widgets.agent_dialog_bulk import BulkProgressDialog, BulkSummaryDialog, summary_lines
from tui.widgets.agent_dialog_export import ExportDialog
from tui.widgets.roles_confirm import ConfirmModal

if TYPE_CHECKING:
    from textual.screen import Screen

    from monespace_cli.client import PortalClient
    from tui.host import PortalHost


class DossiersChanged(Message):
    """Posted to the calling screen after an action or bulk run that changed dossiers.

    Also after a 412 (the dossier changed meanwhile): the row is stale either way.
    """

    def __init__(self, ids: list[str]) -> None:
        super().__init__()
        self.ids = list(ids)


#: action → label, in the order of the queue's keys.
ACTIONS: dict[str, str] = {
    "claim": _("Claim"),
    "release": _("Release"),
    "assign": _("Assign"),
    "complement": _("Request a complement"),
    "note": _("Add a note"),
    "accept": _("Accept"),
    "refuse": _("Refuse"),
}
#: Actions the portal's bulk endpoint runs on many dossiers.
BULK_ACTIONS = ("claim", "release", "assign", "accept", "refuse")
#: Dossiers per bulk request: ≤ the portal's BULK_MAX, small enough for the
#: progress bar to move and for a stop to take effect soon.
CHUNK = 500
#: Keys of the queue's query that the export understands.
EXPORT_KEYS = ("status", "procedure", "service", "assigned", "overdue", "older_than", "q", "sort")


def run_action(screen: Screen[Any], action: str, items: list[dict[str, Any]]) -> None:
    """Ask (dialog), act on the portal (worker), tell, and post :class:`DossiersChanged`."""
    if action not in ACTIONS:
        raise ValueError(f"unknown agent action {action!r}")
    if not items:
        screen.notify(_("Select a dossier first."), severity="warning")
        return
    if len(items) == 1:
        SingleAction(screen, action, items[0]).start()
    elif action not in BULK_ACTIONS:
        message = _("“{action}” is done one dossier at a time: select only one.")
        screen.notify(message.format(action=ACTIONS[action]), severity="warning")
    else:
        BulkAction(screen, action, items).start()


def run_export(screen: Screen[Any], filters: dict[str, Any]) -> None:
    """Ask for format, columns and file, then stream the portal's export into it."""
    default = files_folder(screen) / f"queue-{dt.date.today().isoformat()}.csv"

    def chosen(choice: dict[str, Any] | None) -> None:
        if choice is not None:
            _confirm_overwrite(screen, filters, choice)

    screen.app.push_screen(ExportDialog(default, EXPORT_FIELDS), chosen)


# -- shared helpers -------------------------------------------------------------------


def host_of(screen: Screen[Any]) -> PortalHost:
    """The app behind ``screen``, as the screens see it (see ``tui.host``)."""
    return cast("PortalHost", screen.app)


def files_folder(screen: Screen[Any]) -> Path:
    """The app's files folder (settings.files_dir) or the working folder."""
    return host_of(screen).settings.files_dir or Path.cwd()


def _post_changed(screen: Screen[Any], ids: list[str]) -> None:
    """Tell the calling screen (from any thread) which dossiers to reload."""
    if ids:
        on_ui(screen.app, screen.post_message, DossiersChanged(ids))


def _load_services(screen: Screen[Any], then: Callable[[list[dict[str, Any]]], Any]) -> None:
    """Read the services with their agents afresh (who may be assigned), then ``then(services)``.

    Afresh rather than the app's copy from login: agents join and leave services.
    """
    host = host_of(screen)

    def read_services() -> list[dict[str, Any]]:
        with host.portal() as client:
            return [dict(s) for s in client.agent_services()]

    run_in_thread(screen, read_services, then, group="agent-action")


def _say(screen: Screen[Any], message: str, severity: str = "information") -> None:
    on_ui(screen.app, screen.app.notify, message, severity=severity, markup=False, timeout=6)


# -- one dossier ----------------------------------------------------------------------


class SingleAction:
    """One action on one dossier: its dialog, then the call with If-Match."""

    def __init__(self, screen: Screen[Any], action: str, item: dict[str, Any]) -> None:
        self.screen = screen
        self.action = action
        self.item = item
        self.id = str(item["id"])
        self.version = item.get("version")

    def start(self) -> None:
        line = dialogs.dossier_line(self.item)
        if self.action in ("claim", "release"):
            question = (
                _("Take this dossier? It will be assigned to you.")
                if self.action == "claim"
                else _("Release this dossier? Nobody will hold it.")
            )
            title = f"{ACTIONS[self.action]}: {line}"
            dialog: dialogs.ActionDialog = dialogs.ConfirmActionDialog(
                title, question, ACTIONS[self.action]
            )
        elif self.action == "assign":
            self._load_agents()
            return
        elif self.action == "complement":
            dialog = dialogs.ComplementDialog(
                _("Request a complement: {dossier}").format(dossier=line),
                files_dir=files_folder(self.screen),
            )
        elif self.action == "note":
            dialog = dialogs.NoteDialog(_("Note on {dossier}").format(dossier=line), _("Add"))
        else:
            dialog = dialogs.DecideDialog(self.action, f"{ACTIONS[self.action]}: {line}")
        self.screen.app.push_screen(dialog, self._answered)

    def _answered(self, params: dict[str, Any] | None) -> None:
        if params is not None:
            self._call(params)

    # assign: the agents of the dossier's service, for supervisors only

    def _load_agents(self) -> None:
        _load_services(self.screen, self._choose_agent)

    def _choose_agent(self, services: list[dict[str, Any]]) -> None:
        agents = assignable_agents(services, [self.item])
        if agents is None:
            return _refuse_assign(self.screen, [self.item])
        current = (self.item.get("assigned_to") or {}).get("nrn")
        title = f"{ACTIONS['assign']}: {self._line()}"
        choices = [(nrn, dialogs.agent_label(agent)) for nrn, (agent, _codes) in agents.items()]
        self.screen.app.push_screen(dialogs.AssignDialog(title, choices, current), self._answered)

    def _line(self) -> str:
        return dialogs.dossier_line(self.item)

    # the call

    def _call(self, params: dict[str, Any]) -> None:
        host = host_of(self.screen)

        def act() -> str:
            with host.portal() as client:
                return self._do(client, params)

        run_in_thread(self.screen, act, self._done, self._failed, group="agent-action")

    def _done(self, message: str) -> None:
        _say(self.screen, message)
        _post_changed(self.screen, [self.id])

    def _do(self, client: PortalClient, params: dict[str, Any]) -> str:
        """The portal call; the one-sentence notification of its success."""
        ident, version = self.id, self.version
        if self.action == "claim":
            client.claim(ident, version=version)
            return _("{id} is now assigned to you.").format(id=ident)
        if self.action == "release":
            client.release(ident, version=version)
            return _("{id} released: nobody holds it now.").format(id=ident)
        if self.action == "assign":
            done: dict[str, Any] = dict(client.assign(ident, params["nrn"], version=version))
            name = (done.get("assigned_to") or {}).get("name") or params["nrn"]
            return _("{id} assigned to {name}.").format(id=ident, name=name)
        if self.action == "note":
            client.add_note(ident, params["body"])
            return _("Note added to {id}.").format(id=ident)
        if self.action == "complement":
            ids = [_upload(client, ident, path) for path in params.get("files") or []]
            client.request_complement(
                ident,
                params["message"],
                params["due_date"],
                attachment_ids=ids or None,
                version=version,
            )
            message = _("Complement requested for {id}, due {due}.")
            return message.format(id=ident, due=params["due_date"])
        client.decide(
            ident,
            params["outcome"],
            params["motivation"],
            appeal=params.get("appeal"),
            version=version,
        )
        if params["outcome"] == "accept":
            return _("{id} accepted: the decision is in the applicant's vault.").format(id=ident)
        return _("{id} refused: the decision is in the applicant's vault.").format(id=ident)

    def _failed(self, exc: BaseException) -> None:
        """A stale row is reloaded; a refusal of the portal is said in one sentence."""
        if isinstance(exc, StaleVersion):
            message = _("{id} changed meanwhile: reloaded. Look at it again before acting.")
            _say(self.screen, message.format(id=self.id), "warning")
            _post_changed(self.screen, [self.id])
        elif isinstance(exc, Forbidden):
            message = _("Not allowed on {id}: {detail}")
            _say(self.screen, message.format(id=self.id, detail=exc.detail or exc), "error")
        elif isinstance(exc, Conflict):
            message = _("Not possible on {id} now: {detail}")
            _say(self.screen, message.format(id=self.id, detail=exc.detail or exc), "error")
        else:
            host_of(self.screen).report_error(exc)


def _upload(client: PortalClient, dossier_id: str, path: Path) -> str:
    """Upload one file of a complement request (the client's agent upload); its id."""
    return str(client.agent_upload_attachment(dossier_id, path)["id"])


def assignable_agents(
    services: list[dict[str, Any]], items: list[dict[str, Any]]
) -> dict[str, tuple[dict[str, Any], list[str]]] | None:
    """The agents of the items' services (nrn → agent, its service codes).

    None when the caller is not a supervisor of every one of those services:
    the portal would refuse (403), so the choice is not even offered.
    """
    wanted = {str(item.get("service")) for item in items}
    by_code = {str(s.get("code")): s for s in services}
    if any(by_code.get(code, {}).get("role") != "supervisor" for code in wanted):
        return None
    agents: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for code in sorted(wanted):
        for agent in by_code[code].get("agents") or []:
            entry = agents.setdefault(str(agent["nrn"]), (dict(agent), []))
            entry[1].append(code)
    return agents


def _refuse_assign(screen: Screen[Any], items: list[dict[str, Any]]) -> None:
    codes = ", ".join(sorted({str(item.get("service")) for item in items}))
    message = _("Only a supervisor of {services} can assign dossiers: claim it, or ask one.")
    screen.notify(message.format(services=codes), severity="error", markup=False)


# -- several dossiers: dry run, summary, real run --------------------------------------


class BulkAction:
    """One bulk action on the selection: its parameters, a dry run, a summary, the real run."""

    def __init__(self, screen: Screen[Any], action: str, items: list[dict[str, Any]]) -> None:
        self.screen = screen
        self.action = action
        self.rows = list({str(i["id"]): i for i in items}.values())
        self.items = [{"id": str(i["id"]), "version": i.get("version")} for i in self.rows]
        self.params: dict[str, Any] = {}
        self.preview: list[dict[str, Any]] = []

    @property
    def server_action(self) -> str:
        return "decide" if self.action in ("accept", "refuse") else self.action

    def start(self) -> None:
        if self.action in ("claim", "release"):
            self._dry_run({})
        elif self.action == "assign":
            self._load_agents()
        else:
            title = _("{action}: {n} dossiers").format(
                action=ACTIONS[self.action], n=len(self.items)
            )
            dialog = dialogs.DecideDialog(self.action, title)
            self.screen.app.push_screen(dialog, self._params_chosen)

    def _params_chosen(self, params: dict[str, Any] | None) -> None:
        if params is not None:
            self._dry_run(params)

    def _load_agents(self) -> None:
        _load_services(self.screen, self._choose_agent)

    def _choose_agent(self, services: list[dict[str, Any]]) -> None:
        agents = assignable_agents(services, self.rows)
        if agents is None:
            return _refuse_assign(self.screen, self.rows)
        several = len({str(r.get("service")) for r in self.rows}) > 1
        choices = [
            (nrn, dialogs.agent_label(agent, codes if several else ()))
            for nrn, (agent, codes) in agents.items()
        ]
        title = _("Assign {n} dossiers").format(n=len(self.items))
        self.screen.app.push_screen(dialogs.AssignDialog(title, choices), self._params_chosen)

    # the runs

    def _dry_run(self, params: dict[str, Any]) -> None:
        self.params = params
        title = _("Dry run: {action} on {n} dossiers…").format(
            action=ACTIONS[self.action], n=len(self.items)
        )
        self._run(self.items, title, dry_run=True)

    def _run(self, items: list[dict[str, Any]], title: str, *, dry_run: bool) -> None:
        progress = BulkProgressDialog(title, len(items))
        self.screen.app.push_screen(progress)
        app, host = self.screen.app, host_of(self.screen)
        results: list[dict[str, Any]] = []

        def send_chunks() -> list[dict[str, Any]]:
            """The chunks in turn until all are sent or the agent stops; what was not sent."""
            sent = 0
            with host.portal() as client:
                while sent < len(items) and not progress.stop_requested:
                    chunk = items[sent : sent + CHUNK]
                    answer = client.agent_bulk(
                        self.server_action, self.params, items=chunk, dry_run=dry_run
                    )
                    results.extend(dict(r) for r in answer.get("results") or [])
                    sent += len(chunk)
                    on_ui(app, progress.advance, sent)
            return items[sent:]

        def ran(not_sent: list[dict[str, Any]]) -> None:
            progress.dismiss()
            if dry_run:
                self._previewed(results, stopped=bool(not_sent))
            else:
                self._done(results, not_sent)

        def failed(error: BaseException) -> None:
            progress.dismiss()
            host.report_error(error)
            if not dry_run:  # what the chunks sent before the failure did change
                _post_changed(self.screen, changed_ids(results))

        run_in_thread(self.screen, send_chunks, ran, failed, group="agent-bulk")

    def _previewed(self, results: list[dict[str, Any]], *, stopped: bool) -> None:
        if stopped:
            self.screen.notify(_("Dry run stopped: nothing was changed."), severity="warning")
            return
        self.preview = results
        title = _("Dry run: {action} on {n} dossiers").format(
            action=ACTIONS[self.action], n=len(self.items)
        )
        dialog = BulkSummaryDialog(title, results, dry_run=True)
        self.screen.app.push_screen(dialog, self._confirmed)

    def _confirmed(self, apply: bool | None) -> None:
        if not apply:
            self.screen.notify(_("Nothing was changed."))
            return
        items = [
            {"id": r["id"], "version": r["version"]}
            for r in self.preview
            if r.get("outcome") == "changed"
        ]
        title = _("{action} on {n} dossiers…").format(action=ACTIONS[self.action], n=len(items))
        self._run(items, title, dry_run=False)

    def _done(self, results: list[dict[str, Any]], not_sent: list[dict[str, Any]]) -> None:
        merged = merge_results(self.preview, results, not_sent)
        title = _("Done: {action} on {n} dossiers").format(
            action=ACTIONS[self.action], n=len(self.items)
        )
        self.screen.app.push_screen(BulkSummaryDialog(title, merged, dry_run=False))
        self.screen.notify("; ".join(summary_lines(merged, dry_run=False)), markup=False)
        forget = getattr(self.screen, "forget_marks", None)
        if callable(forget):  # failures stay marked, to try again
            forget(changed_ids(merged))
        _post_changed(self.screen, changed_ids(merged))


def changed_ids(results: list[dict[str, Any]]) -> list[str]:
    return [str(r["id"]) for r in results if r.get("outcome") == "changed"]


def merge_results(
    preview: list[dict[str, Any]], done: list[dict[str, Any]], not_sent: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The real run's results, plus what the dry run refused and what was not sent, in order.

    A dossier the dry run already found impossible was not sent again: its
    dry-run result stands. One left unsent by a stop is ``skipped``.
    """
    by_id = {str(r["id"]): r for r in done}
    unsent = {str(i["id"]) for i in not_sent}
    merged = []
    for r in preview:
        ident = str(r["id"])
        if ident in by_id:
            merged.append(by_id[ident])
        elif ident in unsent:
            merged.append({**r, "outcome": "skipped", "reason": _("not sent (stopped)")})
        else:
            merged.append(r)
    return merged


# -- export ---------------------------------------------------------------------------


def _confirm_overwrite(
    screen: Screen[Any], filters: dict[str, Any], choice: dict[str, Any]
) -> None:
    """Never replace a file without a yes."""
    path: Path = choice["path"]
    if not path.exists():
        _export(screen, filters, choice)
        return

    def answered(yes: bool | None) -> None:
        if yes:
            _export(screen, filters, choice)
        else:
            screen.notify(_("Export cancelled: {path} was kept.").format(path=path), markup=False)

    question = _("{path} exists. Replace it?").format(path=path)
    screen.app.push_screen(ConfirmModal(question), answered)


def export_filters(filters: dict[str, Any]) -> dict[str, Any]:
    """The queue's query without what the export does not take (cursor, limit, empties)."""
    return {
        key: value
        for key, value in filters.items()
        if key in EXPORT_KEYS and value not in (None, "", False, [], ())
    }


def _export(screen: Screen[Any], filters: dict[str, Any], choice: dict[str, Any]) -> None:
    host = host_of(screen)
    wanted = export_filters(filters)
    path: Path = choice["path"]
    screen.notify(_("Exporting to {path}…").format(path=path), markup=False)

    def export() -> str:
        with host.portal() as client:
            atomic_write(path, lambda out: _stream(client, out, choice, wanted))
        rows = count_rows(path, choice["format"], excel=choice["excel"])
        return _("Exported {rows} dossier(s) to {path}.").format(rows=rows, path=path)

    run_in_thread(screen, export, lambda message: _say(screen, message), group="agent-export")


def _stream(client: PortalClient, out: Any, choice: dict[str, Any], filters: dict[str, Any]) -> int:
    """The portal's export, streamed into ``out``; bytes written."""
    return client.agent_export(
        out, format=choice["format"], fields=choice["fields"], excel=choice["excel"], **filters
    )


def count_rows(path: Path, fmt: str, *, excel: bool) -> int:
    """Dossiers in a written export (CSV read as CSV: a title may hold a line break)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        if fmt == "jsonl":
            return sum(1 for line in handle if line.strip())
        rows = sum(1 for _row in csv.reader(handle, delimiter=";" if excel else ","))
    return max(rows - 1, 0)
