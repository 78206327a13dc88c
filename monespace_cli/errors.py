"""Exit codes, and the one place that turns an exception into a sentence.

Commands raise; they never print an error and call ``sys.exit`` themselves.
``monespace_cli.app.main`` catches everything and calls :func:`report`, which
prints one clear sentence on stderr (plus a field list where there is one)
and returns the exit code. With ``--debug`` the traceback follows.

Exit codes (also in the README):

====  =======================================================
0     ok (an empty list is not an error)
1     failure (portal down, server error, anything else)
2     usage (bad option, missing argument, a prompt needed but impossible)
3     authentication needed or refused (no/expired token, wrong PIN, forbidden context)
4     not found
5     rejected input (validation, conflict, stale version, bad request)
6     card or reader problem
7     partial success (bulk)
130   interrupted (Ctrl-C)
====  =======================================================

For command authors:

- raise :class:`CliError` (or a subclass: :class:`UsageProblem`,
  :class:`AuthProblem`, :class:`NotFoundProblem`, :class:`RejectedInput`,
  :class:`CardProblem`, :class:`PartialSuccess`) for problems the command
  itself detects; the message is translated by the caller with ``_()``;
- let :mod:`monespace_cli.client` exceptions (``PortalError`` tree) and
  :mod:`eid.errors` exceptions (``EidError`` tree) propagate: they are mapped
  here. Neither package is imported by this module unless an exception of
  theirs is already in flight, so ``--help`` stays light.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Mapping, Sequence
from enum import IntEnum
from typing import TextIO

from monespace_cli import client  # lazy (PEP 562): an exception class loads on first use
from monespace_cli.i18n import N_, _

_UNREACHABLE_HINT = (
    "Check that it is running and that the profile's URL is right (see: monespace profile list)."
)


class ExitCode(IntEnum):
    """Process exit codes; the numbers are a public, documented contract."""

    OK = 0
    FAILURE = 1
    USAGE = 2
    AUTH = 3
    NOT_FOUND = 4
    REJECTED = 5
    CARD = 6
    PARTIAL = 7
    INTERRUPTED = 130


class CliError(Exception):
    """A problem the user can act on: one sentence, optional details, an exit code.

    ``details`` are extra lines (e.g. ``/applicant/iban: not a valid IBAN``)
    printed indented under the sentence. ``hint`` is a "what to do" line.
    """

    exit_code: ExitCode = ExitCode.FAILURE

    def __init__(
        self,
        message: str,
        *,
        details: list[str] | None = None,
        hint: str | None = None,
        exit_code: ExitCode | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details or [])
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code


class UsageProblem(CliError):
    """Bad combination of arguments, or input needed that cannot be asked for."""

    exit_code = ExitCode.USAGE


class AuthProblem(CliError):
    """Not logged in, session expired, login refused."""

    exit_code = ExitCode.AUTH


class NotFoundProblem(CliError):
    """A thing the user named does not exist (or is not visible to them)."""

    exit_code = ExitCode.NOT_FOUND


class RejectedInput(CliError):
    """Input the portal or the CLI refused: invalid values, conflicts."""

    exit_code = ExitCode.REJECTED


class CardProblem(CliError):
    """The card or reader cannot do what is needed."""

    exit_code = ExitCode.CARD


class PartialSuccess(CliError):
    """Some items of a batch worked, others did not (the report says which)."""

    exit_code = ExitCode.PARTIAL


def field_lines(errors: Sequence[Mapping[str, object]]) -> list[str]:
    """``pointer: message`` lines for a list of field errors."""
    lines = []
    for err in errors:
        pointer = err.get("pointer") or "/"
        lines.append(f"{pointer}: {err.get('message', '')}")
    return lines


def explain(exc: BaseException) -> CliError | None:
    """The :class:`CliError` an exception stands for, or None when unknown.

    This is the single mapping from library exceptions to what the user reads.
    """
    if isinstance(exc, CliError):
        return exc
    module = type(exc).__module__
    if module.startswith("monespace_cli.client"):
        return _explain_portal_error(exc)
    if module.startswith("eid"):
        return _explain_eid_error(exc)
    if isinstance(exc, KeyboardInterrupt):
        return CliError(_("Interrupted."), exit_code=ExitCode.INTERRUPTED)
    return None


#: Why no portal answered (the client's English ``problem.title`` when the
#: request got no response): no problem detail came in the user's language,
#: so these are translated here.
_TRANSPORT_REASONS = (
    N_("the portal did not answer in time"),
    N_("cannot connect to the portal"),
    N_("the connection to the portal was lost"),
)


def _unreachable_detail(exc: client.PortalError) -> str:
    """``exc``'s text, translated when it is one of the client's transport failures."""
    problem = exc.problem or {}
    reason, url = problem.get("title"), problem.get("instance")
    if exc.status is None and reason in _TRANSPORT_REASONS and url:
        return _("{reason} at {url}").format(reason=_(str(reason)), url=url)
    return str(exc)


def _card_login_required(detail: str) -> CliError:
    """A card-only action tried from a session opened on another device (exit 3)."""
    return AuthProblem(
        _("This action needs a login with your eID card: {detail}").format(detail=detail),
        hint=_("Log in with your card and reader: monespace auth login"),
    )


def _explain_portal_error(exc: BaseException) -> CliError | None:
    if not isinstance(exc, client.PortalError):
        return None
    text = str(exc)
    if (
        isinstance(exc, client.AuthenticationRequired)
        and exc.problem.get("login") == "access-token"
    ):
        return AuthProblem(
            _("The portal refused the access token: {detail}").format(detail=text),
            hint=_("Create a new one from a card session: monespace auth token create"),
        )
    if isinstance(exc, client.AuthenticationRequired):
        return AuthProblem(
            _("The portal refused the session: {detail}").format(detail=text),
            hint=_("Log in again with: monespace auth login"),
        )
    if isinstance(exc, client.Forbidden) and exc.problem.get("missing_scope"):
        return AuthProblem(
            _("The access token may not do this: {detail}").format(detail=text),
            hint=_(
                "Create a token with the scope {scope} (monespace auth token create --scope "
                "{scope}), from a card session."
            ).format(scope=exc.problem["missing_scope"]),
        )
    if isinstance(exc, client.Forbidden) and exc.problem.get("required_login") == "eid":
        return _card_login_required(text)
    if isinstance(exc, client.Forbidden):
        return AuthProblem(
            _("Not allowed in this acting context: {detail}").format(detail=text),
            hint=_("See the contexts you may use with: monespace context list"),
        )
    if isinstance(exc, client.NotFound):
        return NotFoundProblem(_("Not found: {detail}").format(detail=text))
    if isinstance(exc, client.StaleVersion):
        return RejectedInput(
            _("Someone changed it since you read it: {detail}").format(detail=text),
            hint=_("Read it again, then repeat your change."),
        )
    if isinstance(exc, client.ValidationFailed | client.Conflict):
        return RejectedInput(
            _("The portal rejected the input: {detail}").format(detail=text),
            details=field_lines(exc.errors),
        )
    if isinstance(exc, client.BadRequest):
        return RejectedInput(_("The portal rejected the request: {detail}").format(detail=text))
    if isinstance(exc, client.RateLimited):
        hint = None
        if exc.retry_after is not None:
            hint = _("Try again in {seconds} s.").format(seconds=round(exc.retry_after))
        return CliError(_("Too many requests: {detail}").format(detail=text), hint=hint)
    if isinstance(exc, client.PortalUnavailable):
        return CliError(
            _("The portal cannot be reached: {detail}").format(detail=_unreachable_detail(exc)),
            hint=_(_UNREACHABLE_HINT),
        )
    message = _("The portal failed: {detail}").format(detail=text)
    if exc.error_id and exc.error_id not in message:
        message += " " + _("(error id {error_id})").format(error_id=exc.error_id)
    return CliError(message)


def _explain_eid_error(exc: BaseException) -> CliError | None:
    """The CLI problem for an ``eid`` error, in the user's language.

    ``eid`` cannot import our gettext, so its exceptions carry English
    templates (marked for our catalogue) and parameters; they are
    translated here (``eid.errors.localize``), never by parsing ``str(exc)``.
    """
    errors = sys.modules.get("eid.errors")
    if errors is None or not isinstance(exc, errors.EidError):
        return None
    text, fix = errors.localize(exc, _)
    hint = fix or None
    name = type(exc).__name__
    if name in ("WrongPin", "LastTryRefused"):
        return AuthProblem(text, hint=hint)
    if name == "InvalidPinFormat":
        return RejectedInput(text, hint=hint)
    if name == "PinpadCancelled":
        return CliError(text, hint=hint, exit_code=ExitCode.INTERRUPTED)
    return CardProblem(text, hint=hint)


def report(exc: BaseException, *, stderr: TextIO, debug: bool = False, color: bool = False) -> int:
    """Print what went wrong on stderr and return the exit code.

    Unknown exceptions are bugs: they get a generic sentence asking for
    ``--debug``, never a traceback unless asked.
    """
    problem = explain(exc)
    if debug:
        traceback.print_exception(exc, file=stderr)
    if problem is None:
        problem = CliError(
            _("Unexpected error ({kind}): {detail}").format(kind=type(exc).__name__, detail=exc),
            hint=None if debug else _("Run again with --debug to see the details."),
        )
    prefix = _("error")
    if color:
        prefix = f"\x1b[31m{prefix}\x1b[0m"
    print(f"{prefix}: {problem.message}", file=stderr)
    for line in problem.details:
        print(f"  {line}", file=stderr)
    if problem.hint:
        print(problem.hint, file=stderr)
    return int(problem.exit_code)
