"""scripts/check_import_cycles.py, run as ``make lint`` runs it.

The project itself must pass; small packages written in a temporary
directory show what the check calls a cycle (function-level imports, a
submodule importing its package back) and what it does not (a package
``__init__`` importing its submodules, ``TYPE_CHECKING`` imports), and that
an allowed cycle which no longer exists fails the check too.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "check_import_cycles.py"


def _check(*args: str, path: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if path is not None:
        env["PYTHONPATH"] = str(path)
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        cwd=path or ROOT,
        env=env,
        timeout=120,
        check=False,
    )


def _package(root: Path, name: str, files: dict[str, str]) -> Path:
    """Write package ``name`` under ``root``: {relative path: source}."""
    for relative, source in files.items():
        target = root / name / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(source))
    return root


def test_the_project_has_no_cycle_beyond_the_allowed_ones() -> None:
    result = _check()
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("no import cycles in eid, portal, monespace_cli, tui")


def test_a_function_level_import_back_is_a_cycle_with_its_lines(tmp_path: Path) -> None:
    _package(
        tmp_path,
        "loopy",
        {
            "__init__.py": "",
            "card.py": """\
                from loopy.helpers import helper


                def connection():
                    from loopy.connection import Connection

                    return Connection()
                """,
            "connection.py": "from loopy.card import connection\n",
            "helpers.py": "def helper():\n    return 1\n",
        },
    )
    result = _check("loopy", path=tmp_path)
    assert result.returncode == 1
    assert "loopy.card -> loopy.connection -> loopy.card" in result.stderr
    assert "loopy/card.py:5: from loopy.connection import Connection" in result.stderr
    assert "loopy/connection.py:1: from loopy.card import connection" in result.stderr
    assert "helpers" not in result.stderr
    assert "1 import-cycle problem(s) in loopy" in result.stderr


def test_each_elementary_cycle_of_a_group_is_listed_in_import_order(tmp_path: Path) -> None:
    _package(
        tmp_path,
        "ring",
        {
            "__init__.py": "",
            "a.py": "import ring.b\n",
            "b.py": "import ring.c\nimport ring.a\n",
            "c.py": "def f():\n    import ring.a\n",
        },
    )
    result = _check("ring", path=tmp_path)
    assert result.returncode == 1
    assert "ring.a -> ring.b -> ring.a\n" in result.stderr
    assert "ring.a -> ring.b -> ring.c -> ring.a\n" in result.stderr
    assert "2 import-cycle problem(s)" in result.stderr


def test_a_package_importing_its_submodules_is_no_cycle(tmp_path: Path) -> None:
    _package(
        tmp_path,
        "facade",
        {
            "__init__.py": """\
                from facade.errors import Oops


                def __getattr__(name):
                    from facade.reader import Reader

                    return Reader
                """,
            "errors.py": "class Oops(Exception):\n    pass\n",
            "reader.py": "from facade.errors import Oops\n\n\nclass Reader:\n    pass\n",
        },
    )
    result = _check("facade", path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "no import cycles in facade\n"


def test_a_submodule_importing_its_package_back_is_a_cycle(tmp_path: Path) -> None:
    _package(
        tmp_path,
        "backwards",
        {
            "__init__.py": "from backwards.reader import Reader\nVERSION = 1\n",
            "reader.py": "from backwards import VERSION\n\n\nclass Reader:\n    pass\n",
        },
    )
    result = _check("backwards", path=tmp_path)
    assert result.returncode == 1
    assert "backwards -> backwards.reader -> backwards" in result.stderr


def test_type_checking_imports_are_no_cycle(tmp_path: Path) -> None:
    _package(
        tmp_path,
        "typed",
        {
            "__init__.py": "",
            "app.py": "from typed.screen import Screen\n",
            "screen.py": """\
                from __future__ import annotations

                from typing import TYPE_CHECKING

                if TYPE_CHECKING:
                    from typed.app import App


                class Screen:
                    host: App
                """,
        },
    )
    assert _check("typed", path=tmp_path).returncode == 0


def test_an_allowed_cycle_passes_and_a_vanished_one_fails(tmp_path: Path) -> None:
    _package(
        tmp_path,
        "pair",
        {"__init__.py": "", "x.py": "import pair.y\n", "y.py": "import pair.x\n"},
    )
    allowed = _check("pair", "--allow", "pair.x pair.y", path=tmp_path)
    assert allowed.returncode == 0, allowed.stderr
    assert "(1 allowed cycle(s) still to remove)" in allowed.stdout

    (tmp_path / "pair" / "y.py").write_text("")
    gone = _check("pair", "--allow", "pair.x pair.y", path=tmp_path)
    assert gone.returncode == 1
    assert "allowed cycle no longer exists" in gone.stderr
    assert "pair.x -> pair.y -> pair.x" in gone.stderr


def test_allow_without_packages_is_a_usage_error() -> None:
    result = _check("--allow", "a b")
    assert result.returncode == 2
    assert "--allow goes with PACKAGES" in result.stderr
