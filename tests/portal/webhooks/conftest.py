"""Fixtures of the webhook tests: sandbox people, a SESAM dossier to submit, a receiver."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BACKENDS, PortalServer, _database, init_portal

from .receiver import Receiver

API = "/api/v1"
ROOT = Path(__file__).resolve().parents[3]

# Sandbox story (portal/sandbox/README.md).
ANNE = "70112804283"  # supervisor of SPW-EER
MAXIME = "90060621186"  # agent of SPW-EER and FOREM
VINCENT = "66010916783"  # supervisor of SPW-TLPE
JULIEN = "91052314742"  # accountant of the fiduciaire, acts for its clients
BOULANGERIE = "0641238591"  # a client with an active employment/economy mandate
MARIE = "86040203095"  # a citizen who works in no service
BACKOFF = "0.2,0.4,0.8"


class User:
    """One logged-in person talking to a portal (a base URL client or a TestClient)."""

    def __init__(self, client: Any, token: str, acting_as: str | None = None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}
        if acting_as:
            self.headers["X-Acting-As"] = acting_as

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(API + path, headers=self.headers, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.client.post(API + path, json=body, headers=self.headers, **kw)

    def delete(self, path: str) -> Any:
        return self.client.delete(API + path, headers=self.headers)

    def register(self, url: str, types: list[str] | None = None) -> dict[str, Any]:
        answer = self.post(
            "/agent/webhooks",
            {"service": "SPW-EER", "url": url, "event_types": types or ["*"]},
        )
        assert answer.status_code == 201, answer.text
        return dict(answer.json())


def sesam_data() -> dict[str, Any]:
    path = ROOT / "portal/sandbox/procedures/SESAM.json"
    return dict(json.loads(path.read_text(encoding="utf-8"))["example_data"])


def submit_sesam(applicant: User) -> dict[str, Any]:
    """A complete SESAM dossier of the bakery (SPW-EER), submitted: the dossier JSON."""
    from tests.portal.periphery.files import pdf_file

    created = applicant.post("/dossiers", {"procedure": "SESAM", "data": sesam_data()})
    assert created.status_code == 201, created.text
    dossier_id = created.json()["id"]
    for kind in ("sme_check", "employment_contracts"):
        upload = applicant.client.post(
            f"{API}/dossiers/{dossier_id}/attachments",
            headers=applicant.headers,
            data={"kind": kind},
            files={"file": (f"{kind}.pdf", pdf_file(kind), "application/pdf")},
        )
        assert upload.status_code == 201, upload.text
    submitted = applicant.post(f"/dossiers/{dossier_id}/submit")
    assert submitted.status_code == 200, submitted.text
    return dict(submitted.json())


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def quiet_client(portal_settings: Any) -> Iterator[Any]:
    """A TestClient whose app runs no dispatcher: deliveries stay as queued."""
    import dataclasses

    from fastapi.testclient import TestClient

    from portal.app import create_app

    app = create_app(dataclasses.replace(portal_settings, webhooks_enabled=False))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    app.state.engine.dispose()


@pytest.fixture
def person(quiet_client: Any, login: Callable[..., str]) -> Callable[..., User]:
    """``person(nrn, acting_as=None) -> User`` on the quiet app (one login per person)."""
    tokens: dict[str, str] = {}

    def make(nrn: str, acting_as: str | None = None) -> User:
        if nrn not in tokens:
            tokens[nrn] = login(quiet_client, nrn)
        return User(quiet_client, tokens[nrn], acting_as)

    return make


@pytest.fixture(scope="module", params=BACKENDS)
def webhook_portal(
    request: pytest.FixtureRequest, pki_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PortalServer]:
    """A real portal process of its own (retries after 0.2, 0.4, 0.8 s), per test module."""
    directory = tmp_path_factory.mktemp(f"webhooks-{request.param}")
    with _database(request.param, directory) as url:
        init_portal(url, pki_dir)
        portal = PortalServer(
            url,
            pki_dir,
            directory / "server.log",
            extra_env={"MONESPACE_PORTAL_WEBHOOK_BACKOFF": BACKOFF},
        )
        portal.start(timeout=90)  # a loaded 2-core machine starts slowly
        try:
            yield portal
        finally:
            portal.stop()
