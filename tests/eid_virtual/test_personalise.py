"""The card image: files, TLV content, the register's signatures, the JSON bundle."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from eid.layout import AddressTag, IdentityTag, decode_tlv, der_length
from eid.pki import SandboxPKI, verify_chain
from eid.virtual import CardholderData, CardImage, build_card, sandbox_photo
from eid.virtual.personalise import ATRS


def _cert(image: CardImage, name: str) -> x509.Certificate:
    data = image.file(name)
    return x509.load_der_x509_certificate(data[: der_length(data)])


def _verify_register(image: CardImage, signature: bytes, data: bytes) -> None:
    key = _cert(image, "cert_rrn").public_key()
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    else:
        assert isinstance(key, ec.EllipticCurvePublicKey)
        key.verify(signature[: der_length(signature)], data, ec.ECDSA(hashes.SHA384()))


def test_identity_file_has_every_tag(image: CardImage, marie: CardholderData) -> None:
    fields = decode_tlv(image.file("identity"))
    assert fields[IdentityTag.NATIONAL_NUMBER] == b"85073003328"
    assert fields[IdentityTag.SURNAME] == b"Dupont"
    assert fields[IdentityTag.FIRST_NAMES] == b"Marie Louise"
    assert fields[IdentityTag.THIRD_NAME_INITIAL] == b"A"
    assert fields[IdentityTag.BIRTH_PLACE] == "Liège".encode()
    assert fields[IdentityTag.BIRTH_DATE] == b"30 JUIL 1985"
    assert fields[IdentityTag.SEX] == b"F"
    assert fields[IdentityTag.DOCUMENT_TYPE] == b"1"
    assert fields[IdentityTag.CHIP_NUMBER] == marie.chip_number
    assert fields[IdentityTag.CARD_NUMBER] == marie.card_number.encode()
    assert len(marie.card_number) == 12
    assert int(marie.card_number[:10]) % 97 == int(marie.card_number[10:]) % 97
    begin = fields[IdentityTag.VALIDITY_BEGIN].decode()
    assert dt.datetime.strptime(begin, "%d.%m.%Y").date() == marie.validity_begin
    tags = list(decode_tlv(image.file("identity")))
    assert tags == sorted(tags)  # ascending, as the applet manual requires


def test_photo_hash_algorithm_follows_the_applet(image: CardImage) -> None:
    stored = decode_tlv(image.file("identity"))[IdentityTag.PHOTO_HASH]
    photo = image.file("photo")
    if image.applet == "1.7":
        assert stored == hashlib.sha1(photo).digest()
    else:
        assert stored == hashlib.sha384(photo).digest()


def test_basic_key_hash_on_1_8(images: dict[str, CardImage]) -> None:
    fields = decode_tlv(images["1.8"].file("identity"))
    spki = images["1.8"].file("basic_public_key")
    assert fields[IdentityTag.BASIC_KEY_HASH] == hashlib.sha384(spki).digest()
    assert IdentityTag.BASIC_KEY_HASH not in decode_tlv(images["1.7"].file("identity"))


def test_address_file(image: CardImage) -> None:
    content = image.file("address")
    assert len(content) == 117 and content.endswith(b"\x00")
    fields = decode_tlv(content)
    assert fields[AddressTag.STREET_AND_NUMBER] == b"Rue de Fer 12"
    assert fields[AddressTag.ZIP_CODE] == b"5000"
    assert fields[AddressTag.MUNICIPALITY] == b"Namur"


def test_register_signatures_verify(image: CardImage) -> None:
    sgn_id = image.file("identity_signature")
    _verify_register(image, sgn_id, image.file("identity"))
    address = image.file("address").rstrip(b"\x00")
    _verify_register(image, image.file("address_signature"), address + sgn_id)
    if image.applet == "1.8":
        assert len(image.file("address_signature")) == 104


def test_tampered_identity_fails_the_signature(image: CardImage) -> None:
    tampered = image.tamper("identity")
    fields = decode_tlv(tampered.file("identity"))
    assert fields[IdentityTag.SURNAME] != b"Dupont"
    with pytest.raises(InvalidSignature):
        _verify_register(tampered, tampered.file("identity_signature"), tampered.file("identity"))
    tampered = image.tamper("address")
    data = tampered.file("address").rstrip(b"\x00") + tampered.file("identity_signature")
    with pytest.raises(InvalidSignature):
        _verify_register(tampered, tampered.file("address_signature"), data)


def test_tampered_photo_no_longer_matches_its_hash(image: CardImage) -> None:
    tampered = image.tamper("photo")
    stored = decode_tlv(tampered.file("identity"))[IdentityTag.PHOTO_HASH]
    photo = tampered.file("photo")
    assert stored not in (hashlib.sha1(photo).digest(), hashlib.sha384(photo).digest())


def test_certificates_on_the_card_chain_and_are_padded(image: CardImage, pki: SandboxPKI) -> None:
    auth = _cert(image, "cert_authentication")
    chain = verify_chain(auth, [_cert(image, "cert_ca")], [_cert(image, "cert_root")])
    assert chain[-1] == pki.root(image.applet)
    assert auth.public_key() == image.auth_key.public_key()
    assert _cert(image, "cert_signature").public_key() == image.sign_key.public_key()
    padding_len = {"1.7": 50, "1.8": 1100}[image.applet]
    raw = image.file("cert_authentication")
    assert raw[der_length(raw) :] == b"\x00" * padding_len


def test_atr_and_card_data(image: CardImage) -> None:
    assert image.atr == ATRS[image.applet]
    assert image.card_data[21] == {"1.7": 0x17, "1.8": 0x18}[image.applet]


def test_pkcs15_files_match_the_specification(image: CardImage) -> None:
    assert image.file("odf") == bytes.fromhex(
        "A00A3008040 63F00DF005035 A40A30080406 3F00DF005037 A80A30080406 3F00DF005034".replace(
            " ", ""
        )
    )
    assert image.file("aodf")[:2] == bytes.fromhex("3033")
    prkdf = image.file("prkdf")
    assert prkdf[0] == (0x30 if image.applet == "1.7" else 0xA0)
    assert bytes.fromhex("020200 82".replace(" ", "")) in prkdf
    assert image.file("3F002F00")[0] == 0x61  # EF(DIR)
    token = image.file("token_info")  # offsets of content v5.4 §5.3.1
    assert token[:7] == bytes.fromhex("30270201000410")
    assert token[7:0x17] == image.card_data[:16]  # the chip serial number
    assert token[0x17:0x1F] == b"\x80\x06BELPIC"
    assert token[0x23:0x25] == bytes.fromhex("9E04")


def test_json_round_trip(image: CardImage) -> None:
    again = CardImage.from_json(image.to_json())
    assert again.files == image.files
    assert again.atr == image.atr and again.card_data == image.card_data
    assert again.pin == image.pin and again.pin_tries_left == 3
    assert again.auth_key.public_key() == image.auth_key.public_key()
    assert again.sign_key.public_key() == image.sign_key.public_key()
    assert (again.basic_key is None) == (image.applet == "1.7")
    assert "1234" not in repr(again)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not JSON"),
        ('{"format": "other"}', "not a card image"),
        ('{"format": "monespace-card-image/v1"}', "applet"),
        ('{"format": "monespace-card-image/v1", "applet": "1.8", "pin": "12"}', "PIN"),
        ('{"format": "monespace-card-image/v1", "applet": "1.8", "pin": "1234"}', "missing"),
    ],
)
def test_bad_bundles_give_clear_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CardImage.from_json(text)


def test_bundle_with_bad_hex(images: dict[str, CardImage]) -> None:
    data = json.loads(images["1.8"].to_json())
    data["atr"] = "zz"
    with pytest.raises(ValueError, match="invalid value"):
        CardImage.from_json(json.dumps(data))


def test_sandbox_photo_is_a_baseline_jpeg_of_card_size() -> None:
    photo = sandbox_photo("85073003328")
    assert photo.startswith(b"\xff\xd8\xff\xe0") and photo.endswith(b"\xff\xd9")
    sof = photo.index(b"\xff\xc0")
    height = int.from_bytes(photo[sof + 5 : sof + 7], "big")
    width = int.from_bytes(photo[sof + 7 : sof + 9], "big")
    assert (width, height) == (140, 200)
    assert sandbox_photo("85073003328") == photo  # deterministic
    assert sandbox_photo("90010100178") != photo  # per person


def test_custom_credentials_go_on_the_card(pki: SandboxPKI, marie: CardholderData) -> None:
    expired = pki.issue_expired(marie, "1.8")
    image = build_card(marie, pki, "1.8", credentials=expired)
    assert _cert(image, "cert_authentication") == expired.auth_cert
    with pytest.raises(ValueError, match="applet"):
        build_card(marie, pki, "1.7", credentials=expired)


@pytest.mark.parametrize("pin", ["123", "1234567890123", "12a4"])
def test_build_card_refuses_bad_pins(pki: SandboxPKI, marie: CardholderData, pin: str) -> None:
    with pytest.raises(ValueError, match="PIN"):
        build_card(marie, pki, "1.8", pin=pin)


def test_cardholder_validation() -> None:
    with pytest.raises(ValueError, match="NRN"):
        CardholderData("123", "X", "Y", dt.date(2000, 1, 1), "M", "s", "1000", "Bruxelles")
    person = CardholderData(
        "85073003328", "X", "Y", dt.date(2000, 3, 9), "M", "s", "1000", "B", language="de"
    )
    from eid.virtual.personalise import birth_date_text

    assert birth_date_text(person) == "09.MÄR.2000"
