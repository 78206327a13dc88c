"""The virtual card through the real stack: pyscard → pcscd → vpcd → emulator."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest

from eid.layout import Fid, path_of
from eid.virtual import CardImage, NonEidCard, VirtualCard
from tests.pcsc_fixtures import VPCD_READER, card_state, close_quietly, wait_card_absent

pytestmark = pytest.mark.pcscd

GET_CARD_DATA = [0x80, 0xE4, 0x00, 0x00, 0x1C]


def _reader() -> Any:
    from smartcard.System import readers

    return next(r for r in readers() if str(r) == VPCD_READER)


@contextlib.contextmanager
def _connection() -> Iterator[Any]:
    conn = _reader().createConnection()
    try:
        conn.connect()
        yield conn
    finally:
        close_quietly(conn)


def _read_file(conn: Any, path: bytes) -> bytes:
    _, sw1, sw2 = conn.transmit(list(b"\x00\xa4\x08\x0c" + bytes([len(path)]) + path))
    assert (sw1, sw2) == (0x90, 0x00)
    out = b""
    while True:
        offset = [len(out) >> 8, len(out) & 0xFF]
        data, sw1, sw2 = conn.transmit([0x00, 0xB0, *offset, 0x00])
        if sw1 == 0x6C:
            data, sw1, sw2 = conn.transmit([0x00, 0xB0, *offset, sw2])
        if (sw1, sw2) != (0x90, 0x00):
            assert (sw1, sw2) == (0x6B, 0x00)
            return out
        out += bytes(data)


def test_pyscard_sees_reader_atr_and_reads_a_file(vpcd_card: Any, image: CardImage) -> None:
    bridge = vpcd_card(image)
    with _connection() as conn:
        assert bytes(conn.getATR()) == image.atr
        assert _read_file(conn, path_of(Fid.DF_ID, Fid.ID_RN)) == image.file("identity")
        data, sw1, sw2 = conn.transmit(GET_CARD_DATA)
        assert (sw1, sw2) == (0x90, 0x00)
        assert data[21] == (0x17 if image.applet == "1.7" else 0x18)
    assert bridge.apdu_count > 3


def test_removal_and_reinsertion_are_seen_by_pcscd(vpcd_card: Any, images: Any) -> None:
    from smartcard.Exceptions import CardConnectionException, NoCardException

    bridge = vpcd_card(images["1.8"])
    with _connection() as conn:
        assert card_state() == "present"
        bridge.remove()
        wait_card_absent(settle=0)
        with pytest.raises(CardConnectionException, match="removed"):
            conn.transmit(GET_CARD_DATA)
    bridge.insert()
    assert bridge.wait_connected(10)
    # pcscd powers the card up on its own schedule; retry like an application would.
    deadline = time.monotonic() + 10
    while True:
        try:
            with _connection() as conn:
                _, sw1, sw2 = conn.transmit(GET_CARD_DATA)
            break
        except (CardConnectionException, NoCardException):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    assert (sw1, sw2) == (0x90, 0x00)


def test_non_eid_card_answers_file_not_found(vpcd_card: Any) -> None:
    vpcd_card(None)
    with _connection() as conn:
        assert bytes(conn.getATR()) == NonEidCard.atr
        select = [0x00, 0xA4, 0x08, 0x0C, 0x04, 0xDF, 0x01, 0x40, 0x31]
        assert conn.transmit(select)[1:] == (0x6A, 0x82)
        assert conn.transmit(GET_CARD_DATA)[1:] == (0x6D, 0x00)


@pytest.mark.skipif(shutil.which("pcsc_scan") is None, reason="pcsc_scan is not installed")
def test_other_pcsc_software_sees_the_card(vpcd_card: Any, images: Any) -> None:
    """pcsc_scan (pcsc-tools), not pyscard, lists the reader and the card's ATR."""
    vpcd_card(images["1.8"])
    out = subprocess.run(["pcsc_scan", "-c", "-n"], capture_output=True, text=True, timeout=20)
    assert VPCD_READER in out.stdout
    atr = " ".join(f"{b:02X}" for b in images["1.8"].atr)
    assert atr in out.stdout


def test_in_process_card_counts_apdus(images: Any) -> None:
    card = VirtualCard(images["1.8"])
    conn = card.connection()
    conn.connect()
    conn.transmit(GET_CARD_DATA)
    assert card.apdu_count == 1
