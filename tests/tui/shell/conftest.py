"""Fixtures of the TUI shell tests (helpers in shell_helpers.py: a unique module name,
so that they never clash with another folder's ``conftest``)."""

from __future__ import annotations

from typing import Any

import pytest
from shell_helpers import CITIZEN, token_for


@pytest.fixture(scope="module")
def citizen_token(portal_server: Any) -> str:
    """The sandbox citizen's session token (real challenge–response)."""
    return token_for(portal_server.url, portal_server.pki_dir, CITIZEN)
