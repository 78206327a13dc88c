"""Fixtures for the agent actions: real portal, logins, fresh dossiers (agent_actions_support)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # agent_actions_support

from agent_actions_support import APPLICANT, file_dossiers

from monespace_cli.client import PortalClient


@pytest.fixture(scope="module")
def token(token_for: Callable[[str], str]) -> Callable[[str], str]:
    """``token(NRN)``: tests/tui/conftest.py's ``token_for`` under this folder's name."""
    return token_for


@pytest.fixture
def api(api_as: Callable[..., PortalClient]) -> Callable[..., PortalClient]:
    """``api(NRN, acting_as="me")``: tests/tui/conftest.py's ``api_as``."""
    return api_as


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
