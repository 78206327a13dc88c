"""A Belgian eID card in a reader: read, verify, PIN, sign.

``EidCard`` wraps any pyscard-compatible connection (a real reader through
pcscd, or the in-process virtual card) and speaks the BELPIC applet 1.7 (RSA)
and 1.8 (EC) commands of the reference manuals. Files are cached for the
life of the object, since a card's files do not change while it is inserted.
"""

from __future__ import annotations

import hashlib
from types import TracebackType
from typing import Any, Literal

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from eid import layout
from eid.apdu import SW_OK, SW_PIN_BLOCKED, CardChannel, Connection, status_error
from eid.errors import (
    N_,
    CardCommunicationError,
    CardDataInvalid,
    EidError,
    LastTryRefused,
    NotAnEid,
    PinBlocked,
    PinpadCancelled,
    PinpadUnavailable,
    UnsupportedApplet,
    WrongPin,
)
from eid.integrity import check_integrity
from eid.login import ES384, RS256
from eid.models import Address, CardData, Certificates, Identity, IntegrityReport
from eid.pcsc import release_quietly
from eid.pin import check_pin_format, pin_blocks
from eid.pinpad import (
    FEATURE_MODIFY_PIN_DIRECT,
    FEATURE_VERIFY_PIN_DIRECT,
    SW_PINPAD_CANCELLED,
    SW_PINPAD_MISMATCH,
    SW_PINPAD_TIMEOUT,
    pinpad_modify_command,
    pinpad_verify_command,
    reader_features,
)
from eid.records import parse_address, parse_card_data, parse_identity

KeyName = Literal["authentication", "signature"]
HashName = Literal["sha256", "sha384"]

_KEYS = {
    "authentication": layout.KEY_REFERENCE_AUTHENTICATION,
    "signature": layout.KEY_REFERENCE_SIGNATURE,
}
_DIGEST_SIZES = {"sha256": 32, "sha384": 48}
#: DER DigestInfo prefixes (RFC 8017 §9.2 note 1) for RSA "no predefined hash".
_DIGEST_INFO = {
    "sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
    "sha384": bytes.fromhex("3041300d060960864801650304020205000430"),
}
_EC_ALGORITHMS = {"sha256": layout.ALG_ECDSA_SHA256, "sha384": layout.ALG_ECDSA_SHA384}
_CERT_FILES = {
    "authentication": "cert_authentication",
    "signature": "cert_signature",
    "ca": "cert_ca",
    "root": "cert_root",
    "rrn": "cert_rrn",
}


class EidCard:
    """An open session with one eID card (use as a context manager)."""

    def __init__(self, connection: Connection, *, reader_name: str | None = None) -> None:
        self.channel = CardChannel(connection)
        self.reader_name = reader_name or _reader_name(connection)
        self._files: dict[str, bytes] = {}
        self._card_data: CardData | None = None

    # -- session -----------------------------------------------------------

    def __enter__(self) -> EidCard:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Disconnect and release; errors on an already-gone card are ignored."""
        release_quietly(self.channel.connection)

    def __repr__(self) -> str:
        return f"EidCard(reader={self.reader_name!r})"

    @property
    def apdu_count(self) -> int:
        """APDUs exchanged so far (for benchmarks)."""
        return self.channel.apdu_count

    @property
    def atr_bytes(self) -> bytes:
        return bytes(self.channel.connection.getATR())

    @property
    def atr(self) -> str:
        """The answer-to-reset, upper-case hex."""
        return self.atr_bytes.hex().upper()

    def check_is_eid(self) -> None:
        """Raise NotAnEid / UnsupportedApplet unless this is a BELPIC 1.7/1.8 card."""
        try:
            self.card_data()
        except (CardCommunicationError, CardDataInvalid) as exc:
            raise NotAnEid(
                N_("The card in the reader is not a Belgian eID (ATR {atr})."),
                params={"atr": self.atr},
            ) from exc

    # -- card data -----------------------------------------------------------

    def card_data(self) -> CardData:
        """GET CARD DATA, parsed (cached)."""
        if self._card_data is None:
            raw = self.channel.command(
                bytes([0x80, 0xE4, 0x00, 0x00, layout.CARD_DATA_LENGTH]), N_("give its card data")
            )
            self._card_data = parse_card_data(raw)
        return self._card_data

    @property
    def applet_version(self) -> str:
        """ "1.7" or "1.8"."""
        return self.card_data().applet_version

    # -- files ---------------------------------------------------------------

    def read_file(self, name: str) -> bytes:
        """A whole file by its name in ``eid.layout.PATHS`` (cached).

        Certificate files are read up to the end of their DER object only:
        cards pad them with 50 to 2500 zero bytes (content v4.01 / v5.4 §8).
        """
        if name not in self._files:
            hint = _der_size_hint if name.startswith("cert_") else None
            self._files[name] = self.channel.read_file(layout.PATHS[name], size_hint=hint)
        return self._files[name]

    def read_identity(self) -> Identity:
        return parse_identity(self.read_file("identity"))

    def read_address(self) -> Address:
        return parse_address(self.read_file("address"))

    def read_photo(self) -> bytes:
        """The JPEG photo."""
        return self.read_file("photo")

    def read_certificate(self, role: str) -> x509.Certificate | None:
        """One certificate (authentication, signature, ca, root, rrn); None if empty."""
        raw = self.read_file(_CERT_FILES[role])
        length = layout.der_length(raw) if raw else 0
        if length == 0:
            return None
        try:
            return x509.load_der_x509_certificate(raw[:length])
        except ValueError as exc:
            raise CardDataInvalid(
                N_("The {role} certificate on the card is malformed."), params={"role": role}
            ) from exc

    def read_certificates(self) -> Certificates:
        return Certificates(**{role: self.read_certificate(role) for role in _CERT_FILES})

    def _basic_public_key(self) -> bytes | None:
        if self.applet_version != "1.8":
            return None
        try:
            return self.read_file("basic_public_key")
        except CardCommunicationError:
            return None

    def verify_integrity(self) -> IntegrityReport:
        """Check identity/address signatures and photo/basic-key hashes."""
        return check_integrity(
            identity=self.read_file("identity"),
            identity_signature=self.read_file("identity_signature"),
            address=self.read_file("address"),
            address_signature=self.read_file("address_signature"),
            photo=self.read_photo(),
            rrn_certificate=self.read_certificate("rrn"),
            basic_public_key=self._basic_public_key(),
        )

    # -- PIN -----------------------------------------------------------------

    def pin_tries_left(self) -> int | None:
        """Tries left without consuming one; None when the card cannot tell.

        Applet 1.8: GET CARD DATA P2=01 appends the counter. Both 1.7 and 1.8
        answer an empty VERIFY (Lc absent) with 63Cx, 9000 (already verified,
        counter full) or 6983 (blocked) without decrementing.
        """
        if self.applet_version == "1.8":
            data, sw = self.channel.transmit(
                bytes([0x80, 0xE4, 0x00, 0x01, layout.CARD_DATA_LENGTH_WITH_PIN])
            )
            if sw == SW_OK:
                tries = parse_card_data(data).pin_tries_left
                if tries is not None:
                    return tries
        _, sw = self.channel.transmit(bytes([0x00, 0x20, 0x00, layout.PIN_REFERENCE]))
        if sw >> 4 == 0x63C:
            return sw & 0x0F
        if sw == SW_PIN_BLOCKED:
            return 0
        if sw == SW_OK:
            return layout.PIN_MAX_TRIES
        return None

    def _guard_last_try(self, force_last_try: bool) -> None:
        tries = self.pin_tries_left()
        if tries == 0:
            raise PinBlocked()
        if tries == 1 and not force_last_try:
            raise LastTryRefused()

    def verify_pin(self, pin: str, *, force_last_try: bool = False) -> None:
        """VERIFY the cardholder PIN; WrongPin(tries_left) / PinBlocked on failure."""
        check_pin_format(pin)
        self._guard_last_try(force_last_try)
        with pin_blocks(pin) as block:
            apdu = bytearray([0x00, 0x20, 0x00, layout.PIN_REFERENCE, len(block)]) + block
            try:
                _, sw = self.channel.transmit(apdu)
            finally:
                apdu[:] = bytes(len(apdu))
        _raise_for_pin_status(sw, N_("verify the PIN"))

    def verify_pin_pinpad(self, *, timeout: int = 30, force_last_try: bool = False) -> None:
        """Let the cardholder type the PIN on the reader (FEATURE_VERIFY_PIN_DIRECT)."""
        self._pinpad(FEATURE_VERIFY_PIN_DIRECT, pinpad_verify_command(timeout), force_last_try)

    def change_pin_pinpad(self, *, timeout: int = 30, force_last_try: bool = False) -> None:
        """Change the PIN with both PINs typed on the reader (FEATURE_MODIFY_PIN_DIRECT)."""
        self._pinpad(FEATURE_MODIFY_PIN_DIRECT, pinpad_modify_command(timeout), force_last_try)

    def has_pinpad(self, *, modify: bool = False) -> bool:
        """Whether the reader can verify (or, with ``modify``, change) the PIN itself."""
        feature = FEATURE_MODIFY_PIN_DIRECT if modify else FEATURE_VERIFY_PIN_DIRECT
        return feature in reader_features(self.channel.connection)

    def _pinpad(self, feature: int, command: bytes, force_last_try: bool) -> None:
        ioctl = reader_features(self.channel.connection).get(feature)
        if ioctl is None:
            if feature == FEATURE_MODIFY_PIN_DIRECT:
                raise PinpadUnavailable(N_("This reader cannot change the PIN on its keypad."))
            raise PinpadUnavailable(N_("This reader has no PIN pad."))
        self._guard_last_try(force_last_try)
        try:
            answer = bytes(self.channel.connection.control(ioctl, list(command)))
        except Exception as exc:  # noqa: BLE001 - pyscard raises untyped errors here
            raise CardCommunicationError(
                N_("The PIN pad reader failed: {detail}"), params={"detail": str(exc)}
            ) from None
        if len(answer) < 2:
            raise CardCommunicationError(N_("The PIN pad reader gave no status."))
        sw = int.from_bytes(answer[-2:], "big")
        if sw == SW_PINPAD_MISMATCH:
            raise PinpadCancelled(
                N_("The two new PINs typed on the reader differ; nothing was changed.")
            )
        if sw in (SW_PINPAD_TIMEOUT, SW_PINPAD_CANCELLED):
            raise PinpadCancelled(N_("PIN entry on the reader was cancelled or timed out."))
        what = (
            N_("change the PIN") if feature == FEATURE_MODIFY_PIN_DIRECT else N_("verify the PIN")
        )
        _raise_for_pin_status(sw, what)

    def change_pin(self, old: str, new: str, *, force_last_try: bool = False) -> None:
        """CHANGE REFERENCE DATA: replace ``old`` by ``new``."""
        check_pin_format(old)
        check_pin_format(new)
        self._guard_last_try(force_last_try)
        with pin_blocks(old, new) as blocks:
            apdu = bytearray([0x00, 0x24, 0x00, layout.PIN_REFERENCE, len(blocks)]) + blocks
            try:
                _, sw = self.channel.transmit(apdu)
            finally:
                apdu[:] = bytes(len(apdu))
        _raise_for_pin_status(sw, N_("change the PIN"))

    # -- signatures ----------------------------------------------------------

    def sign_digest(
        self,
        digest: bytes,
        *,
        key: KeyName = "authentication",
        hash_alg: HashName = "sha256",
        pin: str | None = None,
    ) -> bytes:
        """Sign a precomputed digest with a card key (MSE SET + PSO: CDS).

        RSA PKCS#1 v1.5 on applet 1.7; ECDSA on 1.8, returned DER-encoded.
        The authentication key needs the PIN verified once in the session;
        the signature key needs it just before: pass ``pin`` to have it
        verified between MSE SET and PSO, as the manuals require.
        """
        if key not in _KEYS:
            raise ValueError(f"unknown key {key!r}")
        if _DIGEST_SIZES.get(hash_alg) != len(digest):
            raise ValueError(f"a {hash_alg} digest is {_DIGEST_SIZES.get(hash_alg)} bytes")
        algorithm, payload = self._signature_input(digest, hash_alg)
        self.channel.command(
            bytes([0x00, 0x22, 0x41, 0xB6, 0x05, 0x04, 0x80, algorithm, 0x84, _KEYS[key]]),
            N_("set the signature key"),
        )
        if pin is not None:
            self.verify_pin(pin)
        data, sw = self.channel.transmit(
            bytes([0x00, 0x2A, 0x9E, 0x9A, len(payload)]) + payload + b"\x00"
        )
        if sw != SW_OK:
            raise status_error(sw, N_("sign"))
        return self._encode_signature(data)

    def _signature_input(self, digest: bytes, hash_alg: str) -> tuple[int, bytes]:
        version = self.applet_version
        if version == "1.8":
            return _EC_ALGORITHMS[hash_alg], digest
        if version == "1.7":
            if hash_alg == "sha256":
                return layout.ALG_RSA_PKCS1_SHA256, digest
            return layout.ALG_RSA_PKCS1, _DIGEST_INFO[hash_alg] + digest
        raise UnsupportedApplet(
            N_("Signing is not supported on applet {version}."), params={"version": version}
        )

    def _encode_signature(self, raw: bytes) -> bytes:
        if self.applet_version != "1.8" or raw[:1] == b"\x30":
            return raw
        if len(raw) % 2 or not raw:
            raise CardCommunicationError(N_("The card returned a malformed EC signature."))
        half = len(raw) // 2
        r, s = int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big")
        return encode_dss_signature(r, s)

    def login_signature(self, message: bytes) -> tuple[str, bytes]:
        """Sign a login message (eid.login) with the authentication key.

        Returns ("RS256", PKCS#1 v1.5 signature) on applet 1.7 or ("ES384",
        DER ECDSA signature) on 1.8. The PIN must have been verified.
        """
        if self.applet_version == "1.8":
            digest = hashlib.sha384(message).digest()
            return ES384, self.sign_digest(digest, key="authentication", hash_alg="sha384")
        digest = hashlib.sha256(message).digest()
        return RS256, self.sign_digest(digest, key="authentication", hash_alg="sha256")


def _der_size_hint(first_chunk: bytes) -> int:
    """Length of the DER object a file starts with; 0 (read nothing more) if none."""
    try:
        return layout.der_length(first_chunk)
    except layout.TlvError:
        return layout.MAX_FILE_SIZE


def _raise_for_pin_status(sw: int, what: str) -> None:
    if sw == SW_OK:
        return
    if sw >> 4 == 0x63C:
        tries = sw & 0x0F
        if tries == 0:
            raise PinBlocked()
        raise WrongPin(tries)
    if sw == SW_PIN_BLOCKED:
        raise PinBlocked()
    raise status_error(sw, what)


def _reader_name(connection: Any) -> str:
    try:
        return str(connection.getReader())
    except Exception:  # noqa: BLE001 - a name is only informative
        return "unknown reader"


def is_eid_atr(atr: bytes) -> bool:
    """True for the published BELPIC ATRs or their historical-byte signatures."""
    if atr.hex().upper() in layout.KNOWN_ATRS:
        return True
    return any(signature in atr for signature in layout.ATR_SIGNATURES)


__all__ = ["EidCard", "EidError", "is_eid_atr"]
