"""What kind of card this is, and what that means for its holder.

The codes of the identity file ("ID and Address file contents" v5.0 tags
0x0F, 0x10, 0x13, 0x16, 0x1B-0x1E; beidsdk_card_data "Document_Type"),
each with an English label marked for translation, and the plain-words
reasons a card carries fewer certificates than an adult's eID: the card
content specification (v5.4 §4.5, §8; v4.01 §6.5) allows a card with only
the authentication certificate (minors, Kids-ID) or with none (young
children). One place, so ``eid read``, ``eid certs``, ``eid doctor``, the
login and the TUI say the same thing.
"""

from __future__ import annotations

import datetime as dt
import re

from eid.errors import N_
from eid.models import Certificates, Identity

#: Document type (tag 0x0F).
DOCUMENT_TYPES: dict[str, str] = {
    "1": N_("Belgian eID card"),
    "6": N_("Kids-ID (child under 12)"),
    "7": N_("Bootstrap card"),
    "8": N_("Habilitation card"),
    "11": N_("Foreigner card A (limited stay)"),
    "12": N_("Foreigner card B (unlimited stay)"),
    "13": N_("Foreigner card C (establishment)"),
    "14": N_("Foreigner card D (EU long-term resident)"),
    "15": N_("Foreigner card E (EU citizen registration)"),
    "16": N_("Foreigner card E+ (EU citizen permanent stay)"),
    "17": N_("Foreigner card F (family member of an EU citizen)"),
    "18": N_("Foreigner card F+ (family member, permanent stay)"),
    "19": N_("Foreigner card H (EU Blue Card)"),
    "20": N_("Foreigner card I (intra-corporate transfer)"),
    "21": N_("Foreigner card J (long-term mobility ICT)"),
    "22": N_("Foreigner card M (Brexit: withdrawal agreement beneficiary)"),
    "23": N_("Foreigner card N (Brexit: local border traffic)"),
    "27": N_("Foreigner card K (long-term resident, EU format)"),
    "28": N_("Foreigner card L (long-term resident status, EU format)"),
    "31": N_("EU citizen card"),
    "32": N_("EU+ citizen card (permanent stay)"),
    "33": N_("Foreigner card A (EU format)"),
    "34": N_("Foreigner card B (EU format)"),
    "35": N_("Foreigner card F (EU format)"),
    "36": N_("Foreigner card F+ (EU format)"),
    "61": N_("Kids foreigner card EU"),
    "62": N_("Kids foreigner card EU+"),
    "63": N_("Kids foreigner card A"),
    "64": N_("Kids foreigner card B"),
    "65": N_("Kids foreigner card K"),
    "66": N_("Kids foreigner card L"),
    "67": N_("Kids foreigner card F"),
    "68": N_("Kids foreigner card F+"),
    "69": N_("Kids foreigner card M"),
}
#: Kids cards: Kids-ID and the foreigner kids cards (61-69).
KIDS_DOCUMENT_TYPES = frozenset({"6", *(str(code) for code in range(61, 70))})

#: Special status (tag 0x10); 1-5 still appear on cards in circulation.
SPECIAL_STATUSES: dict[str, str] = {
    "0": N_("no special status"),
    "1": N_("white cane (blind person)"),
    "2": N_("extended minority"),
    "3": N_("white cane and extended minority"),
    "4": N_("yellow cane (partially sighted person)"),
    "5": N_("yellow cane and extended minority"),
}

#: Special organisation (tag 0x13).
SPECIAL_ORGANISATIONS: dict[str, str] = {
    "1": N_("SHAPE"),
    "2": N_("NATO"),
    "4": N_("former European blue card"),
    "5": N_("researcher"),
}

#: Mentions (tags 0x16, 0x1B, 0x1C, 0x1D, 0x1E share one code space).
MENTIONS: dict[str, str] = {
    "7": N_("labour market: unlimited"),
    "8": N_("labour market: limited"),
    "9": N_("labour market: no access"),
    "A": N_("seasonal worker"),
    "B": N_("Article 18(1) of the withdrawal agreement"),
    "C": N_("permanent stay"),
    "D": N_("student"),
    "E": N_("school pupil"),
    "F": N_("trainee"),
    "G": N_("volunteer"),
    "H": N_("au pair"),
    "I": N_("researcher"),
    "J": N_("job search"),
    "K": N_("mobility programme"),
}

ADULT_AGE = 18


class UnknownCode(ValueError):
    """A code the specifications do not define (shown as such, never guessed)."""


def _label(table: dict[str, str], code: str) -> str:
    if table is MENTIONS:
        key = code.strip().upper()
    else:
        key = code.strip().lstrip("0") or "0"  # "01" and "1" are the same code
    try:
        return table[key]
    except KeyError:
        raise UnknownCode(code) from None


def document_type_label(code: str) -> str:
    """The English label (a msgid) of a document type; UnknownCode otherwise."""
    return _label(DOCUMENT_TYPES, code)


def special_status_label(code: str) -> str:
    """The English label (a msgid) of a special status; UnknownCode otherwise."""
    return _label(SPECIAL_STATUSES, code)


def special_organisation_label(code: str) -> str:
    """The English label (a msgid) of a special organisation; UnknownCode otherwise."""
    return _label(SPECIAL_ORGANISATIONS, code)


def mention_label(code: str) -> str:
    """The English label (a msgid) of a mention letter or digit; UnknownCode otherwise."""
    return _label(MENTIONS, code)


def is_kids_card(identity: Identity) -> bool:
    """Kids-ID or a kids foreigner card."""
    return identity.document_type.strip().lstrip("0") in KIDS_DOCUMENT_TYPES


def age_in_years(identity: Identity, today: dt.date) -> int | None:
    """The holder's age; from the year alone when day or month is unknown."""
    born = identity.birth_date
    if born is not None:
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    year = re.search(r"(\d{4})\s*$", identity.birth_date_text)
    return today.year - int(year.group(1)) if year else None


def missing_certificates(identity: Identity | None, certs: Certificates) -> list[str]:
    """Why the card lacks its personal certificates, in plain words (msgids).

    Empty when both are there. Minors and Kids-ID holders get an
    authentication certificate only (none before 6); an adult's card may
    also lack the signature certificate because the holder did not want it.
    """
    today = dt.datetime.now(dt.UTC).date()
    young = identity is not None and (
        is_kids_card(identity) or (age_in_years(identity, today) or ADULT_AGE) < ADULT_AGE
    )
    if certs.authentication is None and certs.signature is None:
        if young:
            return [
                N_(
                    "This card has no certificates: cards of young children carry none, so it "
                    "cannot be used to log in or to sign. It still proves who the child is."
                )
            ]
        return [
            N_(
                "This card has no certificates, so it cannot be used to log in or to sign; "
                "the commune can activate them."
            )
        ]
    notes = []
    if certs.authentication is None:
        notes.append(N_("This card has no authentication certificate: it cannot log in."))
    if certs.signature is None:
        notes.append(
            N_(
                "No signature certificate: cards of people under 18 (and Kids-ID) carry only "
                "the authentication certificate. The card logs in but cannot sign."
            )
            if young
            else N_(
                "No signature certificate: the holder did not ask for one. The card logs in "
                "but cannot sign; the commune can activate it."
            )
        )
    return notes
