"""Token storage: the 0600 fallback file, a real keyring backend, MONESPACE_TOKEN."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from monespace_cli.credentials import TokenStore
from monespace_cli.errors import CliError

PORTAL = "http://127.0.0.1:8470"


@pytest.fixture
def no_keyring_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No keyring chosen by the user (headless Linux): only auto-detection."""
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


def store(tmp_path: Path, environ: dict[str, str] | None = None) -> tuple[TokenStore, list[str]]:
    warnings: list[str] = []
    return TokenStore(tmp_path / "cfg", environ or {}, warnings.append), warnings


@pytest.mark.usefixtures("no_keyring_config")
def test_without_keyring_the_token_goes_to_a_0600_file_with_a_warning(tmp_path: Path) -> None:
    tokens, warnings = store(tmp_path)
    assert tokens.backend() is None  # keyrings.alt's plaintext backend is not taken silently
    saved = tokens.save("sandbox", PORTAL, "tok-123")
    assert saved.source == "file"
    assert (
        len(warnings) == 1 and "plain text" in warnings[0] and str(tokens.file_path) in warnings[0]
    )
    mode = stat.S_IMODE(tokens.file_path.stat().st_mode)
    assert mode == 0o600
    got = tokens.get("sandbox", PORTAL)
    assert got is not None and got.token == "tok-123" and got.source == "file"
    assert tokens.get("sandbox", "http://other:1") is None  # keyed by portal too
    assert tokens.delete("sandbox", PORTAL) == ["file"]
    assert tokens.get("sandbox", PORTAL) is None


def test_with_a_real_keyring_backend_no_file_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    tokens, warnings = store(tmp_path)
    assert tokens.backend() is not None
    saved = tokens.save("sandbox", PORTAL, "tok-kr")
    assert saved.source == "keyring" and "PlaintextKeyring" in saved.location
    assert warnings == []
    assert not tokens.file_path.exists()
    keyring_files = list((tmp_path / "xdg-data").rglob("*.cfg"))
    stored = keyring_files[0].read_text()
    assert "[monespace]" in stored and base64.b64encode(b"tok-kr").decode() in stored
    got = tokens.get("sandbox", PORTAL)
    assert got is not None and got.token == "tok-kr" and got.source == "keyring"
    assert tokens.delete("sandbox", PORTAL) == ["keyring"]
    assert tokens.get("sandbox", PORTAL) is None


@pytest.mark.usefixtures("no_keyring_config")
def test_environment_token_wins_and_is_never_stored(tmp_path: Path) -> None:
    tokens, _ = store(tmp_path, {"MONESPACE_TOKEN": "env-tok"})
    tokens.save("sandbox", PORTAL, "file-tok")
    got = tokens.get("sandbox", PORTAL)
    assert got is not None and got.token == "env-tok" and got.source == "env"


@pytest.mark.usefixtures("no_keyring_config")
def test_corrupt_token_file_is_a_clear_error(tmp_path: Path) -> None:
    from monespace_cli.errors import CliError

    tokens, _ = store(tmp_path)
    tokens.file_path.parent.mkdir(parents=True)
    tokens.file_path.write_text("{not json")
    with pytest.raises(CliError, match="unreadable"):
        tokens.get("sandbox", PORTAL)


@pytest.mark.usefixtures("no_keyring_config")
def test_the_token_file_is_new_private_and_never_written_through_a_link(tmp_path: Path) -> None:
    tokens, _warnings = store(tmp_path)
    tokens.config_dir.mkdir(mode=0o755)
    tokens.save("sandbox", PORTAL, "tok-1")
    assert stat.S_IMODE(tokens.config_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(tokens.file_path.stat().st_mode) == 0o600
    assert [p.name for p in tokens.config_dir.iterdir()] == ["tokens.json"]  # no temp left

    victim = tmp_path / "victim.json"
    planted = f'{{"sandbox {PORTAL}": "attacker-token"}}'
    victim.write_text(planted)
    old_temp = tokens.config_dir / "tokens.json.tmp"  # a predictable temporary name
    old_temp.symlink_to(victim)
    tokens.save("sandbox", PORTAL, "tok-1b")
    assert victim.read_text() == planted  # the link was not written through
    old_temp.unlink()

    tokens.file_path.unlink()
    tokens.file_path.symlink_to(victim)  # planted at the token path
    with pytest.raises(CliError, match="symbolic link"):
        tokens.save("sandbox", PORTAL, "tok-2")
    with pytest.raises(CliError, match="symbolic link"):
        tokens.get("sandbox", PORTAL)
    assert victim.read_text() == planted  # and its token was not taken either
    assert tokens.file_path.is_symlink()

    tokens.file_path.unlink()  # what the message tells the person to do
    tokens.save("sandbox", PORTAL, "tok-3")
    got = tokens.get("sandbox", PORTAL)
    assert got is not None and got.token == "tok-3"
