"""Shared fixtures: the sandbox PKI, the real portal server, in-process portals, login.

- ``pki_dir`` (session): one sandbox PKI directory shared by the portal and
  the virtual cards, so cards present certificates the portal trusts.
- ``portal_server`` (session): the REAL portal — ``monespace-portal init
  --sandbox`` then uvicorn in a subprocess on a free loopback port — with
  ``.url``, ``.database_url``, ``.pki_dir``, ``.stop()``, ``.start()``.
  Parametrised over SQLite and, when ``MONESPACE_TEST_POSTGRES_URL`` is set,
  PostgreSQL (a fresh database is created and dropped).
- ``portal_database`` / ``portal_settings`` / ``portal_app`` (function): an
  in-process app on a private copy of a migrated sandbox database;
  ``portal_client`` a TestClient on it. Parametrised like ``portal_server``:
  SQLite, and PostgreSQL (a per-test clone of a per-worker template
  database) when ``MONESPACE_TEST_POSTGRES_URL`` is set.
- ``login`` (function fixture): ``login(target, nrn, applet="1.8") -> token``
  where ``target`` is a base URL or an httpx-compatible client. It signs the
  challenge with the person's PKI-issued authentication key — exactly what
  the card does (the PIN is checked by the card, never seen by the portal).
- ``sign_login``: the lower-level step, to build bad logins in tests.
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# H1's reusable pcscd/vpcd fixtures (tests/pcsc_fixtures.py).
pytest_plugins = ["pcsc_fixtures"]

POSTGRES_URL = os.environ.get("MONESPACE_TEST_POSTGRES_URL")
PYTHON = sys.executable


# --- the sandbox PKI ---------------------------------------------------------


@pytest.fixture(scope="session")
def pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sandbox PKI directory (created once per test session)."""
    from eid.pki import SandboxPKI

    directory = tmp_path_factory.mktemp("pki")
    SandboxPKI.open(directory)
    return directory


@pytest.fixture
def sandbox_crl_files(pki_dir: Path, tmp_path: Path) -> tuple[Path, ...]:
    """The sandbox PKI's CRLs as DER files, for a portal started outside sandbox mode.

    Such a portal cannot reach the sandbox OCSP responder, and sessions need a
    certificate status: without these verified CRLs it ends every session (401).
    """
    from cryptography.hazmat.primitives.serialization import Encoding

    from eid.pki import SandboxPKI

    files = []
    for index, crl in enumerate(SandboxPKI.open(pki_dir).crls()):
        files.append(tmp_path / f"ca-{index}.crl")
        files[-1].write_bytes(crl.public_bytes(Encoding.DER))
    return tuple(files)


@dataclass(frozen=True)
class Holder:
    """The minimum a certificate needs about a person (eid.pki CertificateHolder)."""

    nrn: str
    surname: str
    given_names: str


def sandbox_person(nrn: str) -> Holder:
    """The register record of ``nrn`` in the sandbox files, as a certificate holder."""
    import json

    persons = json.loads((ROOT / "portal/sandbox/persons.json").read_text(encoding="utf-8"))
    for p in persons:
        if p["nrn"] == nrn:
            return Holder(nrn=nrn, surname=p["surname"], given_names=p["given_names"])
    return Holder(nrn=nrn, surname="Inconnu", given_names="Personne")


def sign_login_message(
    credentials: Any, challenge: dict[str, Any], *, origin: str | None = None
) -> dict[str, Any]:
    """The body of ``POST /auth/sessions`` for ``challenge``, signed like a card would."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, padding

    from eid.login import login_message

    message = login_message(origin or challenge["origin"], challenge["id"], challenge["nonce"])
    key = credentials.auth_key
    if isinstance(key, ec.EllipticCurvePrivateKey):
        signature, algorithm = key.sign(message, ec.ECDSA(hashes.SHA384())), "ES384"
    else:
        signature, algorithm = key.sign(message, padding.PKCS1v15(), hashes.SHA256()), "RS256"
    der = [c.public_bytes(serialization.Encoding.DER) for c in credentials.chain]
    return {
        "challenge_id": challenge["id"],
        "certificates": [base64.b64encode(d).decode() for d in der],
        "signature": base64.b64encode(signature).decode(),
        "algorithm": algorithm,
    }


def session_token(portal_url: str, pki_dir: Any, nrn: str) -> str:
    """A session token for ``nrn`` through the real challenge–response (sandbox PKI key).

    The one helper behind every test folder's token fixture. A 429 or 503
    (rate limits, fault injection) is waited out, so a busy shared portal
    does not fail the test that merely needs to be logged in.
    """
    import httpx

    from eid.pki import SandboxPKI

    creds = SandboxPKI.open(pki_dir).issue_person(sandbox_person(nrn), "1.8")

    def patiently(call: Callable[[], Any]) -> Any:
        for _ in range(100):
            answer = call()
            if answer.status_code not in (429, 503):
                return answer
            time.sleep(0.05)
        return answer

    with httpx.Client(base_url=portal_url, timeout=30) as http:
        challenge = patiently(lambda: http.post("/api/v1/auth/challenges"))
        assert challenge.status_code == 201, challenge.text
        body = sign_login_message(creds, challenge.json())
        answer = patiently(lambda: http.post("/api/v1/auth/sessions", json=body))
        assert answer.status_code == 201, answer.text
        return str(answer.json()["token"])


@contextlib.contextmanager
def _http(target: Any) -> Iterator[Any]:
    if isinstance(target, str):
        import httpx

        with httpx.Client(base_url=target, timeout=30) as client:
            yield client
    else:
        yield target


@pytest.fixture
def sign_login(pki_dir: Path) -> Callable[..., dict[str, Any]]:
    """``sign_login(challenge, nrn, applet="1.8", credentials=None, origin=None) -> body``."""
    from eid.pki import SandboxPKI

    pki = SandboxPKI.open(pki_dir)

    def sign(
        challenge: dict[str, Any],
        nrn: str,
        applet: str = "1.8",
        credentials: Any = None,
        origin: str | None = None,
    ) -> dict[str, Any]:
        creds = credentials or pki.issue_person(sandbox_person(nrn), applet)
        return sign_login_message(creds, challenge, origin=origin)

    return sign


@pytest.fixture
def credentials(pki_dir: Path) -> Callable[..., Any]:
    """``credentials(nrn, applet="1.8", kind="good"|"revoked"|"expired"|"unknown_ca")``."""
    from eid.pki import SandboxPKI

    pki = SandboxPKI.open(pki_dir)

    def issue(nrn: str, applet: str = "1.8", kind: str = "good") -> Any:
        holder = sandbox_person(nrn)
        if kind == "good":
            return pki.issue_person(holder, applet)
        return getattr(pki, f"issue_{kind}")(holder, applet)

    return issue


@pytest.fixture
def login(sign_login: Callable[..., dict[str, Any]]) -> Callable[..., str]:
    """``login(url_or_client, nrn, applet="1.8") -> token`` through the real protocol."""

    def do_login(target: Any, nrn: str, applet: str = "1.8") -> str:
        with _http(target) as client:
            challenge = client.post("/api/v1/auth/challenges")
            assert challenge.status_code == 201, challenge.text
            answer = client.post(
                "/api/v1/auth/sessions", json=sign_login(challenge.json(), nrn, applet)
            )
            assert answer.status_code == 201, answer.text
            return str(answer.json()["token"])

    return do_login


@pytest.fixture
def card_login() -> Callable[..., str]:
    """``card_login(target, nrn, applet="1.8", pin="1234") -> token`` through the whole stack.

    The portal builds the person's card (``POST /sandbox/cards``), the virtual
    card answers APDUs in-process, the eid library reads the
    certificates, verifies the PIN on the card and signs — as ``monespace
    auth login`` does, minus PC/SC.
    """

    def do_login(target: Any, nrn: str, applet: str = "1.8", pin: str = "1234") -> str:
        from cryptography.hazmat.primitives import serialization

        from eid.login import login_message
        from eid.session import open_card
        from eid.virtual import CardImage, VirtualCard

        with _http(target) as client:
            built = client.post(
                "/api/v1/sandbox/cards", json={"nrn": nrn, "applet": applet, "pin": pin}
            )
            assert built.status_code == 201, built.text
            image = CardImage.from_json(built.content)
            with open_card(connection=VirtualCard(image).connection()) as card:
                chain = card.read_certificates().chain()
                card.verify_pin(pin)
                challenge = client.post("/api/v1/auth/challenges").json()
                message = login_message(challenge["origin"], challenge["id"], challenge["nonce"])
                algorithm, signature = card.login_signature(message)
            body = {
                "challenge_id": challenge["id"],
                "certificates": [
                    base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode()
                    for c in chain
                ],
                "signature": base64.b64encode(signature).decode(),
                "algorithm": algorithm,
            }
            answer = client.post("/api/v1/auth/sessions", json=body)
            assert answer.status_code == 201, answer.text
            return str(answer.json()["token"])

    return do_login


# --- databases ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _postgres_admin_url() -> str:
    """The libpq URL of the test server's maintenance connection."""
    from sqlalchemy.engine import make_url

    assert POSTGRES_URL is not None
    return make_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(hide_password=False)


def _postgres_url(name: str) -> str:
    """The SQLAlchemy URL of database ``name`` on the test server."""
    from sqlalchemy.engine import make_url

    assert POSTGRES_URL is not None
    url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False)


def _create_postgres_database(template: str | None = None) -> str:
    """Create a database (a copy of ``template`` if given) and return its name."""
    import psycopg

    name = f"monespace_test_{secrets.token_hex(4)}"
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(_postgres_admin_url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{copy}')
    return name


def _drop_postgres_database(name: str) -> None:
    """Drop database ``name``, ending the sessions still open on it."""
    import psycopg

    with psycopg.connect(_postgres_admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def _postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database on the test server, dropped afterwards."""
    name = _create_postgres_database()
    try:
        yield _postgres_url(name)
    finally:
        _drop_postgres_database(name)


class PostgresClones:
    """Copies of a template database, made and dropped in a background thread.

    ``CREATE DATABASE ... TEMPLATE`` takes about a second here whatever the
    size (PostgreSQL writes and syncs a whole new database directory), which
    would dominate a suite of short tests. One thread keeps ``ahead`` copies
    ready and drops used ones while the tests run, so a test waits only when
    it is shorter than a copy.
    """

    def __init__(self, template: str, ahead: int = 2) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.template = template
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-clones")
        self._ready = [self._worker.submit(self._copy) for _ in range(ahead)]

    def _copy(self) -> str:
        return _create_postgres_database(template=self.template)

    def take(self) -> str:
        """The name of a fresh copy (the caller hands it back to ``drop``)."""
        name = self._ready.pop(0).result()
        self._ready.append(self._worker.submit(self._copy))
        return name

    def drop(self, name: str) -> None:
        """Drop a used copy in the background."""
        self._worker.submit(_drop_postgres_database, name)

    def close(self) -> None:
        """Drop the unused copies and wait for every pending drop."""
        for future in self._ready:
            self._worker.submit(_drop_postgres_database, future.result())
        self._worker.shutdown(wait=True)


BACKENDS = ["sqlite", *(["postgres"] if POSTGRES_URL else [])]


@contextlib.contextmanager
def _database(backend: str, directory: Path) -> Iterator[str]:
    if backend == "postgres":
        with _postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{directory / 'portal.sqlite3'}"


def portal_env(database_url: str, pki: Path, **extra: str) -> dict[str, str]:
    """The environment a portal process of the tests runs with."""
    env = dict(os.environ)
    env.update(
        MONESPACE_PORTAL_DATABASE_URL=database_url,
        MONESPACE_PORTAL_SANDBOX="1",
        MONESPACE_PORTAL_PKI_DIR=str(pki),
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        # The whole suite logs in from 127.0.0.1 against session-wide portals,
        # failing on purpose here and there: as one address it would soon be
        # rate-limited. The limit tests set their own (test_portal_ratelimit,
        # test_portal_scaleout).
        MONESPACE_PORTAL_RATE_CHALLENGES="off",
        MONESPACE_PORTAL_RATE_LOGIN_FAILURES="off",
        MONESPACE_PORTAL_RATE_LOGIN_FAILURES_ADDRESS="off",
    )
    env.pop("MONESPACE_PORTAL_PUBLIC_ORIGIN", None)
    env.update(extra)
    return env


def init_portal(database_url: str, pki: Path) -> None:
    """``monespace-portal init --sandbox`` in a subprocess (the real command)."""
    done = subprocess.run(
        [PYTHON, "-m", "portal", "init", "--sandbox"],
        env=portal_env(database_url, pki),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


@dataclass
class PortalServer:
    """A real portal process on loopback; stop()/start() for fault tests."""

    database_url: str
    pki_dir: Path
    log_path: Path
    port: int = field(default_factory=_free_port)
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:39123``."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> None:
        """Start uvicorn and wait until ``/healthz`` answers."""
        import httpx

        if self.process is not None and self.process.poll() is None:
            return
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [PYTHON, "-m", "portal", "serve", "--port", str(self.port), "--log-level", "warning"],
            env=portal_env(self.database_url, self.pki_dir, **self.extra_env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"portal exited early; see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"portal did not answer /healthz in {timeout} s; see {self.log_path}")

    def stop(self) -> None:
        """Terminate the server process (and wait for it)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def log(self) -> str:
        """What the server wrote so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@pytest.fixture(scope="session", params=BACKENDS)
def portal_server(
    request: pytest.FixtureRequest, pki_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PortalServer]:
    """The real portal (session-wide; tests must not depend on a clean database)."""
    directory = tmp_path_factory.mktemp(f"portal-{request.param}")
    with _database(request.param, directory) as url:
        init_portal(url, pki_dir)
        server = PortalServer(url, pki_dir, directory / "server.log")
        server.start()
        try:
            yield server
        finally:
            server.stop()


# --- in-process portals ------------------------------------------------------


@pytest.fixture(scope="session")
def sandbox_database_template(pki_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the sandbox loaded, copied by ``portal_database``."""
    path = tmp_path_factory.mktemp("template") / "portal.sqlite3"
    init_portal(f"sqlite:///{path}", pki_dir)
    return path


@pytest.fixture(scope="session")
def postgres_clones(pki_dir: Path) -> Iterator[PostgresClones]:
    """Copies of a PostgreSQL database with the sandbox loaded (one template per worker).

    Built lazily, only when a ``[postgres]`` test runs, so the SQLite-only
    suite never pays for it.
    """
    from sqlalchemy.engine import make_url

    with _postgres_database() as url:
        init_portal(url, pki_dir)
        clones = PostgresClones(str(make_url(url).database))
        try:
            yield clones
        finally:
            clones.close()


@pytest.fixture(params=BACKENDS)
def portal_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of the test's private, migrated sandbox database on each backend.

    Every test gets a fresh copy of a session template — a file copy on
    SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL — so tests may
    write, commit and run several connections freely and still start from
    the pristine sandbox: no truncation list to keep in sync with the
    models, no per-test transaction that the code under test would commit.
    """
    if request.param == "postgres":
        clones: PostgresClones = request.getfixturevalue("postgres_clones")
        name = clones.take()
        try:
            yield _postgres_url(name)
        finally:
            clones.drop(name)
        return
    path = tmp_path / "portal.sqlite3"
    shutil.copyfile(request.getfixturevalue("sandbox_database_template"), path)
    yield f"sqlite:///{path}"


def make_settings(database_url: str, pki: Path, **overrides: Any) -> Any:
    """Sandbox settings for an in-process app."""
    from portal.config import Settings

    values: dict[str, Any] = {"database_url": database_url, "sandbox": True, "pki_dir": pki}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def portal_settings(portal_database: str, pki_dir: Path) -> Any:
    """Sandbox settings on the test's private database (SQLite, and PostgreSQL if set)."""
    return make_settings(portal_database, pki_dir)


@pytest.fixture
def portal_app(portal_settings: Any) -> Iterator[Any]:
    """An in-process portal app (FastAPI) on its own database copy."""
    from portal.app import create_app

    app = create_app(portal_settings)
    yield app
    app.state.engine.dispose()


@pytest.fixture
def portal_client(portal_app: Any) -> Iterator[Any]:
    """A TestClient on ``portal_app`` (500s come back as answers, not exceptions)."""
    from fastapi.testclient import TestClient

    with TestClient(portal_app, raise_server_exceptions=False) as client:
        yield client


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that runs on the PostgreSQL backend ``postgres``.

    ``make test-postgres`` selects them with ``-m postgres``; without
    ``MONESPACE_TEST_POSTGRES_URL`` no such test exists.
    """
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "postgres" in callspec.params.values():
            item.add_marker(pytest.mark.postgres)
