"""The BELPIC emulator, APDU by APDU, against the applet reference manuals."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

from eid.virtual import APPLET_AID, CardImage, CardRemovedError, NonEidCard, VirtualCard
from eid.virtual.apdu import pin_block
from tests.eid_virtual.helpers import mse, pso, read_file, tx, verify

IDENTITY = "DF014031"
SHA256_DIGESTINFO = bytes.fromhex("3031300d060960864801650304020105000420")


def _digest(applet: str, data: bytes = b"challenge") -> bytes:
    return hashlib.sha256(data).digest() if applet == "1.7" else hashlib.sha384(data).digest()


def _alg(applet: str) -> int:
    return 0x08 if applet == "1.7" else 0x02


def _check_signature(image: CardImage, cert_name: str, digest: bytes, sig: bytes) -> None:
    cert = x509.load_der_x509_certificate(image.file(cert_name)[: _der_len(image.file(cert_name))])
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(sig, digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
    else:
        assert isinstance(key, ec.EllipticCurvePublicKey)
        assert len(sig) == 96
        der = utils.encode_dss_signature(
            int.from_bytes(sig[:48], "big"), int.from_bytes(sig[48:], "big")
        )
        key.verify(der, digest, ec.ECDSA(utils.Prehashed(hashes.SHA384())))


def _der_len(data: bytes) -> int:
    from eid.layout import der_length

    return der_length(data)


# -- GET CARD DATA ------------------------------------------------------------


def test_get_card_data_has_the_applet_version_at_byte_21(image: CardImage) -> None:
    data, sw = tx(VirtualCard(image), "80E400001C")
    assert sw == 0x9000 and len(data) == 0x1C
    assert data[21] == {"1.7": 0x17, "1.8": 0x18}[image.applet]
    assert data[27] == 0x0F  # personalised


def test_get_card_data_wrong_le_says_the_right_one(image: CardImage) -> None:
    assert tx(VirtualCard(image), "80E4000000")[1] == 0x6C1C


def test_get_card_data_p2_01_appends_tries_left_on_1_8_only(images: dict) -> None:
    card = VirtualCard(images["1.8"])
    verify(card, "0000")
    data, sw = tx(card, "80E400011F")
    assert sw == 0x9000 and data[-3:] == bytes([2, 0xFF, 0xFF])
    assert tx(VirtualCard(images["1.7"]), "80E400011F")[1] == 0x6B00


# -- SELECT / READ BINARY ---------------------------------------------------------


def test_read_identity_by_path_in_chunks(image: CardImage) -> None:
    card = VirtualCard(image)
    assert read_file(card, IDENTITY) == image.file("identity")
    assert read_file(card, "DF005038") == image.file("cert_authentication")
    assert read_file(card, "3F00DF014035") == image.file("photo")  # leading MF tolerated


def test_select_by_fid_and_by_aid(image: CardImage) -> None:
    card = VirtualCard(image)
    assert tx(card, "00A4020C02DF01")[1] == 0x9000
    assert tx(card, "00A4020C024033")[1] == 0x9000
    data, sw = tx(card, "00B0000004")
    assert sw == 0x9000 and data == image.file("address")[:4]
    assert tx(card, "00A4040C0F" + APPLET_AID.hex())[1] == 0x9000
    assert tx(card, "00A4040C0CA000000177504B43532D3135")[1] == 0x9000  # PKCS#15 → DF00
    assert tx(card, "00A4020C025031")[1] == 0x9000
    assert tx(card, "00B0000002")[0] == image.file("odf")[:2]


def test_select_errors(image: CardImage) -> None:
    card = VirtualCard(image)
    assert tx(card, "00A4080C04DF019999")[1] == 0x6A82
    assert tx(card, "00A40800 04 DF014031".replace(" ", ""))[1] == 0x6A86
    assert tx(card, "00A4020C03DF0140")[1] == 0x6A87
    assert tx(card, "00A4040C05A000000000")[1] == 0x6A82
    assert tx(card, "00A4090C02DF01")[1] == 0x6A86


def test_read_binary_statuses(image: CardImage) -> None:
    card = VirtualCard(image)
    assert tx(card, "00B0000010")[1] == 0x6986  # no current EF
    tx(card, "00A4080C04" + IDENTITY)
    size = len(image.file("identity"))
    assert tx(card, "00B0000000")[1] == 0x6C00 | size  # Le too long: the exact length
    data, sw = tx(card, f"00B00002{size - 2:02X}")
    assert sw == 0x9000 and data == image.file("identity")[2:]
    assert tx(card, f"00B000{size:02X}01")[1] == 0x6B00  # offset at the end
    assert tx(card, "00B0100001")[1] == 0x6B00  # far beyond
    assert tx(card, "00B0800001")[1] == 0x6B00  # SFI form is not supported


# -- PIN ---------------------------------------------------------------------------


def test_pin_status_query_consumes_no_try(image: CardImage) -> None:
    card = VirtualCard(image)
    for _ in range(5):
        assert tx(card, "0020000100")[1] == 0x63C3
    assert tx(card, "00200001")[1] == 0x63C3
    assert verify(card, "1234") == 0x9000
    assert tx(card, "0020000100")[1] == 0x9000


def test_wrong_pins_count_down_then_block(image: CardImage) -> None:
    card = VirtualCard(image)
    assert [verify(card, "9999") for _ in range(3)] == [0x63C2, 0x63C1, 0x63C0]
    assert verify(card, "1234") == 0x6983
    assert tx(card, "0020000100")[1] == 0x6983
    card.reset()
    assert verify(card, "1234") == 0x6983  # the counter survives a reset
    assert tx(card, "002C0001")[1] == 0x6982  # unblocking needs the admin role


def test_right_pin_restores_the_counter(image: CardImage) -> None:
    card = VirtualCard(image)
    assert verify(card, "1111") == 0x63C2
    assert verify(card, "1234") == 0x9000
    assert tx(card, "0020000100")[1] == 0x9000
    assert verify(card, "1111") == 0x63C2  # back to 3 before this one


def test_pin_block_format() -> None:
    assert pin_block("1234") == bytes.fromhex("241234FFFFFFFFFF")
    assert pin_block("123456789012") == bytes.fromhex("2C123456789012FF")
    with pytest.raises(ValueError):
        pin_block("12a4")


def test_image_with_blocked_pin(images: dict) -> None:
    card = VirtualCard(images["1.8"].with_pin_tries(0))
    assert tx(card, "0020000100")[1] == 0x6983


def test_change_pin(image: CardImage) -> None:
    card = VirtualCard(image)
    bad_new = bytes.fromhex("2412FFFFFFFFFFFF")  # says 4 digits, has 2
    assert tx(card, "00240001 10" + pin_block("1234").hex() + bad_new.hex())[1] == 0x6A80
    assert tx(card, "0020000100")[1] == 0x63C3  # no try spent on a malformed new PIN
    wrong = tx(card, "0024000110" + pin_block("0000").hex() + pin_block("5678").hex())
    assert wrong[1] == 0x63C2
    ok = tx(card, "0024000110" + pin_block("1234").hex() + pin_block("567890").hex())
    assert ok[1] == 0x9000
    assert verify(card, "1234") == 0x63C2
    assert verify(card, "567890") == 0x9000
    assert tx(card, "002400010F" + "00" * 15)[1] == 0x6700


# -- MSE / PSO ------------------------------------------------------------------


def test_mse_set_errors(image: CardImage) -> None:
    card = VirtualCard(image)
    alg = _alg(image.applet)
    assert tx(card, f"002241B8 05 0480{alg:02X}8482".replace(" ", ""))[1] == 0x6B00
    assert tx(card, f"002241B6 05 0481{alg:02X}8482".replace(" ", ""))[1] == 0x6A80
    assert mse(card, 0x80, 0x82) == 0x6A80  # no such algorithm
    assert mse(card, alg, 0x84) == 0x6A88
    assert tx(card, f"002241B6 04 80{alg:02X}8482".replace(" ", ""))[1] == 0x6700


def test_authentication_signature_needs_the_pin_once(image: CardImage) -> None:
    card = VirtualCard(image)
    digest = _digest(image.applet)
    assert pso(card, digest)[1] == 0x6985  # no security environment
    assert mse(card, _alg(image.applet), 0x82) == 0x9000
    assert pso(card, digest)[1] == 0x6982
    assert verify(card, "1234") == 0x9000
    for _ in range(2):  # PIN once: still allowed after other commands
        tx(card, "80E400001C")
        sig, sw = pso(card, digest)
        assert sw == 0x9000
        _check_signature(image, "cert_authentication", digest, sig)
    assert pso(card, digest[:-1])[1] == 0x6700


def test_signature_is_fetched_with_get_response(image: CardImage) -> None:
    card = VirtualCard(image)
    mse(card, _alg(image.applet), 0x82)
    verify(card, "1234")
    digest = _digest(image.applet)
    _, sw = tx(card, f"002A9E9A{len(digest):02X}" + digest.hex())
    size = 256 if image.applet == "1.7" else 96
    assert sw == 0x6100 | (size & 0xFF)
    assert tx(card, "00C0000010")[1] == 0x6100 | ((size - 16) & 0xFF)
    assert tx(card, "00C00000FF")[1] == 0x6C00 | (size - 16)  # too long: the exact rest
    data, sw = tx(card, f"00C00000{size - 16:02X}")
    assert sw == 0x9000 and len(data) == size - 16
    assert tx(card, "00C0000001")[1] == 0x6985  # nothing left


def test_another_command_drops_the_pending_response(image: CardImage) -> None:
    card = VirtualCard(image)
    mse(card, _alg(image.applet), 0x82)
    verify(card, "1234")
    digest = _digest(image.applet)
    tx(card, f"002A9E9A{len(digest):02X}" + digest.hex())
    tx(card, "80E400001C")
    assert tx(card, "00C0000010")[1] == 0x6985


def test_rsa_algorithms_of_applet_1_7(images: dict) -> None:
    image = images["1.7"]
    card = VirtualCard(image)
    verify(card, "1234")
    public = _cert(image, "cert_authentication").public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    digest = hashlib.sha256(b"m").digest()
    mse(card, 0x01, 0x82)  # raw: the caller sends the DigestInfo
    sig, sw = pso(card, SHA256_DIGESTINFO + digest)
    assert sw == 0x9000
    public.verify(sig, b"m", padding.PKCS1v15(), hashes.SHA256())
    mse(card, 0x20, 0x82)  # PSS with SHA-256
    sig, sw = pso(card, digest)
    assert sw == 0x9000
    pss = padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.DIGEST_LENGTH)
    public.verify(sig, b"m", pss, hashes.SHA256())
    mse(card, 0x02, 0x82)  # SHA-1 wants 20 bytes
    assert pso(card, digest)[1] == 0x6700


def _cert(image: CardImage, name: str) -> x509.Certificate:
    data = image.file(name)
    return x509.load_der_x509_certificate(data[: _der_len(data)])


def test_non_repudiation_needs_the_pin_just_before(image: CardImage) -> None:
    card = VirtualCard(image)
    digest = _digest(image.applet)
    alg = _alg(image.applet)
    mse(card, alg, 0x83)
    assert pso(card, digest)[1] == 0x6982
    assert verify(card, "1234") == 0x9000
    sig, sw = pso(card, digest)
    assert sw == 0x9000
    _check_signature(image, "cert_signature", digest, sig)
    assert pso(card, digest)[1] == 0x6982  # each signature needs its own VERIFY
    verify(card, "1234")
    tx(card, "80E400001C")
    tx(card, "80E400001C")
    assert pso(card, digest)[1] == 0x6982  # two commands in between: too late


def test_one_command_between_verify_and_signature(images: dict) -> None:
    digest17, digest18 = _digest("1.7"), _digest("1.8")
    card = VirtualCard(images["1.8"])
    verify(card, "1234")
    mse(card, 0x02, 0x83)  # one command in between: fine on 1.8
    assert pso(card, digest18)[1] == 0x9000
    card = VirtualCard(images["1.7"])
    verify(card, "1234")
    mse(card, 0x08, 0x83)  # on 1.7 the signature must follow the VERIFY at once
    assert pso(card, digest17)[1] == 0x6982


def test_pin_mixed_mode(image: CardImage) -> None:
    """A VERIFY spent on the non-repudiation key does not unlock the authentication key."""
    digest, alg = _digest(image.applet), _alg(image.applet)
    card = VirtualCard(image)
    mse(card, alg, 0x83)
    verify(card, "1234")
    assert pso(card, digest)[1] == 0x9000
    mse(card, alg, 0x82)
    assert pso(card, digest)[1] == 0x6982
    # With an authentication VERIFY earlier in the session, both work.
    card = VirtualCard(image)
    verify(card, "1234")
    mse(card, alg, 0x83)
    verify(card, "1234")
    assert pso(card, digest)[1] == 0x9000
    mse(card, alg, 0x82)
    assert pso(card, digest)[1] == 0x9000


def test_wrong_pin_and_logoff_drop_access(image: CardImage) -> None:
    digest, alg = _digest(image.applet), _alg(image.applet)
    card = VirtualCard(image)
    mse(card, alg, 0x82)
    verify(card, "1234")
    assert verify(card, "0000") == 0x63C2
    assert pso(card, digest)[1] == 0x6982
    verify(card, "1234")
    assert tx(card, "80E60000")[1] == 0x9000
    assert pso(card, digest)[1] == 0x6982
    verify(card, "1234")
    card.reset()
    mse(card, alg, 0x82)
    assert pso(card, digest)[1] == 0x6982


def test_pso_wrong_parameters(image: CardImage) -> None:
    card = VirtualCard(image)
    assert tx(card, "002A9E9B0100")[1] == 0x6B00


# -- INTERNAL AUTHENTICATE -------------------------------------------------------


def test_internal_authenticate_with_the_basic_key(images: dict) -> None:
    image = images["1.8"]
    card = VirtualCard(image)
    challenge = hashlib.sha384(b"nonce").digest()
    _, sw = tx(card, "00880281 32 9430".replace(" ", "") + challenge.hex())
    assert sw == 0x6160
    sig, sw = tx(card, "00C0000060")
    spki = read_file(card, "DF014040")
    public = serialization.load_der_public_key(spki)
    assert isinstance(public, ec.EllipticCurvePublicKey)
    der = utils.encode_dss_signature(
        int.from_bytes(sig[:48], "big"), int.from_bytes(sig[48:], "big")
    )
    public.verify(der, challenge, ec.ECDSA(utils.Prehashed(hashes.SHA384())))
    assert tx(card, "00880282 32 9430".replace(" ", "") + challenge.hex())[1] == 0x6A88
    assert tx(card, "00880281 32 9530".replace(" ", "") + challenge.hex())[1] == 0x6A80
    assert tx(VirtualCard(images["1.7"]), "00880281029400")[1] == 0x6D00  # 1.7: no such command


# -- classes, instructions, malformed APDUs ------------------------------------------


def test_unknown_instruction_and_class(image: CardImage) -> None:
    card = VirtualCard(image)
    assert tx(card, "00FF0000")[1] == 0x6D00
    assert tx(card, "80A4080C04" + IDENTITY)[1] == 0x6E00  # SELECT is class 00
    assert tx(card, "A0A4080C04" + IDENTITY)[1] == 0x6E00
    assert tx(card, "00E400001C")[1] == 0x6E00  # GET CARD DATA is class 80
    assert tx(card, "00B0")[1] == 0x6700
    assert tx(card, "00A4080C05DF01")[1] == 0x6700  # Lc longer than the data
    assert tx(VirtualCard(image), "0088028100")[1] == (0x6D00 if image.applet == "1.7" else 0x6A80)


def test_card_manager_selected_then_applet_again(image: CardImage) -> None:
    card = VirtualCard(image)
    assert tx(card, "00A4040C00")[1] == 0x9000
    assert tx(card, "80E400001C")[1] == 0x6D00
    assert tx(card, "00A4040C0F" + APPLET_AID.hex())[1] == 0x9000
    assert tx(card, "80E400001C")[1] == 0x9000


# -- removal, connection ------------------------------------------------------------


def test_connection_behaves_like_pyscard(image: CardImage) -> None:
    from smartcard.Exceptions import CardConnectionException, NoCardException, SmartcardException

    card = VirtualCard(image)
    conn = card.connection()
    with pytest.raises(CardConnectionException):
        conn.transmit([0x80, 0xE4, 0x00, 0x00, 0x1C])  # not connected yet
    conn.connect()
    assert bytes(conn.getATR()) == image.atr
    assert "Virtual" in conn.getReader()
    assert conn.control(0x42000000 + 3400, []) == []  # no pinpad features
    with pytest.raises(SmartcardException):
        conn.control(0x42000000 + 3500, [])
    data, sw1, sw2 = conn.transmit([0x80, 0xE4, 0x00, 0x00, 0x1C])
    assert (sw1, sw2) == (0x90, 0x00) and len(data) == 0x1C
    card.remove_after(1)
    conn.transmit([0x80, 0xE4, 0x00, 0x00, 0x1C])
    with pytest.raises(CardConnectionException, match="removed"):
        conn.transmit([0x80, 0xE4, 0x00, 0x00, 0x1C])
    with pytest.raises(NoCardException):
        conn.connect()
    card.insert()
    conn.connect()
    assert conn.transmit([0x80, 0xE4, 0x00, 0x00, 0x1C])[1:] == (0x90, 0x00)


def test_disconnect_forgets_the_pin(image: CardImage) -> None:
    card = VirtualCard(image)
    conn = card.connection()
    conn.connect()
    verify(card, "1234")
    conn.disconnect()
    conn.connect()
    assert tx(card, "0020000100")[1] == 0x63C3


def test_removed_card_raises(image: CardImage) -> None:
    card = VirtualCard(image)
    card.remove()
    with pytest.raises(CardRemovedError):
        card.transmit(bytes.fromhex("80E400001C"))


def test_non_eid_card() -> None:
    card = NonEidCard()
    assert card.transmit(bytes.fromhex("00A4080C04DF014031"))[-2:] == b"\x6a\x82"
    assert card.transmit(bytes.fromhex("80E400001C"))[-2:] == b"\x6d\x00"
    assert card.transmit(bytes.fromhex("FFCA000000"))[-2:] == b"\x6e\x00"
    assert card.atr != VirtualCard.__name__.encode()
    conn = card.connection()
    conn.connect()
    assert bytes(conn.getATR()) == bytes.fromhex("3B021450")


def test_apdu_counter(image: CardImage) -> None:
    card = VirtualCard(image)
    read_file(card, IDENTITY)
    assert card.apdu_count >= 2


def test_importing_the_virtual_card_does_not_load_pyscard() -> None:
    import subprocess
    import sys

    code = "import sys, eid.virtual, eid.virtual.vpcd; print('smartcard' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert out.stdout.strip() == "False"


def test_read_record_by_tag_on_1_8(images: dict) -> None:
    card = VirtualCard(images["1.8"])
    tx(card, "00A4080C04" + IDENTITY)
    data, sw = tx(card, "80B2060700")
    assert sw == 0x9000
    assert data == bytes([0x06, 11]) + b"85073003328" + bytes([0x07, 6]) + b"Dupont"
    assert tx(card, "80B2060703")[0] == bytes([0x06, 11, 0x38])  # partial read
    assert tx(card, "80B2070600")[1] == 0x6A83  # P2 < P1
    assert tx(VirtualCard(images["1.7"]), "80B2060700")[1] == 0x6D00
