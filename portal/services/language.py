"""The language the portal writes to an applicant in: French, or German.

Why a rule of its own: a Walloon service writes to a person of the
German-language area in German (the language laws; the Deutschsprachige
Gemeinschaft's nine municipalities), and the portal's receipts, decisions
and notifications must follow one rule. A person's language is the one the
national register record gives (``Person.language``); an organisation has
none, so its seat decides: a seat in the German-language area (postal codes
4700 to 4791: Eupen, Kelmis, Lontzen, Raeren, Amel, Büllingen, Burg-Reuland,
Bütgenbach, Sankt Vith) gets German, any other French. English is the API's
language for programs, not a language of official documents.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.models import Dossier, Organisation, Person

#: The languages official documents and notifications are written in.
DOCUMENT_LANGUAGES = ("fr", "de")
DEFAULT = "fr"
#: Postal codes of the German-language area (both ends included).
GERMAN_AREA_POSTCODES = range(4700, 4792)


def document_language(registered: str | None) -> str:
    """A registered language when documents can be written in it, else French."""
    return registered if registered is not None and registered in DOCUMENT_LANGUAGES else DEFAULT


def person_language(person: Person | None) -> str:
    """The language ``person`` is written to in (their registered one, or French)."""
    return document_language(person.language if person is not None else None)


def in_german_area(postal_code: object) -> bool:
    """Whether a Belgian postal code is in the German-language area."""
    text = str(postal_code or "").strip()
    return text.isdigit() and int(text) in GERMAN_AREA_POSTCODES


def organisation_language(organisation: Organisation | None) -> str:
    """German for a seat in the German-language area, else French."""
    seat = organisation.seat if organisation is not None else None
    postal_code = seat.get("postal_code") if isinstance(seat, dict) else None
    return "de" if in_german_area(postal_code) else DEFAULT


def applicant_language(db: Session, dossier: Dossier) -> str:
    """The language of the dossier's applicant (a person, or an organisation)."""
    if dossier.applicant_kind == "person":
        return person_language(db.get(Person, dossier.applicant_id))
    return organisation_language(db.get(Organisation, dossier.applicant_id))


def pick(texts: object, language: str, fallback: str = "") -> str:
    """``texts[language]`` from a ``{"fr": …, "en": …, "de": …}`` dict (French if absent)."""
    if not isinstance(texts, dict):
        return fallback
    return str(texts.get(language) or texts.get(DEFAULT) or fallback)
