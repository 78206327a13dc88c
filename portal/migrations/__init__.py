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
