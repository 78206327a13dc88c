"""Load test: a few hundred concurrent clients on loopback for a fixed time.

Run: ``.venv/bin/python bench/load_bench.py [--clients 300] [--seconds 30]
[--dossiers 20000] [--postgres URL] [--workers N]``.

Each virtual client loops over a realistic mix for a citizen (list my
dossiers 55 %, one dossier 20 %, the catalogue 15 %, create + submit a
dossier 10 %), logged in as one of the sandbox citizens through the real eID
protocol. It prints requests per second, the error count (anything but a
2xx, or a transport error — the goal is zero) and the latency percentiles
per kind of request. A measurement, not a test: nothing fails on a number.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Portal, percentiles, procedure, record

#: Sandbox citizens (persons.json) the virtual clients log in as.
CITIZENS = ("68031412135", "83110208625", "91052314742", "74011920708", "70112804283")
MIX = (("list", 55), ("show", 20), ("catalogue", 15), ("submit", 10))


async def _client_loop(
    http: httpx.AsyncClient,
    token: str,
    until: float,
    samples: dict[str, list[float]],
    errors: list[str],
    example: dict[str, object],
    rng: random.Random,
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    known: list[str] = []
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    while time.perf_counter() < until:
        kind = rng.choices(kinds, weights)[0]
        if kind == "show" and not known:
            kind = "list"
        start = time.perf_counter()
        try:
            if kind == "list":
                answer = await http.get("/api/v1/dossiers", params={"limit": 20}, headers=headers)
                if answer.is_success:
                    known = [d["id"] for d in answer.json()["items"]][:20] or known
            elif kind == "show":
                answer = await http.get(f"/api/v1/dossiers/{rng.choice(known)}", headers=headers)
            elif kind == "catalogue":
                answer = await http.get("/api/v1/procedures", params={"limit": 50})
            else:
                answer = await http.post(
                    "/api/v1/dossiers",
                    json={"procedure": "DOGID", "data": example},
                    headers=headers,
                )
                if answer.is_success:
                    answer = await http.post(
                        f"/api/v1/dossiers/{answer.json()['id']}/submit", headers=headers
                    )
        except httpx.HTTPError as exc:
            errors.append(f"{kind}: {type(exc).__name__}")
            continue
        samples[kind].append(time.perf_counter() - start)
        if not answer.is_success:
            errors.append(f"{kind}: HTTP {answer.status_code}")


async def _load(
    url: str, tokens: list[str], clients: int, seconds: float
) -> tuple[dict[str, list[float]], list[str], float]:
    samples: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    example = procedure("DOGID")["example_data"]
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    timeout = httpx.Timeout(120)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) as http:
        start = time.perf_counter()
        until = start + seconds
        await asyncio.gather(
            *(
                _client_loop(
                    http,
                    tokens[i % len(tokens)],
                    until,
                    samples,
                    errors,
                    example,
                    random.Random(i),
                )
                for i in range(clients)
            )
        )
        elapsed = time.perf_counter() - start
    return samples, errors, elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--dossiers", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--postgres", metavar="URL", help="run on this PostgreSQL database")
    args = parser.parse_args()
    with Portal(database_url=args.postgres, workers=args.workers) as portal:
        portal.seed(args.dossiers)
        portal.start()
        tokens = [portal.login(nrn) for nrn in CITIZENS]
        samples, errors, elapsed = asyncio.run(
            _load(portal.url, tokens, args.clients, args.seconds)
        )
        backend = portal.backend
    total = sum(len(s) for s in samples.values())
    print(
        f"load test — {backend}, {args.workers} server process(es), {args.clients} concurrent "
        f"clients for {elapsed:.0f} s, {args.dossiers} seeded dossiers, loopback HTTP"
    )
    print(f"{'request':<28}{'count':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    rows = []
    for kind, _ in MIX:
        p50, p95, p99 = percentiles(samples[kind], (50, 95, 99))
        print(f"{kind:<28}{len(samples[kind]):>8}{p50:>10.1f}{p95:>10.1f}{p99:>10.1f}")
        rows.append(
            {
                "request": kind,
                "count": len(samples[kind]),
                "p50_ms": round(p50, 1),
                "p95_ms": round(p95, 1),
                "p99_ms": round(p99, 1),
            }
        )
    every = [x for s in samples.values() for x in s]
    p50, p95, p99 = percentiles(every, (50, 95, 99))
    print(f"{'all':<28}{total:>8}{p50:>10.1f}{p95:>10.1f}{p99:>10.1f}")
    print(f"throughput {total / elapsed:.0f} requests/s; errors: {len(errors)}")
    if errors:
        print("first errors: " + json.dumps(sorted(set(errors))[:10]))
    rows.append(
        {
            "request": "all",
            "count": total,
            "p50_ms": round(p50, 1),
            "p95_ms": round(p95, 1),
            "p99_ms": round(p99, 1),
        }
    )
    record(
        f"load_{backend.lower()}",
        f"Load test on {backend}: {args.clients} concurrent clients for {elapsed:.0f} s",
        rows,
        backend=backend,
        clients=args.clients,
        seconds=round(elapsed),
        workers=args.workers,
        requests_per_s=round(total / elapsed),
        errors=len(errors),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
