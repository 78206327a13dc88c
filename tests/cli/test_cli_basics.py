"""The real CLI without a portal: usage, profiles, global options, no blocking prompts."""

from __future__ import annotations

import tomllib
from pathlib import Path

from monespace_cli.app import hoist_global_options


def test_help_and_version(cli) -> None:
    result = cli("--help")
    assert result.code == 0
    for noun in ("auth", "profile", "context", "catalog", "api", "completion"):
        assert f"\n  {noun} " in result.out
    assert "\n  tui " in result.out.split("Commands:")[-1]  # the full-screen app
    version = cli("--version")
    assert version.code == 0 and version.out.startswith("monespace ")


def test_usage_errors_exit_2(cli) -> None:
    assert cli("nosuchnoun").code == 2
    assert cli("catalog", "list", "--nosuchoption").code == 2
    bad = cli("-o", "xml", "profile", "list")
    assert bad.code == 2 and "xml" in bad.err
    bad_context = cli("--as", "12", "profile", "list")
    assert bad_context.code == 2 and "10-digit" in bad_context.err


def test_profiles_end_to_end(cli, home: Path) -> None:
    listed = cli("profile", "list")
    assert listed.code == 0 and listed.out.split("\t")[:3] == [
        "*",
        "sandbox",
        "http://127.0.0.1:8470",
    ]
    added = cli("profile", "add", "prod", "https://portal.example/", "--context", "0403.170.701")
    assert added.code == 0, added.err
    assert cli("profile", "use", "prod").code == 0
    config = tomllib.loads((home / "monespace" / "config.toml").read_text())
    assert config["current_profile"] == "prod"
    assert config["profiles"]["prod"] == {
        "portal": "https://portal.example",
        "context": "0403170701",
    }
    as_json = cli("profile", "list", "-o", "json")
    assert [p["name"] for p in __import__("json").loads(as_json.out)] == ["sandbox", "prod"]
    assert cli("profile", "use", "nope").code == 2
    assert cli("profile", "add", "bad name", "http://x").code == 2
    assert cli("profile", "add", "x", "ftp://x").code == 2
    assert cli("profile", "remove", "prod").code == 0
    assert "prod" not in cli("profile", "list").out


def test_environment_overrides_profile(cli) -> None:
    cli("profile", "add", "prod", "https://portal.example")
    listed = cli("profile", "list", MONESPACE_PROFILE="prod")
    assert listed.out.splitlines()[1].startswith("*\tprod")
    assert cli("profile", "list", MONESPACE_PROFILE="ghost").code == 2


def test_global_options_anywhere() -> None:
    assert hoist_global_options(["catalog", "list", "-o", "json", "--as", "me"]) == [
        "-o",
        "json",
        "--as",
        "me",
        "catalog",
        "list",
    ]
    assert hoist_global_options(["api", "GET", "x", "--jq=.items", "--", "--debug"]) == [
        "--jq=.items",
        "api",
        "GET",
        "x",
        "--",
        "--debug",
    ]
    assert hoist_global_options(["-ojson", "x"]) == ["-ojson", "x"]


def test_portal_down_is_one_clear_sentence(cli) -> None:
    result = cli("catalog", "list", MONESPACE_PORTAL="http://127.0.0.1:9")
    assert result.code == 1
    assert result.err.startswith("error: The portal cannot be reached")
    assert "Traceback" not in result.err
    debug = cli("--debug", "catalog", "list", MONESPACE_PORTAL="http://127.0.0.1:9")
    assert "Traceback" in debug.err


def test_not_logged_in_is_exit_3(cli) -> None:
    for args in (["auth", "status"], ["auth", "token"], ["context", "list"]):
        result = cli(*args)
        assert result.code == 3, args
        assert "monespace auth login" in result.err
        assert result.err.startswith("error: "), result.err  # the CLI's one error path


def test_login_never_waits_for_a_pin_without_a_terminal(cli) -> None:
    """stdin is /dev/null: the command fails fast (or on the portal), never hangs."""
    result = cli("auth", "login", MONESPACE_PORTAL="http://127.0.0.1:9")
    assert result.code in (1, 2, 6)


def test_api_usage_errors(cli) -> None:
    assert cli("api", "FETCH", "me").code == 2
    assert cli("api", "POST", "dossiers", "--data", "{bad").code == 2
    assert cli("api", "POST", "dossiers", "--paginate").code == 2
    assert cli("api", "GET", "me", "-H", "nocolon").code == 2
    assert cli("api", "POST", "x", "-f", "novalue").code == 2


def test_catalog_audience_is_checked(cli) -> None:
    result = cli("catalog", "list", "--audience", "martians")
    assert result.code == 2 and "martians" in result.err


def test_colours_only_on_a_terminal_and_never_with_no_color(cli) -> None:
    plain = cli("profile", "list", NO_COLOR="")
    assert "\x1b[" not in plain.out  # piped
    tty = cli("profile", "list", NO_COLOR="", MONESPACE_FORCE_TTY="1")
    assert "\x1b[" in tty.out and "NAME" in tty.out  # a header on a terminal
    no_color = cli("profile", "list", NO_COLOR="1", MONESPACE_FORCE_TTY="1")
    assert "\x1b[" not in no_color.out and "NAME" in no_color.out


def test_token_printed_on_a_terminal_comes_with_a_warning(cli) -> None:
    piped = cli("auth", "token", MONESPACE_TOKEN="t0k")
    assert piped.out == "t0k\n" and piped.err == ""
    tty = cli("auth", "token", MONESPACE_TOKEN="t0k", MONESPACE_FORCE_TTY="1")
    assert tty.out == "t0k\n" and "do not share" in tty.err


def test_ctrl_c_exits_130(env) -> None:
    """Interrupted while waiting for input: exit 130, one line, no traceback."""
    import signal
    import subprocess
    import sys
    import time

    from cli_helpers import ROOT

    proc = subprocess.Popen(
        [sys.executable, "-m", "monespace_cli", "api", "POST", "dossiers", "--data", "@-"],
        env=env,
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Wait until it really blocks reading stdin (read(0, ...) in
        # /proc/PID/syscall): a SIGINT during the imports would test start-up.
        syscall = f"/proc/{proc.pid}/syscall"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with open(syscall) as f:
                    if f.read().startswith("0 0x0 "):
                        break
            except PermissionError:  # not allowed to look: give it time instead
                time.sleep(1.5)
                break
            except OSError:
                pass
            time.sleep(0.05)
        else:
            raise AssertionError("the command never waited for its input")
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert "Traceback" not in err
