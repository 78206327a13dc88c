"""The portal killed (SIGKILL) in the middle of submits, then restarted.

A submit files a sealed receipt, opens a payment and changes the status in
one transaction: after a crash at any moment a dossier is either still a
draft with none of them, or submitted with all of them. The client's retry
with the same Idempotency-Key then finishes the job exactly once.
"""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PortalServer

CITIZEN = "68031412135"
#: The fishing permit has a fee: a submit also opens a payment.
PROCEDURE = "PERMIS-PECHE"
PERMIT = {"permit_type": "B", "year": 2027}
ROUNDS = 6
PER_ROUND = 4


def _state(database_url: str, dossier_id: str) -> tuple[str, int, int, int]:
    """(status, receipts, payments, submitted events) straight from the database."""
    pk = int(dossier_id.rsplit("-", 1)[1])
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            status = conn.execute(text("SELECT status FROM dossiers WHERE id = :i"), {"i": pk})
            counts = [
                conn.execute(text(sql), {"i": pk}).scalar_one()
                for sql in (
                    "SELECT count(*) FROM documents WHERE dossier_id = :i AND kind = 'receipt'",
                    "SELECT count(*) FROM payments WHERE dossier_id = :i",
                    "SELECT count(*) FROM dossier_events WHERE dossier_id = :i"
                    " AND type = 'submitted'",
                )
            ]
            return str(status.scalar_one()), counts[0], counts[1], counts[2]
    finally:
        engine.dispose()


def _submit_quietly(url: str, token: str, dossier_id: str, key: str) -> None:
    try:
        httpx.post(
            f"{url}/api/v1/dossiers/{dossier_id}/submit",
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
            timeout=10,
        )
    except httpx.HTTPError:
        pass  # the server died under it: that is the point


@pytest.mark.slow
def test_kill_during_submits_leaves_no_half_submitted_dossier(
    portal_database: str, pki_dir: Path, tmp_path: Path, login: Any
) -> None:
    server = PortalServer(portal_database, pki_dir, tmp_path / "server.log")
    rng = random.Random(20261123)
    server.start()
    token = login(server.url, CITIZEN)
    api = {"Authorization": f"Bearer {token}"}
    try:
        for round_ in range(ROUNDS):
            with httpx.Client(base_url=server.url + "/api/v1", headers=api, timeout=30) as c:
                ids = []
                for _ in range(PER_ROUND):
                    made = c.post("/dossiers", json={"procedure": PROCEDURE, "data": PERMIT})
                    assert made.status_code == 201, made.text
                    ids.append(made.json()["id"])
            keys = {i: f"kill-{round_}-{i}" for i in ids}
            threads = [
                threading.Thread(target=_submit_quietly, args=(server.url, token, i, keys[i]))
                for i in ids
            ]
            for thread in threads:
                thread.start()
            time.sleep(rng.uniform(0.0, 0.25))
            assert server.process is not None
            server.process.kill()  # SIGKILL: no shutdown, no clean-up
            server.process.wait()
            server.process = None
            for thread in threads:
                thread.join(15)
            for dossier_id in ids:  # all or nothing, whatever the moment of the kill
                assert _state(portal_database, dossier_id) in {
                    ("draft", 0, 0, 0),
                    ("submitted", 1, 1, 1),
                }, dossier_id
            server.start()
            with httpx.Client(base_url=server.url + "/api/v1", headers=api, timeout=30) as c:
                for dossier_id in ids:  # the client retries with the same key
                    again = c.post(
                        f"/dossiers/{dossier_id}/submit",
                        headers={"Idempotency-Key": keys[dossier_id]},
                    )
                    assert again.status_code == 200, again.text
                    assert _state(portal_database, dossier_id) == ("submitted", 1, 1, 1)
    finally:
        server.stop()
