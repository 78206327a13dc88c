"""Helpers of the scale tests: capture the SQL a request runs, and explain it.

Why capture instead of rebuilding the queries in the test: the plans that
matter are those of the statements the portal really sends (the keyset
condition, the UNION ALL branches of the queue, the domain join of a
mandataire), so the test records them from the engine while real requests
run, then asks the database how it executes each one.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

#: Sandbox people (portal/sandbox/README.md).
CITIZEN = "68031412135"  # Philippe Lambert
ACCOUNTANT = "91052314742"  # Julien Martin, mandataire of the firm's clients
CLIENT_CO = "0641238591"  # a beneficiary of an active mandate
EER_SUPERVISOR = "70112804283"  # Anne Gilson
QUEUE_SORTS = ("age", "-age", "due", "-due", "updated")


@dataclass(frozen=True)
class Statement:
    """One statement as the driver received it."""

    sql: str
    parameters: Any


@contextlib.contextmanager
def capture(engine: Engine, table: str = "dossiers") -> Iterator[list[Statement]]:
    """Every SELECT reading ``table`` that ``engine`` runs inside the block."""
    seen: list[Statement] = []

    def record(_conn: Any, _cursor: Any, sql: str, parameters: Any, *_: Any) -> None:
        if sql.lstrip().upper().startswith("SELECT") and f"FROM {table}" in sql:
            seen.append(Statement(sql, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def sqlite_plan(engine: Engine, statement: Statement) -> list[str]:
    """``EXPLAIN QUERY PLAN`` lines of ``statement`` (SQLite)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("EXPLAIN QUERY PLAN " + statement.sql, statement.parameters)
        return [str(row[3]) for row in cursor.fetchall()]
    finally:
        raw.close()


def postgres_plan(engine: Engine, statement: Statement) -> list[dict[str, Any]]:
    """Every node of ``EXPLAIN (FORMAT JSON)`` of ``statement`` (PostgreSQL), flattened."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("EXPLAIN (FORMAT JSON) " + statement.sql, statement.parameters)
        row = cursor.fetchone()
        assert row is not None
        document = row[0]
    finally:
        raw.close()
    plan = json.loads(document) if isinstance(document, str) else document
    nodes: list[dict[str, Any]] = []
    todo = [plan[0]["Plan"]]
    while todo:
        node = todo.pop()
        nodes.append(node)
        todo.extend(node.get("Plans", []))
    return nodes


def dossier_access(engine: Engine, statement: Statement) -> list[str]:
    """How each read of the dossiers table is done, one line each, on either backend.

    SQLite: the plan lines naming the table (``SEARCH dossiers USING INDEX
    ix_… (…)``, ``SCAN dossiers`` …). PostgreSQL: ``<node type> <index>`` of
    every node on the table (``Index Scan ix_…``, ``Seq Scan -`` …), plus
    the bitmap index scans under a ``Bitmap Heap Scan``.
    """
    if engine.dialect.name == "sqlite":
        return [
            line
            for line in sqlite_plan(engine, statement)
            if " dossiers" in line or "TEMP B-TREE" in line
        ]
    lines = []
    for node in postgres_plan(engine, statement):
        index = str(node.get("Index Name", "-"))
        # A bitmap index scan names its index but not its table.
        if (
            node.get("Relation Name") == "dossiers"
            or index.endswith("_dossiers")
            or (index.startswith("ix_dossiers_"))
        ):
            lines.append(f"{node['Node Type']} {index}")
    return lines


# --- a PostgreSQL cluster of the test's own ------------------------------------


def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    return found[-1] if found else None


PG_BIN = _pg_bin()


class OwnCluster:
    """A throw-away PostgreSQL cluster (initdb in /tmp) that a test may stop and start.

    Why not the suite's server: restarting it would break the PostgreSQL
    tests running in parallel (``make test-postgres`` runs with ``-n 2``).
    Set up like scripts/postgres.sh: trust on loopback, no fsync, and as root
    it runs as the ``postgres`` system user (PostgreSQL refuses root).
    """

    def __init__(self) -> None:
        assert PG_BIN is not None
        self.bin = PG_BIN
        self.port = _free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="monespace-pg-restart-"))
        self.data = self.dir / "data"
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres")

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of its ``monespace`` database."""
        return f"postgresql+psycopg://monespace@127.0.0.1:{self.port}/monespace"

    def _run(self, *args: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=120)

    def create(self) -> None:
        """initdb, start, and create the ``monespace`` database."""
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "monespace", "--auth=trust")
        self.start()
        self._run(
            str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
            "-U", "monespace", "monespace",
        )  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c full_page_writes=off"
        )
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"),
            "-w", "-o", options, "start",
        )  # fmt: skip

    def stop(self) -> None:
        """Fast shutdown: open sessions are ended, as in a real restart."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        """Stop (if running) and delete the cluster."""
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
