"""The authorization matrix, through personal access tokens of each scope.

A token acts as its creator in the token's context, narrowed to its scopes:
so for every line of matrix.txt and every scope, a token of that scope held
by a caller of the line must get exactly the caller's cell when the line's
operation needs that scope (portal/auth/scopes.py), and otherwise a 403 whose
detail names the scope that is missing — or says a card session is needed,
for the token-management lines. The matrix is thus extended by one derived
column per scope, without a hand-written cell that could drift from the
table of scopes.
"""

from __future__ import annotations

import pytest
from authz_matrix_support import CALLERS, Caller, Row, World, parse_matrix, probe, token_caller

from portal.auth.scopes import ANY_TOKEN, OPERATIONS, PUBLIC, SCOPES, SESSION_ONLY

ROWS = [row for row in parse_matrix() if OPERATIONS[(row.method, row.path)] != PUBLIC]


def _holder(row: Row) -> Caller:
    """The caller whose token is probed: the first who succeeds on the line, if any."""
    signed_in = [c for c in CALLERS if c.nrn is not None]
    return next((c for c in signed_in if row.expected[c.column] == "2xx"), signed_in[0])


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_a_token_answers_as_its_creator_within_its_scope_only(
    world: World, row: Row, scope: str
) -> None:
    if not world.probes_writes and row.method != "GET":
        pytest.skip("writes are probed on SQLite only (World.probes_writes)")
    holder = _holder(row)
    caller = token_caller(world, holder, scope)
    if caller is None:
        pytest.skip(f"{holder.column} may create no token acting as {holder.acting_as}")
    needed = OPERATIONS[(row.method, row.path)]
    answer = probe(world, row, caller)
    if needed == SESSION_ONLY:
        assert (answer.status, answer.problem) == (403, "forbidden"), answer.short()
        assert "card login session" in answer.detail
    elif needed in (scope, ANY_TOKEN):
        assert answer.cls == row.expected[holder.column], (
            f"{caller.who}: expected {row.expected[holder.column]} as with a session, "
            f"got {answer.short()}"
        )
    else:
        assert (answer.status, answer.problem) == (403, "forbidden"), answer.short()
        assert f"lacks the scope {needed}" in answer.detail, answer.detail
