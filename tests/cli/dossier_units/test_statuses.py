"""The CLI's list of dossier statuses is the client's (kept apart so --help needs no httpx)."""

from __future__ import annotations

from typing import get_args

from monespace_cli.client import FINAL_STATUSES, DossierStatus
from monespace_cli.commands.dossier import STATUSES


def test_cli_statuses_are_the_client_statuses() -> None:
    assert STATUSES == get_args(DossierStatus)
    assert FINAL_STATUSES <= set(STATUSES)
