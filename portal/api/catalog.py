"""``/procedures``: the procedure catalogue (public, no login needed)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from portal.api.schemas import ProcedureOut, ProcedurePage, problems
from portal.auth.deps import DbSession
from portal.domain import catalog
from portal.pagination import DEFAULT_LIMIT, Cursor, Limit, decode_cursor, page
from portal.problems import Problem, not_found

router = APIRouter(prefix="/procedures", tags=["catalog"])
_KIND = "procedures"


@router.get(
    "",
    summary="List procedures (ordered by code)",
    response_model=None,
    responses={200: {"model": ProcedurePage}, **problems(400, 422)},
)
def list_procedures(
    db: DbSession,
    audience: Literal["citizen", "enterprise", "non_profit"] | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """The current version of each procedure, filtered by audience and text."""
    key = decode_cursor(_KIND, cursor)
    after = key[0] if key else None
    if after is not None and not isinstance(after, str):
        raise Problem("bad-request", "the cursor is not valid for this list")
    rows = catalog.procedures_page(db, audience=audience, q=q, after=after, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    items = [catalog.item_json(db, p, v, with_form=False) for p, v in rows]
    return page(items, [rows[-1][0].code] if more else None, _KIND)


@router.get(
    "/{code}",
    summary="One procedure with its form",
    response_model=None,
    responses={200: {"model": ProcedureOut}, **problems(404, 422)},
)
def get_procedure(
    code: str,
    db: DbSession,
    version: Annotated[int | None, Query(ge=1, le=10_000)] = None,
) -> dict[str, Any]:
    """The catalogue item and its JSON Schema form (``?version=N`` for an older one)."""
    found = catalog.version_of(db, code, version)
    if found is None:
        raise not_found(f"procedure {code!r}" + (f" version {version}" if version else ""))
    return catalog.item_json(db, *found, with_form=True)
