"""The dossier life cycle: every allowed status transition, and nothing else.

``draft → submitted → in_review ⇄ awaiting_complement → accepted | refused``,
``closed`` after a decision, ``withdrawn`` from draft, submitted or
awaiting_complement (ARCHITECTURE.md). Code that changes a status calls
:func:`check_transition` first, so an illegal move is a 409 everywhere.
"""

from __future__ import annotations

DRAFT = "draft"
SUBMITTED = "submitted"
IN_REVIEW = "in_review"
AWAITING_COMPLEMENT = "awaiting_complement"
ACCEPTED = "accepted"
REFUSED = "refused"
CLOSED = "closed"
WITHDRAWN = "withdrawn"

STATUSES = (
    DRAFT,
    SUBMITTED,
    IN_REVIEW,
    AWAITING_COMPLEMENT,
    ACCEPTED,
    REFUSED,
    CLOSED,
    WITHDRAWN,
)

TRANSITIONS: dict[str, frozenset[str]] = {
    DRAFT: frozenset({SUBMITTED, WITHDRAWN}),
    SUBMITTED: frozenset({IN_REVIEW, WITHDRAWN}),
    IN_REVIEW: frozenset({AWAITING_COMPLEMENT, ACCEPTED, REFUSED}),
    AWAITING_COMPLEMENT: frozenset({IN_REVIEW, WITHDRAWN}),
    ACCEPTED: frozenset({CLOSED}),
    REFUSED: frozenset({CLOSED}),
    CLOSED: frozenset(),
    WITHDRAWN: frozenset(),
}

#: Statuses in which the applicant may still change the data.
EDITABLE = frozenset({DRAFT, AWAITING_COMPLEMENT})
#: Statuses that end the procedure.
FINAL = frozenset({CLOSED, WITHDRAWN})


class TransitionNotAllowed(ValueError):
    """A status change the life cycle does not allow."""

    def __init__(self, old: str, new: str) -> None:
        super().__init__(f"a dossier in status {old!r} cannot become {new!r}")
        self.old = old
        self.new = new


def allowed(old: str, new: str) -> bool:
    """Whether ``old → new`` is a transition of the life cycle."""
    return new in TRANSITIONS.get(old, frozenset())


def check_transition(old: str, new: str) -> None:
    """Raise :class:`TransitionNotAllowed` unless ``old → new`` is allowed."""
    if not allowed(old, new):
        raise TransitionNotAllowed(old, new)
