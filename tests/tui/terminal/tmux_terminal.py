"""``monespace tui`` in a real terminal emulator (tmux), driven like a person would.

Why tmux and not Textual's Pilot: Pilot delivers keys one message at a time
into the app, so it never sees what a terminal does — keys arriving in one
burst while the app is busy, a screen too small for a layout, a traceback
printed after the app died. Here the real command runs on a pseudo-terminal
of a private tmux server; keys are written to that terminal (one burst for
fast typing, one key at a time with a pause for a person's pace) and the
screen is read back as text, exactly what a person would see.

Every wait is on a screen condition (:meth:`Terminal.wait_for`) with a
generous deadline, never a fixed sleep, so a loaded CI machine only makes
the tests slower, not flaky.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from tests.cli.cli_helpers import ROOT, cli_env

#: How long a screen condition may take on a loaded 2-core machine.
DEADLINE = 60.0
#: A person's typing pace: about 8 keys a second.
HUMAN_PACE = 0.12
#: What a crash leaves on a terminal (Textual's and Python's tracebacks).
CRASH = re.compile(r"Traceback \(most recent call last\)|^\w*(Error|Exception): ", re.M)
EXITED = "@@monespace exited"

Condition = str | re.Pattern[str] | Callable[[str], bool]


def tmux_binary() -> str:
    """The tmux program (scripts/setup.sh installs it with the other Debian packages)."""
    found = shutil.which("tmux")
    if found is None:
        raise RuntimeError("tmux is not installed: run `make setup` (or apt-get install tmux)")
    return found


class Terminal:
    """One pseudo-terminal of a private tmux server, running one command."""

    def __init__(self, cols: int = 80, rows: int = 24) -> None:
        # A short private directory: a Unix socket path is limited to ~100 bytes.
        self.directory = Path(tempfile.mkdtemp(prefix="mstui-"))
        self.socket = self.directory / "tmux.sock"
        self.cols, self.rows = cols, rows
        self.tmux_path = tmux_binary()

    # -- plumbing ---------------------------------------------------------------

    def tmux(self, *args: str) -> str:
        """Run one tmux command on this terminal's server; its output."""
        done = subprocess.run(
            [self.tmux_path, "-S", str(self.socket), "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if done.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def start(self, argv: list[str], env: dict[str, str]) -> None:
        """Run ``argv`` in the terminal; when it ends, the exit line stays on screen."""
        script = self.directory / "run.sh"
        exports = "".join(f"export {k}={shlex.quote(v)}\n" for k, v in sorted(env.items()))
        command = " ".join(shlex.quote(a) for a in argv)
        script.write_text(
            f"{exports}cd {shlex.quote(str(ROOT))}\n{command}\n"
            f'echo "{EXITED} $?"\nexec sleep 86400\n',
            encoding="utf-8",
        )
        self.tmux(
            "new-session", "-d", "-s", "tui", "-x", str(self.cols), "-y", str(self.rows),
            f"env -i /bin/sh {shlex.quote(str(script))}",
        )  # fmt: skip
        self.tmux("set-option", "-t", "tui", "window-size", "manual")

    def close(self) -> None:
        """Stop the tmux server and everything running in it."""
        try:
            self.tmux("kill-server")
        except (RuntimeError, subprocess.TimeoutExpired):
            pass
        shutil.rmtree(self.directory, ignore_errors=True)

    # -- reading ------------------------------------------------------------------

    def screen(self) -> str:
        """The visible screen as text, one line per row."""
        return self.tmux("capture-pane", "-p", "-t", "tui")

    def history(self) -> str:
        """Everything the terminal showed since it started (scrollback included)."""
        return self.tmux("capture-pane", "-p", "-S", "-", "-E", "-", "-t", "tui")

    def wait_for(self, condition: Condition, *, what: str = "", timeout: float = DEADLINE) -> str:
        """Poll the screen until ``condition`` holds on it; the screen it held on.

        ``condition`` is text that must appear, a regular expression, or a
        predicate on the screen. On a crash or the deadline the assertion
        shows the screen as it was.
        """
        test = _predicate(condition)
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            if test(text):
                return text
            if CRASH.search(text) or EXITED in text:
                raise AssertionError(f"the app died waiting for {what or condition!r}:\n{text}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{timeout:.0f} s without {what or condition!r}:\n{text}")
            time.sleep(0.05)  # the poll step: the condition decides when to stop

    def wait_change(self, before: str, *, what: str = "the screen to change") -> str:
        """Wait until the screen differs from ``before``."""
        return self.wait_for(lambda text: text != before, what=what)

    def wait_settled(self, before: str, *, what: str = "the screen to settle") -> str:
        """Wait until the screen changed from ``before`` and then stayed the same.

        The first different capture can be a frame half drawn (the terminal
        got part of the update); a person reads the screen once it is still.
        """
        text = self.wait_change(before, what=what)
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            time.sleep(0.1)  # two captures apart: the screen is still when they agree
            again = self.screen()
            if again == text:
                return text
            text = again
        raise AssertionError(f"{DEADLINE:.0f} s without {what}:\n{text}")

    # -- typing ---------------------------------------------------------------------

    def press(self, *keys: str) -> None:
        """Press keys by tmux name (``Tab``, ``Enter``, ``C-s``, ``PageDown``, ``g``)."""
        self.tmux("send-keys", "-t", "tui", *keys)

    def type(self, text: str, pace: float | None = None) -> None:
        """Type ``text``: in one burst (``pace=None``, faster than anyone types) or key by key.

        A tab or newline in ``text`` is the Tab or Enter key, as a keyboard sends it.
        """
        if pace is None:
            self.tmux("send-keys", "-t", "tui", "-l", text)
            return
        for char in text:
            self.tmux("send-keys", "-t", "tui", "-l", char)
            time.sleep(pace)  # the pace of a person's fingers, not a wait for the app

    def resize(self, cols: int, rows: int) -> None:
        """Resize the terminal, as dragging a window's corner does."""
        self.cols, self.rows = cols, rows
        self.tmux("resize-window", "-t", "tui", "-x", str(cols), "-y", str(rows))

    # -- checks ---------------------------------------------------------------------

    def assert_no_crash(self) -> None:
        """No traceback ever reached the terminal, and the app still runs."""
        shown = self.history()
        found = CRASH.search(shown)
        assert found is None, f"a traceback reached the screen:\n{shown[-4000:]}"
        assert EXITED not in shown, f"the app exited:\n{shown[-2000:]}"


def _predicate(condition: Condition) -> Callable[[str], bool]:
    if isinstance(condition, str):
        return lambda text: condition in text
    if isinstance(condition, re.Pattern):
        return lambda text: condition.search(text) is not None
    return condition


def tui_env(home: Path, portal_url: str, token: str, lang: str = "en") -> dict[str, str]:
    """The environment of ``monespace tui`` for one person: their own home, portal, session."""
    env = cli_env(
        home,
        MONESPACE_PORTAL=portal_url,
        MONESPACE_TOKEN=token,
        LANG={"fr": "fr_BE.UTF-8", "de": "de_BE.UTF-8"}.get(lang, "en_GB.UTF-8"),
        TERM="screen-256color",
    )
    env.pop("NO_COLOR", None)  # a person's terminal has colours (focus is drawn with them)
    for name in ("TMUX", "TMUX_PANE", "COLUMNS", "LINES"):
        env.pop(name, None)
    return env


def tui_argv(acting_as: str | None = None, extra: Iterable[str] = ()) -> list[str]:
    """``monespace [--as BCE] tui …`` as the installed command runs it."""
    context = ["--as", acting_as] if acting_as else []
    return [sys.executable, "-m", "monespace_cli", *context, "tui", *extra]


def lines_between(screen: str, first: str, last: str | None = None) -> list[str]:
    """The screen's lines from the one holding ``first`` to the one holding ``last``."""
    rows = screen.splitlines()
    start = next(i for i, row in enumerate(rows) if first in row)
    end = len(rows) if last is None else next(i for i, r in enumerate(rows) if last in r)
    return rows[start : end + 1]
