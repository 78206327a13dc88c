"""Sandbox persons whose virtual cards are not an adult Belgian's eID.

Each entry of portal/sandbox/cards.json is built into a card image (the
code path of ``POST /sandbox/cards`` and ``monespace eid virtual --person``)
and read back with the reader library: document type, special status,
certificates and the register's signatures as the specifications say.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import eid
from eid.virtual import CardImage, VirtualCard
from portal.models import Person
from portal.sandbox.cards import CARDS_FILE, card_image

from .sandbox_files import persons_by_nrn

FEATURED = sorted(k for k in json.loads(CARDS_FILE.read_text()) if not k.startswith("_"))


def _person(nrn: str) -> Person:
    r = persons_by_nrn()[nrn]
    return Person(
        nrn=r["nrn"],
        given_names=r["given_names"],
        surname=r["surname"],
        birth_date=dt.date.fromisoformat(r["birth_date"]),
        birth_place=r.get("birth_place"),
        sex=r["sex"],
        nationality=r["nationality"],
        language=r["language"],
        address=r["address"],
    )


def test_the_sandbox_covers_minors_children_foreigners_and_statuses() -> None:
    features = json.loads(CARDS_FILE.read_text())
    kinds = {
        (f.get("document_type", "1"), f.get("certificates", "both"))
        for f in features.values()
        if isinstance(f, dict)
    }
    assert ("6", "none") in kinds and ("1", "authentication") in kinds
    assert {"31", "12"} <= {d for d, _ in kinds}
    assert any(
        f.get("special_status") not in (None, "0") for f in features.values() if isinstance(f, dict)
    )
    assert all(nrn in persons_by_nrn() for nrn in FEATURED)


@pytest.mark.parametrize("nrn", FEATURED)
def test_featured_card_reads_and_verifies(
    nrn: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    features = json.loads(CARDS_FILE.read_text())[nrn]
    pki_dir: Path = tmp_path_factory.getbasetemp() / "sandbox-cards-pki"
    image = CardImage.from_dict(card_image(_person(nrn), pki_dir, "1.8", "1234"))
    with eid.open_card(connection=VirtualCard(image).connection()) as card:
        identity = card.read_identity()
        certs = card.read_certificates()
        assert card.verify_integrity().ok
    assert identity.document_type == features.get("document_type", "1")
    assert identity.special_status == features.get("special_status", "0")
    assert identity.noble_condition == features.get("noble_condition", "")
    wanted = features.get("certificates", "both")
    assert (certs.authentication is not None) == (wanted != "none")
    assert (certs.signature is not None) == (wanted == "both")
    if "fields" in features and "CARD_EU_START_DATE" in features["fields"]:
        assert identity.card_eu_start_date == dt.date(2019, 9, 1)
