"""A dossier's status and the acting context in words, for the CLI and the TUI alike.

One implementation so ``dossier show``, ``auth status`` and every TUI screen
say "eingereicht", not ``submitted``, and "in eigenem Namen", not ``me``.
"""

from __future__ import annotations

from monespace_cli.i18n import N_, _

STATUS_LABELS: dict[str, str] = {
    "draft": N_("draft"),
    "submitted": N_("submitted"),
    "in_review": N_("in review"),
    "awaiting_complement": N_("complement requested"),
    "accepted": N_("accepted"),
    "refused": N_("refused"),
    "closed": N_("closed"),
    "withdrawn": N_("withdrawn"),
}

#: Other values events carry in ``new`` (document kinds, payment states).
VALUE_LABELS: dict[str, str] = {
    "receipt": N_("receipt"),
    "decision": N_("decision"),
    "pending": N_("to pay"),
    "paid": N_("paid"),
    "expired": N_("expired"),
}


def status_label(status: object) -> str:
    """The translated name of a dossier status or event value (itself when unknown)."""
    text = STATUS_LABELS.get(str(status)) or VALUE_LABELS.get(str(status))
    return _(text) if text else str(status)


def acting_label(value: object) -> str:
    """``me`` (the ``--as`` keyword) in words; an organisation's number as it is."""
    return _("yourself") if value == "me" else "" if value is None else str(value)
