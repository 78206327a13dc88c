"""Completion scripts: committed files in sync, and the completion protocol works."""

from __future__ import annotations

import pytest
from cli_helpers import ROOT

from monespace_cli.commands.completion import SHELLS, completion_script
from monespace_cli.completions_gen import FILE_NAMES


@pytest.mark.parametrize("shell", SHELLS)
def test_committed_scripts_are_in_sync(shell: str) -> None:
    committed = (ROOT / "completions" / FILE_NAMES[shell]).read_text(encoding="utf-8")
    assert committed == completion_script(shell), "run: make completions"


@pytest.mark.parametrize("shell", SHELLS)
def test_completion_command_prints_the_script(cli, shell: str) -> None:
    result = cli("completion", shell)
    assert result.code == 0
    assert result.out == completion_script(shell)
    assert "_MONESPACE_COMPLETE" in result.out


def test_unknown_shell(cli) -> None:
    result = cli("completion", "tcsh")
    assert result.code == 2 and "tcsh" in result.err


def test_bash_completes_nouns_and_verbs(cli) -> None:
    nouns = cli(_MONESPACE_COMPLETE="complete_bash", COMP_WORDS="monespace c", COMP_CWORD="1")
    assert set(nouns.out.split()) >= {"catalog", "context", "completion"}
    verbs = cli(_MONESPACE_COMPLETE="complete_bash", COMP_WORDS="monespace auth ", COMP_CWORD="2")
    assert set(verbs.out.split()) == {"login", "status", "logout", "token"}
