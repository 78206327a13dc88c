"""The ``monespace`` command: a Typer app whose nouns load only when used.

Start-up is a feature: ``monespace --help`` and ``monespace <noun> --help``
must not import httpx, textual, pyscard or rich (a test checks it). So the
nouns are listed here with their one-line help, and :class:`LazyGroup`
imports ``monespace_cli.commands.<noun>`` only when that noun is invoked,
completed or asked for help. Within a noun, :class:`LazyVerbs` builds only
the verb that runs (``dossier show`` does not build ``dossier new``'s
options): building all of them cost as much as importing httpx.

Adding a noun: write ``monespace_cli/commands/<noun>.py`` exposing
``app = noun_app(_("one-line help"))`` (a ``typer.Typer``) with its verbs,
then add one line to :data:`NOUNS`. Command modules import heavy things
inside their functions (see :mod:`monespace_cli.context`).

Global options (``--profile``, ``--as``, ``--output/-o``, ``--jq``,
``--debug``, ``--no-input``, ``--yes/-y``) may be written before or after
the noun and verb: :func:`hoist_global_options` moves them to the front, as
kubectl does, so ``monespace catalog list -o json`` works. ``--`` stops that.

:func:`main` is the console entry point: it runs the app without Click's
standalone mode and maps every exception through
:func:`monespace_cli.errors.report` to one sentence and an exit code.
"""

# No ``from __future__ import annotations`` here: Typer would then compile every
# annotation string of the root callback on each run (~3 ms of every command).
import copy
import importlib
import os
import sys
from typing import Annotated, Any

import typer

# Typer vendors Click as the private ``typer._click`` and exposes none of its
# Context, Command, HelpFormatter, ClickException or PacifyFlushWrapper: the lazy
# groups below override Click's methods and ``run`` catches Click's exceptions,
# so they come from there. pyproject.toml pins the Typer range this was tested with.
from typer import _click as click
from typer.core import TyperGroup

from monespace_cli import __version__, i18n_click
from monespace_cli.errors import CliError, ExitCode, UsageProblem, report
from monespace_cli.i18n import N_, _, install_global
from monespace_cli.startup import speed_up, without_httpx_command_line

PROG = "monespace"
#: Click's own help-option text, marked here so the catalogue translates it.
HELP_OPTION_TEXT = "Show this message and exit."
HELP_OPTION_NAMES = ["-h", "--help"]
COMPLETE_VAR = "_MONESPACE_COMPLETE"


#: noun → (module, one-line help). Order is the order shown in ``--help``.
NOUNS: dict[str, tuple[str, str]] = {
    "auth": (
        "monespace_cli.commands.auth",
        N_("Log in with your eID card, see or end the session."),
    ),
    "profile": (
        "monespace_cli.commands.profile",
        N_("Manage the portals you use (named profiles)."),
    ),
    "context": (
        "monespace_cli.commands.context",
        N_("Choose on whose behalf you act (yourself or an organisation)."),
    ),
    "catalog": ("monespace_cli.commands.catalog", N_("Browse the catalogue of procedures.")),
    "dossier": (
        "monespace_cli.commands.dossier",
        N_("Create, fill, submit and follow your dossiers."),
    ),
    "message": ("monespace_cli.commands.message", N_("Read and send messages about a dossier.")),
    "document": (
        "monespace_cli.commands.document",
        N_("Your official documents: list, download, verify."),
    ),
    "payment": (
        "monespace_cli.commands.payment",
        N_("Fees to pay: amount, IBAN, structured communication, QR code."),
    ),
    "mydata": (
        "monespace_cli.commands.mydata",
        N_("What the authentic sources hold about you, and who read it."),
    ),
    "gap": (
        "monespace_cli.commands.gap",
        N_("Access managers (GAPs) of an organisation: list, designate, remove."),
    ),
    "roles": (
        "monespace_cli.commands.roles",
        N_("Roles in an organisation: who may act in which domain, as a reviewable file."),
    ),
    "mandate": (
        "monespace_cli.commands.mandate",
        N_("Mandates between organisations: propose, accept, refuse, revoke, import."),
    ),
    "agent": (
        "monespace_cli.commands.agent",
        N_("Back office for agents: queue, claim, complement, decide, bulk, export."),
    ),
    "bulk": (
        "monespace_cli.commands.bulk",
        N_("File a procedure for many beneficiaries from a spreadsheet (accountants)."),
    ),
    "eid": ("monespace_cli.commands.eid", N_("Your eID card and reader: read, check, diagnose.")),
    "api": ("monespace_cli.commands.api", N_("Make a raw request to the portal API.")),
    "tui": (
        "monespace_cli.commands.tui",
        N_("The full-screen terminal app (dashboard, catalogue, dossiers, roles)."),
    ),
    "completion": ("monespace_cli.commands.completion", N_("Print the shell completion script.")),
}

_VALUE_OPTIONS = ("--profile", "--as", "--output", "-o", "--jq")
_FLAG_OPTIONS = ("--debug", "--no-input", "--yes", "-y")


def noun_app(help_text: str, **kwargs: Any) -> typer.Typer:
    """A Typer sub-app with the project's settings (plain help, no completion flags)."""
    kwargs.setdefault("no_args_is_help", True)
    return typer.Typer(
        help=help_text,
        rich_markup_mode=None,
        add_completion=False,
        pretty_exceptions_enable=False,
        **kwargs,
    )


class LazyGroup(TyperGroup):
    """A group that imports a noun's module only when the noun is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        nouns = [name for name, (module, _h) in NOUNS.items() if _module_exists(module)]
        return [*nouns, *(name for name in self.commands if name not in NOUNS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name not in NOUNS:
            return None
        module_name, _help = NOUNS[cmd_name]
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            return None  # a noun announced but not written yet: "No such command"
        command = _noun_command(module.app)
        command.name = cmd_name
        _translate_help(command)
        speed_up(command)
        self.commands[cmd_name] = command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the nouns from :data:`NOUNS` without importing any of them."""
        rows = [
            (name, _(help_text))
            for name, (module, help_text) in NOUNS.items()
            if name in self.commands or _module_exists(module)
        ]
        if rows:
            with formatter.section(_("Commands")):
                formatter.write_dl(rows)


class LazyVerbs(TyperGroup):
    """A noun whose verbs are built from its Typer app when first resolved."""

    source: typer.Typer

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_verbs(self.source))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        shell = copy.copy(self.source)
        shell.registered_commands = [
            info for info in self.source.registered_commands if _verb_name(info) == cmd_name
        ]
        shell.registered_groups = [
            info for info in self.source.registered_groups if info.name == cmd_name
        ]
        if not shell.registered_commands and not shell.registered_groups:
            return None
        command = typer.main.get_group(shell).commands.get(cmd_name)
        if command is not None:
            _translate_help(command)
            speed_up(command)
            self.commands[cmd_name] = command
        return command


def _verb_name(info: Any) -> str:
    """A registered command's name, as Typer derives it."""
    return str(info.name or typer.main.get_command_name(info.callback.__name__))


def _verbs(noun: typer.Typer) -> dict[str, None]:
    """The noun's verbs and sub-nouns, in the order they were registered."""
    names = [_verb_name(info) for info in noun.registered_commands]
    names += [str(info.name) for info in noun.registered_groups if info.name]
    return dict.fromkeys(names)


def _noun_command(noun: typer.Typer) -> click.Command:
    """The noun's Click group without its verbs (:class:`LazyVerbs` adds them on use).

    A noun that is a single command (``api``) or whose sub-apps have no name
    is built whole, as Typer does.
    """
    lazy = len(noun.registered_commands) > 1 and all(i.name for i in noun.registered_groups)
    if not lazy:
        return typer.main.get_command(noun)
    shell = copy.copy(noun)
    shell.registered_commands, shell.registered_groups = [], []
    shell.info = copy.copy(noun.info)
    shell.info.cls = LazyVerbs
    group = typer.main.get_group(shell)
    assert isinstance(group, LazyVerbs)
    group.source = noun
    return group


def _module_exists(module_name: str) -> bool:
    """True when a noun's module is there (without importing it)."""
    from importlib.util import find_spec

    return find_spec(module_name) is not None


def _print_version(value: bool) -> None:
    if value:
        print(f"{PROG} {version()}")
        raise typer.Exit(0)


def version() -> str:
    """The version (one home: ``monespace_cli.__version__``, which pyproject reads)."""
    return __version__


app = typer.Typer(
    cls=LazyGroup,
    name=PROG,
    help=N_("Mon Espace from the terminal: Wallonia's e-government portal, with your eID card."),
    epilog=N_(
        "Exit codes: 0 ok, 1 failure, 2 usage, 3 authentication, 4 not found, "
        "5 rejected input, 6 card or reader, 7 partial success, 130 interrupted."
    ),
    rich_markup_mode=None,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": HELP_OPTION_NAMES},
)


@app.callback()
def root(
    ctx: typer.Context,
    profile: Annotated[
        str | None, typer.Option("--profile", help=N_("Profile (portal) to use."), metavar="NAME")
    ] = None,
    acting_as: Annotated[
        str | None,
        typer.Option(
            "--as", help=N_("Act as 'me' or for an organisation (BCE number)."), metavar="BCE|me"
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output", "-o", help=N_("Output format: table, json, jsonl or csv."), metavar="FORMAT"
        ),
    ] = None,
    jq: Annotated[
        str | None,
        typer.Option(
            "--jq", help=N_("Filter the JSON output with a jq expression."), metavar="EXPR"
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help=N_("Show tracebacks on errors."))] = False,
    no_input: Annotated[
        bool,
        typer.Option("--no-input", help=N_("Never prompt; fail instead when input is needed.")),
    ] = False,
    yes: Annotated[
        bool,
        typer.Option("--yes", "-y", help=N_("Answer yes to confirmations (implies --no-input).")),
    ] = False,
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            help=N_("Show the version and exit."),
            is_eager=True,
            callback=_print_version,
        ),
    ] = False,
) -> None:
    # Here, not at the top: ``monespace --help`` never builds a Factory.
    from monespace_cli.context import Factory, GlobalOptions, IOStreams
    from monespace_cli.output import FORMATS

    if output is not None and output not in FORMATS:
        raise UsageProblem(
            _("Unknown output format {fmt!r}: use one of {formats}.").format(
                fmt=output, formats=", ".join(FORMATS)
            )
        )
    environ = dict(os.environ)
    io = IOStreams.system(environ)
    io.never_prompt = no_input or yes
    options = GlobalOptions(
        profile=profile,
        acting_as=acting_as,
        output=output,
        jq=jq,
        debug=debug,
        no_input=no_input or yes,
        yes=yes,
    )
    ctx.obj = Factory(io=io, options=options, environ=environ)


def _translate_help(command: click.Command) -> None:
    """Translate a command tree's help texts (docstrings and option help).

    Typer takes help from docstrings at import time, in English; the
    catalogue has them as msgids (``i18n_compile`` extracts command
    docstrings), so translating here covers every noun alike.
    """
    for attr in ("help", "short_help", "epilog"):
        text = getattr(command, attr, None)
        if text:
            setattr(command, attr, _(text))
    for param in command.params:
        text = getattr(param, "help", None)
        if text:
            param.help = _(text)  # type: ignore[attr-defined]
    # The help option is built on first use and cached; build it now (with the
    # same names as the root's) so that its text is translated too.
    dummy = click.Context(command, help_option_names=HELP_OPTION_NAMES)
    help_option = command.get_help_option(dummy)
    if help_option is not None:
        help_option.help = _(HELP_OPTION_TEXT)
    for sub in getattr(command, "commands", {}).values():
        _translate_help(sub)


def hoist_global_options(args: list[str]) -> list[str]:
    """Move the global options found anywhere in ``args`` to the front.

    Only exact option tokens move (``--as X``, ``--output=json``, ``-ojson``,
    ``--debug``); everything after ``--`` stays where it is.
    """
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        name = arg.split("=", 1)[0]
        if arg in _FLAG_OPTIONS:
            front.append(arg)
        elif arg in _VALUE_OPTIONS and i + 1 < len(args):
            front.extend((arg, args[i + 1]))
            i += 1
        elif arg.startswith("--") and "=" in arg and name in _VALUE_OPTIONS:
            front.append(arg)
        elif arg.startswith("-o") and len(arg) > 2 and not arg.startswith("--"):
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


def build_command() -> click.Command:
    """The Click command behind ``monespace`` (also used by completion)."""
    command = typer.main.get_command(app)
    _translate_help(command)
    speed_up(command)
    return command


def run(args: list[str]) -> int:
    """Run ``monespace`` with ``args``; return the exit code (never raises)."""
    args = hoist_global_options(args)
    debug = "--debug" in args[: args.index("--")] if "--" in args else "--debug" in args
    color = sys.stderr.isatty() and not os.environ.get("NO_COLOR")
    install_global()
    i18n_click.install()
    without_httpx_command_line()
    if os.environ.get(COMPLETE_VAR):
        # Imported only when a shell asks for completions: every other run skips it.
        from typer.completion import completion_init

        completion_init()  # registers Typer's bash/zsh/fish completion classes
    try:
        command = build_command()
        result = command.main(
            args=args, prog_name=PROG, complete_var=COMPLETE_VAR, standalone_mode=False
        )
        return result if isinstance(result, int) else 0
    except click.exceptions.ClickException as exc:
        exc.show(file=sys.stderr)
        return exc.exit_code
    except typer.Abort:
        print(_("Aborted."), file=sys.stderr)
        return ExitCode.FAILURE
    except typer.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        print(_("Interrupted."), file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        return reader_went_away()
    except SystemExit as exc:
        # Click turns a closed pipe into sys.exit(1) after swapping stdout for
        # its PacifyFlushWrapper; that swap is how the case is recognised.
        if isinstance(sys.stdout, click.utils.PacifyFlushWrapper):
            return reader_went_away()
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or ExitCode.OK
        return ExitCode.FAILURE
    except (CliError, Exception) as exc:  # noqa: BLE001 - the single mapping point
        if _is_closed_pipe(exc):
            return reader_went_away()
        return report(exc, stderr=sys.stderr, debug=debug, color=color)


def _is_closed_pipe(exc: BaseException) -> bool:
    """A BrokenPipeError, even wrapped by a library (rich, httpx streaming to stdout)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, BrokenPipeError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def reader_went_away() -> int:
    """``monespace … | head``: the reader closed the pipe, a normal end as for Unix tools.

    Exit 0 and print nothing more: stdout is pointed at /dev/null so that
    Python's final flush of what is still buffered cannot fail (exit 120).
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ else 1)
    except OSError:
        pass
    return ExitCode.OK


def main() -> None:
    """Console entry point ``monespace``.

    The last flush of stdout happens here, not at interpreter exit, so that a
    reader that left after the last line still gives a clean exit 0.
    """
    code = run(sys.argv[1:])
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = reader_went_away()
    sys.exit(code)
