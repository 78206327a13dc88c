"""The Alembic migration and the models agree; init is idempotent; CLI errors are one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, func, select

from portal.models import Base, Person, Procedure
from tests.conftest import POSTGRES_URL, _postgres_database


def _diff(url: str) -> list[object]:
    engine = create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    return list(diff)


def test_autogenerate_finds_no_difference(sandbox_database_template) -> None:
    assert _diff(f"sqlite:///{sandbox_database_template}") == []


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="MONESPACE_TEST_POSTGRES_URL is not set")
def test_autogenerate_finds_no_difference_on_postgres() -> None:
    from portal.migrations import upgrade

    with _postgres_database() as url:
        upgrade(url)
        assert _diff(url) == []


def test_init_twice_is_harmless(tmp_path, pki_dir) -> None:
    from tests.conftest import init_portal

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


@pytest.mark.parametrize("revision", ["0004", None])
def test_serve_and_seed_refuse_a_database_not_at_the_newest_schema(tmp_path, revision) -> None:
    """An upgraded portal on an old (or empty) database says to run init, before serving."""
    from portal.migrations import upgrade

    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    if revision is not None:
        upgrade(url, revision)
    env = {
        "MONESPACE_PORTAL_DATABASE_URL": url,
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    for command in (["serve", "--port", "9"], ["seed", "--dossiers", "1"]):
        done = subprocess.run(
            [sys.executable, "-m", "portal", *command],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr
        last = done.stderr.strip().splitlines()[-1]
        assert last.startswith("error: the database "), last
        assert f"revision {revision or 'none (empty)'}" in last, last
        assert "run `monespace-portal init` first" in last, last


def test_a_schema_error_is_a_500_not_a_retry_later(portal_app, portal_client) -> None:
    """SQLite calls "no such table" an OperationalError, like a lost database; only the
    latter is a 503 with Retry-After (a retry cannot fix a schema)."""
    assert portal_client.get("/api/v1/procedures").status_code == 200
    if portal_app.state.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL reports schema errors as ProgrammingError already")
    with portal_app.state.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE procedures RENAME TO procedures_gone")
    answer = portal_client.get("/api/v1/procedures")
    assert answer.status_code == 500, answer.text
    assert "Retry-After" not in answer.headers


def test_seed_inserts_realistic_dossiers(portal_settings) -> None:
    from portal.db import make_engine
    from portal.domain.forms import validate
    from portal.models import Dossier, DossierEvent, ProcedureVersion
    from portal.seed import seed_dossiers

    engine = make_engine(portal_settings.database_url)
    assert seed_dossiers(engine, 300, seed=7) == 300
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Dossier)).scalar_one() == 300
        assert conn.execute(select(func.count()).select_from(DossierEvent)).scalar_one() >= 300
        rows = conn.execute(select(Dossier.procedure_code, Dossier.data).limit(20)).all()
        forms = {
            code: definition["form"]
            for code, definition in conn.execute(
                select(ProcedureVersion.procedure_code, ProcedureVersion.definition)
            )
        }
    engine.dispose()
    for code, data in rows:
        assert validate(forms[code], data) == []
