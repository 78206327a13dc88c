"""Start-up work kept off every command's path: pydantic, httpx's own CLI.

Plain parameters without pydantic: ~0.2–0.4 s saved on every command.

Typer 0.29 coerces each parameter value through a pydantic ``TypeAdapter``,
and builds it even for an option left unset — so any command, even
``monespace dossier --help`` (the root's ``--profile``/``--as``/``--output``
are processed first), imports pydantic, which costs two to three times
``import typer`` itself. Most of our parameters are plain strings or lists
of strings, flags and integers (``--limit 50``), for which the adapter does
nothing. :func:`speed_up` gives those parameters a trivial coercion; a value
it does not plainly accept (an int out of its bounds, a typo) and every other
annotation (Path, enums…) keep Typer's, with Typer's messages.

This reaches into Typer's private ``_coercion`` module (Typer has no public
hook for it; pyproject.toml pins the Typer range this was tested with). If a
Typer release changes it, :func:`speed_up` does nothing (the commands still
work, only slower) — ``tests/cli/test_cli_startup.py`` notices the lost speed.
"""

from __future__ import annotations

import re
import sys
from typing import Any

try:
    from typer._coercion import RuntimeParam, build_runtime_param
except ImportError:  # pragma: no cover - a future Typer without it
    RuntimeParam = None  # type: ignore[assignment,misc]

_STRING_TYPES: tuple[Any, ...] = (str, list[str], bool, int)
_DIGITS = re.compile(r"[+-]?[0-9]+")


def _plain(descriptor: Any) -> bool:
    """True for ``str``/``list[str]``/``bool``/``int`` parameters with no custom parser or type."""
    info = descriptor.parameter_info
    return (
        descriptor.annotation in _STRING_TYPES
        and descriptor.file_annotation is None
        and getattr(info, "parser", None) is None
        and getattr(info, "click_type", None) is None
    )


if RuntimeParam is not None:

    class PlainStringParam(RuntimeParam):
        """Coercion for plain values: strings, lists of strings, flags.

        Anything unexpected goes to Typer's own coercion (built only then).
        """

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            if self.annotation is bool and isinstance(value, bool):
                return value
            if self.annotation is str and isinstance(value, str):
                return value
            if self.annotation == list[str] and isinstance(value, list | tuple):
                if all(isinstance(item, str) for item in value):
                    return list(value)
            if self.annotation is int:
                number = _in_range(value, self.parameter_info)
                if number is not None:
                    return number
            return build_runtime_param(param.type_descriptor)._coerce_value(
                value, param=param, ctx=ctx
            )


def _in_range(value: Any, info: Any) -> int | None:
    """``value`` as an int when it plainly is one within the option's bounds, else None.

    None hands the value to Typer's own coercion, which clamps or words the
    error exactly as it always did (``--limit 0``, ``--limit x``).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        value = int(value)
    if not isinstance(value, int):
        return None
    low, high = getattr(info, "min", None), getattr(info, "max", None)
    if (low is not None and value < low) or (high is not None and value > high):
        return None
    return value


def without_httpx_command_line() -> None:
    """Keep httpx's own command-line tool (``httpx._main``) from loading.

    ``import httpx`` tries ``from ._main import main`` and, by design, falls
    back to a stub when that import fails (its ``[cli]`` extra not
    installed). Here click, rich and pygments *are* installed (Typer and the
    TUI need them), so every request paid ~35 ms importing a tool monespace
    never runs. A ``None`` entry in :data:`sys.modules` makes that one import
    fail (the import system's documented rule), which takes httpx's own
    fallback path; the HTTP client itself is untouched. Done only before
    httpx is first imported, and only in the ``monespace`` process.
    """
    if "httpx" not in sys.modules:
        sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]


def speed_up(command: Any) -> None:
    """Give a command tree's plain-string parameters the cheap coercion."""
    if RuntimeParam is None:
        return
    params = list(getattr(command, "params", []))
    if getattr(command, "_help_option", None) is not None:
        params.append(command._help_option)
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is None or getattr(param, "_runtime_param", "absent") is not None:
            continue
        if _plain(descriptor):
            param._runtime_param = PlainStringParam(
                parameter_info=descriptor.parameter_info, annotation=descriptor.annotation
            )
    for sub in getattr(command, "commands", {}).values():
        speed_up(sub)
