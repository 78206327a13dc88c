"""A small deterministic sandbox photo: a baseline grey-level JPEG, made here.

A card needs a JPEG in EF(ID#Photo) and its hash in the identity file, but
the sandbox must not depend on an imaging library nor ship somebody's face.
This writer emits a valid baseline JPEG (JFIF, one grey component, standard
DC table) in which every 8x8 block is flat: only DC coefficients, so no DCT
is needed. The picture is a head-and-shoulders silhouette at the real card's
size (140x200). A comment segment carries the NRN, so every person's photo
has different bytes (and hash) while the picture is the same.
"""

from __future__ import annotations

import struct

WIDTH, HEIGHT = 140, 200
_BLOCKS_W, _BLOCKS_H = (WIDTH + 7) // 8, (HEIGHT + 7) // 8

# Standard luminance DC Huffman table (ITU T.81 Annex K.3).
_DC_COUNTS = (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)
_DC_VALUES = tuple(range(12))
# A one-symbol AC table: only End-Of-Block (0x00), code "00".
_AC_COUNTS = (0, 1) + (0,) * 14
_AC_VALUES = (0x00,)


def _canonical_codes(
    counts: tuple[int, ...], values: tuple[int, ...]
) -> dict[int, tuple[int, int]]:
    """Huffman codes {symbol: (code, length)} from a JPEG DHT description."""
    codes: dict[int, tuple[int, int]] = {}
    code, k = 0, 0
    for length, count in enumerate(counts, start=1):
        for _ in range(count):
            codes[values[k]] = (code, length)
            code += 1
            k += 1
        code <<= 1
    return codes


def _grey(bx: int, by: int) -> int:
    """Grey level of block (bx, by): light background, dark head and shoulders."""
    x, y = bx * 8 + 4, by * 8 + 4
    head = ((x - 70) / 32) ** 2 + ((y - 78) / 42) ** 2 <= 1
    shoulders = y >= 140 and ((x - 70) / 66) ** 2 + ((y - 205) / 70) ** 2 <= 1
    if head:
        return 150
    if shoulders:
        return 60
    return 225


class _BitWriter:
    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def write(self, value: int, length: int) -> None:
        for i in range(length - 1, -1, -1):
            self.acc = (self.acc << 1) | ((value >> i) & 1)
            self.n += 1
            if self.n == 8:
                self.out.append(self.acc)
                if self.acc == 0xFF:
                    self.out.append(0x00)  # byte stuffing
                self.acc, self.n = 0, 0

    def flush(self) -> bytes:
        while self.n:
            self.write(1, 1)  # pad with ones
        return bytes(self.out)


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">HH", marker, len(payload) + 2) + payload


def _scan() -> bytes:
    dc_codes = _canonical_codes(_DC_COUNTS, _DC_VALUES)
    eob_code, eob_len = _canonical_codes(_AC_COUNTS, _AC_VALUES)[0]
    bits = _BitWriter()
    previous = 0
    for by in range(_BLOCKS_H):
        for bx in range(_BLOCKS_W):
            dc = 8 * (_grey(bx, by) - 128)  # flat block: F(0,0) = 8 x (level - 128)
            diff, previous = dc - previous, dc
            size = abs(diff).bit_length()
            code, length = dc_codes[size]
            bits.write(code, length)
            if size:
                bits.write(diff if diff > 0 else diff + (1 << size) - 1, size)
            bits.write(eob_code, eob_len)
    return bits.flush()


def sandbox_photo(nrn: str = "") -> bytes:
    """The sandbox JPEG, with ``nrn`` in a comment so each person's bytes differ."""
    jfif = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    comment = f"monespace sandbox photo {nrn}".strip().encode()
    quant = b"\x00" + b"\x01" * 64  # table 0, all ones: DC levels stay exact
    sof = struct.pack(">BHHB", 8, HEIGHT, WIDTH, 1) + b"\x01\x11\x00"
    dht_dc = b"\x00" + bytes(_DC_COUNTS) + bytes(_DC_VALUES)
    dht_ac = b"\x10" + bytes(_AC_COUNTS) + bytes(_AC_VALUES)
    sos = b"\x01\x01\x00\x00\x3f\x00"
    return b"".join(
        [
            b"\xff\xd8",
            _segment(0xFFE0, jfif),
            _segment(0xFFFE, comment),
            _segment(0xFFDB, quant),
            _segment(0xFFC0, sof),
            _segment(0xFFC4, dht_dc),
            _segment(0xFFC4, dht_ac),
            _segment(0xFFDA, sos),
            _scan(),
            b"\xff\xd9",
        ]
    )
