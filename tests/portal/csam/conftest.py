"""Fixtures of the CSAM tests: sandbox people logged in on the real app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

API = "/api/v1"

# Sandbox story (portal/sandbox/README.md).
FIDUCIAIRE = "0856712314"  # mandataire; GAP Sophie, legal rep Philippe
BOULANGERIE = "0641238591"  # Luc: legal rep and GAP
ARDENNE = "0893450271"  # Nathalie: legal rep (not GAP); Kevin: GAP
CONSEIL = "1004821515"  # Olivier: legal rep and GAP; no mandate yet
EIFEL = "0820146777"  # mandate to the fiduciaire expired 2025-12-31
SOPHIE, PHILIPPE, JULIEN, CAMILLE = "83110208625", "68031412135", "91052314742", "02090806424"
LUC, NATHALIE, KEVIN, OLIVIER = "74011920708", "80041117242", "93120523305", "87090118922"
CHLOE = "01032223648"
THOMAS = "85073003328"  # a citizen with no organisation
UNKNOWN_NRN = "50010199730"  # valid mod-97, not in the register


class User:
    """One logged-in person talking to the app (acting as themself unless told)."""

    def __init__(self, client: Any, token: str) -> None:
        self.client = client
        self.token = token

    def _headers(self, acting_as: str | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"}
        if acting_as is not None:
            headers["X-Acting-As"] = acting_as
        return headers

    def get(self, path: str, acting_as: str | None = None, **kw: Any) -> Any:
        return self.client.get(API + path, headers=self._headers(acting_as), **kw)

    def post(self, path: str, body: Any = None, acting_as: str | None = None) -> Any:
        return self.client.post(API + path, json=body, headers=self._headers(acting_as))

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(API + path, json=body, headers=self._headers(None))

    def delete(self, path: str) -> Any:
        return self.client.delete(API + path, headers=self._headers(None))


@pytest.fixture
def as_person(portal_client: Any, login: Callable[..., str]) -> Callable[[str], User]:
    """``as_person(nrn) -> User`` (one login per person per test)."""
    users: dict[str, User] = {}

    def make(nrn: str) -> User:
        if nrn not in users:
            users[nrn] = User(portal_client, login(portal_client, nrn))
        return users[nrn]

    return make
