"""What a refusal from the back office means for an agent, in their words.

The CLI's generic mapping of 403 suggests picking another acting context,
but the back office ignores ``--as``: for an agent a 403 means "only a
supervisor of the service may do this" (exit 3), and a 404 on a list of the
caller's own services can only mean "you are not an agent" (exit 4).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from monespace_cli.errors import AuthProblem, NotFoundProblem
from monespace_cli.i18n import _


@contextmanager
def supervisor_only() -> Iterator[None]:
    """A 403 from the back office: the action needs a supervisor of the service (exit 3)."""
    from monespace_cli.client import Forbidden  # the client's errors load httpx: not on --help

    try:
        yield
    except Forbidden as exc:
        if exc.problem.get("missing_scope"):
            raise  # the access token's scope, not the agent's rank: errors.explain says so
        raise AuthProblem(
            _("Not allowed: {detail}").format(detail=exc),
            hint=_("Only a supervisor of the service may do this."),
        ) from None


@contextmanager
def agents_only() -> Iterator[None]:
    """The back office answers 404 to anyone who is not an agent (it hides itself):
    on a list of the caller's own services that can only mean "not an agent"."""
    from monespace_cli.client import NotFound  # the client's errors load httpx: not on --help

    try:
        yield
    except NotFound:
        raise NotFoundProblem(
            _("You are not an agent of any service: the back office is for the portal's agents."),
            hint=_("Ask the supervisor of your service to add you as an agent."),
        ) from None
