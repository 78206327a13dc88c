"""The states of a mandate, with expiry computed rather than stored.

Why computed: an active mandate past its ``valid_until`` must read as
``expired`` the very next day without any job rewriting rows.
"""

from __future__ import annotations

import datetime as dt

from portal.csam.validity import today
from portal.models import Mandate

MANDATE_STATES = ("proposed", "active", "refused", "revoked", "expired")


def mandate_state(mandate: Mandate, day: dt.date | None = None) -> str:
    """The stored state, except ``expired`` for an active one past ``valid_until``."""
    day = day or today()
    if mandate.state == "active" and mandate.valid_until is not None and mandate.valid_until < day:
        return "expired"
    return mandate.state
