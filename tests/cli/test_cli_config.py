"""config.toml: defaults, round trip, validation."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monespace_cli.config import (
    DEFAULT_PORTAL,
    Config,
    Profile,
    check_context,
    dump_config,
    load_config,
    normalise_portal_url,
    origin_of,
    save_config,
)
from monespace_cli.errors import CliError, UsageProblem

names = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,20}", fullmatch=True)


def test_missing_file_gives_the_sandbox_profile(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config.current_profile == "sandbox"
    assert config.profiles["sandbox"].portal == DEFAULT_PORTAL == "http://127.0.0.1:8470"


@given(names, st.text(max_size=30), st.sampled_from(["me", "0403170701"]))
def test_round_trip(name: str, host_text: str, context: str) -> None:
    url = "https://x.example/" + host_text.replace("\n", "")
    config = Config(path=Path("/nonexistent/config.toml"), current_profile=name)
    config.profiles[name] = Profile(name=name, portal=url, context=context, output="json")
    text = dump_config(config)
    data = tomllib.loads(text)
    assert data["profiles"][name]["portal"] == url
    assert data["current_profile"] == name


def test_save_and_load(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    config.profiles["prod"] = Profile("prod", "https://portal.example", "0403170701", "csv")
    config.current_profile = "prod"
    save_config(config)
    again = load_config(tmp_path)
    assert again.current_profile == "prod"
    assert again.profiles["prod"] == Profile("prod", "https://portal.example", "0403170701", "csv")


def test_broken_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("current_profile = [")
    with pytest.raises(CliError, match="not valid TOML"):
        load_config(tmp_path)


@pytest.mark.parametrize("url", ["ftp://x", "x.example", "http://", "http://x:notaport"])
def test_bad_urls(url: str) -> None:
    with pytest.raises(UsageProblem):
        normalise_portal_url(url)


def test_origins() -> None:
    assert origin_of("http://127.0.0.1:8470/") == "http://127.0.0.1:8470"
    assert origin_of("HTTPS://Portal.Example:443/api") == "https://portal.example"
    assert origin_of("http://[::1]:80") == "http://[::1]"


def test_contexts() -> None:
    assert check_context("ME") == "me"
    assert check_context("0403.170.701") == "0403170701"
    assert check_context("BE 0403 170 701") == "0403170701"
    with pytest.raises(UsageProblem):
        check_context("123")
