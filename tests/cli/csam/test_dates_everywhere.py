"""Every date a person types takes ``dd/mm/yyyy`` and ISO, and the command says what it read.

``roles grant --until`` and roles files took ISO only while ``bulk`` and
``agent complement --due`` took ``31/12/2027``; now one parser serves all.
"""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import run_cli
from csam_support import ARDENNE, KEVIN, SOPHIE


def test_roles_grant_until_in_belgian_form(cli_as) -> None:
    kevin = cli_as(KEVIN)
    grant = kevin(
        *("roles", "grant", SOPHIE, "--org", ARDENNE),
        *("--domain", "environment", "--level", "consult", "--until", "31/12/2031"),
    )
    assert grant.code == 0, grant.err
    assert "--until 31/12/2031: Wednesday 31 December 2031" in grant.err
    listed = kevin("roles", "list", "--org", ARDENNE, "--person", SOPHIE, "-o", "json")
    roles = {r["domain"]: r for r in json.loads(listed.out)}
    assert roles["environment"]["valid_until"].startswith("2031-12-31")
    assert kevin("roles", "revoke", SOPHIE, "--org", ARDENNE, "--domain", "environment").code == 0


def test_a_date_that_does_not_exist_is_refused_before_sending(cli_as) -> None:
    kevin = cli_as(KEVIN)
    bad = kevin(
        *("roles", "grant", SOPHIE, "--org", ARDENNE),
        *("--domain", "environment", "--level", "consult", "--until", "31/02/2031"),
    )
    assert bad.code == 5
    assert "--until: '31/02/2031' is not a date of the calendar." in bad.err


def test_the_date_problem_in_french(cli_as) -> None:
    kevin = cli_as(KEVIN)
    args = ["roles", "grant", SOPHIE, "--org", ARDENNE, "--domain", "environment"]
    args += ["--level", "consult", "--until", "31/02/2031"]
    bad = run_cli(args, {**kevin.env, "LANGUAGE": "fr"})
    assert bad.code == 5
    assert "--until: '31/02/2031' n'est pas une date du calendrier." in bad.err


def test_roles_file_dates_in_belgian_form(cli_as, tmp_path: Path) -> None:
    kevin = cli_as(KEVIN)
    exported = kevin("roles", "export", "--org", ARDENNE)
    wanted = tmp_path / "roles.yaml"
    wanted.write_text(
        exported.out
        + f'  "{SOPHIE}":\n    - domain: housing\n      level: consult\n'
        + "      valid_until: 30/06/2030\n"
    )
    plan = kevin("roles", "plan", "-f", str(wanted), "--detailed-exitcode")
    assert plan.code == 2, plan.err
    assert f"+ {SOPHIE} housing: consult, until 2030-06-30" in plan.out
