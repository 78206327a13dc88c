"""The object every command gets: I/O streams, config, credentials, client.

Modelled on gh's ``Factory``/``IOStreams``: commands never read environment
variables or config files, never decide themselves whether they may prompt,
and never build an HTTP client by hand. They ask the :class:`Factory`::

    from monespace_cli.context import current

    @app.command("list")
    def list_(...) -> None:
        f = current()
        with f.client() as client:            # PortalClient, token + X-Acting-As set
            items = client.list_procedures(...)
        f.printer.list(items, [...])          # table/json/jsonl/csv/--jq
        f.io.info(_("Done."))                 # stderr

Import rules for command modules (start-up speed): import ``httpx``, the
client package, ``eid`` or anything heavy *inside* functions, never at
module top; ``monespace <noun> --help`` imports the command module.

Prompting: :meth:`Factory.prompt`, :meth:`Factory.secret` and
:meth:`Factory.confirm` ask only when :meth:`IOStreams.can_prompt` (stdin
and stdout are terminals and ``--no-input`` was not given); otherwise they
raise a :class:`~monespace_cli.errors.UsageProblem` naming the flag to use
instead, so a script never hangs.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

# Typer has no public ``get_current_context``: Click's, in Typer's vendored copy
# (private; pyproject.toml pins the Typer range this was tested with).
from typer._click.globals import get_current_context

from monespace_cli import config as config_mod
from monespace_cli.errors import AuthProblem, UsageProblem
from monespace_cli.i18n import _
from monespace_cli.output import Printer

if TYPE_CHECKING:
    from monespace_cli.client import PortalClient
    from monespace_cli.credentials import StoredToken, TokenStore


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass
class IOStreams:
    """The three streams and what is known about them (terminal? colours?).

    ``MONESPACE_FORCE_TTY=1`` makes stdout count as a terminal (like
    ``GH_FORCE_TTY``), for tests and for ``watch``-style wrappers.
    """

    stdin: TextIO
    stdout: TextIO
    stderr: TextIO
    stdin_tty: bool = False
    stdout_tty: bool = False
    stderr_tty: bool = False
    color: bool = False
    never_prompt: bool = False
    width: int = 80

    @classmethod
    def system(cls, environ: Mapping[str, str]) -> IOStreams:
        """Streams of this process, with terminal and colour detection."""
        forced = environ.get("MONESPACE_FORCE_TTY", "") not in ("", "0")
        stdout_tty = forced or _isatty(sys.stdout)
        no_color = bool(environ.get("NO_COLOR")) or environ.get("TERM") == "dumb"
        width = shutil.get_terminal_size((100, 24)).columns
        return cls(
            stdin=sys.stdin,
            stdout=sys.stdout,
            stderr=sys.stderr,
            stdin_tty=_isatty(sys.stdin),
            stdout_tty=stdout_tty,
            stderr_tty=forced or _isatty(sys.stderr),
            color=stdout_tty and not no_color,
            width=width,
        )

    def can_prompt(self) -> bool:
        """The single place deciding whether asking the user is allowed."""
        return self.stdin_tty and self.stdout_tty and not self.never_prompt

    def info(self, message: str) -> None:
        """A message for the person (stderr; data goes to stdout)."""
        print(message, file=self.stderr)

    def warn(self, message: str) -> None:
        """A warning line on stderr (yellow on a colour terminal)."""
        if self.color and self.stderr_tty:
            message = f"\x1b[33m{message}\x1b[0m"
        print(message, file=self.stderr)

    def success(self, message: str) -> None:
        """A "done" line on stderr, with a check mark on a colour terminal."""
        if self.color and self.stderr_tty:
            message = f"\x1b[32m✓\x1b[0m {message}"
        print(message, file=self.stderr)


@dataclass
class GlobalOptions:
    """The options of ``monespace`` itself (valid before or after the noun)."""

    profile: str | None = None
    acting_as: str | None = None
    output: str | None = None
    jq: str | None = None
    debug: bool = False
    no_input: bool = False
    yes: bool = False


@dataclass
class Factory:
    """Hands commands what they need, built lazily on first use."""

    io: IOStreams
    options: GlobalOptions = field(default_factory=GlobalOptions)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))

    # -- config and profile -------------------------------------------------

    @cached_property
    def config_dir(self) -> Path:
        return config_mod.config_dir(dict(self.environ))

    @cached_property
    def config(self) -> config_mod.Config:
        """The parsed ``config.toml`` (defaults when absent)."""
        return config_mod.load_config(self.config_dir)

    def save_config(self) -> None:
        config_mod.save_config(self.config)

    @cached_property
    def profile(self) -> config_mod.Profile:
        """The active profile: ``--profile`` > ``MONESPACE_PROFILE`` > current in the file."""
        name = self.options.profile or self.environ.get("MONESPACE_PROFILE")
        if name:
            return self.config.profile(name)
        return self.config.profile(self.config.current_profile)

    @cached_property
    def portal_url(self) -> str:
        """The portal root URL: ``MONESPACE_PORTAL`` > the profile's."""
        override = self.environ.get("MONESPACE_PORTAL")
        return config_mod.normalise_portal_url(override or self.profile.portal)

    @cached_property
    def acting_as(self) -> str:
        """``me`` or a BCE number: ``--as`` > the profile's saved context."""
        return config_mod.check_context(self.options.acting_as or self.profile.context or "me")

    # -- output --------------------------------------------------------------

    @cached_property
    def printer(self) -> Printer:
        fmt = self.options.output or self.profile.output or "table"
        return Printer(
            self.io.stdout,
            self.io.stderr,
            fmt=fmt,
            jq=self.options.jq,
            tty=self.io.stdout_tty,
            color=self.io.color,
            width=self.io.width,
            context=self.acting_as,
        )

    # -- credentials and client ---------------------------------------------

    @cached_property
    def tokens(self) -> TokenStore:
        from monespace_cli.credentials import TokenStore

        return TokenStore(self.config_dir, self.environ, self.io.warn)

    def stored_token(self) -> StoredToken | None:
        return self.tokens.get(self.profile.name, self.portal_url)

    def token(self) -> str:
        """The session token, or an exit-3 error telling how to log in."""
        stored = self.stored_token()
        if stored is None:
            raise AuthProblem(
                _("You are not logged in to {portal}.").format(portal=self.portal_url),
                hint=_("Log in with: monespace auth login"),
            )
        return stored.token

    def client(self, *, auth: str = "required") -> PortalClient:
        """A new :class:`monespace_cli.client.PortalClient` for the active profile.

        Use it as a context manager. ``auth``: ``"required"`` (default; no
        token → exit 3 telling how to log in), ``"optional"`` (public
        endpoints such as the catalogue: the token is sent when there is
        one) or ``"none"`` (login itself). The client is imported here, not at
        module top, so ``--help`` never loads httpx.
        """
        from monespace_cli.client import PortalClient

        token: str | None = None
        if auth == "required":
            token = self.token()
        elif auth == "optional":
            stored = self.stored_token()
            token = stored.token if stored else None
        return PortalClient(self.portal_url, token=token, acting_as=self.acting_as)

    # -- asking the user -------------------------------------------------------

    def _require_prompt(self, flag: str | None) -> None:
        if not self.io.can_prompt():
            if flag:
                message = _("Input needed, but this is not an interactive terminal: use {flag}.")
                raise UsageProblem(message.format(flag=flag))
            raise UsageProblem(_("Input needed, but this is not an interactive terminal."))

    def prompt(self, question: str, *, default: str | None = None, flag: str | None = None) -> str:
        """Ask for a line of text; ``flag`` is the option a script should use instead."""
        self._require_prompt(flag)
        suffix = f" [{default}]" if default else ""
        print(f"{question}{suffix}: ", end="", file=self.io.stderr, flush=True)
        answer = self.io.stdin.readline()
        if not answer:
            raise UsageProblem(_("No answer (end of input)."))
        answer = answer.rstrip("\n")
        return answer or (default or "")

    def secret(self, question: str, *, flag: str | None = None) -> str:
        """Ask for a secret without echo (getpass). Never logged, never stored."""
        self._require_prompt(flag)
        import getpass

        return getpass.getpass(f"{question}: ", stream=self.io.stderr)

    def confirm(self, question: str, *, default: bool = False) -> bool:
        """Yes/no question; ``--yes`` answers yes, a non-terminal needs ``--yes``."""
        if self.options.yes:
            return True
        self._require_prompt("--yes")
        hint = _("[Y/n]") if default else _("[y/N]")  # the letters the answer check accepts
        print(f"{question} {hint} ", end="", file=self.io.stderr, flush=True)
        answer = self.io.stdin.readline().strip().lower()
        if not answer:
            return default
        return answer in ("y", "yes", "o", "oui", _("y"), _("yes"))


def current() -> Factory:
    """The Factory of the running command (set up by ``monespace``'s root callback)."""
    ctx = get_current_context(silent=True)
    factory = ctx.find_object(Factory) if ctx is not None else None
    if factory is None:
        raise RuntimeError("current() called outside a monespace command")
    return factory
