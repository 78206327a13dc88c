"""File names from the portal, made safe to write: the one rule of the CLI and the TUI.

File names come from the server (and, through it, from whoever uploaded the
file). Before anything is written under such a name:

- it stays inside the folder: no ``/``, ``\\`` or ``:``, no leading dot;
- it shows what it is: control characters and every invisible formatting
  character — bidirectional controls (an ``U+202E`` can make ``gpj.exe`` read
  ``exe.jpg``), zero-width and soft hyphens, tag characters — are removed, and
  so are lone surrogates, which JSON can carry but no file system can name;
- it fits the file system: at most 255 **bytes** in UTF-8 (``NAME_MAX`` on
  Linux, macOS and Windows alike), cut on a character boundary and keeping
  the extension. 120 emoji are 468 bytes: a limit in characters is not one.
  Names built from it — ``name (2).pdf``, ``NAME.seal.json``, the temporary
  ``.NAME.xxxxxxxx.part`` — are cut the same way, so none can fail where the
  plain name would not;
- an existing file is never overwritten silently: ``name (2).pdf`` instead.
"""

from __future__ import annotations

import itertools
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

#: The longest file name (bytes, UTF-8) on the file systems people use.
NAME_MAX = 255
#: A document's seal is saved next to it as ``NAME.seal.json``.
SEAL_SUFFIX = ".seal.json"
#: An extension longer than this is part of the name, not a type to keep.
_MAX_SUFFIX_BYTES = 16
#: Unicode categories never kept: controls (Cc), invisible formatting (Cf: bidirectional
#: controls, zero-width characters, soft hyphen, tags), lone surrogates (Cs: not encodable
#: in UTF-8), line and paragraph separators (Zl, Zp).
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_SEPARATORS = re.compile(r"[/\\:]")
#: What :func:`part_file` adds around the name: ".", "." + 8 random characters, ".part".
_PART_EXTRA = len(".") + len(".") + 8 + len(".part")


def _visible(char: str) -> bool:
    """False for control, invisible formatting and surrogate characters."""
    return unicodedata.category(char) not in _HIDDEN_CATEGORIES


def _utf8_cut(text: str, limit: int) -> str:
    """The longest start of ``text`` that is at most ``limit`` bytes in UTF-8."""
    return text.encode("utf-8")[: max(limit, 0)].decode("utf-8", "ignore")


def _split_suffix(name: str) -> tuple[str, str]:
    """``("report", ".pdf")``; a name without a (short) extension has suffix ``""``."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext.encode("utf-8")) > _MAX_SUFFIX_BYTES:
        return name, ""
    return stem, "." + ext


def fit_name(name: str, *, reserve: int = 0) -> str:
    """``name`` cut to ``NAME_MAX - reserve`` bytes, keeping its extension."""
    limit = NAME_MAX - reserve
    if len(name.encode("utf-8")) <= limit:
        return name
    stem, suffix = _split_suffix(name)
    cut = _utf8_cut(stem, limit - len(suffix.encode("utf-8"))).rstrip()
    return cut + suffix if cut else _utf8_cut(name, limit)


def safe_name(name: str, fallback: str = "file", *, reserve: int = 0) -> str:
    """A plain, visible file name of at most ``NAME_MAX - reserve`` bytes.

    ``reserve`` keeps room for what a caller appends (``.seal.json``).
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(char for char in base if _visible(char))
    base = _SEPARATORS.sub("_", base).strip().lstrip(".").strip()
    return fit_name(base or fallback, reserve=reserve)


def numbered(name: str, *, reserve: int = 0) -> Iterator[str]:
    """``name``, then ``name (2).ext``, ``name (3).ext``…, each within the limit."""
    yield name
    stem, suffix = _split_suffix(name)
    for n in itertools.count(2):
        tail = f" ({n}){suffix}"
        yield _utf8_cut(stem, NAME_MAX - reserve - len(tail.encode("utf-8"))) + tail


def safe_target(folder: Path, name: str, *, reserve: int = 0, companion: str = "") -> Path:
    """A new path for ``name`` inside ``folder`` (created), never an existing file.

    ``companion``: the suffix of a file saved next to it (``.seal.json``),
    which must be new too, or a document's seal would replace another's.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for candidate in numbered(safe_name(name, reserve=reserve), reserve=reserve):
        path = folder / candidate
        beside = folder / (candidate + companion)
        if not path.exists() and not (companion and beside.exists()):
            return path
    raise AssertionError("unreachable: the numbering never ends")  # pragma: no cover


def with_suffix_added(path: Path, suffix: str) -> Path:
    """``path`` with ``suffix`` appended to its name (``doc.pdf.seal.json``), within the limit."""
    return path.with_name(fit_name(path.name, reserve=len(suffix.encode("utf-8"))) + suffix)


def part_file(path: Path) -> IO[bytes]:
    """A new temporary file next to ``path`` (``.NAME.xxxxxxxx.part``) to rename once complete."""
    prefix = "." + fit_name(path.name, reserve=_PART_EXTRA) + "."
    return tempfile.NamedTemporaryFile(dir=path.parent, prefix=prefix, suffix=".part", delete=False)


def umask() -> int:
    """The process umask (read by setting it back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def make_ordinary(path: Path) -> None:
    """Give a finished temporary file the mode of an ordinary new file (not ``0600``)."""
    os.chmod(path, 0o666 & ~umask())


def atomic_write(path: Path, write: Callable[[IO[bytes]], int]) -> int:
    """Run ``write(handle)`` into a temporary file next to ``path``, then rename it.

    A failure or Ctrl-C leaves no half-written file under the real name.
    ``write`` returns the number of bytes written; so does this. The folder
    must exist (FileNotFoundError else): callers say so in their own words.
    """
    folder = path.resolve().parent
    if not folder.is_dir():
        raise FileNotFoundError(folder)
    handle = part_file(folder / path.name)
    try:
        with handle:
            size = int(write(handle))
            handle.flush()
            os.fsync(handle.fileno())
        make_ordinary(Path(handle.name))
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return size
