"""Virtual eID card images for register persons (sandbox only).

The portal knows the register (names, address, birth data) and shares the
sandbox PKI directory with the cards, so it is the natural place to hand a
developer "the card of person X": the image's certificates are issued by the
PKI the portal trusts, and the identity/address files carry the register's
data signed by the sandbox RRN certificate. The photo is the deterministic
sandbox photo of the NRN. The PIN is only written into the image the caller
receives; it is never stored or logged by the portal.

``eid`` is imported inside the functions: only a sandbox portal builds
cards, and the card builder and the PKI load costly crypto a production
portal never needs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portal.models import Person

if TYPE_CHECKING:
    from cryptography import x509

    from eid.virtual import CardholderData

NATIONALITIES = {"BE": "Belge"}
#: Per-NRN card features (document type, certificates, special status…).
CARDS_FILE = Path(__file__).with_name("cards.json")


def card_features(nrn: str) -> dict[str, Any]:
    """How ``nrn``'s sandbox card differs from an adult Belgian's eID ({} if it does not)."""
    data: dict[str, Any] = json.loads(CARDS_FILE.read_text())
    return dict(data.get(nrn, {}))


def featured_nrns() -> frozenset[str]:
    """NRNs of the sandbox persons whose cards differ from an adult Belgian's eID."""
    data: dict[str, Any] = json.loads(CARDS_FILE.read_text())
    return frozenset(k for k in data if not k.startswith("_"))


def _holder_options(nrn: str) -> dict[str, Any]:
    """CardholderData keyword arguments from :data:`CARDS_FILE`."""
    from eid.layout import IdentityTag

    features = card_features(nrn)
    options: dict[str, Any] = {
        key: str(features[key])
        for key in ("document_type", "special_status", "noble_condition", "certificates")
        if key in features
    }
    if "nationality" in features:
        options["nationality"] = str(features["nationality"])
    fields = features.get("fields", {})
    options["extra_fields"] = tuple(
        (int(IdentityTag[name]), str(value).encode()) for name, value in fields.items()
    )
    return options


def cardholder_for(person: Person) -> CardholderData:
    """The data printed on ``person``'s sandbox card (register record + cards.json)."""
    from eid.virtual import CardholderData

    address = person.address
    street = f"{address.get('street', '')} {address.get('number', '')}".strip()
    if address.get("box"):
        street += f" bte {address['box']}"
    options = {
        "nationality": NATIONALITIES.get(person.nationality, person.nationality),
        **_holder_options(person.nrn),
    }
    return CardholderData(
        nrn=person.nrn,
        surname=person.surname,
        given_names=person.given_names,
        birth_date=person.birth_date,
        sex=person.sex,
        street_and_number=street,
        zip_code=str(address.get("postal_code", "")),
        municipality=str(address.get("municipality", "")),
        birth_place=person.birth_place or "",
        issuing_municipality=str(address.get("municipality", "")),
        **options,
    )


def card_image(person: Person, pki_dir: Path, applet: str, pin: str) -> dict[str, Any]:
    """The CardImage JSON of ``person``'s card for ``applet``."""
    from eid.pki import SandboxPKI
    from eid.virtual import build_card

    image = build_card(cardholder_for(person), SandboxPKI.open(pki_dir), applet, pin)
    result: dict[str, Any] = json.loads(image.to_json())
    return result


def revoke_cards(person: Person, pki_dir: Path) -> list[x509.Certificate]:
    """Revoke the certificates of ``person``'s current cards, both applets ("card stolen").

    The certificates a card of this person carries now are put on their CA's
    revocation list and answered "revoked" by the OCSP responder; a card
    built later carries the same revoked certificates until they are
    re-issued (another responder address, a name change), as a stolen card
    stays revoked.
    """
    from eid.pki import SandboxPKI

    pki = SandboxPKI.open(pki_dir)
    holder = cardholder_for(person)
    revoked = []
    for applet in ("1.8", "1.7"):
        creds = pki.issue_person(holder, applet)
        for cert in (creds.auth_cert, creds.sign_cert):
            pki.revoke(cert)
            revoked.append(cert)
    return revoked
