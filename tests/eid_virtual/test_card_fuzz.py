"""Any bytes sent to the emulator get a status word back, never an exception."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eid.virtual import CardImage, VirtualCard
from eid.virtual.apdu import Command, MalformedApdu

_settings = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
SW1_VALUES = (0x90, 0x61, 0x63, 0x67, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E)
headers = st.tuples(
    st.sampled_from([0x00, 0x80, 0x10, 0xFF]),
    st.sampled_from([0xA4, 0xB0, 0xC0, 0x20, 0x24, 0x2C, 0x22, 0x2A, 0x88, 0xE4, 0xE6, 0xB2]),
    st.integers(0, 255),
    st.integers(0, 255),
)


@_settings
@given(sequence=st.lists(st.tuples(headers, st.binary(max_size=40)), max_size=12))
def test_any_command_sequence_gets_a_status_word(
    images: dict[str, CardImage], sequence: list[tuple[tuple[int, int, int, int], bytes]]
) -> None:
    for applet in ("1.7", "1.8"):
        card = VirtualCard(images[applet])
        for header, body in sequence:
            response = card.transmit(bytes(header) + body)
            assert len(response) >= 2
            assert response[-2] in (
                0x90,
                0x61,
                0x62,
                0x63,
                0x67,
                0x69,
                0x6A,
                0x6B,
                0x6C,
                0x6D,
                0x6E,
            )
        assert card.tries_left >= 0


@_settings
@given(raw=st.binary(max_size=300))
def test_parser_accepts_or_rejects_cleanly(raw: bytes) -> None:
    try:
        cmd = Command.parse(raw)
    except MalformedApdu:
        return
    assert 0 <= len(cmd.data) <= 255
    assert cmd.le is None or 1 <= cmd.le <= 256
