"""Webhook endpoints: who may manage them, which URLs are allowed, register/list/delete.

Why the URL rules (SSRF): the portal POSTs to whatever URL a supervisor
registers, from inside the administration's network. Outside the sandbox
only ``https://`` to a host that is not a loopback, private, link-local or
otherwise non-public address is accepted, so a webhook cannot be aimed at
the portal's own database or a cloud metadata service. Host names are
checked again when sending (the dispatcher resolves them), since a name
can point anywhere. The sandbox also allows ``http://`` to loopback, for
local receivers and tests.

Access follows the back office rule: the caller must be an agent of the
endpoint's service (reading) or its supervisor (writing); anyone else gets
404 — they do not learn that the service or the endpoint exists.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.serialize import rfc3339
from portal.models import Agent, Person, WebhookEndpoint, new_id, utcnow
from portal.problems import FieldError, Problem, not_found, validation_failed
from portal.webhooks.signing import new_secret

#: docs/api.md "Webhooks": the types an endpoint may subscribe to.
EVENT_TYPES = (
    "dossier.created",
    "dossier.submitted",
    "dossier.status_changed",
    "dossier.message",
    "dossier.attachment_added",
    "dossier.document",
    "dossier.payment",
    "dossier.assigned",
    "dossier.decided",
)
ALL = "*"
SUPERVISOR = "supervisor"
MAX_URL = 2000


# --- access --------------------------------------------------------------------


def roles_of(db: Session, person: Person) -> dict[str, str]:
    """``{service code: "agent" | "supervisor"}`` of the person."""
    rows = db.scalars(select(Agent).where(Agent.person_nrn == person.nrn))
    return {row.service_code: row.role for row in rows}


def require_role(db: Session, person: Person, service: str, *, write: bool) -> None:
    """404 unless the person works in ``service``; 403 for an agent asking to write."""
    role = roles_of(db, person).get(service)
    if role is None:
        raise not_found(f"service {service!r}")
    if write and role != SUPERVISOR:
        raise Problem(
            "forbidden", f"only a supervisor of {service} may manage its webhook endpoints"
        )


def get_endpoint(db: Session, person: Person, endpoint_id: str, *, write: bool) -> WebhookEndpoint:
    """The endpoint if the person may see it (and change it, with ``write``)."""
    endpoint = db.get(WebhookEndpoint, endpoint_id) if len(endpoint_id) <= 40 else None
    if endpoint is None or endpoint.service_code not in roles_of(db, person):
        raise not_found(f"webhook endpoint {endpoint_id!r}")
    require_role(db, person, endpoint.service_code, write=write)
    return endpoint


# --- validation ----------------------------------------------------------------


def _public_ip(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_global


def _loopback_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_problem(url: str, *, sandbox: bool) -> str | None:
    """Why ``url`` may not receive webhooks, or None when it may."""
    if len(url) > MAX_URL:
        return f"the URL is longer than {MAX_URL} characters"
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return "not a valid URL"
    if parts.scheme not in ("https", "http") or not host:
        return "the URL must be https://host/path"
    if parts.username is not None or parts.password is not None or parts.fragment:
        return "the URL must not contain credentials or a #fragment"
    if any(ord(c) < 33 for c in url):
        return "the URL must not contain spaces or control characters"
    if sandbox and _loopback_host(host):
        return None
    if parts.scheme != "https":
        return "the URL must use https:// (http:// only to loopback in sandbox mode)"
    return host_problem(host)


def host_problem(host: str) -> str | None:
    """Why a host name or address is not a public destination, or None."""
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return f"{host} is not a public host"
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None  # a name: resolved and checked again when sending
    if not _public_ip(address):
        return f"{host} is a loopback, private or link-local address"
    return None


def event_type_errors(types: list[str]) -> list[FieldError]:
    """Field errors of the subscribed types: known ones, or exactly ``["*"]``."""
    if list(dict.fromkeys(types)) == [ALL]:
        return []
    unknown = f'unknown event type; one of {", ".join(EVENT_TYPES)}, or ["*"] alone'
    errors = [
        FieldError(f"/event_types/{i}", '"*" must stand alone' if name == ALL else unknown)
        for i, name in enumerate(types)
        if name not in EVENT_TYPES
    ]
    if not types:
        errors.append(FieldError("/event_types", 'give at least one event type, or ["*"]'))
    return errors


# --- operations ----------------------------------------------------------------


def register(
    db: Session,
    person: Person,
    *,
    service: str,
    url: str,
    event_types: list[str],
    description: str,
    sandbox: bool,
) -> WebhookEndpoint:
    """A new active endpoint of ``service`` with a fresh secret (supervisors only)."""
    require_role(db, person, service, write=True)
    problem = url_problem(url, sandbox=sandbox)
    errors = [FieldError("/url", problem)] if problem is not None else []
    errors.extend(event_type_errors(event_types))
    if errors:
        raise validation_failed("the webhook endpoint is not valid", errors)
    endpoint = WebhookEndpoint(
        id=new_id("wh"),
        service_code=service,
        url=url,
        event_types=list(dict.fromkeys(event_types)),
        description=description,
        secret=new_secret(),
        active=True,
        created_by=person.nrn,
        created_at=utcnow(),
    )
    db.add(endpoint)
    db.flush()
    return endpoint


def list_for(db: Session, person: Person, service: str | None) -> list[WebhookEndpoint]:
    """The endpoints of ``service`` (or of all the person's services), oldest first."""
    services = roles_of(db, person)
    if not services:
        raise not_found("webhook endpoints")
    if service is not None:
        require_role(db, person, service, write=False)
        wanted = [service]
    else:
        wanted = sorted(services)
    query = (
        select(WebhookEndpoint)
        .where(WebhookEndpoint.service_code.in_(wanted))
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
    )
    return list(db.scalars(query))


def delete(db: Session, person: Person, endpoint_id: str) -> None:
    """Remove an endpoint and its delivery log (supervisors only)."""
    endpoint = get_endpoint(db, person, endpoint_id, write=True)
    db.delete(endpoint)
    db.flush()


def endpoint_json(endpoint: WebhookEndpoint, *, with_secret: bool = False) -> dict[str, Any]:
    """``Endpoint`` of docs/api.md; the secret only in the creation answer."""

    body: dict[str, Any] = {
        "id": endpoint.id,
        "service": endpoint.service_code,
        "url": endpoint.url,
        "event_types": list(endpoint.event_types),
        "description": endpoint.description,
        "active": endpoint.active,
        "created_at": rfc3339(endpoint.created_at),
    }
    if with_secret:
        body["secret"] = endpoint.secret
    return body
