"""Wiring of the periphery services into an app: settings, seal key, mailer.

Why through the sessionmaker's `info`: the services are called with a bare
database session (`file_receipt(session, dossier)` from the submit code, the
notification listener during a flush), and must still know the app's
settings, its seal key and its SMTP mailer. Each app puts one
`PeripheryContext` into the `info` of every session it makes; code running
outside an app (scripts, the seeder) gets one built from the environment.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from portal import config
from portal.services import seal
from portal.services.mailer import Mailer, SmtpTarget

INFO_KEY = "monespace_periphery"


@dataclass
class PeripheryContext:
    """What the periphery services need beyond the database session."""

    settings: config.Settings
    mailer: Mailer | None = None
    _seal: seal.SealCredentials | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_settings(cls, settings: config.Settings) -> PeripheryContext:
        mailer = Mailer(SmtpTarget.from_url(settings.smtp_url)) if settings.smtp_url else None
        return cls(settings=settings, mailer=mailer)

    def seal_credentials(self) -> seal.SealCredentials:
        """The seal key, loaded once (sandbox PKI, or configured PEM files)."""
        with self._lock:
            if self._seal is None:
                self._seal = _load_seal(self.settings)
            return self._seal


def _load_seal(settings: config.Settings) -> seal.SealCredentials:
    key_file = getattr(settings, "seal_key_file", None) or os.environ.get(
        "MONESPACE_PORTAL_SEAL_KEY"
    )
    chain_file = getattr(settings, "seal_chain_file", None) or os.environ.get(
        "MONESPACE_PORTAL_SEAL_CHAIN"
    )
    if key_file and chain_file:
        return seal.load_file_credentials(Path(key_file), Path(chain_file))
    if settings.sandbox:
        return seal.load_sandbox_credentials(settings.effective_pki_dir)
    raise seal.SealError(
        "no seal key configured: set MONESPACE_PORTAL_SEAL_KEY and MONESPACE_PORTAL_SEAL_CHAIN"
    )


_fallback: PeripheryContext | None = None
_fallback_lock = threading.Lock()


def context_of(session: Session) -> PeripheryContext:
    """The app's context for this session, or one from the environment."""
    found = session.info.get(INFO_KEY)
    if isinstance(found, PeripheryContext):
        return found
    global _fallback
    with _fallback_lock:
        if _fallback is None:
            _fallback = PeripheryContext.from_settings(config.from_env())
        return _fallback


def install(app: Any) -> PeripheryContext:
    """Attach the periphery to a FastAPI app built by `portal.app.create_app`."""
    context = PeripheryContext.from_settings(app.state.settings)
    app.state.periphery = context
    maker = app.state.sessionmaker
    maker.configure(info={**(maker.kw.get("info") or {}), INFO_KEY: context})
    return context
