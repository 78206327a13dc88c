"""Benchmark of the eID reader library: APDUs and time per task.

    python bench/eid_bench.py [--rounds N] [--no-pcscd]

Tasks: read identity + address + photo (with integrity check), and sign a
login challenge (PIN verify + login_signature), for applets 1.7 and 1.8,
on the in-process virtual card and through pyscard → pcscd → vpcd → virtual
card. Starts pcscd (root only) and the vpcd bridge when needed and stops
only what it started. Prints a table; times are the median of the rounds,
each on a fresh card session (no file cache).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import record  # noqa: E402

import eid  # noqa: E402
from eid.login import login_message  # noqa: E402

PIN = "1234"
VPCD_READER = "Virtual PCD 00 00"
VPCD_PORT = 35963
PCSCD_SOCKET = Path("/run/pcscd/pcscd.comm")


def read_everything(card: Any) -> None:
    card.read_identity()
    card.read_address()
    card.read_photo()
    assert card.verify_integrity().ok


def sign_login(card: Any) -> None:
    card.verify_pin(PIN)
    card.login_signature(login_message("http://127.0.0.1:8470", "ch_bench", "bm9uY2U"))


TASKS: dict[str, Callable[[Any], None]] = {
    "read identity+address+photo (+verify)": read_everything,
    "sign login challenge (PIN+sign)": sign_login,
}


def measure(
    open_card: Callable[[], Any], task: Callable[[Any], None], rounds: int
) -> tuple[int, float]:
    """(APDUs of the task, median seconds); opening the card is not counted."""
    times: list[float] = []
    apdus = 0
    for _ in range(rounds):
        with open_card() as card:
            before = card.apdu_count
            start = time.perf_counter()
            task(card)
            times.append(time.perf_counter() - start)
            apdus = card.apdu_count - before
    return apdus, statistics.median(times)


def build_images() -> dict[str, Any]:
    from eid.pki import SandboxPKI
    from eid.virtual import CardholderData, build_card

    pki = SandboxPKI.open(Path(tempfile.mkdtemp(prefix="eid-bench-")))
    person = CardholderData(
        nrn="85073003328",
        surname="Bench",
        given_names="Marie",
        birth_date=dt.date(1985, 7, 30),
        sex="F",
        street_and_number="Rue de l'Étuve 12",
        zip_code="4000",
        municipality="Liège",
    )
    return {applet: build_card(person, pki, applet=applet, pin=PIN) for applet in ("1.7", "1.8")}


def pcscd_running() -> bool:
    if not PCSCD_SOCKET.exists():
        return False
    with socket.socket(socket.AF_UNIX) as s:
        try:
            s.connect(str(PCSCD_SOCKET))
        except OSError:
            return False
    return True


@contextlib.contextmanager
def pcscd() -> Iterator[None]:
    """A running pcscd; started (and later stopped) here only if none runs."""
    if pcscd_running():
        yield
        return
    binary = shutil.which("pcscd") or "/usr/sbin/pcscd"
    process = subprocess.Popen([binary, "-f"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not pcscd_running():
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("pcscd did not start (root is needed)")
            time.sleep(0.05)
        yield
    finally:
        process.terminate()
        process.wait(10)


@contextlib.contextmanager
def vpcd_card(image: Any) -> Iterator[None]:
    from eid.virtual import VirtualCard
    from eid.virtual.vpcd import VpcdBridge

    bridge = VpcdBridge(VirtualCard(image), port=VPCD_PORT, reconnect_delay=0.1).start()
    try:
        if not bridge.wait_connected(15):
            raise RuntimeError("vpcd did not accept the virtual card")
        deadline = time.monotonic() + 15
        while True:
            try:
                eid.open_card(VPCD_READER).close()
                break
            except eid.EidError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield
    finally:
        bridge.stop()


def run(rounds: int, with_pcscd: bool) -> list[tuple[str, str, str, int, float]]:
    from eid.virtual import VirtualCard

    images = build_images()
    rows: list[tuple[str, str, str, int, float]] = []
    for applet, image in images.items():

        def open_in_process(image: Any = image) -> Any:
            return eid.open_card(connection=VirtualCard(image).connection())

        for name, task in TASKS.items():
            apdus, seconds = measure(open_in_process, task, rounds)
            rows.append(("in-process", applet, name, apdus, seconds))
    if not with_pcscd:
        return rows
    with pcscd():
        for applet, image in images.items():
            with vpcd_card(image):
                for name, task in TASKS.items():
                    apdus, seconds = measure(lambda: eid.open_card(VPCD_READER), task, rounds)
                    rows.append(("pcscd+vpcd", applet, name, apdus, seconds))
    return rows


def print_table(rows: list[tuple[str, str, str, int, float]]) -> None:
    header = ("path", "applet", "task", "APDUs", "median ms")
    lines = [header] + [(p, a, t, str(n), f"{s * 1000:.1f}") for p, a, t, n, s in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for index, line in enumerate(lines):
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
        if index == 0:
            print("  ".join("-" * width for width in widths))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-pcscd", action="store_true", help="in-process only")
    args = parser.parse_args()
    rows = run(args.rounds, not args.no_pcscd)
    print_table(rows)
    record(
        "eid",
        "eID card: reads and signatures (virtual card, in-process and through pcscd)",
        [
            {"path": p, "applet": a, "task": t, "APDUs": n, "median ms": round(s * 1000, 1)}
            for p, a, t, n, s in rows
        ],
        rounds=args.rounds,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
