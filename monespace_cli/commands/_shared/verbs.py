"""How a noun package gathers the verbs its modules declare (gh's parent adds its children).

Each verb module of ``commands/agent/`` or ``commands/dossier/`` declares its
commands on its own collector, ``verbs = verb_group()``, with Typer's usual
``@verbs.command("name")`` (so the docstring stays the help, and the
catalogue extraction sees it). The noun's ``__init__`` builds the noun's app
and adds each module's verbs with :func:`add_verbs`, in the order ``--help``
lists them. A verb module therefore never imports its noun's package: no
import cycle, and a verb is found where its name says.
"""

from __future__ import annotations

import typer


def verb_group() -> typer.Typer:
    """A collector for one module's commands (never run by itself)."""
    return typer.Typer()


def add_verbs(noun: typer.Typer, *groups: typer.Typer) -> None:
    """Add the commands of ``groups`` to ``noun``, in order.

    :class:`monespace_cli.app.LazyVerbs` still builds only the verb that runs:
    it reads the noun's registered commands, which is what this extends.
    """
    for group in groups:
        noun.registered_commands.extend(group.registered_commands)
