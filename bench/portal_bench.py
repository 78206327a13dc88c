"""Portal benchmark: dossier list latency at 100k dossiers, create+submit throughput.

Run: ``.venv/bin/python bench/portal_bench.py [--dossiers 100000] [--requests 200]``.
It builds a temporary sandbox portal on SQLite (``init --sandbox``, ``seed``),
starts the real server (uvicorn) on a free loopback port, logs in through
the eID protocol (signing with the sandbox PKI key, as the card would) as
the citizen with the most dossiers, and prints a table:

- ``GET /dossiers`` first page and a deep keyset page (p50/p99, ms),
- create + submit over HTTP (dossiers/s), sequential and with 4 clients.

No timing assertions anywhere: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(url: str, pki: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        MONESPACE_PORTAL_DATABASE_URL=url,
        MONESPACE_PORTAL_SANDBOX="1",
        MONESPACE_PORTAL_PKI_DIR=str(pki),
        PYTHONPATH=str(ROOT),
    )
    return env


def _run(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "portal", *args], env=env, check=True, capture_output=True
    )
    return time.perf_counter() - start


def _busiest_citizen(db_path: Path) -> tuple[str, int]:
    import sqlite3

    with sqlite3.connect(db_path) as conn:
        row = conn.execute(
            "SELECT applicant_id, count(*) FROM dossiers WHERE applicant_kind = 'person' "
            "GROUP BY applicant_id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    return str(row[0]), int(row[1])


def _login(client: httpx.Client, pki_dir: Path, nrn: str, surname: str, given: str) -> str:
    from dataclasses import dataclass

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from eid.login import login_message
    from eid.pki import SandboxPKI

    @dataclass(frozen=True)
    class Holder:
        nrn: str
        surname: str
        given_names: str

    creds = SandboxPKI.open(pki_dir).issue_person(Holder(nrn, surname, given), "1.8")
    ch = client.post("/api/v1/auth/challenges").json()
    message = login_message(ch["origin"], ch["id"], ch["nonce"])
    assert isinstance(creds.auth_key, ec.EllipticCurvePrivateKey)
    signature = creds.auth_key.sign(message, ec.ECDSA(hashes.SHA384()))
    body = {
        "challenge_id": ch["id"],
        "certificates": [
            base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode()
            for c in creds.chain
        ],
        "signature": base64.b64encode(signature).decode(),
        "algorithm": "ES384",
    }
    answer = client.post("/api/v1/auth/sessions", json=body)
    answer.raise_for_status()
    return str(answer.json()["token"])


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p99 * 1000


def _time_get(client: httpx.Client, path: str, params: dict[str, Any], n: int) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        answer = client.get(path, params=params)
        samples.append(time.perf_counter() - start)
        answer.raise_for_status()
    return samples


def _create_submit(base: str, token: str, example: dict[str, Any], n: int) -> None:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as c:
        for _ in range(n):
            created = c.post("/api/v1/dossiers", json={"procedure": "DOGID", "data": example})
            created.raise_for_status()
            c.post(f"/api/v1/dossiers/{created.json()['id']}/submit").raise_for_status()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--submits", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        tmpdir = Path(tmp)
        db_path = tmpdir / "portal.sqlite3"
        env = _env(f"sqlite:///{db_path}", tmpdir / "pki")
        init_s = _run(["init", "--sandbox"], env)
        seed_s = _run(["seed", "--dossiers", str(args.dossiers)], env)
        nrn, owned = _busiest_citizen(db_path)
        persons = json.loads((ROOT / "portal/sandbox/persons.json").read_text(encoding="utf-8"))
        person = next(p for p in persons if p["nrn"] == nrn)
        dogid = json.loads((ROOT / "portal/sandbox/procedures/DOGID.json").read_text("utf-8"))
        port = _free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "portal",
                "serve",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            with httpx.Client(base_url=base, timeout=60) as client:
                token = _login(
                    client, tmpdir / "pki", nrn, person["surname"], person["given_names"]
                )
                client.headers["Authorization"] = f"Bearer {token}"
                first = _time_get(client, "/api/v1/dossiers", {"limit": 50}, args.requests)
                cursor, pages = None, 0
                deep_target = max(1, min(owned // 50 - 1, 60))
                while pages < deep_target:
                    params = {"limit": 50, **({"cursor": cursor} if cursor else {})}
                    cursor = client.get("/api/v1/dossiers", params=params).json()["next_cursor"]
                    pages += 1
                    if cursor is None:
                        break
                deep_params = {"limit": 50, **({"cursor": cursor} if cursor else {})}
                deep = _time_get(client, "/api/v1/dossiers", deep_params, args.requests)
            start = time.perf_counter()
            _create_submit(base, token, dogid["example_data"], args.submits)
            sequential = args.submits / (time.perf_counter() - start)
            per_client = max(1, args.submits // 4)
            start = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(4) as pool:
                list(
                    pool.map(
                        lambda _: _create_submit(base, token, dogid["example_data"], per_client),
                        range(4),
                    )
                )
            parallel = 4 * per_client / (time.perf_counter() - start)
        finally:
            server.terminate()
            server.wait(timeout=10)
    p50_first, p99_first = _percentiles(first)
    p50_deep, p99_deep = _percentiles(deep)
    print(f"portal benchmark — SQLite, {args.dossiers} seeded dossiers, loopback HTTP")
    print(f"(init {init_s:.1f} s, seed {seed_s:.1f} s; list as {nrn} who owns {owned} dossiers)")
    print(f"{'measure':<44}{'p50 ms':>10}{'p99 ms':>10}")
    print(f"{'GET /dossiers first page (limit 50)':<44}{p50_first:>10.1f}{p99_first:>10.1f}")
    label = f"GET /dossiers page {pages + 1} (keyset cursor)"
    print(f"{label:<44}{p50_deep:>10.1f}{p99_deep:>10.1f}")
    print(f"{'measure':<44}{'dossiers/s':>20}")
    print(f"{'create + submit, 1 client':<44}{sequential:>20.1f}")
    print(f"{'create + submit, 4 clients':<44}{parallel:>20.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
