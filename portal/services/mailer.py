"""E-mail notifications through SMTP, sent after commit and off the request path.

Why a background thread: an SMTP server can be slow or down; a citizen's
submit must not wait for it or fail because of it. Mails are queued on the
database session and handed to a single worker thread only once the
transaction has committed (a rolled-back change never sends a mail). A
failed delivery is logged — with the recipient and the error, never the
body — and not retried: the in-app inbox always holds the notification.

Configuration: `MONESPACE_PORTAL_SMTP_URL`, e.g. `smtp://127.0.0.1:8025`,
`smtp://user:password@host:587?starttls=1` or `smtps://host:465`.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

SMTP_TIMEOUT = 10.0  # seconds; the worker thread waits, never a request
DEFAULT_SENDER = "Mon Espace <noreply@monespace.example>"
_PENDING_KEY = "monespace_pending_mail"


class SmtpConfigError(ValueError):
    """The SMTP URL cannot be used."""


@dataclass(frozen=True)
class SmtpTarget:
    """Where and how to deliver mail, parsed from the SMTP URL."""

    host: str
    port: int
    implicit_tls: bool = False
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    sender: str = DEFAULT_SENDER

    @classmethod
    def from_url(cls, url: str) -> SmtpTarget:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise SmtpConfigError("the SMTP URL must look like smtp://host:port")
        query = parse_qs(parts.query)
        implicit = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if implicit else 25),
            implicit_tls=implicit,
            starttls=query.get("starttls", ["0"])[0] in ("1", "true", "yes"),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            sender=query.get("from", [DEFAULT_SENDER])[0],
        )


def build_message(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text UTF-8 message."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message.set_content(body)
    return message


class Mailer:
    """Sends mail on one worker thread; `send` never raises to the caller."""

    def __init__(self, target: SmtpTarget) -> None:
        self.target = target
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smtp")

    def send(self, to: str, subject: str, body: str) -> Future[bool]:
        """Queue one mail; the future says whether it was delivered."""
        message = build_message(self.target.sender, to, subject, body)
        return self._pool.submit(self._deliver, message)

    def _deliver(self, message: EmailMessage) -> bool:
        try:
            with self._connect() as smtp:
                if self.target.username and self.target.password:
                    smtp.login(self.target.username, self.target.password)
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("e-mail to %s not delivered: %s", message["To"], exc)
            return False
        return True

    def _connect(self) -> smtplib.SMTP:
        target = self.target
        if target.implicit_tls:
            context = ssl.create_default_context()
            return smtplib.SMTP_SSL(target.host, target.port, timeout=SMTP_TIMEOUT, context=context)
        smtp = smtplib.SMTP(target.host, target.port, timeout=SMTP_TIMEOUT)
        if target.starttls:
            smtp.starttls(context=ssl.create_default_context())
        return smtp

    def close(self) -> None:
        """Wait for queued mail, then stop the worker (server shutdown)."""
        self._pool.shutdown(wait=True)


def send_after_commit(
    session: Session, mailer: Mailer | None, to: str, subject: str, body: str
) -> None:
    """Queue a mail that leaves only if and when `session` commits."""
    if mailer is None or not to:
        return
    pending: list[tuple[str, str, str]] | None = session.info.get(_PENDING_KEY)
    if pending is None:
        pending = session.info[_PENDING_KEY] = []
        event.listen(session, "after_commit", _flush_factory(mailer), once=True)
        event.listen(session, "after_rollback", _discard, once=True)
    pending.append((to, subject, body))


def _flush_factory(mailer: Mailer) -> Callable[[Session], None]:
    def flush(session: Session) -> None:
        for to, subject, body in session.info.pop(_PENDING_KEY, []):
            mailer.send(to, subject, body)

    return flush


def _discard(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)
