"""What ``monespace tui`` runs with: one value object, built outside the app.

Why apart from :mod:`tui.app`: the screens read it through their host
(:class:`tui.host.PortalHost`), and the host's description must not import
the app that imports the screens. Nothing here reads the environment or
config files: ``monespace tui`` fills it from the CLI's Factory, a test
fills it with a portal URL, a token and an injected card connection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class TuiSettings:
    """What the app runs with; no field is read from the environment by the app."""

    portal_url: str
    token: str | None = None
    acting_as: str = "me"
    #: A pyscard-compatible card connection to use instead of PC/SC (tests).
    card_connection: Any = None
    #: The reader to use (None: the first one holding a card).
    reader: str | None = None
    #: Keeps a new session token (the credentials store, like ``auth login``).
    save_token: Callable[[str], None] | None = None
    #: Forgets the token on log out.
    forget_token: Callable[[], None] | None = None
    #: Follow the portal's event stream (off for deterministic snapshots).
    live: bool = True
    #: Longest wait between two reconnection attempts, in seconds.
    reconnect_max: float = 10.0
    #: How often the login screen looks at the readers, in seconds.
    reader_poll: float = 0.5
    #: The portal is a sandbox: offer "pay" on payments.
    sandbox: bool = True
    #: Where the file picker starts and documents are saved (None: the working folder).
    files_dir: Path | None = None
    #: Open the back-office queue right after login (``monespace tui --agent``).
    start_agent: bool = False
