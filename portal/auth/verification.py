"""Who approves a login on another device: one interface, two implementations.

In production the verification address hands the person over to the federal
authentication service (FAS, an OpenID Connect provider: itsme, eID,
codes…), which tells the portal who they are; the portal then approves the
device authorization in their name. In the sandbox, the portal's own page
lets a tester pick a sandbox person (portal/api/device_page.py).

Everything the portal needs from either is :class:`Verifier`, chosen by
``MONESPACE_PORTAL_DEVICE_VERIFIER`` (docs/environment.md). The FAS one is
*not* implemented against a real FAS: it builds the authorization request
from its settings but cannot finish the code exchange, and says so (503)
rather than pretending.
"""

from __future__ import annotations

from typing import Protocol
from urllib.parse import urlencode

from portal.config import Settings
from portal.problems import Problem


class Verifier(Protocol):
    """How the person behind a user code is identified on the other device."""

    #: ``sandbox`` or ``fas``: shown in docs and logs.
    name: str

    def hand_over(self, state: str, redirect_uri: str) -> str | None:
        """The address to send the person to, or None when the portal's page decides."""

    def person_of(self, code: str, redirect_uri: str) -> str:
        """The national register number the provider vouches for after its redirect back."""


class SandboxVerifier:
    """The sandbox page picks the person itself: no hand-over, no callback."""

    name = "sandbox"

    def hand_over(self, state: str, redirect_uri: str) -> str | None:
        return None

    def person_of(self, code: str, redirect_uri: str) -> str:
        raise Problem("not-found", "the sandbox verifier has no callback")


class FederalAuthenticationService:
    """OpenID Connect authorization-code flow with the FAS (not run against a real one)."""

    name = "fas"

    def __init__(self, authorization_endpoint: str, client_id: str) -> None:
        self.authorization_endpoint = authorization_endpoint
        self.client_id = client_id

    def hand_over(self, state: str, redirect_uri: str) -> str | None:
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "scope": "openid profile egovnrn",
                "state": state,
            }
        )
        return f"{self.authorization_endpoint}?{query}"

    def person_of(self, code: str, redirect_uri: str) -> str:
        raise Problem(
            "unavailable",
            "login through the federal authentication service is not implemented on this portal",
        )


def verifier_for(settings: Settings) -> Verifier:
    """The configured verifier; the sandbox one only in sandbox mode."""
    if settings.device_verifier == "fas":
        if not settings.fas_authorization_endpoint or not settings.fas_client_id:
            raise Problem(
                "unavailable",
                "login on another device is not configured on this portal "
                "(MONESPACE_PORTAL_FAS_AUTHORIZATION_ENDPOINT and _FAS_CLIENT_ID are unset)",
            )
        return FederalAuthenticationService(
            settings.fas_authorization_endpoint, settings.fas_client_id
        )
    if not settings.sandbox:
        raise Problem(
            "unavailable",
            "login on another device is not configured on this portal "
            "(set MONESPACE_PORTAL_DEVICE_VERIFIER=fas)",
        )
    return SandboxVerifier()
