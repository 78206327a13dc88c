"""Fixtures for the roles screen: a real portal, real logins, the host app (roles_host.py)."""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # roles_host

from roles_host import STORY_DAY, RolesHost, Scenario

from tests.conftest import PortalServer
from tui.screens.roles import RolesScreen


@pytest.fixture
def drive(portal_server: Any, token_for: Callable[[str], str]) -> Callable[..., RolesHost]:
    """``drive(NRN, BCE, scenario)``: run the roles screen at 80×24 and play ``scenario``."""

    def run(nrn: str, bce: str, scenario: Scenario, size: tuple[int, int] = (80, 24)) -> RolesHost:
        screen = RolesScreen(bce, today=STORY_DAY)
        app = RolesHost(portal_server.url, token_for(nrn), screen)

        async def main() -> None:
            async with app.run_test(size=size) as pilot:
                await scenario(app, screen, pilot)

        asyncio.run(main())
        return app

    return run


@pytest.fixture(scope="session")
def quiet_portal(
    pki_dir: Path, sandbox_database_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PortalServer]:
    """A real portal on a copy of the seeded sandbox database that no test writes to.

    For snapshots and read-only flows: the session-wide ``portal_server`` is
    changed by other tests.
    """
    directory = tmp_path_factory.mktemp("roles-snapshots")
    database = directory / "portal.sqlite3"
    shutil.copyfile(sandbox_database_template, database)
    server = PortalServer(f"sqlite:///{database}", pki_dir, directory / "server.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()
