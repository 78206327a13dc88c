"""TUI benchmark: the agent queue's first paint and filter keystrokes on a large queue.

Run: ``.venv/bin/python bench/tui_bench.py [--dossiers 100000] [--keystrokes 30]
[--paints 10] [--no-cache]``. It builds a temporary sandbox portal on SQLite
(``init --sandbox``, ``seed --dossiers N`` — the seeded database is kept in
``~/.cache/monespace-bench/`` and reused by the next run with the same N and
the same seed code, unless ``--no-cache``), starts the real server, logs in
through the eID protocol as Maxime Piron (agent of SPW-EER and FOREM, the
busiest queue) and drives the real ``MonespaceApp`` headless with Textual's
Pilot (``app.run_test``), printing a table:

- first paint: the queue screen pushed → its first rows in the table and
  drawn (one page of the queue and the counts asked for; p50/p95 over
  ``--paints`` openings);
- a filter keystroke → the loaded rows narrowed locally and drawn (goal
  < 100 ms), and → the server's ``q=`` answer shown (includes the screen's
  200 ms debounce, which is by design), p50/p95 over ``--keystrokes``.

No timing assertions anywhere: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import Portal, percentiles, record  # noqa: E402

AGENT = "90060621186"  # Maxime Piron: SPW-EER and FOREM
CACHE = Path.home() / ".cache" / "monespace-bench"
#: What is typed: fragments of names, procedures and references, then erased.
TYPED = ["dubois", "\b" * 6, "SESAM", "\b" * 5, "wery", "\b" * 4, "MSP-20", "\b" * 6]


def _cache_file(dossiers: int) -> Path:
    """Where a seeded database of ``dossiers`` is kept (keyed by the seed and schema code)."""
    digest = hashlib.sha256()
    for path in [ROOT / "portal/seed.py", *sorted((ROOT / "portal/migrations").rglob("*.py"))]:
        digest.update(path.read_bytes())
    return CACHE / f"tui-{dossiers}-{digest.hexdigest()[:12]}.sqlite3"


def _prepare(portal: Portal, dossiers: int, use_cache: bool) -> str:
    """Seed (or copy the cached seeded database); says which."""
    database = Path(portal.db_url.removeprefix("sqlite:///"))
    cached = _cache_file(dossiers)
    if use_cache and cached.exists():
        shutil.copyfile(cached, database)
        return "cached"
    seconds = portal.seed(dossiers)
    if use_cache:
        CACHE.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(database, cached)
    return f"seeded in {seconds:.1f} s"


def _keys(typed: list[str]) -> list[str]:
    keys: list[str] = []
    for chunk in typed:
        keys += ["backspace" if ch == "\b" else ch for ch in chunk]
    return keys


def _send_key(app: Any, key: str) -> None:
    """Hand one key to the app as the terminal driver would (no Pilot idle wait)."""
    from textual import events

    name = {"-": "minus"}.get(key, key)
    event = events.Key(name, key if len(key) == 1 else None)
    event.set_sender(app)
    app._driver.send_message(event)


async def _drawn(widget: Any) -> None:
    """Wait for the next screen update after the widget's current state (it is drawn)."""
    done = asyncio.Event()
    widget.call_after_refresh(done.set)
    await done.wait()


async def _drive(url: str, token: str, paints: int, keystrokes: int) -> dict[str, list[float]]:
    from tui.app import MonespaceApp, TuiSettings
    from tui.screens.agent_queue import AgentQueueScreen
    from tui.screens.dashboard import DashboardScreen

    app = MonespaceApp(TuiSettings(portal_url=url, token=token, live=False))
    samples: dict[str, list[float]] = {"paint": [], "local": [], "server": []}

    async def until(condition: Any, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise RuntimeError(f"condition not met in {timeout} s")
            await asyncio.sleep(0.002)

    async with app.run_test(size=(120, 40)) as pilot:
        await until(lambda: isinstance(app.screen, DashboardScreen) and app.is_agent)
        screen: Any = None
        for _ in range(paints):
            start = time.perf_counter()
            screen = AgentQueueScreen(live=False)
            await app.push_screen(screen)
            await until(lambda s=screen: s.is_mounted and s.table.row_count > 0)
            await _drawn(screen.table)
            samples["paint"].append(time.perf_counter() - start)
            await until(lambda s=screen: s.counts is not None and not s.fetching)
            await pilot.pause(0.4)  # let the first preview load settle
            app.pop_screen()
            await pilot.pause(0.1)
        screen = AgentQueueScreen(live=False)
        await app.push_screen(screen)
        await until(lambda: screen.is_mounted and screen.counts is not None and not screen.fetching)
        await pilot.press("slash")
        keys = _keys(TYPED)
        while len(keys) < keystrokes:
            keys += _keys(TYPED)
        field = screen.query_one("#queue-filter")
        typed = ""
        for key in keys[:keystrokes]:
            typed = typed[:-1] if key == "backspace" else typed + key
            start = time.perf_counter()
            _send_key(app, key)
            await until(lambda t=typed: field.value == t and screen.table.narrow == t)
            await _drawn(screen.table)
            samples["local"].append(time.perf_counter() - start)
            await until(
                lambda t=typed: (
                    screen.loaded_query.text == t
                    and screen._filter_timer is None
                    and not screen.fetching
                )
            )
            await _drawn(screen.table)
            samples["server"].append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--keystrokes", type=int, default=30)
    parser.add_argument("--paints", type=int, default=10)
    parser.add_argument("--no-cache", action="store_true", help="seed afresh, keep nothing")
    args = parser.parse_args()

    with Portal() as portal:
        how = _prepare(portal, args.dossiers, use_cache=not args.no_cache)
        portal.start()
        token = portal.login(AGENT)
        samples = asyncio.run(_drive(portal.url, token, args.paints, args.keystrokes))

    rows = []
    for name, label, goal in [
        ("paint", "tui queue first paint (push → rows drawn)", "< 1000 ms"),
        ("local", "tui filter keystroke → local rows drawn", "< 100 ms"),
        ("server", "tui filter keystroke → server answer drawn (incl. 200 ms debounce)", "—"),
    ]:
        p50, p95 = percentiles(samples[name], (50, 95))
        rows.append(
            {
                "measure": label,
                "n": len(samples[name]),
                "p50 ms": round(p50, 1),
                "p95 ms": round(p95, 1),
                "goal": goal,
            }
        )
    print(f"\nmonespace tui — agent queue, {args.dossiers} dossiers (SQLite, {how})\n")
    print(f"{'measure':<70} {'n':>4} {'p50 ms':>9} {'p95 ms':>9}  goal")
    for row in rows:
        figures = f"{row['n']:>4} {row['p50 ms']:>9} {row['p95 ms']:>9}"
        print(f"{row['measure']:<70} {figures}  {row['goal']}")
    record(
        "tui",
        "TUI agent queue: first paint and filter keystrokes",
        rows,
        dossiers=args.dossiers,
        backend="SQLite",
        agent="Maxime Piron (SPW-EER, FOREM)",
        terminal="120x40 headless (Pilot)",
    )


if __name__ == "__main__":
    main()
