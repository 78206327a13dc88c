"""Files named on the command line (``--attach FILE``, ``--from-file FILE``…).

One check and one message for every command that reads a file a person
named, so a typo is a usage error (exit 2) saying which path, before
anything is sent to the portal.
"""

from __future__ import annotations

from pathlib import Path

from monespace_cli.errors import UsageProblem
from monespace_cli.i18n import _


def existing_file(name: str) -> Path:
    """A path to a readable regular file, or a clear usage error."""
    path = Path(name)
    if not path.is_file():
        raise UsageProblem(_("No such file: {path}").format(path=name))
    return path
