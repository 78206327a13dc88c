"""``roles apply`` on a real pseudo-terminal: it shows the plan and asks before writing."""

from __future__ import annotations

from pathlib import Path

from cli_helpers import answer_on_a_terminal
from csam_support import ARDENNE, KEVIN, SOPHIE


def test_apply_shows_the_plan_and_asks(cli_as, tmp_path: Path) -> None:
    kevin = cli_as(KEVIN)
    exported = kevin("roles", "export", "--org", ARDENNE).out
    original = tmp_path / "original.yaml"
    original.write_text(exported)
    wanted = tmp_path / "roles.yaml"
    wanted.write_text(exported + f'  "{SOPHIE}":\n    - domain: planning\n      level: act\n')

    code, screen = answer_on_a_terminal(
        ["roles", "apply", "-f", str(wanted)], kevin.env, "[y/N]", "n"
    )
    assert f"+ {SOPHIE} planning: act, no end date" in screen
    assert code == 1 and "Nothing applied." in screen
    assert SOPHIE not in kevin("roles", "list", "--org", ARDENNE, "-o", "json").out

    code, screen = answer_on_a_terminal(
        ["roles", "apply", "-f", str(wanted)], kevin.env, "[y/N]", "y"
    )
    assert code == 0, screen
    assert SOPHIE in kevin("roles", "list", "--org", ARDENNE, "-o", "json").out
    assert kevin("roles", "apply", "-f", str(original), "--yes").code == 0
