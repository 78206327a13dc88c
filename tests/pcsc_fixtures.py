"""pytest fixtures for tests through the real pcscd and vsmartcard's vpcd.

``pcscd`` (session): uses a running pcscd, or starts ``pcscd -f -a`` (root
only) and stops that process — and only that one — at the end. Under
pytest-xdist every worker takes a shared lock for its session, and the
worker that started pcscd waits for the others before stopping it.

``vpcd_card`` (function): a factory, ``vpcd_card(image)`` puts a virtual
card (a CardImage, any emulator, or None for a non-eID card) in the vpcd
slot 0 reader and returns the running ``VpcdBridge`` once pyscard can
connect to it. The slot is held under an exclusive lock for the test, so
parallel workers take turns.

Tests using them are marked ``pcscd`` and skipped with the reason when
pcscd or vpcd are not installed.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pytest

PCSCD_SOCKET = Path("/run/pcscd/pcscd.comm")
VPCD_CONFIG = Path("/etc/reader.conf.d/vpcd")
VPCD_READER = "Virtual PCD 00 00"
VPCD_PORT = 35963
_LOCK_DIR = Path(tempfile.gettempdir())


@dataclass
class Pcscd:
    """The pcscd the tests talk to."""

    started_by_us: bool
    pid: int | None


def pcscd_missing_reason() -> str | None:
    """Why pcscd tests cannot run here, or None when they can."""
    if shutil.which("pcscd") is None and not Path("/usr/sbin/pcscd").exists():
        return "pcscd is not installed (apt-get install pcscd)"
    if not VPCD_CONFIG.exists():
        return "vsmartcard's vpcd is not installed (apt-get install vsmartcard-vpcd)"
    try:
        import smartcard  # noqa: F401
    except ImportError:
        return "pyscard is not installed"
    return None


def pcscd_running() -> bool:
    """Whether a pcscd answers on its socket."""
    if not PCSCD_SOCKET.exists():
        return False
    with socket.socket(socket.AF_UNIX) as s:
        try:
            s.connect(str(PCSCD_SOCKET))
        except OSError:
            return False
    return True


VPCD_PORTS = "35963-35964"
RESERVED_PORTS = Path("/proc/sys/net/ipv4/ip_local_reserved_ports")


def reserve_vpcd_ports() -> None:
    """Keep the kernel from handing vpcd's ports to outgoing connections.

    vpcd listens on 35963-35964, inside the ephemeral port range: a test's
    loopback HTTP connection (or a server on a "free" port) may hold 35963
    when pcscd starts, vpcd's bind then fails silently and the reader never
    appears. Reserving the ports (as root; best effort) removes that race.
    """
    with contextlib.suppress(OSError):
        current = RESERVED_PORTS.read_text().strip()
        if VPCD_PORTS not in current.split(","):
            RESERVED_PORTS.write_text(f"{current},{VPCD_PORTS}" if current else VPCD_PORTS)


def _wait_vpcd_ports_free(timeout: float = 90.0) -> None:
    """Until vpcd could bind its TCP ports again.

    When a pcscd started by one test session stops, vpcd's closed connections
    linger in TIME_WAIT on port 35963 for up to a minute; a pcscd started
    again within that minute loads vpcd, whose bind fails silently, and the
    reader never appears. So wait until the ports can be bound before starting.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            for port in (35963, 35964):
                with socket.socket() as probe:
                    probe.bind(("0.0.0.0", port))  # vpcd binds all interfaces
            return
        except OSError:
            if time.monotonic() > deadline:
                return  # let the reader check below say what is wrong
            time.sleep(0.5)


def _lock(name: str, mode: int) -> IO[Any]:
    handle = open(_LOCK_DIR / f"monespace-{name}.lock", "a+")
    fcntl.flock(handle, mode)
    return handle


def _wait_for_reader(timeout: float = 15.0) -> None:
    from smartcard.System import readers

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if any(str(r) == VPCD_READER for r in readers()):
                return
        time.sleep(0.1)
    raise RuntimeError(f"pcscd is running but the reader {VPCD_READER!r} did not appear")


@pytest.fixture(scope="session")
def pcscd() -> Iterator[Pcscd]:
    """A pcscd with the vpcd reader, started here if none runs."""
    reason = pcscd_missing_reason()
    if reason:
        pytest.skip(reason)
    process: subprocess.Popen[bytes] | None = None
    with contextlib.closing(_lock("pcscd-start", fcntl.LOCK_EX)):
        if not pcscd_running():
            if os.geteuid() != 0:
                pytest.skip("pcscd is not running and only root can start it here")
            reserve_vpcd_ports()
            _wait_vpcd_ports_free()
            pcscd_bin = shutil.which("pcscd") or "/usr/sbin/pcscd"
            process = subprocess.Popen(
                [pcscd_bin, "-f", "-a"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            deadline = time.monotonic() + 10
            while not pcscd_running() and time.monotonic() < deadline:
                time.sleep(0.05)
        users = _lock("pcscd-users", fcntl.LOCK_SH)
    try:
        try:
            _wait_for_reader(15 if process is not None else 3)
        except RuntimeError:
            if process is not None:
                raise
            pytest.skip(
                f"the running pcscd has no {VPCD_READER!r} reader: restart it after "
                "installing vsmartcard-vpcd"
            )
        yield Pcscd(started_by_us=process is not None, pid=process.pid if process else None)
    finally:
        if process is None:
            users.close()
        else:
            # pyscard connections release their PC/SC context when collected;
            # collect them while pcscd still answers, not after.
            gc.collect()
            fcntl.flock(users, fcntl.LOCK_UN)
            fcntl.flock(users, fcntl.LOCK_EX)  # wait for the other workers
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            users.close()


def close_quietly(conn: Any) -> None:
    """Disconnect and release a pyscard connection, whatever state it is in.

    A connection left to the garbage collector releases its PC/SC context
    in ``__del__``; if pcscd is gone by then, pyscard raises from there.
    """
    with contextlib.suppress(Exception):
        conn.disconnect()
    with contextlib.suppress(Exception):
        conn.release()


def wait_card_usable(timeout: float = 15.0) -> None:
    """Until pyscard connects to the card in the vpcd reader."""
    from smartcard.System import readers

    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            reader = next(r for r in readers() if str(r) == VPCD_READER)
            conn = reader.createConnection()
            try:
                conn.connect()
            finally:
                close_quietly(conn)
            return
        except Exception as exc:
            last = exc
            time.sleep(0.1)
    raise RuntimeError(f"the virtual card never became usable in {VPCD_READER!r}: {last}")


def card_state(reader: str = VPCD_READER) -> str:
    """pcscd's view of the vpcd reader now (see :func:`eid.pcsc.card_state`)."""
    from eid.pcsc import card_state as state

    return state(reader)


def wait_card_absent(timeout: float = 5.0, settle: float = 1.0) -> None:
    """Until pcscd reports the slot empty, then ``settle`` seconds more.

    pcscd polls vpcd about every 0.4 s and only reports a new card if its
    poller saw the slot empty in between; after a transmit failed on a
    pulled card, pcscd may *report* "empty" before its poller has looked.
    Before the report, a transmit fails with "Transaction failed"
    (SCARD_E_NOT_TRANSACTED) rather than "card removed". Call this after a
    removal and before putting another card (or a CLI bridge) in the slot.
    """
    deadline = time.monotonic() + timeout
    while card_state() != "empty":
        if time.monotonic() > deadline:
            raise RuntimeError("pcscd did not notice the card removal")
        time.sleep(0.05)
    time.sleep(settle)


@pytest.fixture
def vpcd_card(pcscd: Pcscd) -> Iterator[Callable[..., Any]]:
    """Factory: ``vpcd_card(image_or_card_or_None)`` → running ``VpcdBridge``."""
    from eid.virtual import CardImage, NonEidCard, VirtualCard
    from eid.virtual.vpcd import MIN_ABSENCE, VpcdBridge

    bridges: list[VpcdBridge] = []
    slot: list[IO[Any]] = []

    def start(card: Any = None, *, wait: bool = True) -> VpcdBridge:
        if not slot:
            slot.append(_lock(f"vpcd-{VPCD_PORT}", fcntl.LOCK_EX))
        for old in bridges:
            old.stop()
        # pcscd must see the slot empty between two cards (it polls every
        # 0.4 s); a card inserted before that is never reported.
        with contextlib.suppress(RuntimeError):
            wait_card_absent(5, settle=0)  # this process's bridges keep their own spacing
        if isinstance(card, CardImage):
            card = VirtualCard(card)
        elif card is None:
            card = NonEidCard()
        bridge = VpcdBridge(card, port=VPCD_PORT, reconnect_delay=0.1).start()
        bridges.append(bridge)
        if not bridge.wait_connected(15):
            raise RuntimeError("vpcd did not accept the virtual card")
        if wait:
            wait_card_usable()
        return bridge

    try:
        yield start
    finally:
        for bridge in bridges:
            bridge.stop()
        if slot:
            # Leave the slot clean for the next holder (another worker, or a
            # CLI bridge): pcscd must poll it empty at least once.
            with contextlib.suppress(RuntimeError):
                wait_card_absent(5, settle=MIN_ABSENCE)
        for handle in slot:
            handle.close()
