"""EidCard on the in-process virtual card, applets 1.7 (RSA) and 1.8 (EC)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

import eid
from eid.errors import (
    CardRemoved,
    InvalidPinFormat,
    LastTryRefused,
    NoCard,
    NotAnEid,
    PinBlocked,
    SecurityStatusNotSatisfied,
    WrongPin,
)
from eid.login import ES384, RS256, login_message

PIN = "1234"


def verify_with_cert(cert: Any, signature: bytes, message: bytes, hash_alg: Any) -> None:
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(signature, message, padding.PKCS1v15(), hash_alg)
    else:
        assert isinstance(key, ec.EllipticCurvePublicKey)
        key.verify(signature, message, ec.ECDSA(hash_alg))


def test_reads_every_file(virtual_card: Any, open_virtual: Any, applet: str) -> None:
    with open_virtual(virtual_card) as card:
        assert card.applet_version == applet
        assert card.card_data().serial_number == card.read_identity().chip_number
        identity = card.read_identity()
        assert identity.national_number == "85073003328"
        assert (identity.surname, identity.first_names) == ("Dupont", "Marie Hélène")
        assert identity.third_name_initial == "J"
        assert identity.birth_date == dt.date(1985, 7, 30)
        assert identity.sex == "F"
        assert identity.validity_end is not None and identity.validity_end > dt.date.today()
        address = card.read_address()
        assert (address.street_and_number, address.zip_code, address.municipality) == (
            "Rue de l'Étuve 12",
            "4000",
            "Liège",
        )
        photo = card.read_photo()
        assert photo.startswith(b"\xff\xd8") and photo.rstrip(b"\x00").endswith(b"\xff\xd9")
        certs = card.read_certificates()
        assert all(cert is not None for _, cert in certs.items())
        assert certs.authentication is not None
        serial = certs.authentication.subject.get_attributes_for_oid(
            __import__("cryptography.x509.oid", fromlist=["NameOID"]).NameOID.SERIAL_NUMBER
        )
        assert serial[0].value == identity.national_number
        report = card.verify_integrity()
        assert report.ok, report.problems
        assert report.photo_hash_algorithm == ("sha1" if applet == "1.7" else "sha384")
        assert report.basic_key_hash_valid is (True if applet == "1.8" else None)


def test_files_are_cached(virtual_card: Any, open_virtual: Any) -> None:
    with open_virtual(virtual_card) as card:
        card.read_photo()
        count = card.apdu_count
        card.read_photo()
        assert card.apdu_count == count


def tampered_image(image: Any, name: str) -> Any:
    """A copy with one byte of a signed file changed after signing."""
    from eid.layout import AddressTag, IdentityTag, decode_tlv, encode_tlv

    content = image.file(name)
    if name == "photo":
        changed = content[:-3] + bytes([content[-3] ^ 0x01]) + content[-2:]
    else:
        tag = IdentityTag.SURNAME if name == "identity" else AddressTag.STREET_AND_NUMBER
        fields = decode_tlv(content)
        fields[tag] = fields[tag].replace(b"u", b"o", 1).replace(b"E", b"F", 1)
        changed = encode_tlv(sorted(fields.items()))
        changed += bytes(max(len(content) - len(changed), 0))
    assert changed != content
    return image.with_file(name, changed)


@pytest.mark.parametrize("name", ["identity", "address", "photo"])
def test_tampered_file_is_reported(images: dict[str, Any], applet: str, name: str) -> None:
    from eid.virtual import VirtualCard

    tampered = VirtualCard(tampered_image(images[applet], name))
    with eid.open_card(connection=tampered.connection()) as card:
        report = card.verify_integrity()
    assert not report.ok
    assert report.problems
    if name == "identity":
        assert not report.identity_signature_valid
    elif name == "address":
        assert not report.address_signature_valid and report.identity_signature_valid
    else:
        assert not report.photo_hash_valid and report.identity_signature_valid


def test_photo_swapped_for_another_fails(images: dict[str, Any], applet: str) -> None:
    from eid.virtual import VirtualCard

    other = images[applet].with_file("photo", images[applet].file("photo") + b"\x00extra")
    with eid.open_card(connection=VirtualCard(other).connection()) as card:
        assert not card.verify_integrity().photo_hash_valid


def test_pin_tries_left_does_not_consume(virtual_card: Any, open_virtual: Any) -> None:
    with open_virtual(virtual_card) as card:
        assert card.pin_tries_left() == 3
        assert card.pin_tries_left() == 3


def test_wrong_pin_down_to_blocked(virtual_card: Any, open_virtual: Any) -> None:
    with open_virtual(virtual_card) as card:
        with pytest.raises(WrongPin) as first:
            card.verify_pin("9999")
        assert first.value.tries_left == 2
        with pytest.raises(WrongPin) as second:
            card.verify_pin("9999")
        assert second.value.tries_left == 1
        before = card.apdu_count
        with pytest.raises(LastTryRefused):
            card.verify_pin("9999")
        assert card.pin_tries_left() == 1, "the refused try must not reach the card"
        assert card.apdu_count - before <= 3  # only tries-left queries were sent
        with pytest.raises(PinBlocked):
            card.verify_pin("9999", force_last_try=True)
        assert card.pin_tries_left() == 0
        with pytest.raises(PinBlocked):
            card.verify_pin(PIN, force_last_try=True)


def test_forced_last_try_with_right_pin_resets(virtual_card: Any, open_virtual: Any) -> None:
    with open_virtual(virtual_card) as card:
        for _ in range(2):
            with pytest.raises(WrongPin):
                card.verify_pin("0000")
        card.verify_pin(PIN, force_last_try=True)
        assert card.pin_tries_left() == 3


def test_blocked_card_from_image(images: dict[str, Any], applet: str) -> None:
    from eid.virtual import VirtualCard

    with eid.open_card(connection=VirtualCard(images[applet].with_pin_tries(0)).connection()) as c:
        assert c.pin_tries_left() == 0
        with pytest.raises(PinBlocked) as info:
            c.verify_pin(PIN)
        assert info.value.fix


@pytest.mark.parametrize("bad", ["", "123", "12a4", "1234567890123", "１２３４", " 1234"])
def test_invalid_pin_format_never_reaches_the_card(
    virtual_card: Any, open_virtual: Any, bad: str
) -> None:
    with open_virtual(virtual_card) as card:
        before = card.apdu_count
        with pytest.raises(InvalidPinFormat):
            card.verify_pin(bad)
        with pytest.raises(InvalidPinFormat):
            card.change_pin(PIN, bad)
        assert card.apdu_count == before
        assert card.pin_tries_left() == 3


def test_pin_never_in_messages(virtual_card: Any, open_virtual: Any) -> None:
    secret = "987654"
    with open_virtual(virtual_card) as card:
        with pytest.raises(WrongPin) as info:
            card.verify_pin(secret)
        for text in (str(info.value), repr(info.value), info.value.message, repr(card)):
            assert secret not in text
        with pytest.raises(InvalidPinFormat) as bad:
            card.verify_pin(secret + "x")
        assert secret not in str(bad.value) and secret not in repr(bad.value)


def test_change_pin(virtual_card: Any, open_virtual: Any) -> None:
    with open_virtual(virtual_card) as card:
        card.change_pin(PIN, "567890")
        card.verify_pin("567890")
        with pytest.raises(WrongPin):
            card.verify_pin(PIN)
        with pytest.raises(WrongPin):
            card.change_pin(PIN, "1111")


def test_sign_needs_pin(virtual_card: Any, open_virtual: Any) -> None:
    with open_virtual(virtual_card) as card:
        with pytest.raises(SecurityStatusNotSatisfied):
            card.sign_digest(hashlib.sha256(b"x").digest())


@pytest.mark.parametrize("hash_name", ["sha256", "sha384"])
def test_sign_digest_authentication(virtual_card: Any, open_virtual: Any, hash_name: str) -> None:
    message = b"sign me"
    algorithm = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384()}[hash_name]
    with open_virtual(virtual_card) as card:
        card.verify_pin(PIN)
        digest = hashlib.new(hash_name, message).digest()
        signature = card.sign_digest(digest, key="authentication", hash_alg=hash_name)  # type: ignore[arg-type]
        verify_with_cert(card.read_certificate("authentication"), signature, message, algorithm)


def test_sign_with_signature_key(virtual_card: Any, open_virtual: Any) -> None:
    message = b"contract"
    with open_virtual(virtual_card) as card:
        digest = hashlib.sha256(message).digest()
        signature = card.sign_digest(digest, key="signature", hash_alg="sha256", pin=PIN)
        verify_with_cert(card.read_certificate("signature"), signature, message, hashes.SHA256())


def test_sign_rejects_wrong_digest_length(virtual_card: Any, open_virtual: Any) -> None:
    with open_virtual(virtual_card) as card, pytest.raises(ValueError):
        card.sign_digest(b"short", hash_alg="sha256")


def test_login_signature(virtual_card: Any, open_virtual: Any, applet: str) -> None:
    message = login_message("http://127.0.0.1:8470", "ch_1", "bm9uY2U")
    with open_virtual(virtual_card) as card:
        card.verify_pin(PIN)
        algorithm, signature = card.login_signature(message)
        cert = card.read_certificates().authentication
    assert algorithm == (RS256 if applet == "1.7" else ES384)
    hash_alg = hashes.SHA256() if applet == "1.7" else hashes.SHA384()
    verify_with_cert(cert, signature, message, hash_alg)
    if applet == "1.8":
        assert signature[0] == 0x30  # DER, not raw r||s


def test_card_removed_mid_read(virtual_card: Any, open_virtual: Any) -> None:
    with open_virtual(virtual_card) as card:
        virtual_card.remove_after(3)
        with pytest.raises(CardRemoved) as info:
            card.read_photo()
    assert "removed" in str(info.value).lower()


def test_card_removed_mid_sign_then_reinserted(virtual_card: Any, open_virtual: Any) -> None:
    """Pulled out between the PIN and the signature: a clean error, nothing stuck.

    The signature needs MSE SET then PSO/INTERNAL AUTHENTICATE: the card goes
    after the first. Re-inserted, the card is reset (PIN state cleared, as a
    real card after power-off) and a new session signs normally.
    """
    message = b"monespace-eid-login/v1\nhttps://portal\nch_1\nnonce"
    with open_virtual(virtual_card) as card:
        card.verify_pin("1234")
        virtual_card.remove_after(1)
        with pytest.raises(CardRemoved):
            card.login_signature(message)
    virtual_card.insert()
    with open_virtual(virtual_card) as card:
        card.verify_pin("1234")
        algorithm, signature = card.login_signature(message)
    assert algorithm in (RS256, ES384) and signature


def test_no_card_in_reader(virtual_card: Any) -> None:
    virtual_card.remove()
    with pytest.raises(NoCard):
        eid.open_card(connection=virtual_card.connection())


def test_non_eid_card() -> None:
    from eid.virtual import NonEidCard

    with pytest.raises(NotAnEid) as info:
        eid.open_card(connection=NonEidCard().connection())
    assert info.value.fix


def test_importing_eid_loads_no_pyscard() -> None:
    import subprocess
    import sys

    code = (
        "import sys, eid, eid.layout, eid.errors, eid.records;"
        "bad=[m for m in sys.modules if m.startswith(('smartcard','cryptography'))];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
