"""The Alembic migration and the models agree; init is idempotent; CLI errors are one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, func, select

from portal.models import Base, Person, Procedure


def test_autogenerate_finds_no_difference(sandbox_database_template) -> None:
    engine = create_engine(f"sqlite:///{sandbox_database_template}")
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_init_twice_is_harmless(tmp_path, pki_dir) -> None:
    from conftest import init_portal

    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    init_portal(url, pki_dir)
    engine = create_engine(url)
    with engine.connect() as conn:
        first = conn.execute(select(func.count()).select_from(Person)).scalar_one()
        procedures = conn.execute(select(func.count()).select_from(Procedure)).scalar_one()
    init_portal(url, pki_dir)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Person)).scalar_one() == first
        assert conn.execute(select(func.count()).select_from(Procedure)).scalar_one() == procedures
        journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar_one()
    engine.dispose()
    assert first >= 20 and procedures >= 12
    assert journal == "wal"


def test_bad_database_url_is_one_clear_line(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "portal", "init"],
        env={
            "MONESPACE_PORTAL_DATABASE_URL": "nosuchdb://x",
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        },
        capture_output=True,
        text=True,
        cwd=str(tmp_path.parent),
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("error: ")
