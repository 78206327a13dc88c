"""Named profiles in ``config.toml``: which portal, which context, which output.

The file lives in the platformdirs user config folder (``~/.config/monespace``
on Linux) or in ``$MONESPACE_CONFIG_DIR``. Example::

    current_profile = "sandbox"

    [profiles.sandbox]
    portal = "http://127.0.0.1:8470"
    context = "me"

    [profiles.prod]
    portal = "https://monespace.wallonie.example"
    context = "0403170701"
    output = "json"

A missing file means "only the default ``sandbox`` profile". Environment
variables override: ``MONESPACE_PROFILE`` picks the profile,
``MONESPACE_PORTAL`` the portal URL. Only :class:`monespace_cli.context.Factory`
reads them: commands get the resolved values from it.

Reading uses stdlib ``tomllib``; writing uses the small writer below (the file
only holds strings in tables), so no extra dependency.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from monespace_cli.errors import CliError, UsageProblem
from monespace_cli.i18n import _

DEFAULT_PROFILE = "sandbox"
DEFAULT_PORTAL = "http://127.0.0.1:8470"
CONFIG_FILE = "config.toml"
OUTPUT_FORMATS = ("table", "json", "jsonl", "csv")

_PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")
_BCE = re.compile(r"^\d{10}$")


@dataclass
class Profile:
    """One portal the user works with, and the defaults that go with it."""

    name: str
    portal: str
    context: str = "me"
    output: str | None = None


@dataclass
class Config:
    """The whole config file, in memory."""

    path: Path
    current_profile: str = DEFAULT_PROFILE
    profiles: dict[str, Profile] = field(default_factory=dict)

    def profile(self, name: str) -> Profile:
        """The named profile; an unknown name is a usage error."""
        try:
            return self.profiles[name]
        except KeyError:
            raise UsageProblem(
                _("No profile named {name}.").format(name=name),
                hint=_("See the profiles with: monespace profile list"),
            ) from None


def default_config_dir() -> Path:
    """Where ``config.toml`` lives when ``MONESPACE_CONFIG_DIR`` is not set."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("monespace", appauthor=False))


def config_dir(environ: dict[str, str] | os._Environ[str] = os.environ) -> Path:
    """The config folder: ``$MONESPACE_CONFIG_DIR`` or the platformdirs one."""
    override = environ.get("MONESPACE_CONFIG_DIR")
    return Path(override) if override else default_config_dir()


def check_profile_name(name: str) -> str:
    """Profile names are TOML bare keys: letters, digits, ``-`` and ``_``."""
    if not _PROFILE_NAME.match(name):
        raise UsageProblem(
            _("Invalid profile name {name!r}: use letters, digits, '-' and '_'.").format(name=name)
        )
    return name


def normalise_portal_url(url: str) -> str:
    """Check a portal URL (http or https, with a host) and drop a trailing slash."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageProblem(
            _("Invalid portal URL {url!r}: expected http(s)://host[:port].").format(url=url)
        )
    try:
        _port = parts.port
    except ValueError:
        raise UsageProblem(_("Invalid port in portal URL {url!r}.").format(url=url)) from None
    return url.strip().rstrip("/")


def origin_of(url: str) -> str:
    """The web origin (scheme://host[:port]) of a URL, default ports dropped.

    ``auth login`` compares it with the origin the portal puts in its
    challenge: the card only signs for the portal the profile names.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    if port is None or (scheme, port) in (("http", 80), ("https", 443)):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def check_context(value: str) -> str:
    """An acting context is ``me`` or a 10-digit BCE number (dots/spaces allowed)."""
    cleaned = value.strip().replace(".", "").replace(" ", "")
    if cleaned.lower() == "me":
        return "me"
    if cleaned.upper().startswith("BE"):
        cleaned = cleaned[2:]
    if not _BCE.match(cleaned):
        raise UsageProblem(
            _("Invalid context {value!r}: use 'me' or a 10-digit enterprise number.").format(
                value=value
            )
        )
    return cleaned


def load_config(directory: Path) -> Config:
    """Read ``config.toml``; a missing file gives the default sandbox profile."""
    import tomllib

    path = directory / CONFIG_FILE
    config = Config(path=path)
    data: dict[str, object] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise CliError(
                _("The config file {path} is not valid TOML: {detail}").format(
                    path=path, detail=exc
                )
            ) from None
        except OSError as exc:
            raise CliError(
                _("Cannot read the config file {path}: {detail}").format(
                    path=path, detail=exc.strerror
                )
            ) from None
    profiles = data.get("profiles")
    if isinstance(profiles, dict):
        for name, raw in profiles.items():
            if isinstance(raw, dict) and isinstance(raw.get("portal"), str):
                output = raw.get("output")
                config.profiles[name] = Profile(
                    name=name,
                    portal=raw["portal"],
                    context=str(raw.get("context") or "me"),
                    output=output if output in OUTPUT_FORMATS else None,
                )
    if DEFAULT_PROFILE not in config.profiles and not data.get("sandbox_removed"):
        config.profiles[DEFAULT_PROFILE] = Profile(name=DEFAULT_PROFILE, portal=DEFAULT_PORTAL)
    current = data.get("current_profile")
    if isinstance(current, str) and current in config.profiles:
        config.current_profile = current
    elif config.profiles:
        config.current_profile = next(iter(config.profiles))
    return config


def _toml_string(value: str) -> str:
    """A TOML basic string: JSON's escapes are valid TOML, plus DEL, which TOML forbids raw."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def dump_config(config: Config) -> str:
    """The TOML text of a config (strings in tables only)."""
    lines = [f"current_profile = {_toml_string(config.current_profile)}"]
    if DEFAULT_PROFILE not in config.profiles:
        lines.append("sandbox_removed = true")
    for profile in config.profiles.values():
        lines.append("")
        lines.append(f"[profiles.{check_profile_name(profile.name)}]")
        lines.append(f"portal = {_toml_string(profile.portal)}")
        lines.append(f"context = {_toml_string(profile.context)}")
        if profile.output:
            lines.append(f"output = {_toml_string(profile.output)}")
    return "\n".join(lines) + "\n"


def save_config(config: Config) -> None:
    """Write ``config.toml`` atomically (a crash never leaves half a file)."""
    config.path.parent.mkdir(parents=True, exist_ok=True)
    tmp = config.path.with_name(config.path.name + ".tmp")
    try:
        tmp.write_text(dump_config(config), encoding="utf-8")
        os.replace(tmp, config.path)
    except OSError as exc:
        raise CliError(
            _("Cannot write the config file {path}: {detail}").format(
                path=config.path, detail=exc.strerror
            )
        ) from None
