"""Arguments written the same way on several nouns (one spelling, one help text)."""

from __future__ import annotations

from typing import Annotated

import typer

from monespace_cli.i18n import _

#: A dossier's reference, on ``dossier`` and ``agent`` verbs alike.
DOSSIER_ID = Annotated[
    str, typer.Argument(help=_("Dossier reference, e.g. MSP-2026-000042."), metavar="ID")
]
