"""Fixtures of the agent queue tests (helpers in agent_tui_support.py: a unique module name)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # agent_tui_support

from agent_tui_support import SEEDED, SNAPSHOT_NOW, People, seeded_portal


@pytest.fixture(scope="module")
def people(
    pki_dir: Path, sandbox_database_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[People]:
    """A real portal of this module's own, seeded with SEEDED dossiers; its people."""
    directory = tmp_path_factory.mktemp("agent-queue")
    server = seeded_portal(sandbox_database_template, pki_dir, directory, dossiers=SEEDED, now=None)
    try:
        yield People(server)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def frozen_people(
    pki_dir: Path, sandbox_database_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[People]:
    """Like ``people``, seeded as of SNAPSHOT_NOW and never written to (snapshots)."""
    directory = tmp_path_factory.mktemp("agent-queue-frozen")
    server = seeded_portal(
        sandbox_database_template, pki_dir, directory, dossiers=SEEDED, now=SNAPSHOT_NOW
    )
    try:
        yield People(server)
    finally:
        server.stop()
