"""Write bench/RESULTS.md from the tables the benchmarks left in bench/results/.

Run by ``make bench`` after every benchmark (``scripts/bench.sh``); on its
own it only re-renders what was measured last. A table missing from
bench/results/ is listed as not measured, never invented.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
#: The report's order, by result-name prefix; others come after, by name.
ORDER = (
    "cli_startup",
    "eid",
    "revocation",
    "tokens",
    "portal_sqlite",
    "portal_postgresql",
    "bulk",
    "tui",
    "load",
    "streams",
)


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def table(rows: list[dict[str, Any]]) -> list[str]:
    """A Markdown table of ``rows`` (columns = the first row's keys)."""
    if not rows:
        return ["(no rows)"]
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(row.get(c)) for c in columns) + " |" for row in rows]
    return lines


def _rank(name: str) -> int:
    return next((i for i, prefix in enumerate(ORDER) if name.startswith(prefix)), len(ORDER))


def render(results: dict[str, dict[str, Any]]) -> str:
    """The whole report."""
    names = sorted(results, key=lambda n: (_rank(n), n))
    machines = sorted({r["machine"] for r in results.values()})
    out = ["# Benchmark results", ""]
    out += ["Written by `make bench` (bench/report.py); every figure below was measured,"]
    out += ["on this machine, by the benchmark named in its section.", ""]
    out += [f"Machine: {m}" for m in machines] + [""]
    missing = [p for p in ORDER if not any(n.startswith(p) for n in results)]
    if missing:
        out += ["Not measured in this run: " + ", ".join(missing) + ".", ""]
    for name in names:
        result = results[name]
        out += [f"## {result['title']}", ""]
        context = ", ".join(f"{k}: {v}" for k, v in result.get("context", {}).items())
        out += [
            f"`bench/{result.get('script', name)}` — measured {result['at']}"
            + (f"; {context}" if context else "")
        ]
        out += ["", *table(result["rows"]), ""]
    return "\n".join(out) + "\n"


def main() -> int:
    results = {}
    for path in sorted(RESULTS.glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        if not {"name", "title", "rows", "machine", "at"} <= set(body):
            print(f"skipped {path}: not written by harness.record()", file=sys.stderr)
            continue
        results[body["name"]] = body
    if not results:
        print("no benchmark results in bench/results/: run `make bench`", file=sys.stderr)
        return 1
    (BENCH / "RESULTS.md").write_text(render(results), encoding="utf-8")
    print(f"wrote {BENCH / 'RESULTS.md'} ({len(results)} tables)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
