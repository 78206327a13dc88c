"""Typer's own usage-error texts ("Usage:", "Error:", "Try … for help.") in our gettext.

Why a patch and not a catalogue: Typer 0.29 vendors Click as ``typer._click``
and, unlike upstream Click, that copy does not call gettext at all — the
texts are literal f-strings in ``ClickException.show``,
``UsageError.show``, ``HelpFormatter.write_usage`` and a few
``format_message`` methods. Binding a translation for Click's ``messages``
domain therefore changes nothing. The only hook is to replace those few
methods, which :func:`install` does (idempotently) with versions that print
the same layout through :func:`monespace_cli.i18n._`.

Covered: the usage line prefix (also in ``--help``), the "Try … for help."
hint, the "Error:" prefix, "Invalid value for …", "Missing option/argument
…", "No such option: …" and its "(Possible options: …)". Click's other
"Option … requires an argument." and "Got unexpected extra argument(s)"
(recognised by shape); Click's remaining literal messages stay English.

``typer._click`` is private: pyproject.toml pins the Typer range this was
tested with, and ``tests/cli/test_cli_i18n_complete.py`` fails if a release moves
these methods.
"""

from __future__ import annotations

import re
from typing import IO, Any

from typer._click import exceptions, formatting
from typer._click.utils import echo

from monespace_cli.i18n import N_, _

#: "Missing option '--x'." and its kin, one whole sentence a parameter kind.
MISSING = {
    "option": N_("Missing option{rest}."),
    "argument": N_("Missing argument{rest}."),
    "parameter": N_("Missing parameter{rest}."),
}

#: Click's other literal usage messages, recognised by shape (the parser and
#: ``Command.parse_args`` build them as f-strings).
KNOWN_MESSAGES = [
    (
        re.compile(r"Option (?P<name>.+) requires an argument\.\Z"),
        N_("Option {name} requires an argument."),
    ),
    (
        re.compile(r"Option (?P<name>.+) requires (?P<n>\d+) arguments\.\Z"),
        N_("Option {name} requires {n} arguments."),
    ),
    (
        re.compile(r"Option (?P<name>.+) does not take a value\.\Z"),
        N_("Option {name} does not take a value."),
    ),
    (
        re.compile(r"Got unexpected extra argument\(s\) \((?P<args>.*)\)\Z", re.S),
        N_("Got unexpected extra argument(s) ({args})"),
    ),
]

_original_write_usage = formatting.HelpFormatter.write_usage
_NO_SUCH_OPTION = "No such option: "


#: Click's placeholders in the usage line (``monespace [OPTIONS] COMMAND
#: [ARGS]...``): read by the person as words, so translated like "Usage:".
USAGE_WORDS = {
    "[OPTIONS]": N_("[OPTIONS]"),
    "COMMAND": N_("COMMAND"),
    "[ARGS]...": N_("[ARGS]..."),
}


def _usage_args(args: str) -> str:
    """``args`` with Click's own placeholders translated (our metavars are left alone)."""
    return " ".join(
        _(USAGE_WORDS[word]) if word in USAGE_WORDS else word for word in args.split(" ")
    )


def _write_usage(
    self: formatting.HelpFormatter, prog: str, args: str = "", prefix: str | None = None
) -> None:
    prefix = _("Usage: ") if prefix is None else prefix
    _original_write_usage(self, prog, _usage_args(args), prefix)


def _message(exc: exceptions.ClickException) -> str:
    """``exc``'s message, translated when it is one of Click's known sentences."""
    text = exc.format_message()
    for pattern, template in KNOWN_MESSAGES:
        match = pattern.match(text)
        if match:
            return _(template).format(**match.groupdict())
    return text


def _show_click_exception(self: exceptions.ClickException, file: IO[Any] | None = None) -> None:
    echo(_("Error: {message}").format(message=_message(self)), file=file, err=file is None)


def _show_usage_error(self: exceptions.UsageError, file: IO[Any] | None = None) -> None:
    color = None
    if self.ctx is not None:
        hint = ""
        if self.ctx.command.get_help_option(self.ctx) is not None:
            hint = _("Try '{command} {option}' for help.").format(
                command=self.ctx.command_path, option=self.ctx.help_option_names[0]
            )
            hint += "\n"
        color = self.ctx.color
        echo(f"{self.ctx.get_usage()}\n{hint}", file=file, err=file is None, color=color)
    echo(
        _("Error: {message}").format(message=_message(self)),
        file=file,
        err=file is None,
        color=color,
    )


def _bad_parameter_message(self: exceptions.BadParameter) -> str:
    if self.param_hint is not None:
        param_hint: Any = self.param_hint
    elif self.param is not None:
        param_hint = self.param.get_error_hint()
    else:
        return _("Invalid value: {message}").format(message=self.message)
    hint = exceptions._join_param_hints(param_hint)
    return _("Invalid value for {hint}: {message}").format(hint=hint, message=self.message)


def _missing_parameter_message(self: exceptions.MissingParameter) -> str:
    english = _original_missing_message(self)
    param_type = self.param_type
    if param_type is None and self.param is not None:
        param_type = self.param.param_type_name
    prefix = f"Missing {param_type}"
    template = MISSING.get(str(param_type))
    if template is None or not english.startswith(prefix):
        return english
    return _(template).format(rest=english[len(prefix) :].removesuffix("."))


def _no_such_option_message(self: exceptions.NoSuchOption) -> str:
    message = self.message
    if message.startswith(_NO_SUCH_OPTION):
        message = _("No such option: {name}").format(name=message[len(_NO_SUCH_OPTION) :])
    if not self.possibilities:
        return message
    options = ", ".join(sorted(self.possibilities))
    return message + " " + _("(Possible options: {options})").format(options=options)


_original_missing_message = exceptions.MissingParameter.format_message

_PATCHES: list[tuple[type, str, Any]] = [
    (formatting.HelpFormatter, "write_usage", _write_usage),
    (exceptions.ClickException, "show", _show_click_exception),
    (exceptions.UsageError, "show", _show_usage_error),
    (exceptions.BadParameter, "format_message", _bad_parameter_message),
    (exceptions.MissingParameter, "format_message", _missing_parameter_message),
    (exceptions.NoSuchOption, "format_message", _no_such_option_message),
]


def install() -> None:
    """Route Typer's usage-error texts through our catalogue (safe to call twice)."""
    for cls, name, function in _PATCHES:
        setattr(cls, name, function)
