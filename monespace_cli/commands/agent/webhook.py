"""``agent webhook …``: endpoints that receive a service's dossier events.

Supervisors register an HTTPS endpoint and the event types it wants; the
portal signs every delivery (Standard Webhooks) with a secret shown exactly
once, at ``add``: the command prints it on stdout (so it can be piped into a
secret store) and warns on stderr that it will not be shown again.
"""

from __future__ import annotations

import itertools
from typing import Annotated

import typer

from monespace_cli.app import noun_app
from monespace_cli.client import WEBHOOK_EVENT_TYPES, Delivery, Webhook
from monespace_cli.commands.agent.access import supervisor_only
from monespace_cli.context import current
from monespace_cli.errors import UsageProblem
from monespace_cli.i18n import _
from monespace_cli.output import Column, fields_of

webhook_app = noun_app(_("Webhooks of your services: add, list, deliveries, replay, remove."))

DELIVERY_STATUSES = ("pending", "delivered", "dead")


def _columns() -> list[Column]:
    return [
        Column("id", _("ID")),
        Column("service", _("SERVICE")),
        Column("url", _("URL")),
        Column("event_types", _("EVENTS")),
        Column("active", _("ACTIVE")),
        Column("description", _("DESCRIPTION")),
    ]


def check_events(values: list[str]) -> list[str]:
    """Event types from repeated or comma-separated ``--event`` options, checked."""
    events = [e.strip() for v in values for e in v.split(",") if e.strip()]
    if not events:
        raise UsageProblem(_("Name at least one event type with --event (or *)."))
    unknown = [e for e in events if e != "*" and e not in WEBHOOK_EVENT_TYPES]
    if unknown:
        message = _("Unknown event type {value!r}: use * or some of {allowed}.")
        raise UsageProblem(message.format(value=unknown[0], allowed=", ".join(WEBHOOK_EVENT_TYPES)))
    return ["*"] if "*" in events else list(dict.fromkeys(events))


@webhook_app.command("add")
def add(
    service: Annotated[
        str, typer.Option("--service", help=_("The service (code)."), metavar="CODE")
    ],
    url: Annotated[str, typer.Option("--url", help=_("Where to POST (https://)."), metavar="URL")],
    event: Annotated[
        list[str],
        typer.Option("--event", help=_("Event type (repeat, or * for all)."), metavar="TYPE"),
    ],
    description: Annotated[
        str | None, typer.Option("--description", help=_("What it is for."), metavar="TEXT")
    ] = None,
) -> None:
    """Register an endpoint; prints its signing secret once."""
    f = current()
    events = check_events(event)
    with f.client() as client, supervisor_only():
        created = client.webhook_add(service, url, events, description=description)
    if not f.printer.human:
        f.printer.object(created)
        return
    f.io.success(_("Webhook {id} added for {service}.").format(id=created["id"], service=service))
    f.printer.text(str(created.get("secret", "")))
    f.io.warn(_("This is the signing secret: store it now, it will not be shown again."))


@webhook_app.command("list")
def list_(
    service: Annotated[
        str | None, typer.Option("--service", help=_("Only this service."), metavar="CODE")
    ] = None,
) -> None:
    """The webhooks of your services (secrets are never shown again)."""
    f = current()
    with f.client() as client:
        hooks = client.webhook_list(service=service)
    f.printer.list(hooks, _columns(), empty=_("No webhook."), fields=fields_of(Webhook))


@webhook_app.command("deliveries")
def deliveries(
    webhook_id: Annotated[str, typer.Argument(help=_("The webhook's ID."), metavar="WEBHOOK_ID")],
    status: Annotated[
        str | None,
        typer.Option("--status", help=_("pending, delivered or dead."), metavar="STATUS"),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", help=_("At most this many deliveries."), min=1)
    ] = 50,
) -> None:
    """The deliveries of a webhook, newest first, with attempts and last error."""
    if status is not None and status not in DELIVERY_STATUSES:
        message = _("Unknown delivery status {value!r}: use one of {allowed}.")
        raise UsageProblem(message.format(value=status, allowed=", ".join(DELIVERY_STATUSES)))
    f = current()
    with f.client() as client:
        found = client.iter_webhook_deliveries(webhook_id, status=status)
        items = list(itertools.islice(found, limit))
    columns = [
        Column("id", _("ID")),
        Column("event_type", _("EVENT")),
        Column("status", _("STATUS")),
        Column("attempts", _("ATTEMPTS")),
        Column("created_at", _("CREATED")),
        Column("last_status_code", _("LAST CODE")),
        Column("last_error", _("LAST ERROR")),
    ]
    f.printer.list(items, columns, empty=_("No delivery."), fields=fields_of(Delivery))


@webhook_app.command("replay")
def replay(
    delivery_id: Annotated[
        str, typer.Argument(help=_("The delivery's ID."), metavar="DELIVERY_ID")
    ],
) -> None:
    """Send a delivery again (same message id: receivers deduplicate)."""
    f = current()
    with f.client() as client, supervisor_only():
        delivery = client.webhook_replay(delivery_id)
    if f.printer.human:
        f.io.success(_("Delivery {id} queued again.").format(id=delivery_id))
    else:
        f.printer.object(delivery)


@webhook_app.command("remove")
def remove(
    webhook_id: Annotated[str, typer.Argument(help=_("The webhook's ID."), metavar="WEBHOOK_ID")],
) -> None:
    """Delete a webhook: no more deliveries to it."""
    f = current()
    if not f.confirm(_("Remove webhook {id}?").format(id=webhook_id)):
        raise UsageProblem(_("Not removed."))
    with f.client() as client, supervisor_only():
        client.webhook_delete(webhook_id)
    f.io.success(_("Webhook {id} removed.").format(id=webhook_id))
