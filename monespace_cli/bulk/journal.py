"""The job journal: where each row of a bulk job stands, on disk, crash-proof.

Why SQLite in WAL mode: every step of every row is committed before the
next request goes out, so after Ctrl-C, a crash or ``kill -9`` the journal
says exactly what the portal already has; ``bulk resume`` carries on from
there. With WAL, a committed step survives the process being killed at any
instant (``synchronous=NORMAL`` only risks the last steps on a power loss,
and even those are safe: every request is retried with the same
Idempotency-Key, or checked first, as for attachments).

Row states (one way only)::

    pending ──► created(dossier id) ──► attachments ──► submitted
       │             │                      │
       └─────────────┴──────────────────────┴──► rejected(error)

The dossier's data travels with its creation (``POST /dossiers`` with
``data``), so there is no separate "data put" step to journal.

The journal also records what the job was started from — procedure, the
input file's path and sha256, the mapping's sha256 — so that resuming with
another file is refused instead of silently mixing two spreadsheets.

Files live in ``platformdirs.user_state_path("monespace")/bulk/<job>.sqlite``.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from monespace_cli.i18n import _

PENDING = "pending"
CREATED = "created"
ATTACHMENTS = "attachments"
SUBMITTED = "submitted"
REJECTED = "rejected"
STATES = (PENDING, CREATED, ATTACHMENTS, SUBMITTED, REJECTED)
FINAL = frozenset({SUBMITTED, REJECTED})
#: state → the states it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    PENDING: frozenset({CREATED, REJECTED}),
    CREATED: frozenset({ATTACHMENTS, REJECTED}),
    ATTACHMENTS: frozenset({SUBMITTED, REJECTED}),
    SUBMITTED: frozenset(),
    REJECTED: frozenset(),
}
SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rows (
    row INTEGER PRIMARY KEY,
    bce TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    dossier_id TEXT,
    dossier_status TEXT,
    error TEXT,
    updated_at TEXT NOT NULL
);
"""


class JournalError(Exception):
    """The journal cannot be used (missing, not a journal, wrong transition)."""


class InvalidTransition(JournalError):
    """A row was asked to go back, or to leave a final state: a bug, never silent."""


@dataclass(frozen=True)
class JobInfo:
    """What a job was started from; compared on resume."""

    job_id: str
    procedure: str
    file: str
    file_sha256: str
    mapping_sha256: str
    portal: str
    created_at: str
    concurrency: int = 4


@dataclass(frozen=True)
class JournalRow:
    """One row as the journal has it."""

    row: int
    bce: str
    payload: dict[str, Any]
    state: str
    dossier_id: str | None
    dossier_status: str | None
    error: str | None
    updated_at: str


def state_dir() -> Path:
    """The per-user folder of bulk journals (``$MONESPACE_STATE_DIR/bulk`` when set:
    the demo and tests keep their journals apart from the user's)."""
    import os

    override = os.environ.get("MONESPACE_STATE_DIR")
    if override:
        return Path(override).expanduser() / "bulk"
    from platformdirs import user_state_path

    return user_state_path("monespace") / "bulk"


def new_job_id() -> str:
    """A short, sortable, unique name: ``20261123-1622-3fa2``."""
    now = dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


class Journal:
    """A job's journal file; every change is committed when the method returns."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self.info = self._read_info()

    # -- opening ---------------------------------------------------------------

    @classmethod
    def create(
        cls, path: Path, info: JobInfo, rows: Iterable[tuple[int, str, dict[str, Any], str | None]]
    ) -> Journal:
        """A new journal with ``rows`` as (row, bce, payload, error-or-None)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            raise JournalError(_("A job named {job} already exists.").format(job=info.job_id))
        # Built aside and renamed into place: a kill during creation leaves no half journal.
        building = path.with_name(path.name + ".new")
        building.unlink(missing_ok=True)
        conn = sqlite3.connect(building, isolation_level=None)
        now = _now()
        conn.executescript(_SCHEMA)
        with conn:
            conn.execute("BEGIN")
            meta = {**{k: str(v) for k, v in asdict(info).items()}, "schema": SCHEMA_VERSION}
            conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            conn.executemany(
                "INSERT INTO rows (row, bce, payload, state, error, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (row, bce, json.dumps(payload), REJECTED if error else PENDING, error, now)
                    for row, bce, payload, error in rows
                ],
            )
        conn.close()
        building.rename(path)
        conn = _connect(path)
        return cls(path, conn)

    @classmethod
    def open(cls, path: Path) -> Journal:
        if not path.is_file():
            raise JournalError(_("there is no journal {path}").format(path=path))
        try:
            return cls(path, _connect(path))
        except sqlite3.DatabaseError:
            raise JournalError(_("{path} is not a bulk job journal").format(path=path)) from None

    def close(self) -> None:
        self._conn.close()

    def _read_info(self) -> JobInfo:
        try:
            meta = dict(self._conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError:
            raise JournalError(
                _("{path} is not a bulk job journal").format(path=self.path)
            ) from None
        try:
            return JobInfo(
                job_id=meta["job_id"],
                procedure=meta["procedure"],
                file=meta["file"],
                file_sha256=meta["file_sha256"],
                mapping_sha256=meta["mapping_sha256"],
                portal=meta["portal"],
                created_at=meta["created_at"],
                concurrency=int(meta.get("concurrency", "4")),
            )
        except (KeyError, ValueError):
            raise JournalError(
                _("{path} is not a bulk job journal").format(path=self.path)
            ) from None

    # -- reading -------------------------------------------------------------------

    def rows(self, states: Iterable[str] | None = None) -> list[JournalRow]:
        """Rows in row order (only those in ``states`` when given)."""
        query = "SELECT row, bce, payload, state, dossier_id, dossier_status, error, updated_at"
        query += " FROM rows"
        args: list[str] = []
        if states is not None:
            wanted = list(states)
            query += f" WHERE state IN ({','.join('?' * len(wanted))})"
            args = wanted
        return [
            JournalRow(r[0], r[1], json.loads(r[2]), r[3], r[4], r[5], r[6], r[7])
            for r in self._conn.execute(query + " ORDER BY row", args)
        ]

    def get(self, row: int) -> JournalRow:
        found = self._conn.execute(
            "SELECT row, bce, payload, state, dossier_id, dossier_status, error, updated_at"
            " FROM rows WHERE row = ?",
            (row,),
        ).fetchone()
        if found is None:
            raise JournalError(f"no row {row} in job {self.info.job_id}")
        return JournalRow(
            found[0],
            found[1],
            json.loads(found[2]),
            found[3],
            found[4],
            found[5],
            found[6],
            found[7],
        )

    def counts(self) -> dict[str, int]:
        """Rows per state (every state present, zero included)."""
        counts = dict.fromkeys(STATES, 0)
        for state, number in self._conn.execute("SELECT state, count(*) FROM rows GROUP BY state"):
            counts[state] = number
        return counts

    def unfinished(self) -> int:
        return sum(n for state, n in self.counts().items() if state not in FINAL)

    # -- writing -------------------------------------------------------------------

    def advance(
        self,
        row: int,
        state: str,
        *,
        dossier_id: str | None = None,
        dossier_status: str | None = None,
        error: str | None = None,
    ) -> None:
        """Move ``row`` to ``state`` (committed on return); InvalidTransition if not allowed."""
        current = self._conn.execute("SELECT state FROM rows WHERE row = ?", (row,)).fetchone()
        if current is None:
            raise JournalError(f"no row {row} in job {self.info.job_id}")
        if state not in TRANSITIONS[current[0]]:
            raise InvalidTransition(f"row {row}: {current[0]} → {state} is not allowed")
        self._conn.execute(
            "UPDATE rows SET state = ?, dossier_id = coalesce(?, dossier_id),"
            " dossier_status = coalesce(?, dossier_status), error = ?, updated_at = ?"
            " WHERE row = ?",
            (state, dossier_id, dossier_status, error, _now(), row),
        )

    def set_status(self, row: int, dossier_status: str) -> None:
        """Remember a dossier's latest status (``bulk follow``); the row state stays."""
        self._conn.execute(
            "UPDATE rows SET dossier_status = ? WHERE row = ?", (dossier_status, row)
        )


def list_jobs(folder: Path) -> list[Journal]:
    """Every readable journal in ``folder``, newest first."""
    jobs = []
    for path in sorted(folder.glob("*.sqlite"), reverse=True):
        try:
            jobs.append(Journal.open(path))
        except JournalError:
            continue
    return jobs
