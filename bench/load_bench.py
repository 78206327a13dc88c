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
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Portal, percentiles, procedure, record

#: Sandbox citizens (persons.json) the virtual clients log in as.
CITIZENS = ("68031412135", "83110208625", "91052314742", "74011920708", "70112804283")
MIX = (("list", 55), ("show", 20), ("catalogue", 15), ("submit", 10))
#: Requests answered 503 + Retry-After (overload, portal/http/overload.py): not errors
#: when fast; timed apart from the answered ones.
REFUSED = "503 refused"


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
        took = time.perf_counter() - start
        if answer.status_code == 503:
            # The portal refused at once (saturated): a client backs off, as told.
            samples[REFUSED].append(took)
            await asyncio.sleep(float(answer.headers.get("Retry-After", "1")))
            continue
        samples[kind].append(took)
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


@dataclass
class LoadResult:
    """What one load run gave: latencies per kind (503s apart), errors, duration."""

    clients: int
    samples: dict[str, list[float]]
    errors: list[str]
    elapsed: float

    @property
    def answered(self) -> list[float]:
        return [x for kind, _ in MIX for x in self.samples[kind]]

    def rows(self) -> list[dict[str, object]]:
        rows = []
        for kind in [*(k for k, _ in MIX), "all answered", REFUSED]:
            values = self.answered if kind == "all answered" else self.samples[kind]
            p50, p95, p99 = percentiles(values, (50, 95, 99))
            rows.append(
                {
                    "request": kind,
                    "count": len(values),
                    "p50_ms": round(p50, 1),
                    "p95_ms": round(p95, 1),
                    "p99_ms": round(p99, 1),
                }
            )
        return rows

    def summary(self) -> str:
        lines = [f"{'request':<28}{'count':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}"]
        for row in self.rows():
            lines.append(
                f"{row['request']!s:<28}{row['count']:>8}{row['p50_ms']:>10}"
                f"{row['p95_ms']:>10}{row['p99_ms']:>10}"
            )
        total = len(self.answered)
        lines.append(
            f"throughput {total / self.elapsed:.0f} answered requests/s; "
            f"fast 503s: {len(self.samples[REFUSED])}; errors: {len(self.errors)}"
        )
        if self.errors:
            lines.append("first errors: " + json.dumps(sorted(set(self.errors))[:10]))
        return "\n".join(lines)

    def context(self) -> dict[str, object]:
        p99 = percentiles(self.answered, (99,))[0]
        refused = self.samples[REFUSED]
        return {
            "load_clients": self.clients,
            "load_seconds": round(self.elapsed),
            "load_answered_per_s": round(len(self.answered) / self.elapsed),
            "load_answered_p99_ms": round(p99, 1),
            "load_503": len(refused),
            "load_503_p99_ms": round(percentiles(refused, (99,))[0], 1) if refused else 0,
            "load_errors": len(self.errors),
        }


async def run_load(url: str, tokens: list[str], clients: int, seconds: float) -> LoadResult:
    """The load test against a running portal (also used by bench/stream_bench.py)."""
    samples, errors, elapsed = await _load(url, tokens, clients, seconds)
    return LoadResult(clients, samples, errors, elapsed)


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
        result = asyncio.run(run_load(portal.url, tokens, args.clients, args.seconds))
        backend = portal.backend
    print(
        f"load test — {backend}, {args.workers} server process(es), {args.clients} concurrent "
        f"clients for {result.elapsed:.0f} s, {args.dossiers} seeded dossiers, loopback HTTP"
    )
    print(result.summary())
    context = result.context()
    record(
        f"load_{backend.lower()}",
        f"Load test on {backend}: {args.clients} concurrent clients for {result.elapsed:.0f} s",
        result.rows(),
        backend=backend,
        clients=args.clients,
        seconds=round(result.elapsed),
        workers=args.workers,
        requests_per_s=context["load_answered_per_s"],
        errors=len(result.errors),
        fast_503=context["load_503"],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
