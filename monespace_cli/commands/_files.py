"""Saving files the portal sends without letting their names escape the folder.

File names come from the server (and, through it, from whoever uploaded the
file): never trust them to stay inside the download folder, and never
overwrite an existing file silently — a second download gets ``name (2).pdf``.
"""

from __future__ import annotations

import re
from pathlib import Path

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:]")


def safe_name(name: str, fallback: str = "file") -> str:
    """A plain file name: no folders, control characters or leading dots."""
    base = _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip().lstrip(".")
    return base[:200] or fallback


def safe_target(folder: Path, name: str) -> Path:
    """A new path for ``name`` inside ``folder`` (created), never an existing file."""
    folder.mkdir(parents=True, exist_ok=True)
    clean = safe_name(name)
    candidate = folder / clean
    stem, dot, suffix = clean.rpartition(".")
    if not dot:
        stem, suffix = clean, ""
    counter = 2
    while candidate.exists():
        candidate = folder / (f"{stem} ({counter}).{suffix}" if suffix else f"{clean} ({counter})")
        counter += 1
    return candidate
