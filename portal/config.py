"""The portal's settings, read once from the environment.

Why a plain dataclass and not pydantic-settings: the portal has a handful of
settings, all from environment variables, and one small explicit function is
easier to audit than a settings framework (and not installed here). Tests
build a ``Settings`` directly and hand it to ``create_app``.

Variables (all optional):

- ``MONESPACE_PORTAL_DATABASE_URL`` — SQLAlchemy URL; default a SQLite file
  in the platformdirs data folder of "monespace-portal".
- ``MONESPACE_PORTAL_SANDBOX`` — "1"/"true" turns on sandbox mode (sandbox
  PKI trusted, sandbox-only endpoints).
- ``MONESPACE_PORTAL_PKI_DIR`` — sandbox PKI directory (default: ``pki``
  under the data folder).
- ``MONESPACE_PORTAL_PUBLIC_ORIGIN`` — the origin bound into login
  signatures, e.g. ``https://monespace.wallonie.be``.
- ``MONESPACE_PORTAL_TRUST_ANCHORS`` / ``MONESPACE_PORTAL_CRLS`` — production
  trust anchors and CRLs: PEM or DER files, several separated by ``:``.
- ``MONESPACE_PORTAL_REVOCATION_RECHECK`` — seconds a certificate status
  (OCSP or CRL) is reused before it is asked again, for logins and live
  sessions alike (default 120; never longer than the answer's own validity).
- ``MONESPACE_PORTAL_CRL_GRACE`` — seconds a CRL is still believed after its
  nextUpdate when OCSP cannot answer (default 0: a stale CRL refuses login).
- ``MONESPACE_PORTAL_OCSP_TIMEOUT`` — seconds to wait for the OCSP responder (5).
- ``MONESPACE_PORTAL_MAX_UPLOAD`` — attachment size limit in bytes (20 MB).
- ``MONESPACE_PORTAL_MAX_JSON_BODY`` — body limit of every route but the
  uploads, in bytes (2 MB).
- ``MONESPACE_PORTAL_BODY_TIMEOUT`` / ``MONESPACE_PORTAL_UPLOAD_TIMEOUT`` —
  seconds a request body / an upload may take to arrive before a 408 (10 / 300).
- ``MONESPACE_PORTAL_SMTP_URL`` — e.g. ``smtp://127.0.0.1:8025``.
- ``MONESPACE_PORTAL_SEAL_KEY`` / ``MONESPACE_PORTAL_SEAL_CHAIN`` — the
  document seal's PEM key and chain outside sandbox mode.
- ``MONESPACE_PORTAL_WEBHOOK_BACKOFF`` — webhook retry delays in seconds,
  comma-separated (default ``5,30,120,600,1800,3600,7200``).
- ``MONESPACE_PORTAL_WEBHOOKS`` — ``off`` keeps this process from delivering
  webhooks (deliveries are still queued; another process sends them).
- ``MONESPACE_PORTAL_STREAM_KEEPALIVE`` (seconds, 15),
  ``MONESPACE_PORTAL_STREAMS_PER_PROCESS`` (10000),
  ``MONESPACE_PORTAL_STREAMS_PER_SESSION`` (20),
  ``MONESPACE_PORTAL_STREAMS_PER_PERSON`` (60),
  ``MONESPACE_PORTAL_STREAM_QUEUE`` (frames, 500),
  ``MONESPACE_PORTAL_STREAM_POLL`` (seconds, SQLite, 1),
  ``MONESPACE_PORTAL_STREAM_SAFETY_POLL`` (seconds, PostgreSQL, 10),
  ``MONESPACE_PORTAL_STREAM_RIGHTS_TTL`` (seconds, 10),
  ``MONESPACE_PORTAL_STREAM_RECHECK`` (seconds, 60) — the live streams
  (portal/streams; README "Live streams").
- ``MONESPACE_PORTAL_MAX_IN_FLIGHT`` (requests, 32) and
  ``MONESPACE_PORTAL_QUEUE_WAIT`` (seconds, 1; a SQLite writer 5× that) —
  past either, a request is answered 503 + ``Retry-After`` at once
  (portal/http/overload.py).
- ``MONESPACE_PORTAL_FAULTS`` / ``MONESPACE_PORTAL_FAULTS_SEED`` — tests only,
  sandbox mode only: answer 503/429 or delay a fraction of API requests
  (``503=0.1,429=0.1,delay=0.05:0.5``; see portal/http/faults.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

APP_NAME = "monespace-portal"
DEFAULT_MAX_UPLOAD = 20 * 1024 * 1024
#: The largest JSON request body accepted (dossier data is small; attachments
#: go through their own streaming limit).
DEFAULT_MAX_JSON_BODY = 2 * 1024 * 1024
#: docs/api.md "Webhooks": 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h.
DEFAULT_WEBHOOK_BACKOFF = (5.0, 30.0, 120.0, 600.0, 1800.0, 3600.0, 7200.0)
_TRUE = {"1", "true", "yes", "on"}


def data_dir() -> Path:
    """The per-user folder where the default database and sandbox PKI live."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME))


@dataclass(frozen=True)
class StreamSettings:
    """The live event streams' knobs (portal/streams/hub.py)."""

    #: Seconds of silence after which a stream gets a ``: keepalive`` comment.
    keepalive_seconds: float = 15.0
    #: Open streams one process serves; past it, 503 + Retry-After.
    max_per_process: int = 10_000
    #: Open streams one login session may hold at once; past it, 503 + Retry-After.
    max_per_session: int = 20
    #: Open streams one person's login sessions hold together (logging in again is cheap).
    max_per_person: int = 60
    #: Frames queued for one stream; a consumer that lets it fill is dropped.
    queue_size: int = 500
    #: SQLite: seconds between reads of the events table.
    poll_seconds: float = 1.0
    #: PostgreSQL: seconds between reads when no notification came (safety net).
    safety_poll_seconds: float = 10.0
    #: Seconds a checked right is trusted without a change being heard of.
    rights_ttl: float = 10.0
    #: Seconds after which every stream's rights are checked even if nothing is delivered.
    recheck_seconds: float = 60.0


@dataclass(frozen=True)
class Settings:
    """Everything the portal is configured with."""

    database_url: str
    sandbox: bool = False
    pki_dir: Path | None = None
    public_origin: str | None = None
    trust_anchor_files: tuple[Path, ...] = ()
    crl_files: tuple[Path, ...] = ()
    max_upload: int = DEFAULT_MAX_UPLOAD
    max_json_body: int = DEFAULT_MAX_JSON_BODY
    smtp_url: str | None = None
    seal_key_file: Path | None = None
    seal_chain_file: Path | None = None
    challenge_ttl_seconds: int = 120
    #: Seconds a verified certificate status is reused (login and live sessions).
    revocation_recheck_seconds: float = 120
    #: Seconds a CRL is believed past its nextUpdate (OCSP unavailable).
    crl_grace_seconds: float = 0
    #: Seconds to wait for an OCSP responder.
    ocsp_timeout_seconds: float = 5
    session_ttl_seconds: int = 12 * 3600
    #: Login challenges per client address (portal/http/ratelimit.py; None = off).
    challenge_rate: Limit | None = field(default_factory=lambda: Limit(600, 60))
    #: Failed logins of one card from one client address before 429 (brute force).
    login_failure_rate: Limit | None = field(default_factory=lambda: Limit(20, 300))
    #: Failed logins per client address, all cards together: an office behind
    #: one NAT shares it, so it is much higher than the per-card one.
    login_failure_address_rate: Limit | None = field(default_factory=lambda: Limit(300, 300))
    #: Login on another device (RFC 8628, portal/auth/device.py): lifetime of a
    #: pair of codes, the first polling interval, pairs asked per address, and
    #: wrong user codes typed per address (brute force on the short code).
    device_ttl_seconds: int = 600
    device_interval_seconds: int = 5
    device_rate: Limit | None = field(default_factory=lambda: Limit(30, 300))
    device_code_failure_rate: Limit | None = field(default_factory=lambda: Limit(10, 300))
    #: ``sandbox`` (the portal's own page) or ``fas`` (portal/auth/verification.py).
    device_verifier: str = "sandbox"
    fas_authorization_endpoint: str | None = None
    fas_client_id: str | None = None
    #: Actions a device session may not do: a card login is required
    #: (portal/auth/card_required.py): ``mandate-sign``, ``submit:<PROCEDURE>``.
    card_required: frozenset[str] = frozenset({"mandate-sign"})
    #: Proxies whose X-Forwarded-For is believed (the load balancer's addresses).
    trusted_proxies: tuple[str, ...] = ()
    #: Seconds before each webhook retry; after the last one a delivery is dead.
    webhook_backoff: tuple[float, ...] = DEFAULT_WEBHOOK_BACKOFF
    #: Whether this process runs the webhook dispatcher (off for tools, e.g. seed).
    webhooks_enabled: bool = True
    #: Tests only: ``MONESPACE_PORTAL_FAULTS`` as written (portal/http/faults.py parses it).
    faults: str | None = None
    #: Seed of the fault injection's random draws (repeatable runs).
    faults_seed: int | None = None
    #: The live event streams (portal/streams).
    streams: StreamSettings = field(default_factory=StreamSettings)
    #: Requests one process handles at once (streams apart); past it, 503 at once.
    max_in_flight: int = 32
    #: Seconds a request may wait for its turn at the database before a 503.
    queue_wait_seconds: float = 1.0
    #: Seconds a request's body (an upload's) may take to arrive; then 408.
    body_seconds: float = 10.0
    upload_seconds: float = 300.0
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def effective_pki_dir(self) -> Path:
        """Where the sandbox PKI is (configured, or under the data folder)."""
        return self.pki_dir if self.pki_dir is not None else data_dir() / "pki"


@dataclass(frozen=True)
class Limit:
    """At most ``count`` hits per window of ``seconds``."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Limit | None:
        """``"20/300"`` → Limit(20, 300); ``"off"`` → None; else ValueError."""
        text = text.strip().lower()
        if text in {"off", "none", "0"}:
            return None
        count, _, seconds = text.partition("/")
        try:
            limit = cls(int(count), int(seconds))
        except ValueError:
            raise ValueError(f"a rate limit is written COUNT/SECONDS, not {text!r}") from None
        if limit.count < 1 or limit.seconds < 1:
            raise ValueError(f"a rate limit needs a positive count and window, not {text!r}")
        return limit


class ConfigError(ValueError):
    """A setting has a value the portal cannot use; the message names it."""


def _paths(value: str | None) -> tuple[Path, ...]:
    return tuple(Path(p) for p in (value or "").split(os.pathsep) if p)


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a positive whole number, not {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive")
    return value


def _seconds(
    env: Mapping[str, str], name: str, default: float, minimum: float = 0.0, zero: bool = False
) -> float:
    """A number of seconds, at least ``minimum`` and at most a day; 0 only when ``zero``.

    One parser for every duration setting, so each says the same thing when
    it is wrong.
    """
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, not {raw!r}") from None
    if value < minimum or value > 86400 or (value == 0 and not zero):
        raise ConfigError(f"{name} must be between {minimum:g} and 86400 seconds, not {raw!r}")
    return value


def default_database_url() -> str:
    """A SQLite file in the data folder (the folder is created when needed)."""
    return f"sqlite:///{data_dir() / 'portal.sqlite3'}"


def from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from ``env`` (default ``os.environ``)."""
    env = os.environ if env is None else env
    pki = env.get("MONESPACE_PORTAL_PKI_DIR")
    return Settings(
        database_url=env.get("MONESPACE_PORTAL_DATABASE_URL") or default_database_url(),
        sandbox=env.get("MONESPACE_PORTAL_SANDBOX", "").strip().lower() in _TRUE,
        pki_dir=Path(pki) if pki else None,
        public_origin=(env.get("MONESPACE_PORTAL_PUBLIC_ORIGIN") or None),
        trust_anchor_files=_paths(env.get("MONESPACE_PORTAL_TRUST_ANCHORS")),
        crl_files=_paths(env.get("MONESPACE_PORTAL_CRLS")),
        max_upload=_int(env, "MONESPACE_PORTAL_MAX_UPLOAD", DEFAULT_MAX_UPLOAD),
        max_json_body=_int(env, "MONESPACE_PORTAL_MAX_JSON_BODY", DEFAULT_MAX_JSON_BODY),
        revocation_recheck_seconds=_seconds(env, "MONESPACE_PORTAL_REVOCATION_RECHECK", 120, 1),
        crl_grace_seconds=_seconds(env, "MONESPACE_PORTAL_CRL_GRACE", 0, zero=True),
        ocsp_timeout_seconds=_seconds(env, "MONESPACE_PORTAL_OCSP_TIMEOUT", 5, 1),
        smtp_url=env.get("MONESPACE_PORTAL_SMTP_URL") or None,
        seal_key_file=_path(env.get("MONESPACE_PORTAL_SEAL_KEY")),
        seal_chain_file=_path(env.get("MONESPACE_PORTAL_SEAL_CHAIN")),
        challenge_rate=_limit(env, "MONESPACE_PORTAL_RATE_CHALLENGES", "600/60"),
        login_failure_rate=_limit(env, "MONESPACE_PORTAL_RATE_LOGIN_FAILURES", "20/300"),
        login_failure_address_rate=_limit(
            env, "MONESPACE_PORTAL_RATE_LOGIN_FAILURES_ADDRESS", "300/300"
        ),
        trusted_proxies=tuple(env.get("MONESPACE_PORTAL_TRUSTED_PROXIES", "").split()),
        device_ttl_seconds=_int(env, "MONESPACE_PORTAL_DEVICE_TTL", 600),
        device_interval_seconds=_int(env, "MONESPACE_PORTAL_DEVICE_INTERVAL", 5),
        device_rate=_limit(env, "MONESPACE_PORTAL_RATE_DEVICE", "30/300"),
        device_code_failure_rate=_limit(
            env, "MONESPACE_PORTAL_RATE_DEVICE_CODE_FAILURES", "10/300"
        ),
        device_verifier=_verifier(env.get("MONESPACE_PORTAL_DEVICE_VERIFIER")),
        fas_authorization_endpoint=env.get("MONESPACE_PORTAL_FAS_AUTHORIZATION_ENDPOINT") or None,
        fas_client_id=env.get("MONESPACE_PORTAL_FAS_CLIENT_ID") or None,
        card_required=_card_required(env.get("MONESPACE_PORTAL_CARD_REQUIRED")),
        webhook_backoff=_backoff(env.get("MONESPACE_PORTAL_WEBHOOK_BACKOFF")),
        webhooks_enabled=env.get("MONESPACE_PORTAL_WEBHOOKS", "on").strip().lower()
        not in {"0", "off", "false", "no"},
        faults=(env.get("MONESPACE_PORTAL_FAULTS") or "").strip() or None,
        faults_seed=_int(env, "MONESPACE_PORTAL_FAULTS_SEED", 0) or None,
        streams=_streams(env),
        max_in_flight=_int(env, "MONESPACE_PORTAL_MAX_IN_FLIGHT", 32),
        queue_wait_seconds=_seconds(env, "MONESPACE_PORTAL_QUEUE_WAIT", 1.0),
        body_seconds=_seconds(env, "MONESPACE_PORTAL_BODY_TIMEOUT", 10.0),
        upload_seconds=_seconds(env, "MONESPACE_PORTAL_UPLOAD_TIMEOUT", 300.0),
    )


def _streams(env: Mapping[str, str]) -> StreamSettings:
    base = StreamSettings()
    return StreamSettings(
        keepalive_seconds=_seconds(
            env, "MONESPACE_PORTAL_STREAM_KEEPALIVE", base.keepalive_seconds
        ),
        max_per_process=_int(env, "MONESPACE_PORTAL_STREAMS_PER_PROCESS", base.max_per_process),
        max_per_session=_int(env, "MONESPACE_PORTAL_STREAMS_PER_SESSION", base.max_per_session),
        max_per_person=_int(env, "MONESPACE_PORTAL_STREAMS_PER_PERSON", base.max_per_person),
        queue_size=_int(env, "MONESPACE_PORTAL_STREAM_QUEUE", base.queue_size),
        poll_seconds=_seconds(env, "MONESPACE_PORTAL_STREAM_POLL", base.poll_seconds),
        safety_poll_seconds=_seconds(
            env, "MONESPACE_PORTAL_STREAM_SAFETY_POLL", base.safety_poll_seconds
        ),
        rights_ttl=_seconds(env, "MONESPACE_PORTAL_STREAM_RIGHTS_TTL", base.rights_ttl),
        recheck_seconds=_seconds(env, "MONESPACE_PORTAL_STREAM_RECHECK", base.recheck_seconds),
    )


def _verifier(value: str | None) -> str:
    """``sandbox`` (default) or ``fas``."""
    name = (value or "sandbox").strip().lower()
    if name not in {"sandbox", "fas"}:
        raise ConfigError(f"MONESPACE_PORTAL_DEVICE_VERIFIER must be sandbox or fas, not {value!r}")
    return name


def _card_required(value: str | None) -> frozenset[str]:
    """``"mandate-sign,submit:PROC"`` → the set; unset → mandate signing only; ``off`` → none."""
    if value is None:
        return frozenset({"mandate-sign"})
    if value.strip().lower() in {"", "off", "none"}:
        return frozenset()
    return frozenset(part.strip() for part in value.split(",") if part.strip())


def _backoff(value: str | None) -> tuple[float, ...]:
    """``"5,30,120"`` → (5.0, 30.0, 120.0); unset → the default schedule."""
    if not value or not value.strip():
        return DEFAULT_WEBHOOK_BACKOFF
    try:
        delays = tuple(float(part) for part in value.split(","))
    except ValueError:
        raise ConfigError(
            f"MONESPACE_PORTAL_WEBHOOK_BACKOFF must be seconds separated by commas, not {value!r}"
        ) from None
    if not all(0 < d <= 7 * 86400 for d in delays):
        raise ConfigError("MONESPACE_PORTAL_WEBHOOK_BACKOFF delays must be between 0 and 7 days")
    return delays


def _limit(env: Mapping[str, str], name: str, default: str) -> Limit | None:
    try:
        return Limit.parse(env.get(name) or default)
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}") from None


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None
