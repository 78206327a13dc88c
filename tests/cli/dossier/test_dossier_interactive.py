"""``dossier fill`` in a real pseudo-terminal: field by field, and with $EDITOR."""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from cli_helpers import ROOT


class Terminal:
    """The CLI running on a pty: read what it prints, type answers."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        master, slave = os.openpty()
        self.master = master
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "monespace_cli", *args],
            env={**env, "TERM": "dumb", "COLUMNS": "200"},
            cwd=ROOT,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            close_fds=True,
        )
        os.close(slave)
        self.seen = ""

    def read_until(self, pattern: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.seen):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"timed out waiting for {pattern!r}; got:\n{self.seen[-2000:]}"
                )
            ready, _w, _x = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 4096).decode(errors="replace")
                except OSError:
                    chunk = ""
                if not chunk:
                    if self.proc.poll() is not None:
                        raise AssertionError(
                            f"CLI ended waiting for {pattern!r}:\n{self.seen[-2000:]}"
                        )
                    continue
                self.seen += chunk
        return self.seen

    def next_prompt(self, timeout: float = 20.0) -> str | None:
        """The last prompt line (ending with ': '), or None when the CLI has ended."""
        start = len(self.seen)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            tail = self.seen[start:]
            if re.search(r": $", tail) or re.search(r"\] $", tail):
                return tail.rstrip().splitlines()[-1]
            ready, _w, _x = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(self.master, 4096).decode(errors="replace")
                except OSError:
                    chunk = ""
                self.seen += chunk
                if not chunk and self.proc.poll() is not None:
                    return None
            elif self.proc.poll() is not None:
                return None
        raise AssertionError(f"no prompt; got:\n{self.seen[-2000:]}")

    def type(self, text: str) -> None:
        os.write(self.master, text.encode() + b"\r")

    def wait(self, timeout: float = 30.0) -> int:
        try:
            while self.proc.poll() is None:
                ready, _w, _x = select.select([self.master], [], [], 0.2)
                if ready:
                    try:
                        self.seen += os.read(self.master, 4096).decode(errors="replace")
                    except OSError:
                        break
            return self.proc.wait(timeout=timeout)
        finally:
            os.close(self.master)


def _new_draft(mcli) -> dict:
    result = mcli("dossier", "new", "PERMIS-PECHE", "-o", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_fill_field_by_field(mcli) -> None:
    draft = _new_draft(mcli)
    term = Terminal(["dossier", "fill", draft["id"]], mcli.env)
    answers_given = []
    wrong_year_sent = False
    for _ in range(60):
        prompt = term.next_prompt()
        if prompt is None:
            break
        if "Permit type" in prompt:
            answer = "B"
        elif re.search(r"\bYear\b", prompt, re.I) and not wrong_year_sent:
            answer, wrong_year_sent = "next year", True
        elif re.search(r"\bYear\b", prompt, re.I):
            answer = "2027"
        elif prompt.startswith("Fill in") or "?" in prompt:
            answer = "n"
        else:
            answer = ""  # keep the prefilled value / leave optional fields empty
        answers_given.append((prompt, answer))
        term.type(answer)
    code = term.wait()
    assert code == 0, term.seen[-3000:]
    assert "prefilled from rn" in term.seen
    assert "Type a whole number." in term.seen  # the wrong year was refused at once
    shown = json.loads(mcli("dossier", "show", draft["id"], "-o", "json").out)
    assert shown["data"]["permit_type"] == "B"
    assert shown["data"]["year"] == 2027
    assert shown["data"]["holder"] == draft["data"]["holder"]  # Enter kept the prefill
    assert shown["version"] > draft["version"]


def _editor_script(tmp_path: Path, body: str) -> str:
    script = tmp_path / "editor.py"
    script.write_text(textwrap.dedent(body))
    return f"{sys.executable} {script}"


def test_fill_with_editor_until_valid(mcli, tmp_path: Path) -> None:
    draft = _new_draft(mcli)
    editor = _editor_script(
        tmp_path,
        """
        import sys, pathlib
        p = pathlib.Path(sys.argv[1])
        text = p.read_text()
        marker = pathlib.Path(sys.argv[1] + ".round")
        if not marker.exists():
            marker.write_text("1")
            p.write_text(text + "permit_type: [unclosed\\n")   # a YAML mistake first
        else:
            lines = [l for l in text.splitlines() if not l.startswith("permit_type")]
            p.write_text("\\n".join(lines) + "\\npermit_type: B\\nyear: 2027\\n")
        """,
    )
    term = Terminal(["dossier", "fill", draft["id"], "--editor"], {**mcli.env, "EDITOR": editor})
    term.read_until(r"Edit again\?")
    term.type("y")
    code = term.wait()
    assert code == 0, term.seen[-3000:]
    assert "neither JSON nor YAML" in term.seen
    shown = json.loads(mcli("dossier", "show", draft["id"], "-o", "json").out)
    assert shown["data"]["permit_type"] == "B" and shown["data"]["year"] == 2027


def test_giving_up_in_the_editor_keeps_the_text(mcli, tmp_path: Path) -> None:
    draft = _new_draft(mcli)
    editor = _editor_script(
        tmp_path,
        """
        import sys, pathlib
        p = pathlib.Path(sys.argv[1])
        p.write_text(p.read_text() + "note_for_me: my careful typing\\nyear: [oops\\n")
        """,
    )
    term = Terminal(["dossier", "fill", draft["id"], "--editor"], {**mcli.env, "EDITOR": editor})
    term.read_until(r"Edit again\?")
    term.type("n")
    code = term.wait()
    assert code == 1, term.seen[-3000:]
    match = re.search(r"Your text is kept in (\S+\.yaml)", term.seen)
    assert match, term.seen[-2000:]
    kept = Path(match.group(1))
    assert "my careful typing" in kept.read_text()
    kept.unlink()
