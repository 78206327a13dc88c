"""Fixtures for the CLI tests: an isolated home for each test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from cli_helpers import Result, cli_env, run_cli


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def env(home: Path) -> dict[str, str]:
    return cli_env(home)


@pytest.fixture
def cli(env: dict[str, str]) -> Callable[..., Result]:
    """``cli("profile", "list")`` runs the real CLI with the test's environment."""

    def run(*args: str, input: str | None = None, **extra_env: str) -> Result:
        return run_cli(list(args), {**env, **extra_env}, input=input)

    return run
