"""PortalClient and AsyncPortalClient: every endpoint of docs/api.md, typed.

Both clients share one place that decides headers (``User-Agent:
monespace/<version>``; the bearer token and ``X-Acting-As`` only for the
portal's own origin, see :class:`PortalCredentials`) and one place that turns
an error answer into a typed exception (:func:`raise_for_problem`), so the CLI,
the TUI and bulk runs see the same errors for the same answers. Transport
failures become :class:`PortalUnavailable`; idempotent GETs are retried once
when the connection drops, nothing else is (a POST may have reached the
server — that is what ``Idempotency-Key`` is for).

Tests swap the transport (``transport=httpx.MockTransport(...)``), never the code.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Generator, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import IO, Any, cast

import httpx

from monespace_cli import __version__
from monespace_cli.i18n import accept_language

from ._agent import AgentAPI
from ._exceptions import PortalError, raise_for_problem, transport_error
from ._models import (
    AccessLogEntry,
    Attachment,
    AuditEntry,
    Challenge,
    DeviceAuthorization,
    Document,
    Dossier,
    Event,
    Gap,
    Mandate,
    Me,
    Message,
    Notification,
    Payment,
    Procedure,
    Role,
    Seal,
    SealCertificates,
    Session,
    ValidationResult,
)
from ._pagination import Page, aiterate_pages, iterate_pages
from ._request import if_match, items_of, query, seg, with_acting_as
from ._sse import EventStream
from ._tls import client_tls_context

API_PREFIX = "/api/v1"
#: RFC 8628 §3.4: the grant of a login approved on another device.
DEVICE_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
#: The event stream sends a keepalive every 15 s; a longer silence is a dead link.
STREAM_TIMEOUT = httpx.Timeout(5.0, read=45.0)
#: Failures after which a GET is tried once more: the request never got an answer.
_RETRYABLE = (httpx.ConnectError, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)


def client_version() -> str:
    """The monespace version, for the User-Agent."""
    return __version__


def api_base(portal_url: str) -> str:
    """The API root for a portal URL given with or without ``/api/v1``."""
    base = portal_url.rstrip("/")
    return base if base.endswith(API_PREFIX) else base + API_PREFIX


def portal_origin(portal_url: str) -> str:
    """``scheme://host[:port]`` of a portal URL: what a login challenge must name."""
    url = httpx.URL(portal_url)
    default = {"http": 80, "https": 443}.get(url.scheme)
    port = f":{url.port}" if url.port and url.port != default else ""
    return f"{url.scheme}://{url.host}{port}"


def _origin_key(url: httpx.URL) -> tuple[str, str, int | None]:
    """Scheme, host and port (default port made explicit): what "same origin" compares."""
    default = {"http": 80, "https": 443}.get(url.scheme)
    return (url.scheme, url.host, url.port or default)


def is_portal_url(portal_url: str, url: str) -> bool:
    """True when ``url`` has the origin (scheme, host, port) of ``portal_url``."""
    try:
        return _origin_key(httpx.URL(url)) == _origin_key(httpx.URL(portal_url))
    except httpx.InvalidURL:
        return False


class PortalCredentials(httpx.Auth):
    """Attaches the token and the acting context to requests for the portal's origin only.

    The one place that decides where credentials go: an absolute URL given to
    ``monespace api``, a redirect (the clients follow none; httpx would drop
    ``Authorization`` on one to another origin anyway) or a link the portal
    sends never carries the bearer token, nor ``X-Acting-As``, to another
    origin. As an ``httpx.Auth`` it runs for every request of the client,
    streams and downloads included, at the last moment, on the final URL.
    """

    def __init__(self, client: _Base) -> None:
        self._client = client

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        client = self._client
        if _origin_key(request.url) == client.origin:
            if client.token:
                request.headers["Authorization"] = f"Bearer {client.token}"
            if client.acting_as and "X-Acting-As" not in request.headers:
                request.headers["X-Acting-As"] = client.acting_as
        yield request


def _new_dossier_args(
    procedure: str, data: dict[str, Any] | None, idempotency_key: str | None
) -> dict[str, Any]:
    """Body and headers of ``POST /dossiers`` (the key only when the caller has one)."""
    body: dict[str, Any] = {"procedure": procedure}
    if data is not None:
        body["data"] = data
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
    return {"json": body, "headers": headers}


def _submit_headers(idempotency_key: str | None) -> dict[str, str]:
    """A submit always carries a key: a fresh one unless the caller retries with its own."""
    return {"Idempotency-Key": idempotency_key or new_idempotency_key()}


def _multipart(
    kind: str, filename: str, content: bytes | IO[bytes], content_type: str | None
) -> dict[str, Any]:
    ctype = content_type or "application/octet-stream"
    return {"data": {"kind": kind}, "files": {"file": (filename, content, ctype)}}


class _Base:
    """What both clients share: configuration, headers, retry rule, decoding; not the transport."""

    def __init__(
        self,
        portal_url: str,
        *,
        token: str | None = None,
        acting_as: str | None = None,
        user_agent: str | None = None,
    ) -> None:
        self.portal_url = portal_url.rstrip("/")
        self.base_url = api_base(portal_url)
        self.origin = _origin_key(httpx.URL(self.portal_url))
        self.token = token
        self.acting_as = acting_as
        self.user_agent = user_agent or f"monespace/{client_version()}"

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """Headers of every request; credentials are added by :class:`PortalCredentials`."""
        headers = {
            "User-Agent": self.user_agent,
            "Accept": "application/json",
            "Accept-Language": accept_language(),
        }
        if extra:
            headers.update(extra)
        return headers

    def _url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        if path.startswith(API_PREFIX + "/") or path == "/healthz":
            return self.portal_url + path
        return self.base_url + "/" + path.lstrip("/")

    def _request_args(
        self, method: str, path: str, headers: dict[str, str] | None, **options: Any
    ) -> dict[str, Any]:
        """The arguments of one ``request`` call, the same for either transport."""
        return {
            "method": method,
            "url": self._url(path),
            "headers": self._headers(headers),
            **options,
        }

    def _retry_or_raise(self, exc: httpx.HTTPError, method: str, attempt: int) -> None:
        """Return when a dropped GET/HEAD gets its one more try; raise PortalUnavailable else."""
        if isinstance(exc, _RETRYABLE) and method.upper() in ("GET", "HEAD") and attempt == 0:
            return
        raise transport_error(exc, self.portal_url) from exc

    @staticmethod
    def _decode(response: httpx.Response, method: str, path: str) -> Any:
        """The JSON of a successful answer (None when empty); PortalError when not JSON."""
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise PortalError(
                f"the portal sent an answer that is not JSON for {method} {path}",
                status=response.status_code,
            ) from exc


class PortalClient(AgentAPI, _Base):
    """Synchronous client of the portal API (CLI and TUI)."""

    def __init__(
        self,
        portal_url: str,
        *,
        token: str | None = None,
        acting_as: str | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        user_agent: str | None = None,
    ) -> None:
        super().__init__(portal_url, token=token, acting_as=acting_as, user_agent=user_agent)
        self._http = httpx.Client(
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            verify=client_tls_context(),
            auth=PortalCredentials(self),
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PortalClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing -----------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        data: dict[str, Any] | None = None,
        files: dict[str, Any] | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> httpx.Response:
        """Send one request; typed exception on an error answer (``api`` uses this).

        ``timeout`` replaces the client's for this request only (a bulk
        request reads for minutes), so threads sharing the client are not
        affected.
        """
        args = self._request_args(
            method, path, headers, params=params, json=json, data=data, files=files
        )
        if timeout is not None:
            args["timeout"] = timeout
        for attempt in range(2):
            try:
                response = self._http.request(**args)
            except httpx.HTTPError as exc:
                self._retry_or_raise(exc, method, attempt)
                continue
            raise_for_problem(response)
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._decode(self.request(method, path, **kwargs), method, path)

    def _page(self, path: str, params: dict[str, Any]) -> Page[Any]:
        return Page.from_json(self._json("GET", path, params=query(**params)))

    def _download(self, path: str, out: IO[bytes]) -> int:
        """Stream a body into ``out``; the number of bytes written."""
        url = self._url(path)
        try:
            with self._http.stream("GET", url, headers=self._headers({"Accept": "*/*"})) as resp:
                if not resp.is_success:
                    resp.read()
                    raise_for_problem(resp)
                written = 0
                for chunk in resp.iter_bytes():
                    out.write(chunk)
                    written += len(chunk)
                return written
        except httpx.HTTPError as exc:
            raise transport_error(exc, self.portal_url) from exc

    # -- health and auth ----------------------------------------------------

    def healthz(self) -> dict[str, Any]:
        return cast(dict[str, Any], self._json("GET", "/healthz"))

    def create_challenge(self) -> Challenge:
        return cast(Challenge, self._json("POST", "auth/challenges"))

    def create_session(
        self, challenge_id: str, certificates: list[str], signature: str, algorithm: str
    ) -> Session:
        body = {
            "challenge_id": challenge_id,
            "certificates": certificates,
            "signature": signature,
            "algorithm": algorithm,
        }
        return cast(Session, self._json("POST", "auth/sessions", json=body))

    def start_device_login(self) -> DeviceAuthorization:
        """RFC 8628 device authorization: the codes and the address to approve at."""
        return cast(DeviceAuthorization, self._json("POST", "auth/device"))

    def poll_device_login(self, device_code: str) -> Session:
        """The session once approved; else BadRequest whose problem's ``error`` is RFC 8628's."""
        body = {"grant_type": DEVICE_GRANT_TYPE, "device_code": device_code}
        return cast(Session, self._json("POST", "auth/device/token", json=body))

    def logout(self) -> None:
        self._json("DELETE", "auth/sessions/current")

    def me(self) -> Me:
        return cast(Me, self._json("GET", "me"))

    # -- personal access tokens --------------------------------------------------

    def create_token(
        self, *, name: str, scopes: list[str], acting_as: str, expires_in_days: int
    ) -> dict[str, Any]:
        """A new personal access token; its secret (``token``) is in this answer only."""
        body = {
            "name": name,
            "scopes": scopes,
            "acting_as": acting_as,
            "expires_in_days": expires_in_days,
        }
        return cast(dict[str, Any], self._json("POST", "auth/tokens", json=body))

    def list_tokens(self, *, organisation: str | None = None) -> list[dict[str, Any]]:
        """My tokens, or (GAP, legal representative) those acting for ``organisation``."""
        path = f"organisations/{seg(organisation)}/tokens" if organisation else "auth/tokens"
        return items_of(self._json("GET", path))

    def revoke_token(self, token_id: str, *, organisation: str | None = None) -> None:
        """Revoke one of my tokens, or one acting for ``organisation``."""
        prefix = f"organisations/{seg(organisation)}/tokens" if organisation else "auth/tokens"
        self._json("DELETE", f"{prefix}/{seg(token_id)}")

    # -- catalogue ----------------------------------------------------------

    def list_procedures(
        self,
        *,
        audience: str | None = None,
        q: str | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> Page[Procedure]:
        return self._page(
            "procedures", {"audience": audience, "q": q, "cursor": cursor, "limit": limit}
        )

    def iter_procedures(
        self, *, audience: str | None = None, q: str | None = None
    ) -> Iterator[Procedure]:
        return iterate_pages(lambda c: self.list_procedures(audience=audience, q=q, cursor=c))

    def get_procedure(self, code: str, *, version: int | None = None) -> Procedure:
        return cast(
            Procedure, self._json("GET", f"procedures/{seg(code)}", params=query(version=version))
        )

    # -- dossiers -----------------------------------------------------------

    def create_dossier(
        self,
        procedure: str,
        data: dict[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
        acting_as: str | None = None,
    ) -> Dossier:
        args = _new_dossier_args(procedure, data, idempotency_key)
        args["headers"] = with_acting_as(acting_as, args["headers"])
        return cast(Dossier, self._json("POST", "dossiers", **args))

    def list_dossiers(
        self,
        *,
        status: str | None = None,
        procedure: str | None = None,
        applicant: str | None = None,
        updated_since: str | None = None,
        cursor: str | None = None,
        limit: int | None = None,
        acting_as: str | None = None,
    ) -> Page[Dossier]:
        """One page of the dossiers of the client's context, or of ``acting_as``'s."""
        params = query(
            status=status,
            procedure=procedure,
            applicant=applicant,
            updated_since=updated_since,
            cursor=cursor,
            limit=limit,
        )
        body = self._json("GET", "dossiers", params=params, headers=with_acting_as(acting_as))
        return Page.from_json(body)

    def iter_dossiers(self, *, acting_as: str | None = None, **filters: Any) -> Iterator[Dossier]:
        return iterate_pages(lambda c: self.list_dossiers(cursor=c, acting_as=acting_as, **filters))

    def get_dossier(self, dossier_id: str, *, acting_as: str | None = None) -> Dossier:
        path = f"dossiers/{seg(dossier_id)}"
        return cast(Dossier, self._json("GET", path, headers=with_acting_as(acting_as)))

    def put_dossier_data(self, dossier_id: str, data: dict[str, Any], *, version: int) -> Dossier:
        """Replace the data; ``version`` is the one read (StaleVersion if it moved)."""
        headers = if_match(version)
        return cast(
            Dossier,
            self._json("PUT", f"dossiers/{seg(dossier_id)}/data", json=data, headers=headers),
        )

    def validate_dossier(self, dossier_id: str) -> ValidationResult:
        return cast(ValidationResult, self._json("POST", f"dossiers/{seg(dossier_id)}/validate"))

    def submit_dossier(
        self,
        dossier_id: str,
        *,
        idempotency_key: str | None = None,
        acting_as: str | None = None,
    ) -> Dossier:
        """Submit; a fresh key is made when none is given (pass one to retry safely)."""
        headers = with_acting_as(acting_as, _submit_headers(idempotency_key))
        return cast(
            Dossier, self._json("POST", f"dossiers/{seg(dossier_id)}/submit", headers=headers)
        )

    def withdraw_dossier(self, dossier_id: str) -> Dossier:
        return cast(Dossier, self._json("POST", f"dossiers/{seg(dossier_id)}/withdraw"))

    def dossier_events(self, dossier_id: str) -> list[Event]:
        return cast(
            list[Event],
            Page.from_json(self._json("GET", f"dossiers/{seg(dossier_id)}/events")).items,
        )

    # -- attachments --------------------------------------------------------

    def add_attachment(
        self,
        dossier_id: str,
        kind: str,
        filename: str,
        content: bytes | IO[bytes],
        *,
        content_type: str | None = None,
        acting_as: str | None = None,
    ) -> Attachment:
        parts = _multipart(kind, filename, content, content_type)
        path = f"dossiers/{seg(dossier_id)}/attachments"
        headers = with_acting_as(acting_as)
        return cast(Attachment, self._json("POST", path, headers=headers, **parts))

    def download_attachment(self, attachment_id: str, out: IO[bytes]) -> int:
        return self._download(f"attachments/{seg(attachment_id)}/content", out)

    # -- messages -----------------------------------------------------------

    def list_messages(self, dossier_id: str) -> list[Message]:
        body = self._json("GET", f"dossiers/{seg(dossier_id)}/messages")
        return cast(list[Message], Page.from_json(body).items)

    def send_message(
        self, dossier_id: str, body: str, *, attachment_ids: list[str] | None = None
    ) -> Message:
        payload: dict[str, Any] = {"body": body}
        if attachment_ids:
            payload["attachment_ids"] = attachment_ids
        return cast(
            Message, self._json("POST", f"dossiers/{seg(dossier_id)}/messages", json=payload)
        )

    # -- documents and seals ------------------------------------------------

    def list_documents(
        self, *, cursor: str | None = None, limit: int | None = None
    ) -> Page[Document]:
        return self._page("documents", {"cursor": cursor, "limit": limit})

    def iter_documents(self) -> Iterator[Document]:
        return iterate_pages(lambda c: self.list_documents(cursor=c))

    def get_document(self, document_id: str) -> Document:
        """One document of the vault (NotFound when it is not the acting context's)."""
        return cast(Document, self._json("GET", f"documents/{seg(document_id)}"))

    def download_document(self, document_id: str, out: IO[bytes]) -> int:
        return self._download(f"documents/{seg(document_id)}/content", out)

    def get_seal(self, document_id: str) -> Seal:
        return cast(Seal, self._json("GET", f"documents/{seg(document_id)}/seal"))

    def seal_certificates(self) -> SealCertificates:
        return cast(SealCertificates, self._json("GET", "seal/certificates"))

    # -- payments -----------------------------------------------------------

    def list_payments(
        self, *, cursor: str | None = None, limit: int | None = None
    ) -> Page[Payment]:
        return self._page("payments", {"cursor": cursor, "limit": limit})

    def iter_payments(self) -> Iterator[Payment]:
        return iterate_pages(lambda c: self.list_payments(cursor=c))

    def get_payment(self, payment_id: str) -> Payment:
        return cast(Payment, self._json("GET", f"payments/{seg(payment_id)}"))

    def sandbox_pay(self, payment_id: str) -> Payment:
        """Sandbox only: the portal plays the bank and marks the payment paid."""
        return cast(Payment, self._json("POST", f"sandbox/payments/{seg(payment_id)}/pay"))

    # -- my data ------------------------------------------------------------

    def mydata(self) -> dict[str, Any]:
        return cast(dict[str, Any], self._json("GET", "mydata"))

    def access_log(
        self, *, cursor: str | None = None, limit: int | None = None
    ) -> Page[AccessLogEntry]:
        return self._page("mydata/access-log", {"cursor": cursor, "limit": limit})

    def iter_access_log(self) -> Iterator[AccessLogEntry]:
        return iterate_pages(lambda c: self.access_log(cursor=c))

    # -- notifications and events -------------------------------------------

    def list_notifications(
        self, *, unread: bool | None = None, cursor: str | None = None, limit: int | None = None
    ) -> Page[Notification]:
        flag = None if unread is None else ("true" if unread else "false")
        return self._page("notifications", {"unread": flag, "cursor": cursor, "limit": limit})

    def iter_notifications(self, *, unread: bool | None = None) -> Iterator[Notification]:
        return iterate_pages(lambda c: self.list_notifications(unread=unread, cursor=c))

    def mark_notification_read(self, notification_id: str) -> None:
        self._json("POST", f"notifications/{seg(notification_id)}/read")

    def events(
        self,
        *,
        last_event_id: str | int | None = None,
        max_failures: int = 5,
        retry_delay: float = 1.0,
    ) -> EventStream:
        """The live event stream; iterate it. It reconnects with Last-Event-ID."""
        return self._event_stream("events", last_event_id, max_failures, retry_delay)

    def _event_stream(
        self, path: str, last_event_id: str | int | None, max_failures: int, retry_delay: float
    ) -> EventStream:
        """An SSE stream of ``path`` (``events``, the agents' ``agent/events``)."""
        return EventStream(
            partial(self._open_event_stream, path=path),
            last_event_id=None if last_event_id is None else str(last_event_id),
            max_failures=max_failures,
            retry_delay=retry_delay,
        )

    @contextmanager
    def _open_event_stream(
        self, last_event_id: str | None, path: str = "events"
    ) -> Iterator[Iterable[str]]:
        """One connection to an SSE path (``events``, or the agents' ``agent/events``)."""
        extra = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
        if last_event_id is not None and str(last_event_id) != "":
            extra["Last-Event-ID"] = str(last_event_id)  # event ids may come as JSON numbers
        try:
            with self._http.stream(
                "GET", self._url(path), headers=self._headers(extra), timeout=STREAM_TIMEOUT
            ) as resp:
                if not resp.is_success:
                    resp.read()
                    raise_for_problem(resp)
                yield _guarded_lines(resp.iter_lines(), self.portal_url)
        except httpx.HTTPError as exc:
            raise transport_error(exc, self.portal_url) from exc

    # -- CSAM: organisations, GAPs, roles, mandates, audit ---------------------

    def get_organisation(self, bce: str) -> dict[str, Any]:
        return cast(dict[str, Any], self._json("GET", f"organisations/{seg(bce)}"))

    def list_gaps(self, bce: str) -> list[Gap]:
        return cast(list[Gap], items_of(self._json("GET", f"organisations/{seg(bce)}/gaps")))

    def designate_gap(self, bce: str, nrn: str) -> dict[str, Any]:
        path = f"organisations/{seg(bce)}/gaps"
        return cast(dict[str, Any], self._json("POST", path, json={"nrn": nrn}))

    def remove_gap(self, bce: str, nrn: str) -> None:
        self._json("DELETE", f"organisations/{seg(bce)}/gaps/{seg(nrn)}")

    def list_roles(self, bce: str, *, person: str | None = None) -> list[Role]:
        path = f"organisations/{seg(bce)}/roles"
        return cast(list[Role], items_of(self._json("GET", path, params=query(person=person))))

    def grant_role(self, bce: str, role: dict[str, Any]) -> dict[str, Any]:
        path = f"organisations/{seg(bce)}/roles"
        return cast(dict[str, Any], self._json("POST", path, json=role))

    def change_role(self, bce: str, role_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        path = f"organisations/{seg(bce)}/roles/{seg(role_id)}"
        return cast(dict[str, Any], self._json("PATCH", path, json=changes))

    def revoke_role(self, bce: str, role_id: str) -> None:
        self._json("DELETE", f"organisations/{seg(bce)}/roles/{seg(role_id)}")

    def apply_roles(
        self, bce: str, changes: list[dict[str, Any]], *, dry_run: bool = False
    ) -> dict[str, Any]:
        """One atomic change set: all applied or none (ValidationFailed names ``/changes/i``)."""
        path = f"organisations/{seg(bce)}/roles:apply"
        body = {"changes": changes, "dry_run": dry_run}
        return cast(dict[str, Any], self._json("POST", path, json=body))

    def audit(
        self, bce: str, *, cursor: str | None = None, limit: int | None = None
    ) -> Page[AuditEntry]:
        return self._page(f"organisations/{seg(bce)}/audit", {"cursor": cursor, "limit": limit})

    def iter_audit(self, bce: str) -> Iterator[AuditEntry]:
        return iterate_pages(lambda c: self.audit(bce, cursor=c))

    def list_mandates(
        self, *, organisation: str | None = None, state: str | None = None
    ) -> list[Mandate]:
        params = query(organisation=organisation, state=state)
        return cast(list[Mandate], items_of(self._json("GET", "mandates", params=params)))

    def propose_mandate(self, mandate: dict[str, Any]) -> dict[str, Any]:
        return cast(dict[str, Any], self._json("POST", "mandates", json=mandate))

    def decide_mandate(self, mandate_id: str, decision: str) -> dict[str, Any]:
        """``decision``: ``accept``, ``refuse`` or ``revoke``."""
        path = f"mandates/{seg(mandate_id)}/{seg(decision)}"
        return cast(dict[str, Any], self._json("POST", path))

    # -- sandbox ------------------------------------------------------------

    def create_sandbox_card(self, nrn: str, *, applet: str = "1.8", pin: str) -> dict[str, Any]:
        """Sandbox only: the image of a virtual eID card for a register person.

        The PIN here is the one the new virtual card will hold; it is sent to
        the sandbox portal only, which builds the card, never logged.
        """
        body = {"nrn": nrn, "applet": applet, "pin": pin}
        return cast(dict[str, Any], self._json("POST", "sandbox/cards", json=body))


def _guarded_lines(lines: Iterator[str], url: str) -> Iterator[str]:
    """Lines of a stream, with a dropped connection turned into PortalUnavailable."""
    try:
        yield from lines
    except httpx.HTTPError as exc:
        raise transport_error(exc, url) from exc


def new_idempotency_key() -> str:
    """A fresh key: one per logical write, reused when that write is retried."""
    return f"monespace-{uuid.uuid4()}"


class AsyncPortalClient(_Base):
    """Asynchronous client for many dossiers at once (``bulk``).

    Only what bulk filing needs: procedures, dossiers, data, attachments,
    validation and submission, each with the same errors as the sync client.
    """

    def __init__(
        self,
        portal_url: str,
        *,
        token: str | None = None,
        acting_as: str | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        user_agent: str | None = None,
        max_connections: int = 10,
    ) -> None:
        super().__init__(portal_url, token=token, acting_as=acting_as, user_agent=user_agent)
        limits = httpx.Limits(max_connections=max_connections)
        self._http = httpx.AsyncClient(
            timeout=timeout,
            transport=transport,
            limits=limits,
            verify=client_tls_context(),
            auth=PortalCredentials(self),
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncPortalClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        data: dict[str, Any] | None = None,
        files: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """Send one request; typed exception on an error answer."""
        args = self._request_args(
            method, path, headers, params=params, json=json, data=data, files=files
        )
        for attempt in range(2):
            try:
                response = await self._http.request(**args)
            except httpx.HTTPError as exc:
                self._retry_or_raise(exc, method, attempt)
                continue
            raise_for_problem(response)
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._decode(await self.request(method, path, **kwargs), method, path)

    async def me(self) -> Me:
        return cast(Me, await self._json("GET", "me"))

    async def list_mandates(
        self, *, organisation: str | None = None, state: str | None = None
    ) -> list[dict[str, Any]]:
        params = query(organisation=organisation, state=state)
        return items_of(await self._json("GET", "mandates", params=params))

    async def get_procedure(self, code: str, *, version: int | None = None) -> Procedure:
        params = query(version=version)
        return cast(Procedure, await self._json("GET", f"procedures/{seg(code)}", params=params))

    async def create_dossier(
        self,
        procedure: str,
        data: dict[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
        acting_as: str | None = None,
    ) -> Dossier:
        args = _new_dossier_args(procedure, data, idempotency_key)
        args["headers"] = with_acting_as(acting_as, args["headers"])
        return cast(Dossier, await self._json("POST", "dossiers", **args))

    async def get_dossier(self, dossier_id: str, *, acting_as: str | None = None) -> Dossier:
        path = f"dossiers/{seg(dossier_id)}"
        return cast(Dossier, await self._json("GET", path, headers=with_acting_as(acting_as)))

    async def list_dossiers(
        self, *, cursor: str | None = None, acting_as: str | None = None, **filters: Any
    ) -> Page[Dossier]:
        params = query(cursor=cursor, **filters)
        body = await self._json("GET", "dossiers", params=params, headers=with_acting_as(acting_as))
        return Page.from_json(body)

    def iter_dossiers(
        self, *, acting_as: str | None = None, **filters: Any
    ) -> AsyncIterator[Dossier]:
        return aiterate_pages(
            lambda c: self.list_dossiers(cursor=c, acting_as=acting_as, **filters)
        )

    async def put_dossier_data(
        self, dossier_id: str, data: dict[str, Any], *, version: int
    ) -> Dossier:
        headers = if_match(version)
        path = f"dossiers/{seg(dossier_id)}/data"
        return cast(Dossier, await self._json("PUT", path, json=data, headers=headers))

    async def add_attachment(
        self,
        dossier_id: str,
        kind: str,
        filename: str,
        content: bytes,
        *,
        content_type: str | None = None,
        acting_as: str | None = None,
    ) -> Attachment:
        parts = _multipart(kind, filename, content, content_type)
        path = f"dossiers/{seg(dossier_id)}/attachments"
        headers = with_acting_as(acting_as)
        return cast(Attachment, await self._json("POST", path, headers=headers, **parts))

    async def validate_dossier(self, dossier_id: str) -> ValidationResult:
        return cast(
            ValidationResult, await self._json("POST", f"dossiers/{seg(dossier_id)}/validate")
        )

    async def submit_dossier(
        self,
        dossier_id: str,
        *,
        idempotency_key: str | None = None,
        acting_as: str | None = None,
    ) -> Dossier:
        headers = with_acting_as(acting_as, _submit_headers(idempotency_key))
        path = f"dossiers/{seg(dossier_id)}/submit"
        return cast(Dossier, await self._json("POST", path, headers=headers))
