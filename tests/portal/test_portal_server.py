"""The real portal process (uvicorn on loopback; SQLite, and PostgreSQL in CI)."""

from __future__ import annotations

import concurrent.futures
import json
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
CITIZEN = "68031412135"


def example(code: str) -> dict[str, Any]:
    path = ROOT / "portal/sandbox/procedures" / f"{code}.json"
    return json.loads(path.read_text(encoding="utf-8"))["example_data"]


def test_login_submit_and_survive_a_restart(portal_server, login) -> None:
    token = login(portal_server.url, CITIZEN, "1.7")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=portal_server.url, headers=headers, timeout=30) as client:
        challenge = client.post("/api/v1/auth/challenges").json()
        assert challenge["origin"] == portal_server.url
        created = client.post(
            "/api/v1/dossiers", json={"procedure": "PERMIS-PECHE", "data": example("PERMIS-PECHE")}
        )
        assert created.status_code == 201, created.text
        dossier_id = created.json()["id"]
        submitted = client.post(f"/api/v1/dossiers/{dossier_id}/submit")
        assert submitted.status_code == 200, submitted.text
    portal_server.stop()
    # Only what the new process writes: stopping may cancel other tests' live
    # event streams, which uvicorn logs with a traceback.
    before = len(portal_server.log())
    portal_server.start()
    with httpx.Client(base_url=portal_server.url, headers=headers, timeout=30) as client:
        again = client.get(f"/api/v1/dossiers/{dossier_id}")
        assert again.status_code == 200
        assert again.json()["status"] == "submitted"
        assert "Traceback" not in portal_server.log()[before:]


def test_concurrent_creates_all_succeed(portal_server, login) -> None:
    token = login(portal_server.url, CITIZEN)
    headers = {"Authorization": f"Bearer {token}"}

    def one(i: int) -> int:
        with httpx.Client(base_url=portal_server.url, headers=headers, timeout=60) as client:
            answer = client.post(
                "/api/v1/dossiers",
                json={"procedure": "DOGID"},
                headers={"Idempotency-Key": f"concurrent-{i}-{token[:8]}"},
            )
            return answer.status_code

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(one, range(24)))
    assert codes == [201] * 24


def test_same_idempotency_key_in_parallel_creates_one_dossier(portal_server, login) -> None:
    token = login(portal_server.url, CITIZEN)
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"race-{token[:10]}"}

    def one(_: int) -> tuple[int, str]:
        with httpx.Client(base_url=portal_server.url, headers=headers, timeout=60) as client:
            answer = client.post("/api/v1/dossiers", json={"procedure": "DOGID"})
            return answer.status_code, answer.json().get("id", "")

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        results = list(pool.map(one, range(6)))
    assert {code for code, _ in results} == {201}
    assert len({dossier for _, dossier in results}) == 1


def test_login_with_the_virtual_card_and_eid_library(portal_server, card_login) -> None:
    for applet in ("1.7", "1.8"):
        token = card_login(portal_server.url, CITIZEN, applet)
        me = httpx.get(
            f"{portal_server.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"}
        )
        assert me.json()["person"]["nrn"] == CITIZEN
