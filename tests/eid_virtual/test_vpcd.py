"""The vpcd bridge's wire protocol, reconnection and shutdown.

These tests play vpcd's side of the TCP protocol on a loopback port, so they
can close the connection at chosen moments (what a pcscd restart does); the
bridge against the real pcscd + vpcd is in test_pcscd.py.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from eid.virtual import CardImage, VirtualCard
from eid.virtual.vpcd import VpcdBridge, main, run_virtual_card


class VpcdPeer:
    """vpcd's end: listens, accepts the card, sends framed messages."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(10)
        self.port = self.server.getsockname()[1]
        self.conn: socket.socket | None = None

    def accept(self) -> None:
        self.conn, _ = self.server.accept()
        self.conn.settimeout(10)

    def ask(self, message: bytes) -> bytes:
        assert self.conn is not None
        self.conn.sendall(len(message).to_bytes(2, "big") + message)
        size = int.from_bytes(self._exactly(2), "big")
        return self._exactly(size)

    def send_only(self, message: bytes) -> None:
        assert self.conn is not None
        self.conn.sendall(len(message).to_bytes(2, "big") + message)

    def _exactly(self, n: int) -> bytes:
        assert self.conn is not None
        data = b""
        while len(data) < n:
            chunk = self.conn.recv(n - len(data))
            if not chunk:
                raise ConnectionError("card closed the connection")
            data += chunk
        return data

    def drop(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def close(self) -> None:
        self.drop()
        self.server.close()


@pytest.fixture
def peer() -> Iterator[VpcdPeer]:
    p = VpcdPeer()
    yield p
    p.close()


@pytest.fixture
def bridge(peer: VpcdPeer, images: dict[str, CardImage]) -> Iterator[VpcdBridge]:
    b = VpcdBridge(VirtualCard(images["1.8"]), port=peer.port, reconnect_delay=0.05).start()
    yield b
    b.stop()


def test_atr_request_and_apdus_are_framed(peer: VpcdPeer, bridge: VpcdBridge) -> None:
    peer.accept()
    assert peer.ask(b"\x04") == bridge.card.atr
    peer.send_only(b"\x01")  # power on: no answer expected
    response = peer.ask(bytes.fromhex("80E400001C"))
    assert response[-2:] == b"\x90\x00" and response[21] == 0x18
    assert bridge.apdu_count == 1


def test_reconnects_when_vpcd_goes_away(peer: VpcdPeer, bridge: VpcdBridge) -> None:
    peer.accept()
    assert peer.ask(b"\x04") == bridge.card.atr
    peer.drop()  # pcscd stopped or restarted
    peer.accept()
    assert peer.ask(b"\x04") == bridge.card.atr


def test_power_off_resets_the_session(peer: VpcdPeer, bridge: VpcdBridge) -> None:
    from eid.virtual.apdu import pin_block

    peer.accept()
    assert peer.ask(bytes.fromhex("0020000108") + pin_block("1234"))[-2:] == b"\x90\x00"
    assert peer.ask(bytes.fromhex("0020000100"))[-2:] == b"\x90\x00"
    peer.send_only(b"\x00")
    assert peer.ask(bytes.fromhex("0020000100"))[-2:] == b"\x63\xc3"


def test_remove_closes_and_insert_comes_back(peer: VpcdPeer, bridge: VpcdBridge) -> None:
    peer.accept()
    assert bridge.wait_connected(5)
    bridge.remove()
    with pytest.raises((ConnectionError, OSError)):
        peer.ask(b"\x04")
    started = time.monotonic()
    bridge.insert()
    peer.accept()
    assert time.monotonic() - started >= 0.5  # stays out long enough for pcscd to notice
    assert peer.ask(b"\x04") == bridge.card.atr


def test_stop_is_prompt_even_while_connected(peer: VpcdPeer, bridge: VpcdBridge) -> None:
    peer.accept()
    assert bridge.wait_connected(5)
    started = time.monotonic()
    bridge.stop()
    assert time.monotonic() - started < 2
    assert bridge._thread is not None and not bridge._thread.is_alive()


def test_run_virtual_card_until_stop_event(peer: VpcdPeer, images: dict[str, CardImage]) -> None:
    stop = threading.Event()
    thread = threading.Thread(
        target=run_virtual_card, args=(images["1.7"], "127.0.0.1", peer.port, stop)
    )
    thread.start()
    peer.accept()
    assert peer.ask(b"\x04") == images["1.7"].atr
    stop.set()
    thread.join(5)
    assert not thread.is_alive()


def test_waits_for_vpcd_to_appear(images: dict[str, CardImage]) -> None:
    with socket.socket() as probe:  # a port nobody listens on (yet)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    b = VpcdBridge(VirtualCard(images["1.8"]), port=port, reconnect_delay=0.05).start()
    try:
        time.sleep(0.3)
        assert not b.connected.is_set()
        server = socket.create_server(("127.0.0.1", port))
        server.settimeout(5)
        conn, _ = server.accept()
        conn.close()
        server.close()
    finally:
        b.stop()


def test_cli_refuses_a_bad_bundle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = tmp_path / "card.json"
    bundle.write_text("{}")
    assert main(["--bundle", str(bundle)]) == 2
    assert "not a card image" in capsys.readouterr().err


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_command_line_bridge_stops_cleanly_on_signals(peer: VpcdPeer, signum: int) -> None:
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-m", "eid.virtual.vpcd", "--non-eid", "--port", str(peer.port)],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        peer.accept()
        assert peer.ask(b"\x04") == bytes.fromhex("3B021450")
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "Traceback" not in err
