"""The back office (``/agent/…``) and webhook endpoints, a mixin of :class:`PortalClient`.

An agent's calls live apart from the applicant's so that ``_client.py`` stays
the applicant's API; :class:`AgentAPI` only uses the plumbing of the class it
is mixed into (``_json``, ``_page``, ``_download``), so headers, retries and
error mapping stay in one place. The CLI and the TUI (from worker threads)
both use the synchronous client, so the agent's endpoints have no
asynchronous twin.

Two things the client does for every caller, not each command:

- queue filters are written once (:func:`queue_params`): lists become the
  comma lists the portal expects, ``overdue=False`` is simply not sent;
- bulk requests name at most :data:`BULK_MAX` dossiers, so longer ``ids`` or
  ``items`` lists are sent in chunks and the answers merged into one
  (a ``filter`` is the server's to expand and is sent as it is).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator, Sequence
from os import PathLike
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

import httpx

from ._agent_models import (
    BULK_MAX,
    AgentDossier,
    AgentService,
    BulkResult,
    Delivery,
    NewWebhook,
    Note,
    QueueCounts,
    QueueItem,
    Webhook,
)
from ._models import Attachment, Event, Message
from ._pagination import Page, iterate_pages
from ._request import if_match, items_of, seg
from ._sse import EventStream

#: Seconds a bulk request may take: the portal handles up to BULK_MAX dossiers in one
#: request, each in its own transaction (decisions seal a PDF each), far beyond the
#: 30 s that is right for one dossier.
BULK_READ_TIMEOUT = 900.0

#: Filter names of ``GET /agent/queue`` (also the keys of a bulk ``filter``).
QUEUE_FILTERS = ("status", "procedure", "service", "assigned", "overdue", "older_than", "q")


def _filter_value(value: Any) -> Any:
    """A filter value as the portal reads it: lists as comma lists."""
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(str(v) for v in value)
    return value


def queue_params(**filters: Any) -> dict[str, Any]:
    """Query parameters of the queue, counts and export: unset and false filters left out."""
    params: dict[str, Any] = {}
    for key, value in filters.items():
        if value is None or value is False or value == [] or value == ():
            continue
        value = _filter_value(value)
        params[key] = "true" if value is True else value
    return params


def _action_path(dossier_id: str, action: str) -> str:
    return f"agent/dossiers/{seg(dossier_id)}/{action}"


def _action_request(
    dossier_id: str, action: str, body: dict[str, Any] | None, version: int | None
) -> dict[str, Any]:
    """The ``_json`` arguments of one action (claim, release, assign, complement, decision).

    Both clients send every action through this: the path, the body and the
    optional ``If-Match`` are written once.
    """
    return {
        "method": "POST",
        "path": _action_path(dossier_id, action),
        "json": body,
        "headers": if_match(version),
    }


def bulk_bodies(
    action: str,
    params: dict[str, Any] | None,
    *,
    ids: Sequence[str] | None = None,
    items: Sequence[dict[str, Any]] | None = None,
    filter: dict[str, Any] | None = None,
    dry_run: bool = False,
) -> list[dict[str, Any]]:
    """The request bodies of one bulk run: one per chunk of at most BULK_MAX dossiers."""
    if sum(v is not None for v in (ids, items, filter)) != 1:
        raise ValueError("a bulk run needs exactly one of ids, items or filter")
    base: dict[str, Any] = {"action": action, "params": dict(params or {}), "dry_run": dry_run}
    if filter is not None:
        return [{**base, "filter": dict(filter)}]
    key, selection = ("ids", list(ids or [])) if ids is not None else ("items", list(items or []))
    if not selection:
        return []
    return [
        {**base, key: selection[start : start + BULK_MAX]}
        for start in range(0, len(selection), BULK_MAX)
    ]


def merge_bulk(answers: Sequence[dict[str, Any]], dry_run: bool) -> BulkResult:
    """One bulk answer out of the answers of its chunks."""
    results: list[Any] = []
    summary = {"changed": 0, "skipped": 0, "failed": 0}
    for answer in answers:
        results.extend(answer.get("results") or [])
        for key in summary:
            summary[key] += int((answer.get("summary") or {}).get(key, 0))
    return cast(BulkResult, {"dry_run": dry_run, "results": results, "summary": summary})


def export_query(
    filters: dict[str, Any], fmt: str, fields: Sequence[str] | None, excel: bool
) -> str:
    """``agent/export?…`` with the filters, format, fields and the Excel flag."""
    params = queue_params(**filters)
    params["format"] = fmt
    if fields:
        params["fields"] = ",".join(fields)
    if excel:
        params["excel"] = "true"
    return "agent/export?" + urlencode(params)


def bulk_timeout(usual: httpx.Timeout) -> httpx.Timeout:
    """The client's timeouts with a read long enough for one bulk request."""
    return httpx.Timeout(usual.connect or 5.0, read=BULK_READ_TIMEOUT)


def _decision_body(outcome: str, motivation: str, appeal: str | None) -> dict[str, Any]:
    body = {"outcome": outcome, "motivation": motivation}
    if appeal is not None:
        body["appeal"] = appeal
    return body


def _complement_body(
    message: str, due_date: str, attachment_ids: Sequence[str] | None
) -> dict[str, Any]:
    body: dict[str, Any] = {"message": message, "due_date": due_date}
    if attachment_ids:
        body["attachment_ids"] = list(attachment_ids)
    return body


def _file_part(path: str | PathLike[str], content: IO[bytes] | bytes) -> dict[str, Any]:
    """The ``file`` part of an agent's upload (the portal sniffs the type itself)."""
    name = Path(path).name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return {"files": {"file": (name, content, content_type)}}


def _webhook_body(
    service: str, url: str, event_types: Sequence[str], description: str | None
) -> dict[str, Any]:
    body: dict[str, Any] = {"service": service, "url": url, "event_types": list(event_types)}
    if description is not None:
        body["description"] = description
    return body


class AgentAPI:
    """The agent's endpoints for :class:`~monespace_cli.client.PortalClient`."""

    if TYPE_CHECKING:
        _http: httpx.Client

        def _json(self, method: str, path: str, **kwargs: Any) -> Any: ...
        def _page(self, path: str, params: dict[str, Any]) -> Page[Any]: ...
        def _download(self, path: str, out: IO[bytes]) -> int: ...
        def _event_stream(
            self,
            path: str,
            last_event_id: str | int | None,
            max_failures: int,
            retry_delay: float,
        ) -> EventStream: ...

    # -- services and queue -------------------------------------------------

    def agent_services(self) -> list[AgentService]:
        """The services the caller works for; 404 for someone who is no agent."""
        return cast(list[AgentService], items_of(self._json("GET", "agent/services")))

    def agent_queue(
        self,
        *,
        cursor: str | None = None,
        limit: int | None = None,
        sort: str | None = None,
        **filters: Any,
    ) -> Page[QueueItem]:
        """One page of the queue (filters: see :data:`QUEUE_FILTERS`)."""
        params = {**queue_params(**filters), "sort": sort, "cursor": cursor, "limit": limit}
        return self._page("agent/queue", params)

    def iter_agent_queue(
        self, *, sort: str | None = None, limit: int | None = None, **filters: Any
    ) -> Iterator[QueueItem]:
        """Every queue item matching the filters (``limit`` = page size)."""
        return iterate_pages(
            lambda c: self.agent_queue(cursor=c, limit=limit, sort=sort, **filters)
        )

    def agent_counts(self, **filters: Any) -> QueueCounts:
        """Dossiers per status for the filters (``status`` is ignored by the portal)."""
        filters.pop("status", None)
        params = queue_params(**filters)
        return cast(QueueCounts, self._json("GET", "agent/queue/counts", params=params))

    def agent_events(
        self,
        *,
        last_event_id: str | int | None = None,
        max_failures: int = 5,
        retry_delay: float = 1.0,
    ) -> EventStream:
        """The live events of my services' dossiers (``assigned`` and ``note`` too).

        The same stream as :meth:`PortalClient.events` (iterate it; it
        reconnects with Last-Event-ID), so one follower can read either.
        """
        return self._event_stream("agent/events", last_event_id, max_failures, retry_delay)

    # -- one dossier ----------------------------------------------------------

    def agent_dossier(self, dossier_id: str, *, purpose: str | None = None) -> AgentDossier:
        """Open a dossier (writes the applicant's access log with ``purpose``)."""
        params = {"purpose": purpose} if purpose else None
        path = f"agent/dossiers/{seg(dossier_id)}"
        return cast(AgentDossier, self._json("GET", path, params=params))

    def claim(self, dossier_id: str, *, version: int | None = None) -> AgentDossier:
        return self._act(dossier_id, "claim", None, version)

    def release(self, dossier_id: str, *, version: int | None = None) -> AgentDossier:
        return self._act(dossier_id, "release", None, version)

    def assign(self, dossier_id: str, nrn: str, *, version: int | None = None) -> AgentDossier:
        """Give the dossier to an agent of its service (supervisors only: 403 else)."""
        return self._act(dossier_id, "assign", {"nrn": nrn}, version)

    def request_complement(
        self,
        dossier_id: str,
        message: str,
        due_date: str,
        *,
        attachment_ids: Sequence[str] | None = None,
        version: int | None = None,
    ) -> AgentDossier:
        """Ask the applicant for more (``due_date`` ISO); → ``awaiting_complement``."""
        body = _complement_body(message, due_date, attachment_ids)
        return self._act(dossier_id, "complement", body, version)

    def decide(
        self,
        dossier_id: str,
        outcome: str,
        motivation: str,
        *,
        appeal: str | None = None,
        version: int | None = None,
    ) -> AgentDossier:
        """Accept or refuse; the portal files the sealed decision in the applicant's vault."""
        body = _decision_body(outcome, motivation, appeal)
        return self._act(dossier_id, "decision", body, version)

    def add_note(self, dossier_id: str, body: str) -> Note:
        return cast(
            Note, self._json("POST", _action_path(dossier_id, "notes"), json={"body": body})
        )

    def list_notes(self, dossier_id: str) -> list[Note]:
        return cast(list[Note], items_of(self._json("GET", _action_path(dossier_id, "notes"))))

    def agent_history(self, dossier_id: str) -> list[Event]:
        return cast(list[Event], items_of(self._json("GET", _action_path(dossier_id, "history"))))

    def agent_messages(self, dossier_id: str) -> list[Message]:
        """The dossier's message thread, applicant's and agents' messages in time order."""
        body = self._json("GET", _action_path(dossier_id, "messages"))
        return cast(list[Message], items_of(body))

    def agent_download_attachment(self, attachment_id: str, out: IO[bytes]) -> int:
        """Write an attachment of a dossier of my services to ``out``; bytes written."""
        return self._download(f"/agent/attachments/{seg(attachment_id)}/content", out)

    def agent_upload_attachment(self, dossier_id: str, path: str | PathLike[str]) -> Attachment:
        """Upload a file (PDF, PNG or JPEG) to send with a complement request.

        Its id goes in :meth:`request_complement`'s ``attachment_ids``; until
        then the applicant does not see it. The file is streamed, not read whole.
        """
        with open(path, "rb") as content:
            parts = _file_part(path, content)
            return cast(
                Attachment, self._json("POST", _action_path(dossier_id, "attachments"), **parts)
            )

    def _act(
        self, dossier_id: str, action: str, body: dict[str, Any] | None, version: int | None
    ) -> AgentDossier:
        return cast(AgentDossier, self._json(**_action_request(dossier_id, action, body, version)))

    # -- bulk and export --------------------------------------------------------

    def agent_bulk(
        self,
        action: str,
        params: dict[str, Any] | None = None,
        *,
        ids: Sequence[str] | None = None,
        items: Sequence[dict[str, Any]] | None = None,
        filter: dict[str, Any] | None = None,
        dry_run: bool = False,
    ) -> BulkResult:
        """One bulk run (split into chunks of BULK_MAX); results in the order sent."""
        bodies = bulk_bodies(action, params, ids=ids, items=items, filter=filter, dry_run=dry_run)
        timeout = bulk_timeout(self._http.timeout)
        answers = [self._json("POST", "agent/bulk", json=b, timeout=timeout) for b in bodies]
        return merge_bulk(answers, dry_run)

    def agent_export(
        self,
        out: IO[bytes],
        *,
        format: str = "csv",
        fields: Sequence[str] | None = None,
        excel: bool = False,
        **filters: Any,
    ) -> int:
        """Stream the queue export into ``out``; the number of bytes written."""
        return self._download(export_query(filters, format, fields, excel), out)

    # -- webhooks ---------------------------------------------------------------

    def webhook_add(
        self,
        service: str,
        url: str,
        event_types: Sequence[str],
        *,
        description: str | None = None,
    ) -> NewWebhook:
        """Register an endpoint; the answer holds the signing secret, shown only once."""
        body = _webhook_body(service, url, event_types, description)
        return cast(NewWebhook, self._json("POST", "agent/webhooks", json=body))

    def webhook_list(self, *, service: str | None = None) -> list[Webhook]:
        params = {"service": service} if service else None
        return cast(list[Webhook], items_of(self._json("GET", "agent/webhooks", params=params)))

    def webhook_delete(self, webhook_id: str) -> None:
        self._json("DELETE", f"agent/webhooks/{seg(webhook_id)}")

    def webhook_deliveries(
        self,
        webhook_id: str,
        *,
        status: str | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> Page[Delivery]:
        path = f"agent/webhooks/{seg(webhook_id)}/deliveries"
        return self._page(path, {"status": status, "cursor": cursor, "limit": limit})

    def iter_webhook_deliveries(
        self, webhook_id: str, *, status: str | None = None
    ) -> Iterator[Delivery]:
        return iterate_pages(lambda c: self.webhook_deliveries(webhook_id, status=status, cursor=c))

    def webhook_replay(self, delivery_id: str) -> Delivery:
        """Send a delivery again (same message id, so receivers deduplicate)."""
        path = f"agent/webhooks/deliveries/{seg(delivery_id)}/replay"
        return cast(Delivery, self._json("POST", path))
