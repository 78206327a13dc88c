"""Sizes for people: ``20 MiB``, ``1.5 KiB``, ``512 bytes`` (never ``20971520 bytes``)."""

from __future__ import annotations

from monespace_cli.i18n import _, chosen_language

_UNITS = ("KiB", "MiB", "GiB", "TiB")


def human_size(size: int) -> str:
    """Binary units, one decimal at most, with the reader's decimal mark.

    French and German write ``1,5 KiB``, English ``1.5 KiB``.
    """
    if size < 1024:
        return _("1 byte") if size == 1 else _("{n} bytes").format(n=size)
    value, index = size / 1024, 0
    while value >= 1024 and index < len(_UNITS) - 1:
        value, index = value / 1024, index + 1
    number = f"{value:.1f}".removesuffix(".0")
    if chosen_language() in ("fr", "de"):
        number = number.replace(".", ",")
    return f"{number} {_UNITS[index]}"
