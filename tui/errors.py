"""Exceptions as the sentence a notification shows (the CLI's mapping, reused).

``monespace_cli.errors.explain`` is the single mapping from client and card
exceptions to what a person reads; the TUI shows the same sentence and hint
in a notification instead of on stderr, so the two never disagree.
"""

from __future__ import annotations

from eid.errors import EidError, localize
from monespace_cli.errors import explain
from monespace_cli.i18n import _


def describe(error: BaseException) -> tuple[str, str]:
    """``(title, message)`` for a notification about ``error`` — never a traceback."""
    problem = explain(error)
    if problem is None:
        return _("Unexpected error"), f"{type(error).__name__}: {error}"
    lines = [problem.message, *problem.details[:5]]
    if problem.hint:
        lines.append(problem.hint)
    return _("Error"), "\n".join(lines)


def card_message(error: BaseException) -> str:
    """A card problem in the user's language, with what to do (eid's own fix)."""
    if isinstance(error, EidError):
        text, fix = localize(error, _)
        return f"{text} {fix}".strip()
    return describe(error)[1]
