"""Start-up benchmark: ``monespace`` commands' wall time against a bare ``import typer``.

Run: ``.venv/bin/python bench/cli_startup.py [--runs N]``. Each case runs
what the ``monespace`` console script runs, in a new process. Two kinds of
case:

- help and local commands (``monespace --help``…): goal ≤ 1.3× ``import typer``;
- a typical command against a real local portal (``catalog list``, ``dossier
  list``, ``dossier show ID``; the portal is started here on a temporary
  SQLite database, the token given in ``MONESPACE_TOKEN`` as a script would):
  goal ≤ 2×. The portal's own time to answer is part of the wall time.
  ``python -c "import typer, httpx, httpcore"`` is measured too: the least any command
  that makes a request with httpx can cost.

Prints a table of median and p90 wall times over N interleaved rounds (after
one warm-up run each, which also compiles the bytecode as an installed
package has it) and the ratio of each median to ``python -c "import typer"``,
plus the median CPU time (user + system) of each process and its ratio, a
figure less disturbed by other work on a shared machine. Never run by the
test suite (no timing asserts).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from harness import Portal, procedure, record  # noqa: E402

#: What the ``monespace`` console script does (pip's generated wrapper).
ENTRY = "import sys; from monespace_cli.app import main; sys.exit(main())"
#: Philippe Lambert (sandbox national register), a citizen.
CITIZEN = "68031412135"
BASELINE = 'python -c "import typer"'
FLOOR = 'python -c "import typer, httpx, httpcore"'
FLOOR_CODE = "import sys; sys.modules['httpx._main'] = None; import typer, httpx, httpcore"
HELP_GOAL = 1.30
COMMAND_GOAL = 2.00


def cases(dossier_id: str) -> list[tuple[str, list[str], float]]:
    """(label, python arguments, goal ratio)."""
    return [
        (BASELINE, ["-c", "import typer"], 1.0),
        # What any command that talks HTTP imports at least (httpx's own CLI left out,
        # as monespace does): the floor under the typical commands' ratio.
        (
            FLOOR,
            ["-c", "import sys; sys.modules['httpx._main'] = None; import typer, httpx, httpcore"],
            0,
        ),
        ("monespace --help", ["-c", ENTRY, "--help"], HELP_GOAL),
        ("monespace dossier --help", ["-c", ENTRY, "dossier", "--help"], HELP_GOAL),
        ("monespace catalog --help", ["-c", ENTRY, "catalog", "--help"], HELP_GOAL),
        ("monespace profile list", ["-c", ENTRY, "profile", "list"], HELP_GOAL),
        ("monespace catalog list", ["-c", ENTRY, "catalog", "list"], COMMAND_GOAL),
        ("monespace dossier list", ["-c", ENTRY, "dossier", "list"], COMMAND_GOAL),
        ("monespace dossier show ID", ["-c", ENTRY, "dossier", "show", dossier_id], COMMAND_GOAL),
    ]


def time_once(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run, in seconds."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{args[2:]} exited {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def citizen_dossier(portal: Portal) -> tuple[str, str]:
    """A token for the citizen and one dossier of theirs (for ``dossier show``)."""
    from monespace_cli.client import PortalClient

    token = portal.login(CITIZEN)
    code = "PERMIS-PECHE"
    with PortalClient(portal.url, token=token, acting_as="me") as client:
        made = client.create_dossier(code, procedure(code).get("example_data"))
    return token, str(made["id"])


def measure(runs: int, env: dict[str, str], table: list[tuple[str, list[str], float]]) -> dict:
    results: dict[str, dict[str, list[float]]] = {
        label: {"wall": [], "cpu": []} for label, _a, _g in table
    }
    for _label, args, _goal in table:
        time_once(args, env)  # warm the OS caches, write the .pyc files
    for _round in range(runs):  # interleaved, so a busy moment hits every case alike
        for label, args, _goal in table:
            wall, cpu = time_once(args, env)
            results[label]["wall"].append(wall)
            results[label]["cpu"].append(cpu)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    with Portal() as portal, tempfile.TemporaryDirectory() as home:
        portal.start()
        token, dossier_id = citizen_dossier(portal)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "MONESPACE_CONFIG_DIR": home,
            "MONESPACE_PORTAL": portal.url,
            "MONESPACE_TOKEN": token,
            "LANG": "C.UTF-8",
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode
        table = cases(dossier_id)
        results = measure(runs, env, table)
    base_wall = statistics.median(results[BASELINE]["wall"])
    base_cpu = statistics.median(results[BASELINE]["cpu"])
    print(f"monespace start-up, {runs} runs each, Python {sys.version.split()[0]}")
    header = f"{'command':<42} {'median ms':>9} {'p90 ms':>7} {'ratio':>6} {'goal':>5}"
    print(header + f" {'cpu ms':>7} {'cpu ratio':>9}")
    rows = []
    for label, _args, goal in table:
        walls = sorted(results[label]["wall"])
        median = statistics.median(walls)
        p90 = walls[int(0.9 * (len(walls) - 1))]
        cpu = statistics.median(results[label]["cpu"])
        row = {
            "command": label,
            "median ms": round(median * 1000, 1),
            "p90 ms": round(p90 * 1000, 1),
            "ratio": round(median / base_wall, 2),
            "goal": f"<= {goal:.2f}" if goal > 1 else "",
            "cpu ms": round(cpu * 1000, 1),
            "cpu ratio": round(cpu / base_cpu, 2),
        }
        rows.append(row)
        print(
            f"{label:<42} {row['median ms']:>9} {row['p90 ms']:>7} {row['ratio']:>6.2f}"
            f" {row['goal']:>5} {row['cpu ms']:>7} {row['cpu ratio']:>9.2f}"
        )
    record(
        "cli_startup",
        'CLI start-up (ratio to `python -c "import typer"`)',
        rows,
        runs=runs,
        goal=f"help <= {HELP_GOAL:.2f}, a typical command against a local portal <= "
        f"{COMMAND_GOAL:.2f}",
    )


if __name__ == "__main__":
    main()
