"""Start-up benchmark: ``monespace --help`` wall time against a bare ``import typer``.

Run: ``.venv/bin/python bench/cli_startup.py [--runs N]``. Each case runs
what the ``monespace`` console script runs. Prints a table of median and
p90 wall times over N interleaved rounds (after one warm-up run each) and the
ratio of each command to ``python -c "import typer"`` — the issue's goal is
``monespace --help`` ≤ 1.3×. Never run by the test suite (no timing asserts).
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

from harness import record  # noqa: E402

#: What the ``monespace`` console script does (pip's generated wrapper).
ENTRY = "import sys; from monespace_cli.app import main; sys.exit(main())"

CASES: list[tuple[str, list[str]]] = [
    ('python -c "import typer"', ["-c", "import typer"]),
    ("monespace --help", ["-c", ENTRY, "--help"]),
    ("monespace dossier --help", ["-c", ENTRY, "dossier", "--help"]),
    ("monespace catalog --help", ["-c", ENTRY, "catalog", "--help"]),
    ("monespace profile list", ["-c", ENTRY, "profile", "list"]),
]


def time_once(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "MONESPACE_CONFIG_DIR": home,
            "LANG": "C.UTF-8",
        }
        results: dict[str, list[float]] = {label: [] for label, _args in CASES}
        for _label, args in CASES:
            time_once(args, env)  # warm the OS caches and .pyc files
        for _round in range(runs):  # interleaved, so a busy moment hits every case alike
            for label, args in CASES:
                results[label].append(time_once(args, env))
        results = {label: sorted(times) for label, times in results.items()}
    base = statistics.median(results[CASES[0][0]])
    print(f"monespace start-up, {runs} runs each, Python {sys.version.split()[0]}")
    print(f"{'command':<30} {'median ms':>10} {'p90 ms':>8} {'ratio':>6}")
    rows = []
    for label, times in results.items():
        median = statistics.median(times)
        p90 = times[int(0.9 * (len(times) - 1))]
        print(f"{label:<30} {median * 1000:>10.1f} {p90 * 1000:>8.1f} {median / base:>6.2f}")
        rows.append(
            {
                "command": label,
                "median ms": round(median * 1000, 1),
                "p90 ms": round(p90 * 1000, 1),
                "ratio": round(median / base, 2),
            }
        )
    print("goal: monespace --help ratio <= 1.30")
    record(
        "cli_startup",
        'CLI start-up (ratio to `python -c "import typer"`)',
        rows,
        runs=runs,
        goal="monespace --help ratio <= 1.30",
    )


if __name__ == "__main__":
    main()
