"""``monespace roles``: export → apply → plan, atomicity, exit codes, lines, and scope."""

from __future__ import annotations

from pathlib import Path

from csam_support import ARDENNE, BOULANGERIE, FIDUCIAIRE, KEVIN, NOBODY, SOPHIE


def _roles(kevin, *extra: str) -> str:
    result = kevin("roles", "list", "--org", ARDENNE, "-o", "json", *extra)
    assert result.code == 0, result.err
    return result.out


def test_export_apply_plan_round_trip(cli_as, tmp_path: Path) -> None:
    kevin = cli_as(KEVIN)
    exported = kevin("roles", "export", "--org", ARDENNE)
    assert exported.code == 0, exported.err
    assert f'organisation: "{ARDENNE}"' in exported.out and "# Kevin Thill" in exported.out
    original = tmp_path / "original.yaml"
    original.write_text(exported.out)
    assert kevin("roles", "plan", "-f", str(original), "--detailed-exitcode").code == 0

    wanted = tmp_path / "roles.yaml"
    wanted.write_text(
        exported.out
        + f'  "{SOPHIE}":\n    - domain: housing\n      level: consult\n'
        + "      valid_until: 2030-06-30\n"
    )
    plan = kevin("roles", "plan", "-f", str(wanted), "--detailed-exitcode")
    assert plan.code == 2, plan.err
    assert f"+ {SOPHIE} housing: consult, until 2030-06-30" in plan.out
    assert "Plan: 1 to grant, 0 to change, 0 to revoke." in plan.out

    refused = kevin("roles", "apply", "-f", str(wanted))
    assert refused.code == 2 and "--yes" in refused.err
    assert SOPHIE not in _roles(kevin)

    applied = kevin("roles", "apply", "-f", str(wanted), "--yes")
    assert applied.code == 0, applied.err
    assert '"housing"' in _roles(kevin, "--person", SOPHIE)
    assert kevin("roles", "plan", "-f", str(wanted), "--detailed-exitcode").code == 0

    # on_mandates cannot be changed in place: revoke and grant again, in one change set.
    flipped = tmp_path / "flipped.yaml"
    flipped.write_text(wanted.read_text() + "      on_mandates: true\n")
    replaced = kevin("roles", "apply", "-f", str(flipped), "--yes")
    assert replaced.code == 0, replaced.err
    assert f"- {SOPHIE}" in replaced.out and f"+ {SOPHIE}" in replaced.out
    assert kevin("roles", "plan", "-f", str(flipped), "--detailed-exitcode").code == 0

    back = kevin("roles", "apply", "-f", str(original), "--yes")
    assert back.code == 0, back.err
    assert f"- {SOPHIE}" in back.out
    assert SOPHIE not in _roles(kevin)
    history = kevin("roles", "history", "--org", ARDENNE, "-o", "json")
    assert history.code == 0 and "role.revoke" in history.out and "role.grant" in history.out


def test_apply_is_atomic_when_one_line_is_invalid(cli_as, tmp_path: Path) -> None:
    kevin = cli_as(KEVIN)
    before = _roles(kevin)
    exported = kevin("roles", "export", "--org", ARDENNE).out
    path = tmp_path / "roles.yaml"
    path.write_text(
        exported
        + f'  "{SOPHIE}":\n    - domain: housing\n      level: act\n'
        + f'  "{NOBODY}":\n    - domain: housing\n      level: act\n'
    )
    nobody_line = (
        path.read_text().splitlines().index("    - domain: housing", len(exported.splitlines()) + 2)
        + 1
    )
    result = kevin("roles", "apply", "-f", str(path), "--yes")
    assert result.code == 5, (result.out, result.err)
    assert f"{path}:{nobody_line}:" in result.err
    assert _roles(kevin) == before
    detailed = kevin("roles", "plan", "-f", str(path), "--detailed-exitcode")
    assert detailed.code == 1 and f"{path}:{nobody_line}:" in detailed.err


def test_file_problems_are_all_reported_with_lines_before_sending(cli_as, tmp_path: Path) -> None:
    kevin = cli_as(KEVIN)
    path = tmp_path / "roles.yaml"
    path.write_text(
        f'organisation: "{ARDENNE}"\npeople:\n  "93120523306":\n    - domain: economy\n'
        f'      level: act\n  "{SOPHIE}":\n    - domain: space\n      level: admin\n'
    )
    result = kevin("roles", "plan", "-f", str(path))
    assert result.code == 5
    for line in (3, 7, 8):
        assert f"{path}:{line}:" in result.err
    assert "Traceback" not in result.err
    assert kevin("roles", "plan", "-f", str(path), "--detailed-exitcode").code == 1
    path.write_text("organisation: [\n")
    syntax = kevin("roles", "apply", "-f", str(path), "--yes")
    assert syntax.code == 5 and "YAML syntax error" in syntax.err


def test_a_gap_of_one_organisation_cannot_touch_another(cli_as, tmp_path: Path) -> None:
    kevin = cli_as(KEVIN)
    assert kevin("roles", "list", "--org", FIDUCIAIRE).code == 4
    grant = kevin(
        "roles", "grant", KEVIN, "--org", BOULANGERIE, "--domain", "economy", "--level", "act"
    )
    assert grant.code == 4, grant.err
    path = tmp_path / "roles.yaml"
    path.write_text(f'organisation: "{FIDUCIAIRE}"\npeople: {{}}\n')
    assert kevin("roles", "apply", "-f", str(path), "--yes").code == 4
    assert kevin("roles", "export", "--org", FIDUCIAIRE).code == 4


def test_grant_and_revoke_one_role(cli_as) -> None:
    kevin = cli_as(KEVIN)
    bad = kevin(
        "roles", "grant", "93120523306", "--org", ARDENNE, "--domain", "x", "--level", "act"
    )
    assert bad.code == 5 and "national register" in bad.err
    grant = kevin(
        "roles",
        "grant",
        SOPHIE,
        "--org",
        ARDENNE,
        "--domain",
        "nature",
        "--level",
        "consult",
        "--until",
        "2031-01-31",
    )
    assert grant.code == 0, grant.err
    assert '"nature"' in _roles(kevin, "--person", SOPHIE)
    revoke = kevin("roles", "revoke", SOPHIE, "--org", ARDENNE, "--domain", "nature")
    assert revoke.code == 0, revoke.err
    assert '"nature"' not in _roles(kevin, "--person", SOPHIE)
    again = kevin("roles", "revoke", SOPHIE, "--org", ARDENNE, "--domain", "nature")
    assert again.code == 4
