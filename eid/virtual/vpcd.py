"""Plugging the virtual card into the real pcscd through vsmartcard's vpcd.

vpcd is a pcscd reader driver that waits for a card on TCP (127.0.0.1:35963
for slot 0, reader "Virtual PCD 00 00"). Protocol (reference/pcsc-notes.md):
each message is a 2-byte big-endian length and that many bytes; a 1-byte
message is a control command (0x00 power off, 0x01 power on, 0x02 reset,
0x04 "send your ATR"), anything longer is a command APDU to answer with the
response APDU. Closing the socket is removing the card.

The bridge reconnects when pcscd restarts, stops cleanly on SIGINT/SIGTERM,
and never logs APDUs (a VERIFY carries the PIN block).

Run it by hand: ``python -m eid.virtual.vpcd --bundle card.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from eid.virtual.card import NonEidCard, VirtualCard
from eid.virtual.connection import CardRemovedError, EmulatedCard
from eid.virtual.image import CardImage

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 35963  # vpcd slot 0; slot n listens on 35963 + n
_POLL = 0.2  # seconds between checks of the stop / remove flags
#: pcscd polls a reader every 0.4 s and only reports a change it saw itself:
#: a card back within one poll (or after a failed transmit) is never seen
#: again. Staying out this long makes every removal visible.
MIN_ABSENCE = 1.0
#: When any bridge of this process last left vpcd (a card swap is a removal too).
_last_gone = {"at": 0.0}

CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0x00, 0x01, 0x02, 0x04


class _Closed(Exception):
    """The vpcd side closed the connection (pcscd stopped or restarted)."""


class VpcdBridge:
    """Connects an emulated card to vpcd and answers it until stopped."""

    def __init__(
        self,
        card: EmulatedCard,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        *,
        reconnect_delay: float = 0.5,
    ) -> None:
        self.card = card
        self.host, self.port = host, port
        self.reconnect_delay = reconnect_delay
        self.stop_event = threading.Event()
        self.connected = threading.Event()  # set while vpcd holds our socket
        self.apdu_count = 0
        self._inserted = threading.Event()
        self._inserted.set()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._removed_at = 0.0
        self._warned = False

    # -- control from tests / the CLI -------------------------------------------

    def start(self) -> VpcdBridge:
        """Serve in a background thread (daemon); returns self."""
        self._thread = threading.Thread(target=self.serve, name="vpcd-bridge", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Disconnect from vpcd and end :meth:`serve`."""
        self.stop_event.set()
        self._inserted.set()
        self._close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def remove(self) -> None:
        """Simulate pulling the card: close the socket and stay away until :meth:`insert`."""
        self._inserted.clear()
        self._removed_at = time.monotonic()
        self._close()

    def insert(self) -> None:
        """Put the card back: reconnect to vpcd with a fresh session."""
        self.card.reset()
        self._inserted.set()

    def wait_connected(self, timeout: float = 10.0) -> bool:
        """Block until vpcd has accepted the card (or the timeout passes)."""
        return self.connected.wait(timeout)

    # -- the loop ---------------------------------------------------------------

    def serve(self) -> None:
        """Connect, answer vpcd, reconnect on loss; return when stopped."""
        while not self.stop_event.is_set():
            if not self._inserted.wait(_POLL):
                continue
            away = max(self._removed_at, _last_gone["at"]) + MIN_ABSENCE - time.monotonic()
            if away > 0:
                self.stop_event.wait(away)
                continue
            try:
                sock = socket.create_connection((self.host, self.port), timeout=2)
            except OSError as exc:
                self._report_unreachable(exc)
                self.stop_event.wait(self.reconnect_delay)
                continue
            self._warned = False
            self._sock = sock
            # One small response per request: Nagle + delayed ACK would add
            # ~40 ms to every APDU.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(_POLL)
            self.connected.set()
            log.info("virtual card inserted in vpcd at %s:%s", self.host, self.port)
            try:
                self._answer(sock)
            except (_Closed, OSError):
                log.info("vpcd connection closed")
            finally:
                self.connected.clear()
                self._close()
                _last_gone["at"] = time.monotonic()
                self.card.reset()

    def _report_unreachable(self, exc: OSError) -> None:
        """Say once, at warning level, why the card is not in a reader yet."""
        if self._warned:
            log.debug("vpcd at %s:%s still not reachable (%s)", self.host, self.port, exc)
            return
        self._warned = True
        log.warning(
            "waiting for vpcd on %s:%s (%s): is pcscd running with vsmartcard-vpcd installed?",
            self.host,
            self.port,
            exc.strerror or exc,
        )

    def _answer(self, sock: socket.socket) -> None:
        while not self.stop_event.is_set() and self._inserted.is_set():
            message = self._receive(sock)
            if message is None:
                continue
            if len(message) == 1:
                reply = self._control(message[0])
            else:
                self.apdu_count += 1
                try:
                    reply = self.card.transmit(message)
                except CardRemovedError:
                    return  # the emulator says the card left: so does the socket
            if reply is not None:
                sock.sendall(len(reply).to_bytes(2, "big") + reply)

    def _control(self, code: int) -> bytes | None:
        if code == CTRL_ATR:
            return self.card.atr
        if code in (CTRL_OFF, CTRL_ON, CTRL_RESET):
            self.card.reset()
        return None

    def _receive(self, sock: socket.socket) -> bytes | None:
        """One framed message, or None when nothing arrived within the poll period."""
        header = self._read(sock, 2, allow_idle=True)
        if header is None:
            return None
        body = self._read(sock, int.from_bytes(header, "big"), allow_idle=False)
        assert body is not None
        return body

    def _read(self, sock: socket.socket, n: int, *, allow_idle: bool) -> bytes | None:
        data = bytearray()
        while len(data) < n:
            if self.stop_event.is_set() or not self._inserted.is_set():
                raise _Closed
            _quick_ack(sock)
            try:
                chunk = sock.recv(n - len(data))
            except TimeoutError:
                if allow_idle and not data:
                    return None
                continue
            if not chunk:
                raise _Closed
            data += chunk
        return bytes(data)

    def _close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


def _quick_ack(sock: socket.socket) -> None:
    """Acknowledge at once what arrives (Linux; the flag resets after each use).

    vpcd writes a message's length and its body in two ``send`` calls with
    Nagle on: the body waits for our ACK of the length, which delayed ACK
    holds back ~40 ms. Quick ACK makes an APDU round trip sub-millisecond.
    """
    quickack = getattr(socket, "TCP_QUICKACK", None)
    if quickack is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, quickack, 1)


@contextlib.contextmanager
def _signals_set(event: threading.Event) -> Iterator[None]:
    """SIGINT/SIGTERM set ``event`` while inside (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        event.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run_virtual_card(
    image: CardImage | None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    stop_event: threading.Event | None = None,
) -> None:
    """Serve ``image`` to vpcd until ``stop_event`` is set (or SIGINT/SIGTERM).

    ``image=None`` serves a card that is not an eID (:class:`NonEidCard`).
    """
    card: EmulatedCard = VirtualCard(image) if image is not None else NonEidCard()
    bridge = VpcdBridge(card, host, port)
    if stop_event is not None:
        bridge.stop_event = stop_event
        bridge.serve()
        return
    with _signals_set(bridge.stop_event):
        bridge.serve()


def main(argv: list[str] | None = None) -> int:
    """``python -m eid.virtual.vpcd``: serve a card image bundle to vpcd."""
    parser = argparse.ArgumentParser(prog="python -m eid.virtual.vpcd", description=__doc__)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--bundle", type=Path, help="card image JSON (CardImage.to_json)")
    source.add_argument("--non-eid", action="store_true", help="serve a card that is not an eID")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    image = None
    if args.bundle is not None:
        try:
            image = CardImage.from_json(args.bundle.read_bytes())
        except (OSError, ValueError) as exc:
            print(f"cannot load the card image {args.bundle}: {exc}", file=sys.stderr)
            return 2
    print(f"virtual card on vpcd {args.host}:{args.port} — Ctrl-C to remove it", file=sys.stderr)
    run_virtual_card(image, args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
