"""The eID login (challenge–response), shared by ``monespace auth login`` and the TUI.

Why one place: the steps are security-relevant (the challenge must name the
portal the profile points at, the signature binds the nonce and that origin,
a challenge that aged while the person typed the PIN is replaced), and a
second copy in the TUI would drift. The callers differ only in how the PIN
reaches the card — a hidden prompt, stdin, the reader's keypad, a masked
field of the TUI — so that step is a callback, :data:`VerifyPin`, that
receives the open card and must verify the PIN on it (or raise). The PIN is
never seen here.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from monespace_cli.config import origin_of
from monespace_cli.errors import AuthProblem, CardProblem
from monespace_cli.i18n import _

if TYPE_CHECKING:
    from eid.card import EidCard
    from monespace_cli.client import Challenge, PortalClient, Session

#: A challenge lives 120 s on the portal; fetch a new one when the PIN took long.
CHALLENGE_REFRESH_AFTER = 60.0

#: Verifies the PIN on the open card (keyboard, keypad…); raises eid errors on failure.
VerifyPin = Callable[["EidCard"], None]
#: Opens the card (``eid.open_card(reader)``, or on an injected connection).
OpenCard = Callable[[], AbstractContextManager["EidCard"]]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _der(certificate: Any) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return bytes(certificate.public_bytes(Encoding.DER))


def checked_challenge(client: PortalClient, portal_url: str) -> Challenge:
    """A fresh challenge, refused when it names another portal than ``portal_url``."""
    challenge = client.create_challenge()
    expected = origin_of(portal_url)
    if origin_of(str(challenge.get("origin", ""))) != expected:
        raise AuthProblem(
            _(
                "The portal asked to sign for {got}, but this profile's portal is {expected}:"
                " refusing to sign."
            ).format(got=challenge.get("origin"), expected=expected),
            hint=_("Check the profile's URL (monespace profile list)."),
        )
    return challenge


def sign_in(
    client: PortalClient,
    portal_url: str,
    open_card: OpenCard,
    verify_pin: VerifyPin,
    *,
    clock: Callable[[], float] = time.monotonic,
) -> Session:
    """Run the whole login; return the portal's session answer.

    ``client`` needs no token. The challenge is fetched first (a portal that
    is down or not the profile's is reported before the card is touched),
    then ``open_card()`` gives the card; ``verify_pin(card)`` is called once,
    after the certificates are read and before anything is signed.
    """
    from eid.login import login_message

    challenge = checked_challenge(client, portal_url)
    fetched = clock()
    with open_card() as card:
        certs = card.read_certificates()
        if certs.authentication is None:
            from eid.documents import missing_certificates

            reasons = " ".join(_(n) for n in missing_certificates(card.read_identity(), certs))
            raise CardProblem(_("This card cannot log in: {reasons}").format(reasons=reasons))
        chain = [c for c in (certs.authentication, certs.ca, certs.root) if c is not None]
        verify_pin(card)
        if clock() - fetched > CHALLENGE_REFRESH_AFTER:
            challenge = checked_challenge(client, portal_url)
        origin, challenge_id = str(challenge["origin"]), str(challenge["id"])
        message = login_message(origin, challenge_id, str(challenge["nonce"]))
        algorithm, signature = card.login_signature(message)
    return client.create_session(
        str(challenge["id"]), [_b64(_der(c)) for c in chain], _b64(signature), algorithm
    )


def person_label(person: Any) -> str:
    """``Given Surname (NRN)`` of a session's or /me's person object."""
    if not isinstance(person, dict):
        return ""
    name = f"{person.get('given_names', '')} {person.get('surname', '')}".strip()
    return f"{name} ({person.get('nrn', '')})" if person.get("nrn") else name
