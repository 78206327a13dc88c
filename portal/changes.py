"""What a transaction changed that live streams must hear of, told once it commits.

Why hooks on the ORM session rather than calls at each place that writes:
dossier events are written by many services (portal.domain.dossiers.record_event and
others), and rights change in several places (logout, CSAM roles and mandates,
the sandbox's agents). One ``after_flush`` listener sees every one of them,
so a new writer cannot forget to tell the streams.

Two things are told:

- *new events*: the hub reads the events table again at once, and the
  webhook dispatcher looks for due deliveries (a delivery queued or
  replayed counts too);
- *rights tags*: which login sessions, persons and organisations had their
  rights changed (``session:<id>``, ``person:<nrn>``, ``org:<bce>``, or ``*``
  for a change too broad to name), so the streams' cached rights for them are
  checked again before their next delivery.

On PostgreSQL the same facts go to every process through ``NOTIFY`` sent
*inside* the writing transaction: PostgreSQL delivers a notification only when
that transaction commits, and in commit order, so a listener never hears of an
event before it can read it, and hears of a revocation before any event
committed after it. Other processes on SQLite learn of new events from their
hub's poll and of CSAM changes from the ``csam_audit`` rows it also reads;
other rights changes reach them when their cached rights expire
(``MONESPACE_PORTAL_STREAM_RIGHTS_TTL``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import ORMExecuteState, Session

from portal.models import (
    AccessToken,
    Agent,
    AuthSession,
    CsamAuditEntry,
    DossierEvent,
    LegalRep,
    Mandate,
    Role,
    WebhookDelivery,
)

EVENTS_CHANNEL = "monespace_events"
RIGHTS_CHANNEL = "monespace_rights"
EVERYONE = "*"
#: PostgreSQL refuses a NOTIFY payload of 8,000 bytes or more: past this, "*".
MAX_PAYLOAD = 7000

_TAGS = "monespace_stream_tags"
_EVENTS = "monespace_stream_events"
_RIGHTS_TABLES = frozenset(t.__tablename__ for t in (Agent, AuthSession, LegalRep, Mandate, Role))

#: ``listener(new_events, tags)`` called after each commit that changed either,
#: in the committing thread. Hubs of this process subscribe (see :func:`subscribe`).
Listener = Callable[[bool, frozenset[str]], None]
_listeners: list[Listener] = []
_lock = threading.Lock()


def subscribe(listener: Listener) -> Callable[[], None]:
    """Hear of this process's commits; returns the function that stops it."""
    with _lock:
        _listeners.append(listener)

    def unsubscribe() -> None:
        with _lock:
            if listener in _listeners:
                _listeners.remove(listener)

    return unsubscribe


def tags_of(obj: object) -> set[str]:
    """The rights tags a changed row touches (empty for rows rights do not depend on)."""
    if isinstance(obj, AuthSession | AccessToken):
        return {obj.login_id}
    if isinstance(obj, Agent | LegalRep):
        tags = {f"person:{obj.person_nrn}"}
        if isinstance(obj, LegalRep):
            tags.add(f"org:{obj.organisation_bce}")
        return tags
    if isinstance(obj, Role):
        tags = {f"person:{obj.person_nrn}", f"org:{obj.organisation_bce}"}
        if obj.beneficiary_bce:
            tags.add(f"org:{obj.beneficiary_bce}")
        return tags
    if isinstance(obj, Mandate):
        return {f"org:{obj.beneficiary_bce}", f"org:{obj.mandataire_bce}"}
    if isinstance(obj, CsamAuditEntry):
        return {f"org:{obj.organisation_bce}"}
    return set()


def payload(tags: Iterable[str]) -> str:
    """The NOTIFY payload for ``tags`` (space-separated; ``*`` when too long)."""
    text_ = " ".join(sorted(set(tags)))
    return text_ if len(text_) <= MAX_PAYLOAD else EVERYONE


def parse_payload(value: str) -> frozenset[str]:
    """The tags of a rights notification."""
    return frozenset(value.split()) or frozenset({EVERYONE})


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: Any) -> None:
    new_events = any(isinstance(obj, DossierEvent) for obj in session.new) or any(
        isinstance(obj, WebhookDelivery) and obj.status == "pending"
        for obj in (*session.new, *session.dirty)
    )
    tags: set[str] = set()
    for obj in session.new:
        if not isinstance(obj, AuthSession):  # a new login changes no one's rights
            tags |= tags_of(obj)
    for obj in (*session.dirty, *session.deleted):
        if session.is_modified(obj) or obj in session.deleted:
            tags |= tags_of(obj)
    if not new_events and not tags:
        return
    if new_events:
        session.info[_EVENTS] = True
    if tags:
        session.info.setdefault(_TAGS, set()).update(tags)
    _notify(session, new_events, tags)


@event.listens_for(Session, "do_orm_execute")
def _bulk(state: ORMExecuteState) -> None:
    """A bulk UPDATE/DELETE of a rights table: too broad to name, so everyone."""
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in _RIGHTS_TABLES:
        state.session.info.setdefault(_TAGS, set()).add(EVERYONE)
        _notify(state.session, False, {EVERYONE})


def _notify(session: Session, new_events: bool, tags: set[str]) -> None:
    """``pg_notify`` in the transaction itself: delivered when (and if) it commits."""
    if session.get_bind().dialect.name != "postgresql":
        return
    connection = session.connection()
    if new_events:
        connection.execute(text("SELECT pg_notify(:c, '')"), {"c": EVENTS_CHANNEL})
    if tags:
        connection.execute(
            text("SELECT pg_notify(:c, :p)"), {"c": RIGHTS_CHANNEL, "p": payload(tags)}
        )


@event.listens_for(Session, "after_commit")
def _told(session: Session) -> None:
    new_events = bool(session.info.pop(_EVENTS, False))
    tags = frozenset(session.info.pop(_TAGS, ()))
    if not new_events and not tags:
        return
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        listener(new_events, tags)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, _previous: Any) -> None:
    session.info.pop(_EVENTS, None)
    session.info.pop(_TAGS, None)
