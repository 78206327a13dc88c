"""TLV encoding of the BELPIC data files (content v5.4 §6.1) and file paths."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eid.layout import (
    PATHS,
    Fid,
    TlvError,
    decode_tlv,
    der_length,
    encode_length,
    encode_tlv,
    iter_tlv,
)


def test_paths_are_absolute_without_the_mf() -> None:
    # SELECT FILE P1=08: "absolute path without the identifier of the MF".
    assert PATHS["identity"] == bytes.fromhex("DF014031")
    assert PATHS["cert_rrn"] == bytes.fromhex("DF00503C")
    assert PATHS["basic_public_key"] == bytes.fromhex("DF014040")
    assert all(not path.startswith(b"\x3f\x00") for path in PATHS.values())
    assert Fid.SGN_ADDRESS == 0x4034


@pytest.mark.parametrize(
    ("length", "encoded"),
    [
        (0, "00"),
        (1, "01"),
        (127, "7f"),
        (128, "80"),
        (254, "fe"),
        (255, "ff00"),
        (300, "ff2d"),
        (510, "ffff00"),
        (766, "ffffff01"),
    ],
)
def test_length_encoding_follows_the_spec(length: int, encoded: str) -> None:
    assert encode_length(length).hex() == encoded


def test_decode_known_file_with_zero_padding() -> None:
    data = bytes.fromhex("0002 0001 0103 616263 0200".replace(" ", "")) + b"\x00" * 20
    assert decode_tlv(data) == {0: b"\x00\x01", 1: b"abc", 2: b""}


def test_truncated_value_is_an_error() -> None:
    with pytest.raises(TlvError, match="claims 5 bytes"):
        iter_tlv(bytes.fromhex("010561"))


def test_truncated_length_is_an_error() -> None:
    with pytest.raises(TlvError, match="length runs past"):
        iter_tlv(bytes.fromhex("01ffff"))


def test_repeated_tag_keeps_first_value() -> None:
    assert decode_tlv(encode_tlv([(1, b"a"), (1, b"b")])) == {1: b"a"}


def test_der_length() -> None:
    assert der_length(bytes.fromhex("3003020101") + b"\x00" * 10) == 5
    assert der_length(bytes.fromhex("308201000000")) == 4 + 256
    assert der_length(b"\x00" * 10) == 0
    with pytest.raises(TlvError):
        der_length(bytes.fromhex("3085"))


#: Real files: tag 0 (file version) first, then ascending tags (applet 1.8
#: manual, READ RECORD: "The TLV tags are always in ascending order").
file_strategy = st.builds(
    lambda version, rest: [(0, version), *sorted(rest.items())],
    st.binary(max_size=4),
    st.dictionaries(st.integers(1, 255), st.binary(max_size=600), max_size=12),
)


@given(file_strategy)
def test_round_trip(fields: list[tuple[int, bytes]]) -> None:
    assert [(f.tag, f.value) for f in iter_tlv(encode_tlv(fields))] == fields


@given(st.lists(st.tuples(st.integers(0, 255), st.binary(max_size=300)), max_size=8))
def test_encoder_output_always_decodes(fields: list[tuple[int, bytes]]) -> None:
    # Any order of tags: never an error, and a prefix of the fields comes back
    # (a trailing empty tag 0 is indistinguishable from zero padding).
    decoded = [(f.tag, f.value) for f in iter_tlv(encode_tlv(fields))]
    assert decoded == fields[: len(decoded)]


@settings(max_examples=400)
@given(st.binary(max_size=2048))
def test_any_bytes_decode_or_raise_tlv_error(data: bytes) -> None:
    try:
        fields = iter_tlv(data)
    except TlvError:
        return
    assert sum(len(f.value) for f in fields) <= len(data)
