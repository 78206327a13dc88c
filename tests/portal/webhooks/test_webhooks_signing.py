"""Standard Webhooks signatures: the specification's example, refusals, round trips."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.webhooks.signing import (
    SignatureError,
    new_secret,
    secret_key,
    sign,
    signature_headers,
    verify,
)

# The example of the reference implementation's tests (standard-webhooks/standard-webhooks,
# libraries/python/tests/test_webhooks.py, test_sign_function).
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def spec_headers(**changes: str) -> dict[str, str]:
    headers = {
        "webhook-id": SPEC_ID,
        "webhook-timestamp": str(SPEC_TIMESTAMP),
        "webhook-signature": SPEC_SIGNATURE,
    }
    headers.update(changes)
    return headers


def test_the_specification_example() -> None:
    assert sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE
    assert sign(SPEC_SECRET.removeprefix("whsec_"), SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == (
        SPEC_SIGNATURE
    )
    assert verify(SPEC_SECRET, spec_headers(), SPEC_BODY, now=SPEC_TIMESTAMP + 10) == SPEC_ID


def test_header_names_are_case_insensitive() -> None:
    headers = {k.title(): v for k, v in spec_headers().items()}
    assert verify(SPEC_SECRET, headers, SPEC_BODY, now=SPEC_TIMESTAMP) == SPEC_ID


def test_wrong_secret_is_refused() -> None:
    with pytest.raises(SignatureError, match="no valid"):
        verify(new_secret(), spec_headers(), SPEC_BODY, now=SPEC_TIMESTAMP)


def test_tampered_body_or_id_is_refused() -> None:
    with pytest.raises(SignatureError):
        verify(SPEC_SECRET, spec_headers(), b'{"test": 2432232315}', now=SPEC_TIMESTAMP)
    with pytest.raises(SignatureError):
        verify(
            SPEC_SECRET, spec_headers(**{"webhook-id": "msg_other"}), SPEC_BODY, now=SPEC_TIMESTAMP
        )


@pytest.mark.parametrize("skew", [-301, 301, -86400])
def test_stale_or_future_timestamp_is_refused(skew: int) -> None:
    with pytest.raises(SignatureError, match="tolerance"):
        verify(SPEC_SECRET, spec_headers(), SPEC_BODY, now=SPEC_TIMESTAMP - skew)


def test_tolerance_is_a_parameter() -> None:
    now = SPEC_TIMESTAMP + 3600
    assert verify(SPEC_SECRET, spec_headers(), SPEC_BODY, tolerance=3601, now=now) == SPEC_ID
    with pytest.raises(SignatureError):
        verify(SPEC_SECRET, spec_headers(), SPEC_BODY, tolerance=60, now=now)


@pytest.mark.parametrize(
    "changes",
    [
        {"webhook-id": ""},
        {"webhook-timestamp": ""},
        {"webhook-signature": ""},
        {"webhook-timestamp": "hello"},
        {"webhook-timestamp": "-5"},
        {"webhook-signature": "v2," + SPEC_SIGNATURE[3:]},
        {"webhook-signature": "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="},
    ],
)
def test_malformed_headers_are_refused(changes: dict[str, str]) -> None:
    with pytest.raises(SignatureError):
        verify(SPEC_SECRET, spec_headers(**changes), SPEC_BODY, now=SPEC_TIMESTAMP)


def test_one_valid_signature_among_several_suffices() -> None:
    several = f"v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,xyz {SPEC_SIGNATURE}"
    headers = spec_headers(**{"webhook-signature": several})
    assert verify(SPEC_SECRET, headers, SPEC_BODY, now=SPEC_TIMESTAMP) == SPEC_ID


def test_new_secrets() -> None:
    secrets = {new_secret() for _ in range(50)}
    assert len(secrets) == 50
    for secret in secrets:
        assert secret.startswith("whsec_") and len(secret_key(secret)) == 24
    with pytest.raises(SignatureError):
        secret_key("whsec_not*base64")


@given(
    body=st.binary(max_size=2000), message=st.from_regex(r"msg_[A-Za-z0-9_-]{1,30}", fullmatch=True)
)
def test_round_trip(body: bytes, message: str) -> None:
    secret = "whsec_" + base64.b64encode(b"k" * 24).decode()
    headers = signature_headers(secret, message, body)
    assert verify(secret, headers, body) == message
    if body:
        with pytest.raises(SignatureError):
            verify(secret, headers, body[:-1])
