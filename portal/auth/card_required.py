"""Actions that need a card login, whatever else the session may do.

A session opened on another device (RFC 8628) proves less than the card and
its PIN did: the portal may keep some acts — signing a mandate, submitting
the dossier of a given procedure — for card sessions. Which ones is a
setting (``MONESPACE_PORTAL_CARD_REQUIRED``: ``mandate-sign``,
``submit:<PROCEDURE>``), and this is the one check, used by every endpoint
doing such an act. The refusal names the way to log in, and carries
``required_login: "eid"`` so that clients can say it in their own words.
"""

from __future__ import annotations

from portal.config import Settings
from portal.models import AccessToken, AuthSession
from portal.problems import Problem

CARD = "eid"


def require_card(settings: Settings, session: AuthSession | AccessToken, action: str) -> None:
    """403 when ``action`` is kept for card logins and this login is not one."""
    method = session.method  # an access token answers for the session it came from
    if action not in settings.card_required or method == CARD:
        return
    raise Problem(
        "forbidden",
        "this action requires a login with the eID card; "
        "this session was opened on another device: log in with your card and try again",
        extra={"required_login": CARD, "session_method": method},
    )
