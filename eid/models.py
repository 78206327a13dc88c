"""What the reader library returns: plain, immutable records.

They carry no card connection, so callers can keep, compare and serialise
them; ``to_dict()`` gives the JSON shape used by ``monespace eid read
--output json`` (dates ISO 8601, binary as hex).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cryptography import x509


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


class _Record:
    """Mixin: dataclass → JSON-friendly dict."""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _jsonable(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class ReaderInfo(_Record):
    """A PC/SC reader as seen by ``list_readers``."""

    name: str
    card_present: bool
    atr: str | None  # hex, upper case, no spaces
    pinpad: bool


@dataclass(frozen=True, slots=True)
class CardData(_Record):
    """GET CARD DATA, parsed (applet manuals, GET CARD DATA)."""

    serial_number: bytes
    component_code: int
    os_number: int
    os_version: int
    softmask_number: int
    softmask_version: int
    applet_version: str  # "1.7" / "1.8"
    global_os_version: int
    applet_interface_version: int
    pkcs1_support: int
    key_exchange_version: int
    applet_life_cycle: int
    pin_tries_left: int | None = None  # only with P2=01 (applet 1.8)


@dataclass(frozen=True, slots=True)
class Identity(_Record):
    """EF(ID#RRN), every tag of "ID and Address file contents" v5.0."""

    file_version: int | None
    card_number: str
    chip_number: bytes
    validity_begin: dt.date | None
    validity_end: dt.date | None
    issuing_municipality: str
    national_number: str
    surname: str
    first_names: str
    third_name_initial: str
    nationality: str
    birth_place: str
    birth_date: dt.date | None  # None when the card says day/month unknown
    birth_date_text: str  # as written on the card ("12 JANV 1980")
    #: ISO 8601, reduced when the register knows only part of it: "1950-01", "1950".
    birth_date_known: str
    sex: str  # "M" or "F" (the card writes F, V or W for women)
    noble_condition: str
    document_type: str  # code, see eid.documents.DOCUMENT_TYPES
    special_status: str
    photo_hash: bytes
    duplicate: str
    special_organisation: str
    member_of_family: bool
    protection_date_country: str
    work_permit_mention: str
    employer_vat_1: str
    employer_vat_2: str
    regional_file_number: str
    basic_key_hash: bytes | None
    brexit_mention_1: str
    brexit_mention_2: str
    card_a_mention_1: str
    card_a_mention_2: str
    card_eu_start_date: dt.date | None
    unknown_tags: dict[int, bytes] = field(default_factory=dict)

    @property
    def given_names(self) -> str:
        """First names plus the third initial, as printed on the card."""
        return " ".join(p for p in (self.first_names, self.third_name_initial) if p)


@dataclass(frozen=True, slots=True)
class Address(_Record):
    """EF(ID#Address)."""

    file_version: int | None
    street_and_number: str
    zip_code: str
    municipality: str


@dataclass(frozen=True, slots=True)
class Certificates:
    """The five certificate files; an empty (all-zero) file gives None."""

    authentication: x509.Certificate | None
    signature: x509.Certificate | None
    ca: x509.Certificate | None
    root: x509.Certificate | None
    rrn: x509.Certificate | None

    def items(self) -> list[tuple[str, x509.Certificate | None]]:
        """(role, certificate) pairs in card order."""
        return [(f.name, getattr(self, f.name)) for f in fields(self)]

    def chain(self) -> list[x509.Certificate]:
        """Authentication certificate then its CAs, as sent at login."""
        return [c for c in (self.authentication, self.ca, self.root) if c is not None]


@dataclass(frozen=True, slots=True)
class IntegrityReport(_Record):
    """Whether the card's National Register data verifies.

    ``ok`` is True only when every check passed; ``problems`` says, in
    words, what did not.
    """

    identity_signature_valid: bool
    address_signature_valid: bool
    photo_hash_valid: bool
    basic_key_hash_valid: bool | None  # None: not applicable (1.7 / no key file)
    rrn_certificate_present: bool
    photo_hash_algorithm: str
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return (
            self.identity_signature_valid
            and self.address_signature_valid
            and self.photo_hash_valid
            and self.basic_key_hash_valid is not False
        )

    def to_dict(self) -> dict[str, Any]:
        data = _Record.to_dict(self)
        data["ok"] = self.ok
        return data
