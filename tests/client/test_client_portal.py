"""The typed client against the REAL portal (H3's ``portal_server``, uvicorn on loopback)."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from monespace_cli.client import (
    AsyncPortalClient,
    AuthenticationRequired,
    Conflict,
    Forbidden,
    NotFound,
    PortalClient,
    StaleVersion,
    ValidationFailed,
)

CITIZEN = "68031412135"  # Philippe Jean Lambert, legal representative of 0856712314
FIRM = "0856712314"


@pytest.fixture(scope="module")
def token(portal_server) -> str:
    import httpx

    from eid.pki import SandboxPKI
    from tests.conftest import sandbox_person, sign_login_message

    creds = SandboxPKI.open(portal_server.pki_dir).issue_person(sandbox_person(CITIZEN), "1.8")
    with PortalClient(portal_server.url) as portal:
        challenge = portal.create_challenge()
        body = sign_login_message(creds, dict(challenge))
        session = portal.create_session(
            body["challenge_id"], body["certificates"], body["signature"], body["algorithm"]
        )
    assert session["person"]["nrn"] == CITIZEN
    assert httpx.URL(challenge["origin"]) == httpx.URL(portal_server.url)
    return session["token"]


@pytest.fixture
def portal(portal_server, token: str):
    with PortalClient(portal_server.url, token=token) as client:
        yield client


def test_me_and_catalogue(portal) -> None:
    me = portal.me()
    assert me["person"]["nrn"] == CITIZEN
    assert {c["id"] for c in me["contexts"]} >= {"me", FIRM}
    codes = [p["code"] for p in portal.iter_procedures()]
    assert codes == sorted(codes) and "PERMIS-PECHE" in codes
    page = portal.list_procedures(limit=2)
    assert len(page.items) == 2 and page.next_cursor
    assert "form" in portal.get_procedure("PERMIS-PECHE")
    with pytest.raises(NotFound):
        portal.get_procedure("NOPE")


def test_cursor_pagination_visits_every_dossier_once(portal) -> None:
    made = {portal.create_dossier("PERMIS-PECHE")["id"] for _ in range(3)}
    seen = [d["id"] for d in portal.iter_dossiers(procedure="PERMIS-PECHE", limit=1)]
    assert len(seen) == len(set(seen))
    assert made <= set(seen)
    first = portal.list_dossiers(procedure="PERMIS-PECHE", limit=1)
    assert len(first.items) == 1 and first.next_cursor


def test_if_match_and_stale_version(portal) -> None:
    dossier = portal.create_dossier("PERMIS-PECHE")
    data = dict(dossier["data"], permit_type="A")
    updated = portal.put_dossier_data(dossier["id"], data, version=dossier["version"])
    assert updated["version"] > dossier["version"]
    with pytest.raises(StaleVersion) as info:
        portal.put_dossier_data(dossier["id"], data, version=dossier["version"])
    assert info.value.status == 412 and isinstance(info.value, Conflict)


def test_validation_and_submit_errors(portal) -> None:
    dossier = portal.create_dossier("PERMIS-PECHE")
    result = portal.validate_dossier(dossier["id"])
    assert result["valid"] is False
    assert "/permit_type" in [e["pointer"] for e in result["errors"]]
    with pytest.raises(ValidationFailed) as info:
        portal.submit_dossier(dossier["id"])
    assert "/permit_type" in [e["pointer"] for e in info.value.errors]


def test_idempotent_create(portal) -> None:
    key = f"it-{id(portal)}-{portal.me()['session_expires_at']}"
    first = portal.create_dossier("PERMIS-PECHE", {"permit_type": "A"}, idempotency_key=key)
    again = portal.create_dossier("PERMIS-PECHE", {"permit_type": "A"}, idempotency_key=key)
    assert again["id"] == first["id"]
    with pytest.raises(Conflict):
        portal.create_dossier("PERMIS-PECHE", {"permit_type": "B"}, idempotency_key=key)


def test_auth_and_context_errors(portal_server, token: str) -> None:
    with (
        PortalClient(portal_server.url, token="forged") as anonymous,
        pytest.raises(AuthenticationRequired),
    ):
        anonymous.me()
    with PortalClient(portal_server.url, token=token, acting_as="0453066412") as other:
        with pytest.raises(Forbidden):
            other.list_dossiers()
    with PortalClient(portal_server.url, token=token) as portal, pytest.raises(NotFound):
        portal.get_dossier("MSP-1999-999999")


def test_sync_calls_may_name_their_own_acting_context(portal_server, token: str) -> None:
    """One client, several contexts, nothing mutated: the per-call context wins."""
    with PortalClient(portal_server.url, token=token) as portal:
        firm_dossier = portal.create_dossier("CU1", acting_as=FIRM)
        own_dossier = portal.create_dossier("PERMIS-PECHE")
        firm_ids = {d["id"] for d in portal.iter_dossiers(acting_as=FIRM)}
        own_ids = {d["id"] for d in portal.iter_dossiers()}
        assert firm_dossier["id"] in firm_ids and firm_dossier["id"] not in own_ids
        assert own_dossier["id"] in own_ids and own_dossier["id"] not in firm_ids
        assert portal.get_dossier(firm_dossier["id"], acting_as=FIRM)["id"] == firm_dossier["id"]
        with pytest.raises(NotFound):
            portal.get_dossier(firm_dossier["id"])  # not the person's own dossier
        assert portal.acting_as is None
    with PortalClient(portal_server.url, token=token, acting_as="0453066412") as other:
        assert own_dossier["id"] in {d["id"] for d in other.iter_dossiers(acting_as="me")}
        with pytest.raises(Forbidden):
            other.list_dossiers()  # the client's own context still applies


def test_async_bulk_path(portal_server, token: str) -> None:
    from portal import pdf

    document = pdf.render(["Contrat de travail"], title="Contrat")

    async def one(client: AsyncPortalClient, row: int) -> str:
        dossier = await client.create_dossier(
            "PERMIS-PECHE", idempotency_key=f"bulk-{token[:8]}-{row}"
        )
        data = dict(dossier["data"], permit_type="B", year=2027)
        dossier = await client.put_dossier_data(dossier["id"], data, version=dossier["version"])
        assert (await client.validate_dossier(dossier["id"]))["valid"]
        submitted = await client.submit_dossier(
            dossier["id"], idempotency_key=f"bulk-s-{dossier['id']}"
        )
        return submitted["status"]

    async def run() -> list[str]:
        async with AsyncPortalClient(portal_server.url, token=token) as client:
            procedure = await client.get_procedure("DOGID")
            assert procedure["code"] == "DOGID"
            dog = await client.create_dossier("DOGID")
            att = await client.add_attachment(dog["id"], "vet_certificate", "vet.pdf", document)
            assert att["kind"] == "vet_certificate"
            return await asyncio.gather(*(one(client, row) for row in range(3)))

    assert asyncio.run(run()) == ["submitted"] * 3


def test_payment_document_and_mydata_endpoints(portal) -> None:
    dossier = portal.create_dossier("PERMIS-PECHE", {"permit_type": "B", "year": 2027})
    submitted = portal.submit_dossier(dossier["id"])
    payment = portal.get_payment(submitted["payment_id"])
    assert payment["status"] == "pending" and payment["epc_qr"].startswith("BCD")
    assert portal.sandbox_pay(payment["id"])["status"] == "paid"
    seal = portal.get_seal(submitted["receipt_document_id"])
    assert seal["document_id"] == submitted["receipt_document_id"]
    receipt = portal.get_document(submitted["receipt_document_id"])
    assert receipt["id"] == submitted["receipt_document_id"]
    assert receipt["dossier_id"] == dossier["id"] and receipt["sha256"]
    with pytest.raises(NotFound):
        portal.get_document("DOC-NOPE")
    assert portal.seal_certificates()["trust_anchor"]
    assert portal.mydata()["source"] == "rn"
    assert list(itertools.islice(portal.iter_access_log(), 1))
    notes = list(itertools.islice(portal.iter_notifications(), 5))
    if notes:
        portal.mark_notification_read(notes[0]["id"])


@pytest.mark.slow
def test_event_stream_resumes_after_a_portal_restart(portal_server, portal) -> None:
    dossier = portal.create_dossier("PERMIS-PECHE")
    created = portal.dossier_events(dossier["id"])[0]
    stream = iter(portal.events(last_event_id=created["id"], retry_delay=0.2, max_failures=100))
    portal.put_dossier_data(dossier["id"], {"permit_type": "A"}, version=dossier["version"])
    first = next(e for e in stream if e.json().get("dossier_id") == dossier["id"])
    portal_server.stop()
    portal_server.start()
    portal.withdraw_dossier(dossier["id"])
    later = []
    for event in stream:
        body = event.json()
        if body.get("dossier_id") != dossier["id"]:
            continue
        later.append(event.id)
        if body["type"] == "status_changed":
            break
    assert first.id not in later  # nothing replayed twice
    assert later  # the withdrawal arrived over the new connection
