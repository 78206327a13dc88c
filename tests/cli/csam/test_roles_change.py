"""``roles change``: the command ``roles grant`` points to when the role exists."""

from __future__ import annotations

import json

from csam_support import ARDENNE, KEVIN, SOPHIE

from monespace_cli.roles_file import DOMAINS


def _roles(kevin) -> dict[str, dict]:
    listed = kevin("roles", "list", "--org", ARDENNE, "--person", SOPHIE, "-o", "json")
    assert listed.code == 0, listed.err
    return {r["domain"]: r for r in json.loads(listed.out)}


def test_grant_twice_points_to_change_which_works(cli_as) -> None:
    kevin = cli_as(KEVIN)
    domain = next(d for d in reversed(DOMAINS) if d not in _roles(kevin))
    grant = ("roles", "grant", SOPHIE, "--org", ARDENNE, "--domain", domain, "--level", "consult")
    assert kevin(*grant).code == 0
    again = kevin(*grant)
    assert again.code == 5, again.err
    assert f"already has a role in the domain {domain}" in again.err
    assert f"monespace roles change {SOPHIE} --org {ARDENNE} --domain {domain}" in again.err
    assert " a economy" not in again.err

    changed = kevin(
        *("roles", "change", SOPHIE, "--org", ARDENNE, "--domain", domain),
        *("--level", "act", "--until", "31/12/2032"),
    )
    assert changed.code == 0, changed.err
    role = _roles(kevin)[domain]
    assert role["level"] == "act" and role["valid_until"].startswith("2032-12-31")

    no_end = kevin("roles", "change", "--id", str(role["id"]), "--org", ARDENNE, "--no-end")
    assert no_end.code == 0, no_end.err
    assert _roles(kevin)[domain]["valid_until"] is None

    nothing = kevin("roles", "change", SOPHIE, "--org", ARDENNE, "--domain", domain)
    assert nothing.code == 2 and "Nothing to change" in nothing.err
    assert kevin("roles", "revoke", SOPHIE, "--org", ARDENNE, "--domain", domain).code == 0
