"""The atomic change set on roles (``roles:apply``): all or nothing.

Why its own module: each change reuses the single-request rules of
:mod:`portal.csam.roles`; only ordering, error collection and the
rollback decision belong here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from portal.csam.fields import Invalid, int_id
from portal.csam.locks import lock_organisations
from portal.csam.roles import (
    change_role,
    find_role,
    grant_role,
    parse_change,
    parse_grant,
    parse_key,
    revoke_role,
)
from portal.csam.shapes import role_json
from portal.models import Person, Role
from portal.problems import FieldError, Problem


def _locate(db: Session, bce: str, raw: Mapping[str, Any], prefix: str) -> Role:
    if raw.get("id") is not None:
        role_id = str(raw["id"])
        pk = int_id(role_id)
        role = db.get(Role, pk) if pk is not None else None
        if role is None or role.organisation_bce != bce:
            raise Invalid([FieldError(f"{prefix}/id", f"no role {role_id} in this organisation")])
        return role
    key = parse_key(db, raw, prefix)
    role = find_role(db, bce, key)
    if role is None:
        raise Invalid([FieldError(f"{prefix}/nrn", f"{key.nrn} has no such {key.domain} role")])
    return role


def _apply_one(
    db: Session, actor: Person, bce: str, raw: Mapping[str, Any], prefix: str
) -> dict[str, Any]:
    op = raw.get("op")
    if op == "grant":
        spec = parse_grant(db, raw, prefix)
        if find_role(db, bce, spec.key) is not None:
            message = f"{spec.key.nrn} already has this {spec.key.domain} role: use change"
            raise Invalid([FieldError(f"{prefix}/domain", message)])
        return role_json(db, grant_role(db, actor, bce, spec))
    if op == "change":
        role = _locate(db, bce, raw, prefix)
        fields = parse_change(raw, role.valid_from, prefix)
        return role_json(db, change_role(db, actor, bce, role, fields))
    if op == "revoke":
        return revoke_role(db, actor, bce, _locate(db, bce, raw, prefix))
    raise Invalid([FieldError(f"{prefix}/op", "must be one of grant, change, revoke")])


def apply_changes(
    db: Session, actor: Person, bce: str, changes: Sequence[Any], *, dry_run: bool
) -> dict[str, Any]:
    """Apply a change set in order, all or nothing.

    Each change runs against the state left by the previous ones (so a
    revoke then grant of one key works). Any invalid change → 422 with every
    error and the per-change results, after a rollback; ``dry_run`` rolls
    back a valid set too. The caller commits only when ``applied`` is true.
    """
    lock_organisations(db, bce)
    results: list[dict[str, Any]] = []
    errors: list[FieldError] = []
    for index, raw in enumerate(changes):
        prefix = f"/changes/{index}"
        op = raw.get("op") if isinstance(raw, Mapping) else None
        try:
            if not isinstance(raw, Mapping):
                raise Invalid([FieldError(prefix, "must be an object")])
            role = _apply_one(db, actor, bce, raw, prefix)
            results.append({"index": index, "op": op, "ok": True, "role": role})
        except Invalid as exc:
            errors.extend(exc.errors)
            results.append({"index": index, "op": op, "ok": False, "error": str(exc)})
    if errors or dry_run:
        db.rollback()
    if errors:
        count = sum(1 for r in results if not r["ok"])
        raise Problem(
            "validation-failed",
            f"{count} of {len(results)} changes are invalid; nothing was applied",
            errors=errors,
            extra={"results": results},
        )
    return {"applied": not dry_run, "results": results}
