"""``dossier watch``: dossier events live from the portal's event stream.

The client's :class:`~monespace_cli.client.EventStream` reconnects with
``Last-Event-ID`` after a drop, so nothing is missed or repeated across a
portal restart; this module only filters, prints and decides when to stop.
Each event is one line for people, one JSON object a line otherwise (jsonl is
the natural shape of a stream, so ``--output json`` also prints one a line).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from monespace_cli.client import FINAL_STATUSES
from monespace_cli.commands._shared.verbs import verb_group
from monespace_cli.context import Factory, current
from monespace_cli.errors import UsageProblem
from monespace_cli.i18n import _

verbs = verb_group()


@verbs.command("watch")
def watch(
    dossier_id: Annotated[
        str | None, typer.Argument(help=_("Only this dossier."), metavar="[ID]")
    ] = None,
    until_decided: Annotated[
        bool,
        typer.Option("--until-decided", help=_("Stop once the dossier is decided (needs ID).")),
    ] = False,
    since: Annotated[
        str | None,
        typer.Option("--since", help=_("Replay events after this event id."), metavar="EVENT_ID"),
    ] = None,
) -> None:
    """Follow dossier events live; reconnects by itself after a drop."""
    if until_decided and not dossier_id:
        raise UsageProblem(_("--until-decided needs a dossier ID."))
    watch_events(current(), dossier_id, until_decided=until_decided, since=since)


def _line(event: dict[str, Any]) -> str:
    change = ""
    if event.get("new") is not None:
        old = event.get("old")
        change = f"{old} → {event['new']}" if old is not None else str(event["new"])
    actor = (event.get("actor") or {}).get("name", "")
    parts = [
        str(event.get("at", "")),
        str(event.get("dossier_id", "")),
        str(event.get("type", "")),
        change,
        actor,
    ]
    return "  ".join(p for p in parts if p)


def _decided(event: dict[str, Any]) -> bool:
    return event.get("type") == "status_changed" and event.get("new") in FINAL_STATUSES


def watch_events(
    f: Factory, dossier_id: str | None, *, until_decided: bool, since: str | None
) -> None:
    """Print events until interrupted (or until the dossier is decided)."""
    with f.client() as client:
        if dossier_id:
            status = client.get_dossier(dossier_id)["status"]  # 404 early for a wrong id
            if until_decided and status in FINAL_STATUSES:
                f.io.info(
                    _("Dossier {id} is already {status}.").format(id=dossier_id, status=status)
                )
                return
        if f.printer.human:
            f.io.info(
                _("Watching {what} — Ctrl-C to stop.").format(
                    what=dossier_id or _("all your dossiers")
                )
            )
        for sse in client.events(last_event_id=since):
            if sse.event not in ("message",) and not sse.data:
                continue
            try:
                event = sse.json()
            except ValueError:
                continue
            if not isinstance(event, dict) or (
                dossier_id and event.get("dossier_id") != dossier_id
            ):
                continue
            _print(f, event)
            if until_decided and _decided(event):
                return


def _print(f: Factory, event: dict[str, Any]) -> None:
    if f.printer.human:
        f.printer.text(_line(event))
    elif f.printer.jq is not None:
        f.printer.json(event)
    else:
        f.printer.text(json.dumps(event, ensure_ascii=False))
    f.io.stdout.flush()
