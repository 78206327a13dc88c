"""A portal of its own on the real uvicorn server, for tests that push its limits.

Why its own: these tests set limits (body sizes, timeouts, in-flight slots)
through the environment, read the process's memory or hold its connections;
sharing the session's server would change what other tests see. SQLite in a
fresh folder, webhooks off (no dispatcher competing for the process).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import PortalServer, init_portal


@contextlib.contextmanager
def own_portal(pki_dir: Path, directory: Path, **env: str) -> Iterator[PortalServer]:
    """Start a portal on a new SQLite database in ``directory`` with ``env`` set; stop it after."""
    url = f"sqlite:///{directory / 'portal.sqlite3'}"
    init_portal(url, pki_dir)
    portal = PortalServer(
        url,
        pki_dir,
        directory / "server.log",
        extra_env={"MONESPACE_PORTAL_WEBHOOKS": "off", **env},
    )
    portal.start()
    try:
        yield portal
    finally:
        portal.stop()
