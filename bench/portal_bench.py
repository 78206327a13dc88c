"""Portal benchmark: dossier list and agent queue latency at scale, create+submit throughput.

Run: ``.venv/bin/python bench/portal_bench.py [--dossiers 100000] [--requests 200]
[--postgres URL]``. It builds a temporary sandbox portal (``init --sandbox``,
``seed``) on SQLite, or on the given PostgreSQL database, starts the real
server (uvicorn) on a free loopback port, logs in through the eID protocol
(signing with the sandbox PKI key, as the card would) as the citizen with
the most dossiers, and prints a table:

- ``GET /dossiers`` first page and a deep keyset page (p50/p99, ms),
- the agents' ``GET /agent/queue`` in each sort, first page and a deep
  keyset page, the counts and a search (``q``), as the supervisor of the
  service with the longest queue (a second table, ``…_queue``),
- create + submit over HTTP (dossiers/s), sequential and with 4 clients.

No timing assertions anywhere: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Portal, percentiles, procedure, record

#: Every order of the agents' queue (docs/api.md, GET /agent/queue).
QUEUE_SORTS = ("age", "-age", "due", "-due", "updated")


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


def _busiest_citizen(portal: Portal) -> tuple[str, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(portal.db_url)
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT applicant_id, count(*) FROM dossiers WHERE applicant_kind = 'person' "
                "GROUP BY applicant_id ORDER BY count(*) DESC LIMIT 1"
            )
        ).one()
    engine.dispose()
    return str(row[0]), int(row[1])


def _deep_cursor(client: httpx.Client, path: str, params: dict[str, Any], pages: int) -> Any:
    """The cursor of page ``pages + 1`` (or of the last page), walking the keyset."""
    cursor, walked = None, 0
    while walked < pages:
        answer = client.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
        answer.raise_for_status()
        following = answer.json()["next_cursor"]
        if following is None:
            break
        cursor, walked = following, walked + 1
    return cursor, walked


def _latency_rows(
    client: httpx.Client, path: str, label: str, params: dict[str, Any], n: int, pages: int
) -> list[dict[str, Any]]:
    first = _time_get(client, path, params, n)
    cursor, walked = _deep_cursor(client, path, params, pages)
    deep = _time_get(client, path, {**params, **({"cursor": cursor} if cursor else {})}, n)
    rows = []
    for name, samples in ((f"{label} first page", first), (f"{label} page {walked + 1}", deep)):
        p50, p99 = percentiles(samples)
        rows.append({"measure": name, "p50 ms": round(p50, 1), "p99 ms": round(p99, 1)})
    return rows


def _busiest_supervisor(portal: Portal) -> tuple[str, str, int]:
    """(supervisor NRN, service, open dossiers) of the service with the longest queue."""
    from sqlalchemy import create_engine, text

    engine = create_engine(portal.db_url)
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT a.person_nrn, a.service_code, count(*) FROM agents a"
                " JOIN procedures p ON p.service_code = a.service_code"
                " JOIN dossiers d ON d.procedure_code = p.code"
                " WHERE a.role = 'supervisor'"
                " AND d.status IN ('submitted', 'in_review', 'awaiting_complement')"
                " GROUP BY a.person_nrn, a.service_code ORDER BY count(*) DESC, a.person_nrn"
                " LIMIT 1"
            )
        ).one()
    engine.dispose()
    return str(row[0]), str(row[1]), int(row[2])


def _queue_rows(client: httpx.Client, n: int, pages: int) -> list[dict[str, Any]]:
    """The agents' queue: each sort (first page, a deep page), counts, a search."""
    rows: list[dict[str, Any]] = []
    for sort in QUEUE_SORTS:
        params = {"limit": 50, "sort": sort}
        rows += _latency_rows(client, "/api/v1/agent/queue", f"queue sort={sort}", params, n, pages)
    counts = _time_get(client, "/api/v1/agent/queue/counts", {}, n)
    first = client.get("/api/v1/agent/queue", params={"limit": 50})
    first.raise_for_status()
    names = [i["applicant"]["name"] for i in first.json()["items"]]
    # A search for one applicant (the longest word of a name: a surname or a
    # company's, not "SRL"): a case-insensitive substring (docs/api.md).
    word = max(names[0].split(), key=len).lower() if names else "a"
    search = _time_get(client, "/api/v1/agent/queue", {"limit": 50, "q": word}, n)
    for name, samples in (("queue counts", counts), (f"queue q={word}", search)):
        p50, p99 = percentiles(samples)
        rows.append({"measure": name, "p50 ms": round(p50, 1), "p99 ms": round(p99, 1)})
    return rows


def _throughput(portal: Portal, token: str, submits: int) -> list[dict[str, Any]]:
    example = procedure("DOGID")["example_data"]
    start = time.perf_counter()
    _create_submit(portal.url, token, example, submits)
    sequential = submits / (time.perf_counter() - start)
    per_client = max(1, submits // 4)
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: _create_submit(portal.url, token, example, per_client), range(4)))
    parallel = 4 * per_client / (time.perf_counter() - start)
    return [
        {"measure": "create + submit, 1 client", "dossiers/s": round(sequential, 1)},
        {"measure": "create + submit, 4 clients", "dossiers/s": round(parallel, 1)},
    ]


def _size(n: int) -> str:
    """``100000`` → ``100k``, ``1000000`` → ``1m`` (result file names)."""
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--submits", type=int, default=200)
    parser.add_argument("--postgres", metavar="URL", help="run on this PostgreSQL database")
    args = parser.parse_args()
    with Portal(database_url=args.postgres) as portal:
        portal.seed(args.dossiers)
        nrn, owned = _busiest_citizen(portal)
        supervisor, service, queued = _busiest_supervisor(portal)
        portal.start()
        token = portal.login(nrn)
        with httpx.Client(base_url=portal.url, timeout=60) as client:
            client.headers["Authorization"] = f"Bearer {token}"
            pages = max(1, min(owned // 50 - 1, 60))
            rows = _latency_rows(
                client, "/api/v1/dossiers", "GET /dossiers", {"limit": 50}, args.requests, pages
            )
        with httpx.Client(base_url=portal.url, timeout=60) as client:
            client.headers["Authorization"] = f"Bearer {portal.login(supervisor)}"
            queue = _queue_rows(client, args.requests, max(1, min(queued // 50 - 1, 60)))
        throughput = _throughput(portal, token, args.submits)
        backend, timings = portal.backend, portal.timings
    print(f"portal benchmark — {backend}, {args.dossiers} seeded dossiers, loopback HTTP")
    print(
        f"(init {timings['init']:.1f} s, seed {timings['seed']:.1f} s; "
        f"list as {nrn} who owns {owned} dossiers; "
        f"queue as supervisor {supervisor} of {service}, {queued} open dossiers)"
    )
    print(f"{'measure':<44}{'p50 ms':>10}{'p99 ms':>10}")
    for row in rows + queue:
        print(f"{row['measure']:<44}{row['p50 ms']:>10.1f}{row['p99 ms']:>10.1f}")
    print(f"{'measure':<44}{'dossiers/s':>20}")
    for row in throughput:
        print(f"{row['measure']:<44}{row['dossiers/s']:>20.1f}")
    size = _size(args.dossiers)
    record(
        f"portal_{backend.lower()}_{size}",
        f"Portal on {backend}: lists at {args.dossiers:,} dossiers, create + submit",
        [
            *({**row, "throughput": ""} for row in rows),
            *(
                {
                    "measure": r["measure"],
                    "p50 ms": "",
                    "p99 ms": "",
                    "throughput": f"{r['dossiers/s']} dossiers/s",
                }
                for r in throughput
            ),
        ],
        dossiers=args.dossiers,
        seed_s=round(timings["seed"], 1),
        requests=args.requests,
    )
    record(
        f"portal_{backend.lower()}_{size}_queue",
        f"Portal on {backend}: the agents' queue at {args.dossiers:,} dossiers",
        queue,
        dossiers=args.dossiers,
        service=service,
        open_dossiers=queued,
        page=50,
        requests=args.requests,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
