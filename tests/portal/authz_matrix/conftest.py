"""The authorization matrix's portal: in-process (SQLite; PostgreSQL when configured).

Helpers live in authz_matrix_support.py (a name of its own: ``from conftest
import`` could pick another folder's conftest).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from authz_matrix_support import API, World, build_world

from tests.conftest import BACKENDS, _postgres_url


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest,
    pki_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[World]:
    """A private copy of the sandbox database with the matrix's targets and logged-in callers.

    Module-wide: building it costs two dozen logins and filings, and every
    probe restores the database snapshot anyway. Login rate limits are off
    (every caller logs in from the same address) and so is the webhook
    dispatcher (its background sends would race the snapshot restores).
    SQLite, and PostgreSQL when MONESPACE_TEST_POSTGRES_URL is set (a clone
    of the sandbox template; reading lines only, see World.probes_writes).
    """
    scratch = tmp_path_factory.mktemp("authz-matrix")
    if request.param == "postgres":
        clones = request.getfixturevalue("postgres_clones")
        name = clones.take()
        try:
            yield from _world(_postgres_url(name), None, pki_dir, scratch)
        finally:
            clones.drop(name)
        return
    database = scratch / "portal.sqlite3"
    shutil.copyfile(request.getfixturevalue("sandbox_database_template"), database)
    yield from _world(f"sqlite:///{database}", database, pki_dir, scratch)


def _world(url: str, database: Path | None, pki_dir: Path, scratch: Path) -> Iterator[World]:
    from fastapi.testclient import TestClient

    from eid.pki import SandboxPKI
    from portal.app import create_app
    from portal.config import StreamSettings
    from tests.conftest import make_settings, sandbox_person, sign_login_message

    settings = make_settings(
        url,
        pki_dir,
        challenge_rate=None,
        login_failure_rate=None,
        webhooks_enabled=False,
        streams=StreamSettings(poll_seconds=0.05),
    )
    app = create_app(settings)
    pki = SandboxPKI.open(pki_dir)

    def login(client: Any, nrn: str) -> str:
        challenge = client.post(f"{API}/auth/challenges").json()
        body = sign_login_message(pki.issue_person(sandbox_person(nrn), "1.8"), challenge)
        answer = client.post(f"{API}/auth/sessions", json=body)
        assert answer.status_code == 201, answer.text
        return str(answer.json()["token"])

    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            yield build_world(client, app, database, login, scratch)
    finally:
        app.state.engine.dispose()
