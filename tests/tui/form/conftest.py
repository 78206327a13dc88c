"""Fixtures for the form screen: a real portal, a real citizen session, fresh dossiers."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # form_host

from form_host import CITIZEN, session_token

from monespace_cli.client import PortalClient


@pytest.fixture(scope="module")
def citizen_token(portal_server: Any) -> str:
    return session_token(portal_server.url, portal_server.pki_dir, CITIZEN)


@pytest.fixture
def api(portal_server: Any, citizen_token: str) -> Iterator[PortalClient]:
    """A real client as the citizen, to arrange and check through the API."""
    with PortalClient(portal_server.url, token=citizen_token, acting_as="me") as client:
        yield client


@pytest.fixture
def new_dossier(api: PortalClient) -> Callable[..., dict[str, Any]]:
    """``new_dossier("PRIME-HABITATION", data=None)``: a fresh draft (prefilled by the portal)."""

    def make(procedure: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        return dict(api.create_dossier(procedure, data))

    return make


@pytest.fixture
def pdf_file(tmp_path: Path) -> Path:
    """A real, well-formed PDF (the portal sniffs content, not names)."""
    from portal import pdf

    path = tmp_path / "facture.pdf"
    path.write_bytes(pdf.render(["Facture F2026-0131", "Isolation toiture"], title="Facture"))
    return path
