"""Live streams at scale: thousands of idle ``/events`` streams on one portal process.

Run: ``.venv/bin/python bench/stream_bench.py [--streams 2000] [--also 10000]
[--events 10] [--postgres URL] [--load-clients 300] [--load-seconds 30]``.

On one real ``monespace-portal serve`` process (SQLite in a temporary folder,
or the PostgreSQL database given), it measures what issue-sized questions ask:

- the time to open N idle streams of one citizen (raw asyncio sockets, at most
  50 opening at once) — goal < 10 s for 2,000;
- the portal's CPU while the streams sit idle (its /proc utime + stime over
  ``--idle-seconds``) — goal ≤ 10 % of a core;
- ``GET /dossiers`` p50 with no stream open and with N open (the least of
  three blocks' medians, against other work on the machine) — goal ≤ 1.5×;
- for ``--events`` new events (a dossier created by the citizen), the time
  from the request that writes it to its arrival on each stream, and the
  share of streams it reached — goal p99 ≤ 1 s (SQLite), ≤ 200 ms (PostgreSQL)
  over ≥ 99 % of streams;
- with ``--load-clients``, the load test of bench/load_bench.py on the same
  process (no stream open): answered requests' p99, and the 503s refused fast.

It raises its own open-files limit to the hard one (each stream is a socket).
A measurement, not a test: nothing fails on a number.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import resource
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Portal, percentiles, procedure, record
from load_bench import CITIZENS, run_load

CITIZEN = "68031412135"
OPENING_AT_ONCE = 50
TICKS = os.sysconf("SC_CLK_TCK")


def raise_fd_limit() -> int:
    """Soft open-files limit up to the hard one; the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


_EVENT_ID = re.compile(rb"(?:^|\n)id: (\d+)\n")


class _Stream(asyncio.Protocol):
    """One ``/events`` connection: its answer's head, then the event ids as they arrive.

    A protocol rather than a reader task per stream: the client must stay
    cheaper than the portal it measures, on the same two cores.
    """

    def __init__(self, request: bytes, arrivals: dict[str, list[float]]) -> None:
        self.request, self.arrivals = request, arrivals
        self.head: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self._buffer = b""
        self._seen: set[bytes] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        if not self.head.done():
            self._buffer += data
            head, found, rest = self._buffer.partition(b"\r\n\r\n")
            if not found:
                return
            self.head.set_result(head)
            data, self._buffer = rest, b""
        text = self._buffer[-40:] + data
        self._buffer = text[-40:]
        for match in _EVENT_ID.finditer(text):
            event_id = match.group(1)
            if event_id not in self._seen:
                self._seen.add(event_id)
                self.arrivals.setdefault(event_id.decode(), []).append(now)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.head.done():
            self.head.set_exception(exc or ConnectionError("closed"))


class Streams:
    """N open ``/events`` streams on raw sockets; records when each event id arrives."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token
        self.arrivals: dict[str, list[float]] = {}
        self.opened = 0
        self.refused = 0  # 503 answers to an opening, retried after Retry-After
        self.failed: list[str] = []
        self._streams: list[_Stream] = []
        self._request = (
            "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
        ).encode()

    async def open(self, count: int) -> float:
        """Open ``count`` streams (each answered 200); seconds taken."""
        gate = asyncio.Semaphore(OPENING_AT_ONCE)
        start = time.perf_counter()
        await asyncio.gather(*(self._open_one(gate) for _ in range(count)))
        return time.perf_counter() - start

    async def _open_one(self, gate: asyncio.Semaphore) -> None:
        for _ in range(20):
            retry = await self._try_open(gate)
            if retry is None:
                return
            self.refused += 1
            await asyncio.sleep(retry)  # 503 + Retry-After: back off as a client does

    async def _try_open(self, gate: asyncio.Semaphore) -> float | None:
        loop = asyncio.get_running_loop()
        async with gate:
            try:
                _, stream = await loop.create_connection(
                    lambda: _Stream(self._request, self.arrivals), "127.0.0.1", self.port
                )
                head = await asyncio.wait_for(stream.head, 60)
            except (OSError, TimeoutError) as exc:
                self.failed.append(type(exc).__name__)
                return None
        status, *headers = head.decode(errors="replace").lower().split("\r\n")
        if " 200 " in status:
            self.opened += 1
            self._streams.append(stream)
            return None
        assert stream.transport is not None
        stream.transport.close()
        if " 503 " in status:
            after = [h.split(":", 1)[1] for h in headers if h.startswith("retry-after:")]
            return float(after[0]) if after else 1.0
        self.failed.append(status)
        return None

    async def close(self) -> None:
        for stream in self._streams:
            if stream.transport is not None:
                stream.transport.close()
        await asyncio.sleep(0.5)


async def dossiers_p50(url: str, token: str, requests: int = 100, blocks: int = 3) -> float:
    """``GET /dossiers?limit=20`` one at a time: p50 in ms, the least of ``blocks`` blocks.

    The least of a few blocks' medians: on a machine shared with other work,
    a block that ran while another process took the cores says nothing about
    the portal.
    """
    headers = {"Authorization": f"Bearer {token}"}
    medians = []
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        for _ in range(blocks):
            times = []
            for _ in range(requests):
                start = time.perf_counter()
                answer = await http.get("/api/v1/dossiers", params={"limit": 20}, headers=headers)
                answer.raise_for_status()
                times.append(time.perf_counter() - start)
            medians.append(statistics.median(times))
    return min(medians) * 1000


async def idle_cpu(pid: int, seconds: float) -> float:
    """Share of one core the process used over ``seconds`` (percent)."""
    before, start = cpu_seconds(pid), time.perf_counter()
    await asyncio.sleep(seconds)
    return 100 * (cpu_seconds(pid) - before) / (time.perf_counter() - start)


async def event_latency(
    url: str, token: str, streams: Streams, events: int
) -> tuple[float, float, float]:
    """(p50 ms, p99 ms, least share of streams reached in 5 s) over ``events`` new events."""
    example = procedure("DOGID")["example_data"]
    delays: list[float] = []
    coverage = []
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        for _ in range(events):
            sent = time.perf_counter()
            answer = await http.post(
                "/api/v1/dossiers",
                json={"procedure": "DOGID", "data": example},
                headers={"Authorization": f"Bearer {token}"},
            )
            answer.raise_for_status()
            history = await http.get(
                f"/api/v1/dossiers/{answer.json()['id']}/events",
                headers={"Authorization": f"Bearer {token}"},
            )
            event_id = str(history.json()["items"][0]["id"])
            await asyncio.sleep(5)
            got = streams.arrivals.get(event_id, [])
            coverage.append(len(got) / max(streams.opened, 1))
            delays += [t - sent for t in got]
    p50, p99 = percentiles(delays, (50, 99))
    return p50, p99, min(coverage) * 100 if coverage else 0.0


async def measure(portal: Portal, args: argparse.Namespace) -> list[dict[str, object]]:
    assert portal._server is not None
    pid = portal._server.pid
    token = portal.login(CITIZEN)
    rows: list[dict[str, object]] = []
    await dossiers_p50(portal.url, token, 50, 1)  # warm-up
    base_p50 = await dossiers_p50(portal.url, token)
    cpu0 = await idle_cpu(pid, args.idle_seconds)
    rows.append(_row(0, None, cpu0, base_p50, base_p50, None, 0))
    for count in [args.streams, *([args.also] if args.also else [])]:
        streams = Streams(portal.port, token)
        opening = await streams.open(count)
        await asyncio.sleep(1)
        cpu = await idle_cpu(pid, args.idle_seconds)
        p50 = await dossiers_p50(portal.url, token)
        latency = await event_latency(portal.url, token, streams, args.events)
        rows.append(_row(streams.opened, opening, cpu, p50, base_p50, latency, streams.refused))
        if streams.failed:
            print(f"{count} streams: {len(streams.failed)} failed to open: {streams.failed[:3]}")
        await streams.close()
        await asyncio.sleep(2)
    return rows


def _row(
    count: int,
    opening: float | None,
    cpu: float,
    p50: float,
    base: float,
    latency: tuple[float, float, float] | None,
    refused: int,
) -> dict[str, object]:
    return {
        "open streams": count,
        "time to open (s)": round(opening, 2) if opening is not None else "",
        "503 while opening (retried)": refused,
        "portal CPU idle (% of a core)": round(cpu, 1),
        "GET /dossiers p50 (ms)": round(p50, 1),
        "vs no stream": f"{p50 / base:.2f}×",
        "new event p50 (ms)": round(latency[0], 1) if latency else "",
        "new event p99 (ms)": round(latency[1], 1) if latency else "",
        "streams reached (%)": round(latency[2], 1) if latency else "",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=2000)
    parser.add_argument("--also", type=int, default=0, metavar="N", help="then N streams too")
    parser.add_argument("--events", type=int, default=10)
    parser.add_argument("--idle-seconds", type=float, default=10)
    parser.add_argument("--dossiers", type=int, default=20_000)
    parser.add_argument("--load-clients", type=int, default=0)
    parser.add_argument("--load-seconds", type=float, default=30)
    parser.add_argument("--postgres", metavar="URL", help="run on this PostgreSQL database")
    args = parser.parse_args()
    limit = raise_fd_limit()
    most = max(args.streams, args.also) + 100
    env = {
        "MONESPACE_PORTAL_STREAMS_PER_SESSION": str(most),
        "MONESPACE_PORTAL_STREAMS_PER_PERSON": str(most),  # all streams are one citizen's
        "MONESPACE_PORTAL_STREAMS_PER_PROCESS": str(most),
    }
    with Portal(database_url=args.postgres, env_extra=env) as portal:
        portal.seed(args.dossiers)
        portal.start()
        rows = asyncio.run(measure(portal, args))
        load = None
        if args.load_clients:
            tokens = [portal.login(nrn) for nrn in CITIZENS]
            load = asyncio.run(run_load(portal.url, tokens, args.load_clients, args.load_seconds))
        backend = portal.backend
    print(f"streams — {backend}, one portal process, client open-files limit {limit}")
    for row in rows:
        print("  ".join(f"{k}: {v}" for k, v in row.items()))
    context: dict[str, object] = {
        "backend": backend,
        "events": args.events,
        "idle_seconds": args.idle_seconds,
        "goals": "open 2,000 < 10 s; idle CPU ≤ 10 %; p50 ≤ 1.5×; "
        "event p99 ≤ 1 s (SQLite) / ≤ 200 ms (PostgreSQL) over ≥ 99 %",
    }
    if load is not None:
        print(load.summary())
        context.update(load.context())
        record(
            f"streams_{backend.lower()}_load",
            f"Load test on the same process ({backend}): {load.clients} clients, "
            f"{load.elapsed:.0f} s, 503 answers timed apart",
            load.rows(),
            **load.context(),
        )
    record(
        f"streams_{backend.lower()}",
        f"Idle event streams on one portal process ({backend})",
        rows,
        **context,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
