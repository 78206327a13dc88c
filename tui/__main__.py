"""``python -m tui``: the same as ``monespace tui`` (the current profile)."""

from __future__ import annotations

import sys

from monespace_cli.app import run

if __name__ == "__main__":
    sys.exit(run(["tui", *sys.argv[1:]]))
