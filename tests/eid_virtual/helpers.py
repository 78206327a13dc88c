"""Small APDU helpers shared by the emulator tests."""

from __future__ import annotations

from eid.virtual import VirtualCard
from eid.virtual.apdu import pin_block


def tx(card: VirtualCard, hexstr: str) -> tuple[bytes, int]:
    """Send an APDU written in hex; return (data, status word)."""
    response = card.transmit(bytes.fromhex(hexstr.replace(" ", "")))
    return response[:-2], int.from_bytes(response[-2:], "big")


def verify(card: VirtualCard, pin: str) -> int:
    return tx(card, "00200001 08" + pin_block(pin).hex())[1]


def mse(card: VirtualCard, algorithm: int, key: int) -> int:
    return tx(card, f"002241B6 05 0480{algorithm:02X}84{key:02X}")[1]


def pso(card: VirtualCard, digest: bytes) -> tuple[bytes, int]:
    """PSO: CDS and, on 61xx, the GET RESPONSE that fetches the signature."""
    _, sw = tx(card, f"002A9E9A{len(digest):02X}" + digest.hex())
    if sw >> 8 != 0x61:
        return b"", sw
    return tx(card, f"00C00000{sw & 0xFF:02X}")


def read_file(card: VirtualCard, path_hex: str) -> bytes:
    """SELECT by path then READ BINARY in 256-byte chunks, as a reader does."""
    path = bytes.fromhex(path_hex)
    assert tx(card, f"00A4080C{len(path):02X}" + path.hex())[1] == 0x9000
    out = b""
    while True:
        off = f"{len(out) >> 8:02X}{len(out) & 0xFF:02X}"
        data, sw = tx(card, f"00B0{off}00")
        if sw >> 8 == 0x6C:
            data, sw = tx(card, f"00B0{off}{sw & 0xFF:02X}")
        if sw != 0x9000:
            assert sw == 0x6B00
            return out
        out += data
