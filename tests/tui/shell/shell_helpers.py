"""Helpers of the TUI shell tests: a real portal, tokens, a virtual card, the app.

The portal is the shared ``portal_server`` (real uvicorn + sandbox); tokens
come from the real challenge–response (``_token``, as in
tests/cli/dossier/conftest.py); the card is the in-process virtual eID built
by the portal's sandbox (``POST /sandbox/cards``) and handed to the app as a
constructor argument.
"""

from __future__ import annotations

import asyncio
from typing import Any

from tests.tui.pilot_wait import wait_for  # noqa: F401 - re-exported to the tests

#: Philippe Jean Lambert: a citizen, legal representative of Fiduciaire Meuse & Sambre SRL.
CITIZEN = "68031412135"
PIN = "1234"


def token_for(portal_url: str, pki_dir: Any, nrn: str) -> str:
    """A session token through the real challenge–response (key from the sandbox PKI)."""
    from tests.conftest import session_token

    return session_token(portal_url, pki_dir, nrn)


def virtual_card(portal_url: str, nrn: str, pin: str = PIN) -> Any:
    """The person's virtual eID card, built by the sandbox portal."""
    import httpx

    from eid.virtual import CardImage, VirtualCard

    built = httpx.post(
        f"{portal_url}/api/v1/sandbox/cards",
        json={"nrn": nrn, "applet": "1.8", "pin": pin},
        timeout=30,
    )
    assert built.status_code == 201, built.text
    return VirtualCard(CardImage.from_json(built.content))


def make_app(portal_url: str, **options: Any) -> Any:
    """A MonespaceApp on ``portal_url`` (no live stream unless asked)."""
    from tui.app import MonespaceApp, TuiSettings

    options.setdefault("live", False)
    options.setdefault("reader_poll", 0.05)
    return MonespaceApp(TuiSettings(portal_url=portal_url, **options))


def run(coro: Any) -> Any:
    return asyncio.run(coro)
