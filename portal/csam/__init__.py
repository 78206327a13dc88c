"""CSAM rules: who may designate GAPs, grant roles and decide mandates.

Why one package: the API (``portal/api/csam.py``) only parses and renders;
every rule of docs/api.md "CSAM" lives here so it is checked the same way for
a single request and for an atomic change set (``roles:apply``). Who may
*act* for an organisation stays in :mod:`portal.domain.authz`, which reads the rows
written here at every request — so a revoked role or mandate stops working
on the very next request, with no cache to invalidate.

One concept a module: :mod:`~portal.csam.permissions` (who may act),
:mod:`~portal.csam.gaps` (GAP designation, no lock-out),
:mod:`~portal.csam.roles` and :mod:`~portal.csam.changeset` (roles and the
atomic change set), :mod:`~portal.csam.mandates` and
:mod:`~portal.csam.mandate_states` (mandates and their computed expiry),
:mod:`~portal.csam.trail` (audit), :mod:`~portal.csam.shapes` (JSON shapes),
:mod:`~portal.csam.fields` (field parsing), :mod:`~portal.csam.validity`,
:mod:`~portal.csam.locks` and :mod:`~portal.csam.transparency`. The names
below are re-exported so callers keep writing ``csam.X``.
"""

from __future__ import annotations

from portal.csam.changeset import apply_changes
from portal.csam.fields import Invalid, raise_invalid
from portal.csam.gaps import current_gaps, designate_gap, remove_gap
from portal.csam.locks import lock_organisations
from portal.csam.mandate_states import MANDATE_STATES, mandate_state
from portal.csam.mandates import (
    decide_mandate,
    get_mandate,
    list_mandates,
    propose_mandate,
    revoke_mandate,
)
from portal.csam.permissions import (
    managed_organisations,
    manages,
    require,
    require_manager,
    rights,
    visible_organisation,
)
from portal.csam.roles import (
    LEVELS,
    RoleKey,
    RoleSpec,
    change_role,
    find_role,
    get_role,
    grant_role,
    parse_change,
    parse_grant,
    revoke_role,
    roles_of,
)
from portal.csam.shapes import audit_json, gap_json, mandate_json, role_json
from portal.csam.trail import audit, audit_page
from portal.csam.transparency import log_mandataire_read
from portal.csam.validity import today

__all__ = [
    "LEVELS",
    "MANDATE_STATES",
    "Invalid",
    "RoleKey",
    "RoleSpec",
    "apply_changes",
    "audit",
    "audit_json",
    "audit_page",
    "change_role",
    "current_gaps",
    "decide_mandate",
    "designate_gap",
    "find_role",
    "gap_json",
    "get_mandate",
    "get_role",
    "grant_role",
    "list_mandates",
    "lock_organisations",
    "log_mandataire_read",
    "managed_organisations",
    "manages",
    "mandate_json",
    "mandate_state",
    "parse_change",
    "parse_grant",
    "propose_mandate",
    "raise_invalid",
    "remove_gap",
    "require",
    "require_manager",
    "revoke_mandate",
    "revoke_role",
    "rights",
    "role_json",
    "roles_of",
    "today",
    "visible_organisation",
]
