"""How a procedure's audience, fee and legal time read, for the CLI and the TUI alike.

One implementation so ``catalog list``, ``catalog show`` and the TUI's
catalogue say the same thing: audiences by name ("Bürger", not ``citizen``),
money with the decimal comma people in Belgium write (``30,00 EUR``), and the
legal time with the language's plural ("1 Tag", "30 Tage").
"""

from __future__ import annotations

from typing import Any

from monespace_cli.forms import display_amount
from monespace_cli.i18n import N_, _, plural

AUDIENCE_LABELS: dict[str, str] = {
    "citizen": N_("citizens"),
    "enterprise": N_("enterprises"),
    "non_profit": N_("non-profits"),
}


def audience_label(audience: object) -> str:
    """The translated name of one audience code (the code itself when unknown)."""
    text = AUDIENCE_LABELS.get(str(audience))
    return _(text) if text else str(audience)


def audiences(value: Any) -> str:
    """A procedure's audiences, by name, comma-separated."""
    codes = value if isinstance(value, list) else [] if value is None else [value]
    return ", ".join(audience_label(a) for a in codes)


def fee(value: Any) -> str:
    """``30,00 EUR``, or "free" when there is no fee."""
    if not value:
        return _("free")
    return f"{display_amount(value.get('amount'))} {value.get('currency', 'EUR')}"


def legal_time(value: Any) -> str:
    """``1 day`` / ``30 days`` in the user's language; empty when unknown."""
    if value is None:
        return ""
    try:
        days = int(value)
    except (TypeError, ValueError):
        return str(value)
    return plural(days, N_("{days} day"), N_("{days} days")).format(days=days)
