"""Reading the procedure catalogue from the database.

The catalogue item is stored as the sandbox file defines it
(``ProcedureVersion.definition``); this module picks the public fields and
the form, so routers and the dossier service share one view of it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Procedure, ProcedureVersion, Service

ITEM_FIELDS = ("title", "summary", "audience", "domain", "fee", "legal_days", "attachment_kinds")
#: Audience names accepted in queries, mapped to the stored ones.
AUDIENCES = {"citizen": "citizen", "enterprise": "enterprise", "non_profit": "non_profit"}


def version_of(
    db: Session, code: str, version: int | None = None
) -> tuple[Procedure, ProcedureVersion] | None:
    """The procedure and its requested (default: current) version, or None."""
    procedure = db.get(Procedure, code)
    if procedure is None:
        return None
    row = db.get(ProcedureVersion, (code, version or procedure.current_version))
    if row is None:
        return None
    return procedure, row


def item_json(
    db: Session, procedure: Procedure, row: ProcedureVersion, *, with_form: bool
) -> dict[str, Any]:
    """The catalogue item of docs/api.md (plus ``form`` on the detail)."""
    definition = row.definition
    service = db.get(Service, procedure.service_code)
    body: dict[str, Any] = {"code": procedure.code, "version": row.version}
    for field in ITEM_FIELDS:
        body[field] = definition.get(field)
    body["domain"] = procedure.domain
    body["service"] = {
        "code": procedure.service_code,
        "name": service.name if service is not None else {},
    }
    body["attachment_kinds"] = definition.get("attachment_kinds") or []
    if with_form:
        body["form"] = definition.get("form", {})
    return body


def procedures_page(
    db: Session, *, audience: str | None, q: str | None, after: str | None, limit: int
) -> list[tuple[Procedure, ProcedureVersion]]:
    """Current versions ordered by code, after the cursor, filtered (up to limit)."""
    query = (
        select(Procedure, ProcedureVersion)
        .join(
            ProcedureVersion,
            (ProcedureVersion.procedure_code == Procedure.code)
            & (ProcedureVersion.version == Procedure.current_version),
        )
        .order_by(Procedure.code)
    )
    if after is not None:
        query = query.where(Procedure.code > after)
    result: list[tuple[Procedure, ProcedureVersion]] = []
    for procedure, row in db.execute(query).all():
        if audience and audience not in (row.definition.get("audience") or []):
            continue
        if q and not _matches(row.definition, procedure.code, q):
            continue
        result.append((procedure, row))
        if len(result) >= limit:
            break
    return result


def _matches(definition: dict[str, Any], code: str, q: str) -> bool:
    needle = q.casefold()
    texts = [code]
    for field in ("title", "summary"):
        value = definition.get(field) or {}
        if isinstance(value, dict):
            texts.extend(str(v) for v in value.values())
    return any(needle in t.casefold() for t in texts)
