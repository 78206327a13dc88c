"""Where the session token lives: the OS keyring, else a 0600 file, or the environment.

Order of lookup for a profile:

1. ``MONESPACE_TOKEN`` (scripts, CI): used as is, never stored;
2. the OS keyring through ``keyring`` (service ``monespace``);
3. the fallback file ``<config dir>/tokens.json`` (mode 0600, in a 0700 folder).

A keyring counts only when it is a real one: either chosen explicitly by the
user (``PYTHON_KEYRING_BACKEND`` or keyring's ``keyringrc.cfg``), or
auto-detected with keyring's "recommended" priority (≥ 1). The plaintext
backends of ``keyrings.alt`` are not silently taken for a keyring — gh users
complain about tokens quietly stored in plain text on headless Linux; here
the fallback file is announced with a one-line warning every time a token
is written to it, and ``auth status`` says where the token is.

Tokens are keyed by profile *and* portal URL, so changing a profile's URL
never sends the old portal's token to the new one.

The file is never written in place: a new file with a random name is
created with ``O_CREAT | O_EXCL | O_NOFOLLOW`` (mode 0600 from the first
byte), written, synced and renamed over ``tokens.json``. A symbolic link
planted at either name is therefore never followed — the rename replaces a
link at ``tokens.json`` instead of writing through it — and reading refuses
a link (``O_NOFOLLOW``) with a clear error.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from monespace_cli.errors import CliError
from monespace_cli.i18n import _

SERVICE = "monespace"
TOKENS_FILE = "tokens.json"
ENV_TOKEN = "MONESPACE_TOKEN"  # noqa: S105 - the variable name, not a secret

Source = Literal["env", "keyring", "file"]


@dataclass(frozen=True)
class StoredToken:
    """A token and where it came from (``location`` is for humans)."""

    token: str
    source: Source
    location: str


def token_key(profile: str, portal: str) -> str:
    """The keyring user name / file key for a profile's token."""
    return f"{profile} {portal}"


def _keyring_backend() -> Any | None:
    """The keyring to use, or None when there is no real one (headless Linux)."""
    try:
        import keyring
        import keyring.core
        from keyring.backends import chainer, fail
    except ImportError:
        return None
    try:
        explicit = keyring.core.load_env() or keyring.core.load_config()
    except Exception:  # noqa: BLE001 - a broken keyring config must not break the CLI
        explicit = None
    if explicit is not None:
        return None if isinstance(explicit, fail.Keyring) else explicit
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        return None
    if isinstance(backend, chainer.ChainerBackend):
        return backend if any(keyring.core.recommended(b) for b in backend.backends) else None
    return backend if keyring.core.recommended(backend) else None


class TokenStore:
    """Reads, writes and deletes session tokens for profiles."""

    def __init__(
        self,
        config_dir: Path,
        environ: Mapping[str, str],
        warn: Callable[[str], None],
    ) -> None:
        self.config_dir = config_dir
        self.environ = environ
        self.warn = warn
        self._backend: Any | None = None
        self._backend_checked = False

    @property
    def file_path(self) -> Path:
        """The fallback file (used only when no keyring exists)."""
        return self.config_dir / TOKENS_FILE

    def backend(self) -> Any | None:
        """The real keyring backend, or None (checked once)."""
        if not self._backend_checked:
            self._backend = _keyring_backend()
            self._backend_checked = True
        return self._backend

    def backend_name(self) -> str:
        """A human name for the keyring backend (for ``auth status``)."""
        backend = self.backend()
        if backend is None:
            return ""
        return f"{type(backend).__module__}.{type(backend).__name__}"

    def get(self, profile: str, portal: str) -> StoredToken | None:
        """The token to use for this profile, or None when not logged in."""
        env_token = self.environ.get(ENV_TOKEN)
        if env_token:
            return StoredToken(env_token.strip(), "env", ENV_TOKEN)
        key = token_key(profile, portal)
        backend = self.backend()
        if backend is not None:
            try:
                token = backend.get_password(SERVICE, key)
            except Exception:  # noqa: BLE001 - a locked/broken keyring means "ask the file"
                token = None
            if token:
                return StoredToken(token, "keyring", self.backend_name())
        token = self._read_file().get(key)
        if isinstance(token, str) and token:
            return StoredToken(token, "file", str(self.file_path))
        return None

    def save(self, profile: str, portal: str, token: str) -> StoredToken:
        """Store a token: keyring when there is one, else the 0600 file (with a warning)."""
        key = token_key(profile, portal)
        backend = self.backend()
        if backend is not None:
            try:
                backend.set_password(SERVICE, key, token)
            except Exception as exc:  # noqa: BLE001 - fall back to the file, say why
                self.warn(
                    _("warning: the keyring refused the token ({detail}).").format(
                        detail=type(exc).__name__
                    )
                )
            else:
                self._delete_from_file(key)
                return StoredToken(token, "keyring", self.backend_name())
        tokens = self._read_file()
        tokens[key] = token
        self._write_file(tokens)
        self.warn(
            _(
                "warning: no system keyring found; the token is stored in plain text in {path}"
                " (readable only by you)."
            ).format(path=self.file_path)
        )
        return StoredToken(token, "file", str(self.file_path))

    def delete(self, profile: str, portal: str) -> list[str]:
        """Forget the token everywhere it is stored; returns where it was found."""
        key = token_key(profile, portal)
        removed: list[str] = []
        backend = self.backend()
        if backend is not None:
            try:
                if backend.get_password(SERVICE, key) is not None:
                    backend.delete_password(SERVICE, key)
                    removed.append("keyring")
            except Exception as exc:  # noqa: BLE001 - a broken keyring must not block logout
                self.warn(
                    _("warning: could not remove the token from the keyring ({detail}).").format(
                        detail=type(exc).__name__
                    )
                )
        if self._delete_from_file(key):
            removed.append("file")
        return removed

    def _delete_from_file(self, key: str) -> bool:
        tokens = self._read_file()
        if key not in tokens:
            return False
        del tokens[key]
        self._write_file(tokens)
        return True

    def _read_file(self) -> dict[str, Any]:
        try:
            fd = os.open(self.file_path, os.O_RDONLY | _NOFOLLOW)
            with os.fdopen(fd, encoding="utf-8") as fh:
                data = json.load(fh)
        except FileNotFoundError:
            return {}
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise CliError(
                    _("The token file {path} is a symbolic link; it is not read.").format(
                        path=self.file_path
                    ),
                    hint=_("Delete it and log in again."),
                ) from None
            raise self._unreadable() from None
        except ValueError:
            raise self._unreadable() from None
        return data if isinstance(data, dict) else {}

    def _unreadable(self) -> CliError:
        return CliError(
            _("The token file {path} is unreadable; delete it and log in again.").format(
                path=self.file_path
            )
        )

    def _private_folder(self) -> None:
        """The config folder, created 0700; an existing one of ours is narrowed to 0700."""
        self.config_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.stat(self.config_dir)
        ours = not hasattr(os, "getuid") or info.st_uid == os.getuid()
        if ours and info.st_mode & 0o077:
            os.chmod(self.config_dir, 0o700)

    def _write_file(self, tokens: dict[str, Any]) -> None:
        """Write a new 0600 file next to ``tokens.json`` and rename it over (see above)."""
        temp = self.config_dir / f".{TOKENS_FILE}.{secrets.token_hex(8)}.tmp"
        try:
            self._private_folder()
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW
            fd = os.open(temp, flags, 0o600)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(tokens, fh)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(temp, self.file_path)
            finally:
                temp.unlink(missing_ok=True)
        except OSError as exc:
            raise CliError(
                _("Cannot write the token file {path}: {detail}").format(
                    path=self.file_path, detail=exc.strerror
                )
            ) from None


#: ``O_NOFOLLOW`` where the system has it (every POSIX system; not Windows).
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
