"""Saving a dossier's files so that a second download adds nothing twice.

``dossier download`` (the applicant) and ``agent download`` (the back office)
both save attachments whose names come from the server. A plain "never
overwrite, pick ``name (2).pdf``" rule made every re-run duplicate the whole
folder; here a file already present with the announced sha256 is recognised
and left alone, so running the command again only fetches what is new.

Rules, in order, for each file (``FileSaver.save``):

1. the clean name (:func:`monespace_cli.files.safe_name`) or, if another file of this run already
   took it, ``name (2).pdf``, ``name (3).pdf``…;
2. a file there with the same sha256 → ``unchanged``, nothing fetched;
3. a different file there → without ``force`` the next free number (never
   overwrite what a person may have edited), with ``force`` it is replaced;
4. the bytes go to a temporary file in the same folder, are checked against
   the announced sha256, then appear under their name in one step (a crash or
   a network drop never leaves half a file under the real name).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO

from monespace_cli.errors import CliError
from monespace_cli.files import make_ordinary, numbered, part_file, safe_name
from monespace_cli.i18n import _

#: Writes the file's bytes into the handle (a client's ``download_*``); bytes written.
Fetch = Callable[[IO[bytes]], int]

SAVED, UNCHANGED, REPLACED = "saved", "unchanged", "replaced"


class FileSaver:
    """Saves the files of one download run; remembers the names it used."""

    def __init__(self, *, force: bool = False) -> None:
        self.force = force
        self._taken: set[Path] = set()

    def save(
        self, folder: Path, name: str, sha256: str | None, fetch: Fetch, *, reserve: int = 0
    ) -> tuple[Path, str]:
        """Save one file under ``folder``; its path and ``saved|unchanged|replaced``.

        ``reserve``: bytes of the name kept free for a file saved next to it
        (a document's ``.seal.json``).
        """
        folder.mkdir(parents=True, exist_ok=True)
        clean = safe_name(name, reserve=reserve)
        for candidate in (folder / n for n in numbered(clean, reserve=reserve)):
            if candidate in self._taken:
                continue
            if candidate.exists():
                if sha256 and _sha256(candidate) == sha256.lower():
                    self._taken.add(candidate)
                    return candidate, UNCHANGED
                if not self.force:
                    continue
            status = REPLACED if candidate.exists() else SAVED
            if write_new(candidate, sha256, fetch, replace=self.force):
                self._taken.add(candidate)
                return candidate, status
        raise AssertionError("unreachable: the numbering never ends")  # pragma: no cover


def _sha256(path: Path) -> str:
    """The hex sha256 of a file, read in chunks (attachments may be 20 MB)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_new(path: Path, sha256: str | None, fetch: Fetch, *, replace: bool) -> bool:
    """Fetch into a temporary file, check it, then give it ``path``.

    The one way the CLI saves a download (``document download`` too): a
    dropped connection or wrong bytes never leave a file under the real name.

    Without ``replace`` the name is taken with a hard link, which fails if a
    file appeared there meanwhile (False: the caller tries the next name) —
    the check and the write are one step, no race with another download.
    """
    handle = part_file(path)
    temp = Path(handle.name)
    try:
        with handle:
            fetch(handle)
            handle.flush()
            os.fsync(handle.fileno())
        make_ordinary(temp)
        if sha256 and _sha256(temp) != sha256.lower():
            raise CliError(
                _("{name}: the downloaded bytes do not match the portal's sha256.").format(
                    name=path.name
                ),
                hint=_("Run the command again; if it persists, tell the portal's helpdesk."),
            )
        if replace:
            os.replace(temp, path)
            return True
        return _link(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def _link(temp: Path, path: Path) -> bool:
    """Give ``temp`` the name ``path`` unless it exists; False if it does."""
    try:
        os.link(temp, path)
    except FileExistsError:
        return False
    except OSError:  # a file system without hard links: the exists() check must do
        if path.exists():
            return False
        os.replace(temp, path)
    return True
