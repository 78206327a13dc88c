"""The person data printed on (and stored in) a sandbox eID card.

Field names follow the identity and address files ("ID and Address file
contents" v5.0). Only what the register must supply is required; the rest
has defaults a Belgian adult's eID would carry, and the card and chip
numbers are derived from the NRN so the same person always gets the same
card.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _default_begin() -> dt.date:
    return _today() - dt.timedelta(days=365)


def card_number_for(nrn: str) -> str:
    """A 12-digit card number: 10 digits derived from the NRN + mod-97 check."""
    base = int.from_bytes(hashlib.sha256(f"card:{nrn}".encode()).digest()[:8], "big") % 10**10
    check = base % 97 or 97
    return f"{base:010d}{check:02d}"


def chip_number_for(nrn: str) -> bytes:
    """A 16-byte chip serial number derived from the NRN (GET CARD DATA, tag 0x02)."""
    return bytes.fromhex("534C") + hashlib.sha256(f"chip:{nrn}".encode()).digest()[:14]


#: Which personal certificates a card carries (content v5.4 §4.5 and §8).
CERTIFICATE_SETS = ("both", "authentication", "none")


@dataclass(frozen=True)
class CardholderData:
    """Everything personalised on one card; see the module docstring."""

    nrn: str
    surname: str
    given_names: str  # tag 0x08: the first two given names, space-separated
    birth_date: dt.date
    sex: str  # "M" or "F"
    street_and_number: str
    zip_code: str
    municipality: str
    third_name_initial: str = ""  # tag 0x09
    nationality: str = "Belge"
    birth_place: str = "Namur"
    noble_condition: str = ""
    document_type: str = "1"  # 1 = eID (Belgian citizen)
    special_status: str = "0"
    issuing_municipality: str = "Namur"
    card_number: str = ""  # derived from the NRN when empty
    chip_number: bytes = b""  # derived from the NRN when empty
    validity_begin: dt.date = field(default_factory=_default_begin)
    validity_end: dt.date | None = None  # begin + 10 years - 1 day when None
    photo: bytes = b""  # JPEG; the sandbox photo when empty
    #: Language of the birth-date month abbreviation ("fr", "nl", "de").
    language: str = "fr"
    #: Extra identity-file fields for foreigner cards etc.: (tag, value) pairs.
    extra_fields: tuple[tuple[int, bytes], ...] = ()
    #: Personal certificates on the card: "both"; "authentication" only
    #: (people under 18, Kids-ID from 6 to 12); "none" (children under 6).
    certificates: str = "both"
    #: Birth date text as the card writes it, when the register knows only
    #: part of the date ("00 JAN 1950", "00 00 1950"); derived when empty.
    birth_date_text: str = ""

    def __post_init__(self) -> None:
        if not (len(self.nrn) == 11 and self.nrn.isdigit()):
            raise ValueError("the NRN must be 11 digits")
        if self.sex not in ("M", "F", "V", "W"):
            raise ValueError("sex must be M or F (or V/W as on Dutch/German cards)")
        if self.certificates not in CERTIFICATE_SETS:
            raise ValueError("certificates must be both, authentication or none")
        if self.language not in ("fr", "nl", "de"):
            raise ValueError("language must be fr, nl or de")
        if not self.card_number:
            object.__setattr__(self, "card_number", card_number_for(self.nrn))
        if not self.chip_number:
            object.__setattr__(self, "chip_number", chip_number_for(self.nrn))
        if len(self.chip_number) != 16:
            raise ValueError("the chip number must be 16 bytes")
        if self.validity_end is None:
            begin = self.validity_begin
            end = dt.date(begin.year + 10, begin.month, min(begin.day, 28)) - dt.timedelta(days=1)
            object.__setattr__(self, "validity_end", end)
