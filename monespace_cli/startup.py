"""Plain-string parameters without pydantic: ~0.2–0.4 s saved on every command.

Typer 0.29 coerces each parameter value through a pydantic ``TypeAdapter``,
and builds it even for an option left unset — so any command, even
``monespace dossier --help`` (the root's ``--profile``/``--as``/``--output``
are processed first), imports pydantic, which costs two to three times
``import typer`` itself. Most of our parameters are plain strings or lists
of strings, for which the adapter does nothing. :func:`speed_up` gives those
parameters a trivial coercion; every other annotation (int, Path, enums…)
keeps Typer's.

This reaches into Typer's private ``_coercion`` module. If a Typer release
changes it, :func:`speed_up` does nothing (the commands still work, only
slower) — ``tests/cli/test_cli_startup.py`` notices the lost speed.
"""

from __future__ import annotations

from typing import Any

try:
    from typer._coercion import RuntimeParam, build_runtime_param
except ImportError:  # pragma: no cover - a future Typer without it
    RuntimeParam = None  # type: ignore[assignment,misc]

_STRING_TYPES: tuple[Any, ...] = (str, list[str], bool)


def _plain(descriptor: Any) -> bool:
    """True for ``str``/``list[str]``/``bool`` parameters with no custom parser or type."""
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
            return build_runtime_param(param.type_descriptor)._coerce_value(
                value, param=param, ctx=ctx
            )


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
