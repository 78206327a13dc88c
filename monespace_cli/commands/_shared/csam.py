"""Arguments the CSAM commands share (``gap``, ``roles``, ``mandate``, ``agent``), checked first.

A typo in an NRN or a BCE number should be caught here with the check digit,
not travel to the portal and come back as a 404 that hides the cause.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from monespace_cli.context import current
from monespace_cli.dates import DateError, parse_date, understood
from monespace_cli.errors import AuthProblem, RejectedInput
from monespace_cli.i18n import _
from monespace_cli.roles_file import DOMAINS, bce_ok, clean_number, nrn_ok

ORG = Annotated[
    str,
    typer.Option("--org", help=_("The organisation (BCE number)."), metavar="BCE"),
]
_NRN = typer.Argument(help=_("The person's national register number."), metavar="NRN")
NRN_ARG = Annotated[str, _NRN]
#: Where the person is one way among others to name what is meant (``roles change --id``).
OPTIONAL_NRN_ARG = Annotated[str | None, _NRN]


def bce(text: str, *, what: str = "--org") -> str:
    """The digits of a BCE number, or exit 5 naming the option."""
    number = clean_number(text)
    if not bce_ok(number):
        message = _("{option}: {value!r} is not a valid BCE number.")
        raise RejectedInput(message.format(option=what, value=text))
    return number


def nrn(text: str) -> str:
    """The digits of a national register number, or exit 5."""
    number = clean_number(text)
    if not nrn_ok(number):
        message = _("{value!r} is not a valid national register number.")
        raise RejectedInput(message.format(value=text))
    return number


def domain(text: str) -> str:
    if text not in DOMAINS:
        message = _("Unknown domain {value!r} (one of: {allowed}).")
        raise RejectedInput(message.format(value=text, allowed=", ".join(DOMAINS)))
    return text


def day(text: str | None, *, what: str) -> str | None:
    """A typed date (dd/mm/yyyy or ISO) as ISO text, None when not given; exit 5 when
    not a date. What was understood is said on stderr, before anything is sent."""
    if text is None:
        return None
    try:
        iso = parse_date(text)
    except DateError as exc:
        raise RejectedInput(f"{what}: {exc}") from None
    current().io.info(understood(what, text, iso))
    return iso


@contextmanager
def rights() -> Iterator[None]:
    """A 403 here means the person's own CSAM rights are missing.

    The generic mapping suggests choosing another acting context, but CSAM
    endpoints ignore ``X-Acting-As``: what helps is a role or GAP designation.
    """
    from monespace_cli.client import Forbidden  # the client's errors load httpx: not on --help

    try:
        yield
    except Forbidden as exc:
        if exc.problem.get("missing_scope"):
            raise  # the access token's scope, not the person's rights: errors.explain says so
        if exc.problem.get("required_login"):
            raise  # not a missing right: the session must be a card one (monespace_cli.errors)
        raise forbidden(exc) from None


def forbidden(exc: Exception) -> AuthProblem:
    """The message for a CSAM refusal (exit 3)."""
    return AuthProblem(
        _("Not allowed: {detail}").format(detail=exc),
        hint=_("Ask a legal representative or a GAP of the organisation for the right."),
    )
