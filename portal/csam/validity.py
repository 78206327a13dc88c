"""Validity periods of CSAM rows: whole days, compared with the portal's today.

Why a module: GAP designations, roles and mandates all carry
``valid_from`` / ``valid_until`` and must agree on what "current" means.
"""

from __future__ import annotations

import datetime as dt

from portal.models import utcnow


def today() -> dt.date:
    """The portal's current day (UTC): validity dates are whole days."""
    return utcnow().date()


def is_current(valid_from: dt.date, valid_until: dt.date | None, day: dt.date) -> bool:
    """Whether ``day`` falls in the period (an open end never expires)."""
    return valid_from <= day and (valid_until is None or day <= valid_until)
