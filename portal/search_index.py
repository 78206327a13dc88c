"""The trigram index behind the agents' queue search (``q``), on both backends.

Why: ``q`` is a substring of a dossier's folded text (``search_key``:
applicant's name and id and title in lower case without accents, see
:mod:`portal.search_key`) or of its number, which no b-tree can serve, so
every search read all of a service's open dossiers (about a second at
150k). A trigram index finds the few rows holding the text instead.

- PostgreSQL: ``pg_trgm``'s GIN operator class on ``search_key`` and on the
  id as text, so the queue's LIKE conditions are served by a bitmap OR of
  the index, unchanged SQL. If the extension cannot be created, no index is
  made and the search stays a scan.
- SQLite: an FTS5 table (``tokenize='trigram'``, contentless: it stores only
  the index) whose rowid is the dossier id, kept in step by triggers. The
  queue narrows to ``id IN (SELECT rowid … MATCH …)`` and keeps its exact
  conditions, so the index only proposes candidates and the same rows as
  the plain scan are returned.

Neither object is in the ORM metadata (an FTS table is not a table
``create_all`` could make); :func:`_hide_from_autogenerate` keeps Alembic's
comparison from proposing to drop them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, text

#: The FTS5 table on SQLite (its shadow tables are ``dossier_search_*``).
FTS_TABLE = "dossier_search"
#: The GIN trigram index on PostgreSQL.
PG_INDEX = "ix_dossiers_search_trgm"
#: ``q`` shorter than this has no trigram: the queue index walk serves it.
MIN_CHARS = 3
#: The FTS columns: the dossier's folded text, and its number (the id as
#: text: "part of the dossier number" searches).
FTS_COLUMNS = ("search_key", "number")
_SOURCES = ("search_key", "CAST(id AS TEXT)")
_TRIGGERS = ("dossier_search_ai", "dossier_search_ad", "dossier_search_au")


def create(connection: Connection) -> bool:
    """Create (and fill) the search index; False when the backend cannot have one."""
    if connection.dialect.name == "postgresql":
        if not _pg_trgm(connection):
            return False
        connection.execute(text(_pg_index_sql()))
        return True
    connection.execute(
        text(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
            f"{', '.join(FTS_COLUMNS)}, content='', tokenize='trigram')"
        )
    )
    fill(connection, 0)
    create_triggers(connection)
    return True


def drop(connection: Connection) -> None:
    """Remove the search index (the downgrade)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"DROP INDEX IF EXISTS {PG_INDEX}"))
        return
    drop_triggers(connection)
    connection.execute(text(f"DROP TABLE IF EXISTS {FTS_TABLE}"))


def _pg_trgm(connection: Connection) -> bool:
    """Create pg_trgm if it is not there; False (and the transaction intact) if refused."""
    try:
        with connection.begin_nested():
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except Exception:  # noqa: BLE001 — not installed, or not allowed: no index, same results
        return False
    return True


def _pg_index_sql() -> str:
    return (
        f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON dossiers USING gin ("
        "search_key gin_trgm_ops, (CAST(id AS VARCHAR)) gin_trgm_ops)"
    )


def has_pg_index(connection: Connection) -> bool:
    """Whether the PostgreSQL trigram index exists (the extension may have been refused)."""
    found = connection.execute(
        text("SELECT 1 FROM pg_indexes WHERE indexname = :name"), {"name": PG_INDEX}
    ).first()
    return found is not None


def fill(connection: Connection, from_id: int) -> None:
    """Index the dossiers whose id is at least ``from_id`` (one INSERT … SELECT)."""
    connection.execute(
        text(
            f"INSERT INTO {FTS_TABLE} (rowid, {', '.join(FTS_COLUMNS)})"  # noqa: S608
            f" SELECT id, {', '.join(_SOURCES)} FROM dossiers WHERE id >= :start"
        ),
        {"start": from_id},
    )


def _values(prefix: str) -> str:
    return ", ".join(
        f"{prefix}.{c}" if c != "number" else f"CAST({prefix}.id AS TEXT)" for c in FTS_COLUMNS
    )


def create_triggers(connection: Connection) -> None:
    """The triggers keeping the FTS table in step with dossiers (SQLite).

    A contentless FTS5 table forgets a row only when told its old values
    (the 'delete' command), which the triggers have in ``old``.
    """
    columns = ", ".join(FTS_COLUMNS)
    # Names below are this module's constants, never input.
    insert = f"INSERT INTO {FTS_TABLE} (rowid, {columns}) VALUES (new.id, {_values('new')});"  # noqa: S608
    delete = (
        f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, {columns})"  # noqa: S608
        f" VALUES ('delete', old.id, {_values('old')});"
    )
    watched = "search_key, id"
    for statement in (
        f"CREATE TRIGGER dossier_search_ai AFTER INSERT ON dossiers BEGIN {insert} END",
        f"CREATE TRIGGER dossier_search_ad AFTER DELETE ON dossiers BEGIN {delete} END",
        f"CREATE TRIGGER dossier_search_au AFTER UPDATE OF {watched} ON dossiers"
        f" BEGIN {delete} {insert} END",
    ):
        connection.execute(text(statement))


def drop_triggers(connection: Connection) -> None:
    """Remove the triggers (a bulk load indexes its rows in one statement after)."""
    for name in _TRIGGERS:
        connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))


@contextlib.contextmanager
def bulk_load(connection: Connection, start_id: int, rebuild: bool) -> Iterator[None]:
    """Around a seed's bulk insert of ids from ``start_id``: index them once, after.

    Why: a row-at-a-time trigger (SQLite) or GIN insert (PostgreSQL) per
    dossier is slow at a million; the seed's other indexes are rebuilt the
    same way. Without ``rebuild`` (small seeds) the triggers and the index
    keep up by themselves.
    """
    if not rebuild:
        yield
        return
    if connection.dialect.name == "postgresql":
        present = has_pg_index(connection)
        if present:
            connection.execute(text(f"DROP INDEX {PG_INDEX}"))
        yield
        if present:
            connection.execute(text(_pg_index_sql()))
        return
    present = _has_fts(connection)
    if present:
        drop_triggers(connection)
    yield
    if present:
        fill(connection, start_id)
        create_triggers(connection)


def _has_fts(connection: Connection) -> bool:
    found = connection.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
        {"name": FTS_TABLE},
    ).first()
    return found is not None


def fts_phrase(value: str) -> str:
    """``value`` as one FTS5 phrase: in double quotes, its own quotes doubled.

    Inside a quoted string FTS5 takes every character literally (no
    operators, no column filters), so user text cannot break the query.
    """
    return '"' + value.replace('"', '""') + '"'


def fts_query(q: str, digits: str | None) -> str | None:
    """The MATCH expression proposing every dossier ``q`` may match, or None (no index use).

    ``digits`` is the part of the dossier number ``q`` stands for (matched
    on ``number``); with fewer than three characters in ``q`` or ``digits``
    there is no trigram to look up, and the caller keeps the plain scan.
    """
    if len(q) < MIN_CHARS:
        return None
    phrases = [fts_phrase(q)]
    if digits is not None:
        if len(digits) < MIN_CHARS:
            return None
        phrases.append(fts_phrase(digits))
    return " OR ".join(phrases)


def _is_search_object(op: Any) -> bool:
    """An autogenerate operation about the search index (which no model declares)."""
    name = str(getattr(op, "table_name", "") or "")
    index = str(getattr(op, "index_name", "") or "")
    return name == FTS_TABLE or name.startswith(f"{FTS_TABLE}_") or index == PG_INDEX


def _hide_from_autogenerate() -> None:
    """Register an Alembic comparator dropping the operations on the search index.

    Why global: every comparison of the models with a database (``alembic
    revision --autogenerate``, the tests' schema check) would otherwise
    propose to drop the FTS tables and the GIN index made by migration 0005.
    """
    from alembic.autogenerate.compare import comparators
    from alembic.util.langhelpers import DispatchPriority

    @comparators.dispatch_for("autogenerate", priority=DispatchPriority.LAST)
    def _drop_search_ops(_context: Any, upgrade_ops: Any) -> Any:
        from alembic.operations import ops
        from alembic.util.langhelpers import PriorityDispatchResult

        kept = []
        for op in upgrade_ops.ops:
            if isinstance(op, ops.ModifyTableOps):
                op.ops = [o for o in op.ops if not _is_search_object(o)]
                if not op.ops:
                    continue
            elif _is_search_object(op):
                continue
            kept.append(op)
        upgrade_ops.ops = kept
        return PriorityDispatchResult.CONTINUE


_hide_from_autogenerate()
