"""Reading a dossier takes no write lock, so it never waits for SQLite's writers.

GET /dossiers/{id} used to be a writer from its start (a mandataire's read
is logged), so on SQLite every read queued behind the writers; the log
entry is now written in a short transaction of its own after the read
(portal.db.write_apart). Here another connection holds SQLite's write lock:
a citizen's read still answers at once, and a mandataire's read is still
logged once the lock is free.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.portal.scale.scale_support import ACCOUNTANT, CITIZEN, CLIENT_CO

PERMIT = {"procedure": "PERMIS-PECHE", "data": {"permit_type": "B", "year": 2027}}


def _headers(client: Any, login: Callable[..., str], nrn: str, acting_as: str | None = None):
    headers = {"Authorization": f"Bearer {login(client, nrn)}"}
    return {**headers, "X-Acting-As": acting_as} if acting_as else headers


def _hold_write_lock(portal_database: str) -> sqlite3.Connection:
    path = portal_database.removeprefix("sqlite:///")
    # Released from a timer thread in one test.
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


#: SQLite only: its single write lock is what a reader must not wait for.
sqlite_only = pytest.mark.parametrize("portal_database", ["sqlite"], indirect=True)


@sqlite_only
def test_a_read_does_not_wait_for_a_writer(
    portal_client: Any, portal_database: str, login: Callable[..., str]
) -> None:
    citizen = _headers(portal_client, login, CITIZEN)
    made = portal_client.post("/api/v1/dossiers", json=PERMIT, headers=citizen)
    assert made.status_code == 201, made.text
    holder = _hold_write_lock(portal_database)
    try:
        start = time.monotonic()
        read = portal_client.get(f"/api/v1/dossiers/{made.json()['id']}", headers=citizen)
        elapsed = time.monotonic() - start
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert read.status_code == 200, read.text
    assert elapsed < 5, f"the read waited {elapsed:.1f} s for the write lock"


@sqlite_only
def test_a_mandataire_read_is_logged_after_the_lock_is_free(
    portal_client: Any, portal_database: str, login: Callable[..., str]
) -> None:
    accountant = _headers(portal_client, login, ACCOUNTANT, CLIENT_CO)
    made = portal_client.post(
        "/api/v1/dossiers",
        json={"procedure": "SESAM", "data": {}},
        headers=accountant,
    )
    assert made.status_code == 201, made.text
    holder = _hold_write_lock(portal_database)

    def release() -> None:
        holder.execute("ROLLBACK")
        holder.close()

    released = threading.Timer(1.0, release)
    released.start()
    try:
        read = portal_client.get(f"/api/v1/dossiers/{made.json()['id']}", headers=accountant)
    finally:
        released.join()
    assert read.status_code == 200, read.text
    path = portal_database.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        logged = conn.execute(
            "SELECT count(*) FROM access_log WHERE subject_id = ? AND accessor_nrn = ?"
            " AND data = 'dossier'",
            (CLIENT_CO, ACCOUNTANT),
        ).fetchone()[0]
    assert logged == 1
