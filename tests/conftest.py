"""Shared pytest configuration for the whole suite.

The project root goes on sys.path so tests import ``eid``, ``portal``,
``monespace_cli`` and ``tests.*`` helpers however pytest is started.
"""

import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

pytest_plugins = ["tests.pcsc_fixtures"]
