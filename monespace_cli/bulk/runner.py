"""Filing the rows of a job: concurrent, idempotent, journaled, stoppable.

Why it cannot duplicate a dossier: each row's creation and submission carry
an Idempotency-Key derived from the job id and the row number, so a repeat
of either — after a time-out, a 503, a crash, ``kill -9`` and ``bulk
resume`` — gets the first answer back instead of doing it twice. Uploads
have no key in the API, so before uploading into a dossier the runner looks
at the attachments it already has whenever it cannot be sure (resumed row,
failed upload), and skips those of the same kind and sha256.

Each step is written to the journal before the next request is sent. A
stop request (Ctrl-C) makes the workers take no new row; a row in flight
finishes its current request, and the journal keeps where it stands.

Rows are filed acting for their beneficiary (``X-Acting-As: <bce>``): the
portal checks the firm's mandate; a refusal rejects that row only.
"""

from __future__ import annotations

import asyncio
import hashlib
import mimetypes
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from monespace_cli.bulk import journal as jn
from monespace_cli.bulk.retry import GaveUp, RetryPolicy, Stopped, call_with_retries
from monespace_cli.client import AsyncPortalClient, AuthenticationRequired, PortalError
from monespace_cli.forms import nearest_pointer
from monespace_cli.i18n import _

T = TypeVar("T")


def idempotency_key(job_id: str, row: int, step: str) -> str:
    """The key of one write of one row: stable across runs of the same job."""
    return f"monespace-bulk-{job_id}-{row}-{step}"


@dataclass
class RunResult:
    """How a run ended (counts come from the journal)."""

    counts: dict[str, int]
    stopped: bool = False
    auth_error: Exception | None = None
    gave_up: int = 0
    last_unavailable: str | None = None


@dataclass
class BulkRunner:
    """Run every unfinished row of ``journal`` through ``client``."""

    journal: jn.Journal
    client: AsyncPortalClient
    concurrency: int = 4
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    on_change: Callable[[dict[str, int]], None] | None = None
    rng: random.Random = field(default_factory=random.Random)
    _stopping: bool = False
    _auth_error: Exception | None = None
    _gave_up: int = 0
    _last_unavailable: str | None = None

    def stop(self) -> None:
        """Take no new row; rows in flight finish their current request."""
        self._stopping = True

    def stopping(self) -> bool:
        return self._stopping

    async def run(self) -> RunResult:
        queue: asyncio.Queue[jn.JournalRow] = asyncio.Queue()
        for row in self.journal.rows(states=(jn.PENDING, jn.CREATED, jn.ATTACHMENTS)):
            queue.put_nowait(row)
        workers = [asyncio.create_task(self._worker(queue)) for _ in range(self.concurrency)]
        await asyncio.gather(*workers)
        return RunResult(
            counts=self.journal.counts(),
            stopped=self._stopping and self._auth_error is None and not self._gave_up,
            auth_error=self._auth_error,
            gave_up=self._gave_up,
            last_unavailable=self._last_unavailable,
        )

    async def _worker(self, queue: asyncio.Queue[jn.JournalRow]) -> None:
        while not self._stopping:
            try:
                row = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            await self._file(row)
            if self.on_change is not None:
                self.on_change(self.journal.counts())

    async def _file(self, row: jn.JournalRow) -> None:
        """Take one row as far as it goes; errors end up in the journal or the result."""
        try:
            await self._steps(row)
        except Stopped:
            return
        except GaveUp as exc:
            # The portal is down for good: stop taking rows; the job is resumable.
            self._gave_up += 1
            self._last_unavailable = str(exc.last)
            self.stop()
        except AuthenticationRequired as exc:
            self._auth_error = exc
            self.stop()
        except PortalError as exc:
            self.journal.advance(row.row, jn.REJECTED, error=describe(exc, row.payload))
        except RowProblem as exc:
            self.journal.advance(row.row, jn.REJECTED, error=str(exc))

    async def _steps(self, row: jn.JournalRow) -> None:
        state, dossier_id = row.state, row.dossier_id
        if state == jn.PENDING:
            dossier = await self._retry(
                lambda: self.client.create_dossier(
                    self.journal.info.procedure,
                    row.payload.get("data") or {},
                    idempotency_key=idempotency_key(self.journal.info.job_id, row.row, "create"),
                    acting_as=row.bce,
                )
            )
            dossier_id = str(dossier["id"])
            self.journal.advance(
                row.row, jn.CREATED, dossier_id=dossier_id, dossier_status=dossier.get("status")
            )
            state = jn.CREATED
        assert dossier_id is not None
        if state == jn.CREATED:
            await self._attach(row, dossier_id, sure_of_none=row.state == jn.PENDING)
            self.journal.advance(row.row, jn.ATTACHMENTS)
            state = jn.ATTACHMENTS
        if state == jn.ATTACHMENTS:
            submitted = await self._retry(
                lambda: self.client.submit_dossier(
                    dossier_id,
                    idempotency_key=idempotency_key(self.journal.info.job_id, row.row, "submit"),
                    acting_as=row.bce,
                )
            )
            self.journal.advance(row.row, jn.SUBMITTED, dossier_status=submitted.get("status"))

    async def _attach(self, row: jn.JournalRow, dossier_id: str, *, sure_of_none: bool) -> None:
        """Upload the row's files, skipping those the dossier already has."""
        files = row.payload.get("attachments") or []
        if not files:
            return
        present = set() if sure_of_none else await self._present(row, dossier_id)
        for item in files:
            kind, digest = str(item["kind"]), str(item["sha256"])
            if (kind, digest) in present:
                continue
            path = Path(str(item["path"]))
            content = _read_attachment(path, digest)
            content_type = mimetypes.guess_type(path.name)[0]

            async def upload(
                kind: str = kind,
                content: bytes = content,
                name: str = path.name,
                content_type: str | None = content_type,
            ) -> object:
                return await self.client.add_attachment(
                    dossier_id, kind, name, content, content_type=content_type, acting_as=row.bce
                )

            async def uploaded(kind: str = kind, digest: str = digest) -> bool | None:
                found = await self._present(row, dossier_id)
                return True if (kind, digest) in found else None

            await self._retry(upload, done_already=uploaded)
            present.add((kind, digest))

    async def _present(self, row: jn.JournalRow, dossier_id: str) -> set[tuple[str, str]]:
        dossier = await self._retry(lambda: self.client.get_dossier(dossier_id, acting_as=row.bce))
        return {(str(a["kind"]), str(a["sha256"])) for a in dossier.get("attachments") or []}

    async def _retry(
        self,
        call: Callable[[], Awaitable[T]],
        done_already: Callable[[], Awaitable[T | None]] | None = None,
    ) -> T:
        return await call_with_retries(
            call, self.policy, stopping=self.stopping, rng=self.rng, done_already=done_already
        )


class RowProblem(Exception):
    """A row that cannot go on for a local reason (its attachment file changed)."""


def _read_attachment(path: Path, digest: str) -> bytes:
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise RowProblem(
            _("cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from None
    if hashlib.sha256(content).hexdigest() != digest:
        raise RowProblem(_("{path} changed since the job started").format(path=path))
    return content


def describe(exc: Exception, payload: dict[str, Any]) -> str:
    """The portal's refusal as one line, field errors named by their column."""
    detail = exc.detail if isinstance(exc, PortalError) and exc.detail else str(exc)
    errors = exc.errors if isinstance(exc, PortalError) else []
    if not errors:
        return detail
    columns: dict[str, str] = payload.get("columns") or {}
    parts = []
    for err in errors:
        pointer = str(err.get("pointer") or "/")
        parts.append(f"{_column_for(pointer, columns)}: {err.get('message', '')}")
    return "; ".join(parts)


def _column_for(pointer: str, columns: dict[str, str]) -> str:
    probe = nearest_pointer(pointer, columns)
    if probe is None:
        return pointer
    return columns[probe] if columns[probe] == pointer else f"{columns[probe]} ({pointer})"
