"""Benchmark: what a request with a personal access token costs, and why use is throttled.

    python bench/token_bench.py [--requests N]

On the real portal (SQLite, one worker): the median time of ``GET
/api/v1/dossiers`` with a card session token, and with an access token
(scope check, creator's context, certificate, and the use record written at
most once a minute), the two interleaved; then, on the same database, what writing the use record
costs when it is written (the write every request would pay without the
once-a-minute rule). Ratios are to the session request.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import httpx  # noqa: E402
from harness import Portal, record  # noqa: E402

CITIZEN = "86040203095"


def medians_ms(client: httpx.Client, tokens: list[str], requests: int) -> list[float]:
    """Median time per token, requests interleaved so that load drift hits all alike."""
    samples: list[list[float]] = [[] for _ in tokens]
    for _ in range(requests):
        for i, token in enumerate(tokens):
            start = time.perf_counter()
            answer = client.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {token}"})
            samples[i].append((time.perf_counter() - start) * 1000)
            assert answer.status_code == 200, answer.text
    return [statistics.median(s) for s in samples]


def write_ms(database_url: str, token_id: str, writes: int) -> float:
    """Median time of one use record actually written (forced each time)."""
    from portal.auth import access_tokens
    from portal.db import make_engine, make_sessionmaker
    from portal.models import AccessToken

    engine = make_engine(database_url)
    factory = make_sessionmaker(engine)
    samples = []
    for i in range(writes):
        with factory() as db:
            row = db.get(AccessToken, token_id)
            assert row is not None
            row.last_used_at = None  # as if the minute had passed
            start = time.perf_counter()
            access_tokens.record_use(db, row, f"10.0.0.{i % 250}")
            samples.append((time.perf_counter() - start) * 1000)
    engine.dispose()
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    with Portal() as portal:
        portal.start()
        session = portal.login(CITIZEN)
        with httpx.Client(base_url=portal.url, timeout=60) as client:
            made = client.post(
                "/api/v1/auth/tokens",
                json={"name": "bench", "scopes": ["dossiers:read"]},
                headers={"Authorization": f"Bearer {session}"},
            ).json()
            tokens = [session, made["token"]]
            medians_ms(client, tokens, 20)  # warm-up
            base, with_token = medians_ms(client, tokens, args.requests)
        portal.stop()
        write = write_ms(portal.db_url, made["id"], max(args.requests // 5, 50))
    rows = [
        {"request": "GET /dossiers, session token", "median ms": round(base, 2), "ratio": 1.0},
        {
            "request": "GET /dossiers, access token (use noted once a minute)",
            "median ms": round(with_token, 2),
            "ratio": round(with_token / base, 2),
        },
        {
            "request": "the use record, when written (would be every request)",
            "median ms": round(write, 2),
            "ratio": round(write / base, 2),
        },
    ]
    for row in rows:
        print(" | ".join(str(v) for v in row.values()))
    record(
        "tokens",
        "Personal access tokens: cost per request, and the use record",
        rows,
        requests=args.requests,
        measured=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
