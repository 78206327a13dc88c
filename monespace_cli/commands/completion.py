"""``monespace completion bash|zsh|fish``: the shell completion script.

The scripts call back into ``monespace`` (``_MONESPACE_COMPLETE``) to
complete nouns, verbs and options, so they stay valid as commands are
added. The same scripts are committed under ``completions/``
(``python -m monespace_cli.completions_gen completions`` regenerates them; a
test keeps them in sync).

Install, e.g.: ``monespace completion bash > ~/.local/share/bash-completion/completions/monespace``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from monespace_cli.app import COMPLETE_VAR, PROG, noun_app
from monespace_cli.errors import UsageProblem
from monespace_cli.i18n import _

app = noun_app(_("Print the shell completion script."))

SHELLS = ("bash", "zsh", "fish")


def completion_script(shell: str) -> str:
    """The completion script text for a shell (ends with a newline)."""
    # Here, not at the top: ``monespace completion --help`` need not load it.
    from typer.completion import get_completion_script

    if shell not in SHELLS:
        raise UsageProblem(
            _("Unknown shell {shell!r}: use one of {shells}.").format(
                shell=shell, shells=", ".join(SHELLS)
            )
        )
    return get_completion_script(prog_name=PROG, complete_var=COMPLETE_VAR, shell=shell) + "\n"


@app.command()
def completion(
    shell: Annotated[str, typer.Argument(help=_("bash, zsh or fish."), metavar="SHELL")],
) -> None:
    """Print the completion script for a shell."""
    typer.echo(completion_script(shell), nl=False)
