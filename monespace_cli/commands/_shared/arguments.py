"""Arguments written the same way on several nouns (one spelling, one help text)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from monespace_cli.i18n import _

#: A dossier's reference, on ``dossier`` and ``agent`` verbs alike.
DOSSIER_ID = Annotated[
    str, typer.Argument(help=_("Dossier reference, e.g. MSP-2026-000042."), metavar="ID")
]
#: Where ``dossier download`` and ``agent download`` save a dossier's files.
DOWNLOAD_DIR = Annotated[
    Path | None,
    typer.Option("--dir", help=_("Folder to save into (default: ./ID)."), metavar="DIR"),
]
