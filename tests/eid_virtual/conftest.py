"""Fixtures for the virtual card tests: one sandbox PKI and two cards per session."""

from __future__ import annotations

import datetime as dt

import pytest

from eid.pki import SandboxPKI
from eid.virtual import CardholderData, CardImage, build_card


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> SandboxPKI:
    """A sandbox PKI in a temporary directory shared by the session."""
    return SandboxPKI.open(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def marie() -> CardholderData:
    return CardholderData(
        nrn="85073003328",
        surname="Dupont",
        given_names="Marie Louise",
        third_name_initial="A",
        birth_date=dt.date(1985, 7, 30),
        sex="F",
        birth_place="Liège",
        street_and_number="Rue de Fer 12",
        zip_code="5000",
        municipality="Namur",
    )


@pytest.fixture(scope="session")
def images(pki: SandboxPKI, marie: CardholderData) -> dict[str, CardImage]:
    """Marie's card for each applet (PIN 1234)."""
    return {applet: build_card(marie, pki, applet) for applet in ("1.7", "1.8")}


@pytest.fixture(params=["1.7", "1.8"])
def image(request: pytest.FixtureRequest, images: dict[str, CardImage]) -> CardImage:
    """Each applet in turn."""
    return images[request.param]
