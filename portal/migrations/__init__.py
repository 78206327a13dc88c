"""Alembic migrations of the portal database, run programmatically.

Why programmatic: the package ships its migrations as package data and
``monespace-portal init`` upgrades any database (SQLite or PostgreSQL) without
an ``alembic.ini`` on disk. Production paths never use ``create_all``.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at these migrations and ``database_url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database at ``database_url`` to ``revision`` (default: newest)."""
    command.upgrade(alembic_config(database_url), revision)


def pending(database_url: str) -> tuple[str | None, str] | None:
    """``(the database's revision, the newest)`` when they differ; None when up to date.

    Why: a portal upgraded without ``init`` would run new code on an old
    schema and fail request by request ("no such column"); ``serve`` and
    ``seed`` check this first and say which command to run.
    """
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine

    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    assert head is not None
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
    return None if current == head else (current, head)
