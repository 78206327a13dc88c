"""Fixtures for the agent actions: real portal, logins, fresh dossiers (agent_actions_support)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # agent_actions_support

from agent_actions_support import APPLICANT, file_dossiers

from monespace_cli.client import PortalClient


@pytest.fixture(scope="module")
def token(portal_server: Any) -> Callable[[str], str]:
    """``token(NRN)``: one real session per person and module."""
    from tests.conftest import session_token

    tokens: dict[str, str] = {}

    def get(nrn: str) -> str:
        if nrn not in tokens:
            tokens[nrn] = session_token(portal_server.url, portal_server.pki_dir, nrn)
        return tokens[nrn]

    return get


@pytest.fixture
def api(portal_server: Any, token: Callable[[str], str]) -> Iterator[Callable[..., PortalClient]]:
    """``api(NRN, acting_as="me")``: a real client to arrange and check through the API."""
    clients: list[PortalClient] = []

    def make(nrn: str, acting_as: str = "me") -> PortalClient:
        client = PortalClient(portal_server.url, token=token(nrn), acting_as=acting_as)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    from portal import pdf

    return pdf.render(["Convention de prestation", "Signée"], title="Convention")


@pytest.fixture
def new_dossiers(
    portal_server: Any, token: Callable[[str], str], pdf_bytes: bytes
) -> Callable[[int], list[str]]:
    """``new_dossiers(n)``: n freshly submitted SPW-EER dossiers; their ids."""

    def make(n: int = 1) -> list[str]:
        return file_dossiers(portal_server.url, token(APPLICANT), pdf_bytes, n)

    return make
