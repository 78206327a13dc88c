"""Bulk benchmark: ``monespace bulk submit`` against the portal's raw capacity.

Run: ``.venv/bin/python bench/bulk_bench.py [--rows 1000] [--concurrency 4]``.
It builds a temporary sandbox portal on SQLite (``init --sandbox``), starts
the real server (uvicorn) on a free loopback port, logs in through the eID
protocol (signing with the sandbox PKI key, as the card would) as the
accountant Julien Martin, writes an Excel-Belgian CSV of ``--rows`` SESAM
rows for the firm's clients, and prints a table:

- (a) raw capacity: the same work per row as bulk does — create with data
  (acting for the client, Idempotency-Key), two attachment uploads, submit —
  driven straight with :class:`AsyncPortalClient` at the same concurrency;
- (b) ``monespace bulk submit`` in a subprocess (CLI start-up, reading and
  typing the sheet, journal writes included): wall time;
- the ratio (b)/(a) in rows per second (the goal is ≥ 0.8).

The two are measured in alternating slices (``--rounds``) on the same
portal, so that a machine whose background load drifts during the run
weighs on both alike, each after ``--settle`` seconds of rest (the portal
keeps working a moment after a pass: whichever pass came right after
another would pay for it).

No timing assertions anywhere: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "cli" / "bulk"))
sys.path.insert(0, str(ROOT / "bench"))

from harness import Portal, record  # noqa: E402

ACCOUNTANT = "91052314742"  # Julien Martin, Fiduciaire Meuse & Sambre


def _raw_pass(url: str, token: str, rows: list[Any], concurrency: int, number: int) -> float:
    """Seconds to create + attach + submit every row with the bare async client."""
    from monespace_cli.client import AsyncPortalClient

    async def run() -> float:
        queue: asyncio.Queue[Any] = asyncio.Queue()
        for row in rows:
            queue.put_nowait(row)
        files = {a.path: Path(a.path).read_bytes() for row in rows for a in row.attachments}
        async with AsyncPortalClient(url, token=token, max_connections=concurrency) as client:

            async def worker() -> None:
                while not queue.empty():
                    row = queue.get_nowait()
                    key = f"bench-raw-{number}-{row.row}"
                    dossier = await client.create_dossier(
                        "SESAM", row.data, idempotency_key=key + "-c", acting_as=row.bce
                    )
                    for item in row.attachments:
                        await client.add_attachment(
                            dossier["id"],
                            item.kind,
                            Path(item.path).name,
                            files[item.path],
                            content_type="application/pdf",
                            acting_as=row.bce,
                        )
                    await client.submit_dossier(
                        dossier["id"], idempotency_key=key + "-s", acting_as=row.bce
                    )

            start = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return time.perf_counter() - start

    return asyncio.run(run())


def _cli_pass(url: str, token: str, sheet: Path, concurrency: int, home: Path) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MONESPACE_", "LC_", "LANG"))}
    env.update(
        PYTHONPATH=str(ROOT),
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "xdg-config"),
        MONESPACE_CONFIG_DIR=str(home / "monespace"),
        MONESPACE_PORTAL=url,
        MONESPACE_TOKEN=token,
        LANG="C.UTF-8",
        NO_COLOR="1",
    )
    args = ["bulk", "submit", "-p", "SESAM", "-f", str(sheet), "--concurrency", str(concurrency)]
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "monespace_cli", *args],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"bulk submit failed ({done.returncode}): {done.stderr}")
    return elapsed


def _rows(sheet: Path, url: str, token: str) -> list[Any]:
    """The sheet's rows exactly as bulk builds them (same data for the raw pass)."""
    from monespace_cli.bulk.job import prepare
    from monespace_cli.client import PortalClient

    with PortalClient(url, token=token) as client:
        procedure = dict(client.get_procedure("SESAM"))
    return prepare(sheet, procedure).rows


def load_average() -> str:
    """The load at the end: the figures mean little on a busy machine."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"load average {load:.1f}"


def main() -> int:
    from bulk_support import many_rows, write_sheet  # tests/cli/bulk: the sheet of the tests

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="alternate raw and CLI passes in this many slices (cancels background load drift)",
    )
    parser.add_argument(
        "--settle", type=float, default=5.0, help="seconds of rest before each pass"
    )
    args = parser.parse_args()
    with Portal() as portal:
        tmpdir = portal.tmp
        portal.start()
        url, token = portal.url, portal.login(ACCOUNTANT)
        raw, cli = 0.0, 0.0
        size = -(-args.rows // args.rounds)
        for number in range(args.rounds):
            count = min(size, args.rows - number * size)
            if count <= 0:
                break
            rows = many_rows(count, f"raw{number}")
            raw_sheet = write_sheet(tmpdir, rows, name=f"raw{number}.csv")
            cli_sheet = write_sheet(
                tmpdir, many_rows(count, f"cli{number}"), name=f"cli{number}.csv"
            )
            prepared = _rows(raw_sheet, url, token)
            time.sleep(args.settle)  # let the portal finish the previous pass's aftermath
            raw += _raw_pass(url, token, prepared, args.concurrency, number)
            time.sleep(args.settle)
            cli += _cli_pass(url, token, cli_sheet, args.concurrency, tmpdir / "home")
    n = args.rows
    print(
        f"bulk benchmark: {n} SESAM rows (create + 2 uploads + submit), "
        f"concurrency {args.concurrency}, SQLite, one uvicorn process, "
        f"{args.rounds} alternating rounds; {load_average()}"
    )
    print(f"{'measure':<48} {'seconds':>9} {'rows/s':>9}")
    print(f"{'(a) raw capacity, AsyncPortalClient':<48} {raw:>9.1f} {n / raw:>9.1f}")
    print(f"{'(b) monespace bulk submit (wall, CLI included)':<48} {cli:>9.1f} {n / cli:>9.1f}")
    print(f"{'ratio (b)/(a) (goal >= 0.8)':<48} {'':>9} {raw / cli:>9.2f}")
    record(
        "bulk",
        f"Bulk filing: {n} SESAM rows against the portal's raw capacity",
        [
            {
                "measure": "(a) raw capacity, AsyncPortalClient",
                "seconds": round(raw, 1),
                "rows/s": round(n / raw, 1),
            },
            {
                "measure": "(b) monespace bulk submit (wall, CLI included)",
                "seconds": round(cli, 1),
                "rows/s": round(n / cli, 1),
            },
            {
                "measure": "ratio (b)/(a) (goal >= 0.8)",
                "seconds": "",
                "rows/s": round(raw / cli, 2),
            },
        ],
        concurrency=args.concurrency,
        rounds=args.rounds,
        backend="SQLite",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
