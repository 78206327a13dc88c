"""``-o csv`` of the CSAM lists: columns from the schema, fixed, with a header even when empty.

From the rows, a role granted by nobody (``granted_by`` null) and one granted
by a person gave ``granted_by,granted_by.nrn,granted_by.name``, and an empty
mandate list printed nothing at all.
"""

from __future__ import annotations

import csv
import io

from csam_support import BOULANGERIE, FIDUCIAIRE, LUC, SOPHIE

ROLE = [
    "id", "nrn", "name", "domain", "level", "valid_from", "valid_until", "on_mandates",
    "beneficiary", "granted_by.nrn", "granted_by.name",
]  # fmt: skip
MANDATE = [
    "id", "beneficiary.bce", "beneficiary.name", "mandataire.bce", "mandataire.name", "domains",
    "valid_from", "valid_until", "state", "proposed_by", "created_at", "decided_at",
    "decided_by.nrn", "decided_by.name",
]  # fmt: skip
GAP = ["nrn", "name", "valid_from", "valid_until", "designated_by.nrn", "designated_by.name"]
CONTEXT = ["current", "id", "kind", "name", "bce", "via", "domains"]
AUDIT = ["id", "at", "actor.nrn", "actor.name", "acting_as", "action", "target", "old", "new"]


def _csv(cli, *args: str) -> list[list[str]]:
    result = cli(*args, "-o", "csv")
    assert result.code == 0, result.err
    return list(csv.reader(io.StringIO(result.out)))


def test_roles_columns_do_not_depend_on_who_granted(cli_as) -> None:
    rows = _csv(cli_as(SOPHIE), "roles", "list", "--org", FIDUCIAIRE)
    assert rows[0] == ROLE
    assert len(rows) > 1 and all(len(row) == len(ROLE) for row in rows)


def test_an_empty_mandate_list_still_has_its_header(cli_as) -> None:
    rows = _csv(cli_as(LUC), "mandate", "list", "--org", BOULANGERIE, "--state", "expired")
    assert rows == [MANDATE]
    assert _csv(cli_as(SOPHIE), "mandate", "list", "--org", FIDUCIAIRE)[0] == MANDATE


def test_gap_context_and_history_columns(cli_as) -> None:
    luc = cli_as(LUC)
    assert _csv(luc, "gap", "list", "--org", BOULANGERIE)[0] == GAP
    assert _csv(luc, "context", "list")[0] == CONTEXT
    assert _csv(cli_as(SOPHIE), "roles", "history", "--org", FIDUCIAIRE)[0] == AUDIT
