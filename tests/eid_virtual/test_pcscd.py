"""The virtual card through the real stack: pyscard → pcscd → vpcd → emulator."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time

import pytest

from eid.layout import Fid, path_of
from eid.virtual import CardImage, NonEidCard, VirtualCard
from tests.pcsc_fixtures import VPCD_READER

pytestmark = pytest.mark.pcscd


def _connect():
    from smartcard.System import readers

    reader = next(r for r in readers() if str(r) == VPCD_READER)
    conn = reader.createConnection()
    conn.connect()
    return conn


def _read_file(conn, path: bytes) -> bytes:
    data, sw1, sw2 = conn.transmit(list(b"\x00\xa4\x08\x0c" + bytes([len(path)]) + path))
    assert (sw1, sw2) == (0x90, 0x00)
    out = b""
    while True:
        data, sw1, sw2 = conn.transmit([0x00, 0xB0, len(out) >> 8, len(out) & 0xFF, 0x00])
        if sw1 == 0x6C:
            data, sw1, sw2 = conn.transmit([0x00, 0xB0, len(out) >> 8, len(out) & 0xFF, sw2])
        if (sw1, sw2) != (0x90, 0x00):
            break
        out += bytes(data)
    return out


def test_pyscard_sees_reader_atr_and_reads_a_file(vpcd_card, image: CardImage) -> None:
    bridge = vpcd_card(image)
    conn = _connect()
    assert bytes(conn.getATR()) == image.atr
    identity = _read_file(conn, path_of(Fid.DF_ID, Fid.ID_RN))
    assert identity == image.file("identity")
    data, sw1, sw2 = conn.transmit([0x80, 0xE4, 0x00, 0x00, 0x1C])
    assert (sw1, sw2) == (0x90, 0x00)
    assert data[21] == (0x17 if image.applet == "1.7" else 0x18)
    conn.disconnect()
    assert bridge.apdu_count > 3


def test_removal_and_reinsertion_are_seen_by_pcscd(vpcd_card, images) -> None:
    from smartcard.Exceptions import CardConnectionException, NoCardException

    bridge = vpcd_card(images["1.8"])
    conn = _connect()
    bridge.remove()
    with pytest.raises((CardConnectionException, NoCardException)):
        for _ in range(50):  # pcscd notices within its polling period
            conn.transmit([0x80, 0xE4, 0x00, 0x00, 0x1C])
            time.sleep(0.05)
    with contextlib.suppress(Exception):
        conn.disconnect()
    bridge.insert()
    assert bridge.wait_connected(10)
    # pcscd powers the card up on its own schedule: a connection made just
    # before that sees "card was reset" once, as with a real reader.
    deadline = time.monotonic() + 10
    while True:
        try:
            conn = _connect()
            _, sw1, sw2 = conn.transmit([0x80, 0xE4, 0x00, 0x00, 0x1C])
            break
        except (CardConnectionException, NoCardException):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    assert (sw1, sw2) == (0x90, 0x00)
    conn.disconnect()


def test_non_eid_card_answers_file_not_found(vpcd_card) -> None:
    vpcd_card(None)
    conn = _connect()
    assert bytes(conn.getATR()) == NonEidCard.atr
    _, sw1, sw2 = conn.transmit([0x00, 0xA4, 0x08, 0x0C, 0x04, 0xDF, 0x01, 0x40, 0x31])
    assert (sw1, sw2) == (0x6A, 0x82)
    _, sw1, sw2 = conn.transmit([0x80, 0xE4, 0x00, 0x00, 0x1C])
    assert (sw1, sw2) == (0x6D, 0x00)
    conn.disconnect()


@pytest.mark.skipif(shutil.which("pcsc_scan") is None, reason="pcsc_scan is not installed")
def test_pcsc_scan_sees_the_virtual_card(vpcd_card, images) -> None:
    vpcd_card(images["1.8"])
    # pcsc_scan -r lists readers; -c/-t would loop: read its first screen only.
    out = subprocess.run(["pcsc_scan", "-r"], capture_output=True, text=True, timeout=20)
    assert VPCD_READER in out.stdout


def test_in_process_card_counts_apdus(images) -> None:
    card = VirtualCard(images["1.8"])
    conn = card.connection()
    conn.connect()
    conn.transmit([0x80, 0xE4, 0x00, 0x00, 0x1C])
    assert card.apdu_count == 1
