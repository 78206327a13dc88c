"""Fields that matter only in some cases: ``if``/``then``/``else`` of a form.

The portal's forms declare every property up front and make some of them
required only under a condition on a sibling::

    "allOf": [{"if": {"properties": {"occupancy": {"const": "tenant"}},
                      "required": ["occupancy"]},
               "then": {"required": ["landlord"]}}]

A property that is not required outright but is named in a ``then`` (or an
``else``) is *conditional*: the form shows it only while its condition holds
on the parent object's current data, and leaves its value out of the data
when hidden (so a tenant who becomes an owner does not send a landlord). The
condition is evaluated with jsonschema itself, so ``const``, ``enum`` and
``contains`` all work as the portal reads them.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

from monespace_cli import forms


@dataclass(frozen=True)
class Condition:
    """Show a field when ``when`` validates the parent's data (or not, for ``else``)."""

    when: str  # the ``if`` schema, as canonical JSON (hashable, cached validator)
    negate: bool = False

    def holds(self, parent_data: Any) -> bool:
        """Whether the field is relevant for this parent data."""
        data = parent_data if isinstance(parent_data, dict) else {}
        return _validator(self.when).is_valid(data) != self.negate


@functools.lru_cache(maxsize=512)
def _validator(schema_json: str) -> Any:
    # Imported on first use: it keeps `monespace tui` quick to start (see validation.py).
    from jsonschema import Draft202012Validator

    return Draft202012Validator(json.loads(schema_json))


def conditions_of(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, list[Condition]]:
    """For each property of an object schema, the conditions that bring it in."""
    found: dict[str, list[Condition]] = {}
    for rule in _rules(schema, root):
        when = json.dumps(rule.get("if") or {}, sort_keys=True)
        for branch_key, negate in (("then", False), ("else", True)):
            branch = rule.get(branch_key)
            if not isinstance(branch, dict):
                continue
            branch = forms.resolve_ref(branch, root)
            named = set(branch.get("required") or []) | set(branch.get("properties") or {})
            for key in named:
                found.setdefault(key, []).append(Condition(when, negate))
    return found


def _rules(schema: dict[str, Any], root: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``if`` rules of an object: its own and those in ``allOf``."""
    rules = [schema] if "if" in schema else []
    for branch in schema.get("allOf") or []:
        if isinstance(branch, dict):
            branch = forms.resolve_ref(branch, root)
            if "if" in branch:
                rules.append(branch)
    return rules


def shown(conditions: list[Condition], parent_data: Any) -> bool:
    """A field with no condition is always shown; else when any condition holds."""
    return not conditions or any(c.holds(parent_data) for c in conditions)
