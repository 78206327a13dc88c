"""Fixtures shared by the TUI folders: real sessions and API clients on their portal.

``portal_server`` is whichever portal the requesting folder's conftest
provides (several folders run a portal of their own).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from monespace_cli.client import PortalClient


@pytest.fixture(scope="module")
def token_for(portal_server: Any) -> Callable[[str], str]:
    """``token_for(NRN)``: one real session (eID challenge–response) per person and module."""
    from tests.conftest import session_token

    tokens: dict[str, str] = {}

    def get(nrn: str) -> str:
        if nrn not in tokens:
            tokens[nrn] = session_token(portal_server.url, portal_server.pki_dir, nrn)
        return tokens[nrn]

    return get


@pytest.fixture
def api_as(
    portal_server: Any, token_for: Callable[[str], str]
) -> Iterator[Callable[..., PortalClient]]:
    """``api_as(NRN, acting_as="me")``: a real client to arrange and check through the API."""
    clients: list[PortalClient] = []

    def make(nrn: str, acting_as: str = "me") -> PortalClient:
        client = PortalClient(portal_server.url, token=token_for(nrn), acting_as=acting_as)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
