"""Submit files a sealed receipt and, for a fee, a payment; the sandbox bank pays it."""

from __future__ import annotations

import base64
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest

from be_identifiers import is_valid_structured_ref
from portal.services import epc
from portal.services.seal import SealError, verify_seal

PERMIT = {"permit_type": "B", "year": 2027}
SANDBOX = Path(__file__).resolve().parents[3] / "portal/sandbox"


@pytest.fixture
def submitted(citizen):
    dossier = citizen.new_dossier("PERMIS-PECHE", PERMIT)
    answer = citizen.post(f"/dossiers/{dossier['id']}/submit")
    assert answer.status_code == 200, answer.text
    return answer.json()


def _pdf_text(content: bytes) -> bytes:
    return content  # the writer stores text uncompressed: searchable as bytes


def test_receipt_is_in_the_vault_and_its_seal_verifies_offline(citizen, portal, submitted):
    document_id = submitted["receipt_document_id"]
    vault = citizen.get("/documents").json()
    assert [d["id"] for d in vault["items"]] == [document_id]
    assert vault["items"][0]["kind"] == "receipt"
    assert vault["items"][0]["dossier_id"] == submitted["id"]
    content = citizen.get(f"/documents/{document_id}/content").content
    assert (
        content.startswith(b"%PDF-1.4")
        and hashlib.sha256(content).hexdigest() == vault["items"][0]["sha256"]
    )
    text = _pdf_text(content)
    for needle in (submitted["id"], "Accus\xe9 de r\xe9ception", "Lambert", "PERMIS-PECHE"):
        needle_bytes = needle.encode("cp1252")
        assert needle_bytes in text, needle
    assert b"1 jour / day" in text and b"SPW Agriculture" in text
    seal = citizen.get(f"/documents/{document_id}/seal").json()
    public = portal.get("/api/v1/seal/certificates").json()  # no login needed
    anchor = base64.b64decode(public["trust_anchor"])
    verify_seal(seal, content, anchor)
    assert seal["certificates"] == public["certificates"]
    with pytest.raises(SealError):
        verify_seal(seal, content.replace(b"Lambert", b"Lambret"), anchor)


def test_the_clients_independent_verifier_accepts_the_seal(citizen, portal, submitted):
    from monespace_cli.client._seal import verify_seal as client_verify

    document_id = submitted["receipt_document_id"]
    content = citizen.get(f"/documents/{document_id}/content").content
    seal = citizen.get(f"/documents/{document_id}/seal").json()
    anchor = base64.b64decode(portal.get("/api/v1/seal/certificates").json()["trust_anchor"])
    report = client_verify(content, seal, anchor)
    assert report.document_id == document_id


def test_payment_has_a_valid_reference_and_epc_payload(citizen, submitted):
    payment = citizen.get(f"/payments/{submitted['payment_id']}").json()
    assert payment["status"] == "pending" and payment["amount"] == "12.39"
    assert payment["currency"] == "EUR" and payment["dossier_id"] == submitted["id"]
    assert is_valid_structured_ref(payment["structured_ref"])
    transfer = epc.decode(payment["epc_qr"])
    assert transfer.amount == Decimal("12.39")
    assert transfer.iban == payment["iban"] and transfer.bic == payment["bic"]
    digits = "".join(ch for ch in payment["structured_ref"] if ch.isdigit())
    assert transfer.structured_ref == digits
    assert [p["id"] for p in citizen.get("/payments").json()["items"]] == [payment["id"]]


def test_sandbox_bank_marks_it_paid_once(citizen, submitted):
    pay = citizen.post(f"/sandbox/payments/{submitted['payment_id']}/pay")
    assert pay.status_code == 200, pay.text
    assert pay.json()["status"] == "paid" and pay.json()["paid_at"]
    again = citizen.post(f"/sandbox/payments/{submitted['payment_id']}/pay")
    assert again.status_code == 409
    events = citizen.get(f"/dossiers/{submitted['id']}/events").json()["items"]
    assert [e.get("new") for e in events if e["type"] == "payment"] == ["pending", "paid"]


def test_sandbox_bank_is_absent_outside_sandbox(make_portal, citizen, submitted, sandbox_crl_files):
    # Same database, same token; the production portal is given the sandbox
    # PKI's CRLs, so it can still check the session's certificate (without a
    # revocation status it would end the session: 401, not the 404 tested).
    production = make_portal(sandbox=False, crl_files=sandbox_crl_files)
    answer = production.post(
        f"/api/v1/sandbox/payments/{submitted['payment_id']}/pay", headers=citizen.headers
    )
    assert answer.status_code == 404
    assert citizen.get(f"/payments/{submitted['payment_id']}").json()["status"] == "pending"


def test_free_procedure_has_no_payment(citizen):
    example = json.loads((SANDBOX / "procedures/DOGID.json").read_text())["example_data"]
    dossier = citizen.new_dossier("DOGID", example)
    answer = citizen.post(f"/dossiers/{dossier['id']}/submit")
    assert answer.status_code == 200, answer.text
    assert "payment_id" not in answer.json()
    assert answer.json()["receipt_document_id"]


def test_another_persons_document_payment_and_seal_are_404(citizen, other, submitted):
    document_id, payment_id = submitted["receipt_document_id"], submitted["payment_id"]
    for path in (
        f"/documents/{document_id}",
        f"/documents/{document_id}/content",
        f"/documents/{document_id}/seal",
        f"/payments/{payment_id}",
    ):
        answer = other.get(path)
        assert answer.status_code == 404, path
        assert answer.json()["type"].endswith("/not-found")
    assert other.post(f"/sandbox/payments/{payment_id}/pay").status_code == 404
    assert other.get("/documents").json()["items"] == []
    assert other.get("/payments").json()["items"] == []
    assert citizen.get(f"/payments/{payment_id}").json()["status"] == "pending"


def test_a_decision_filed_by_the_service_layer_is_sealed_in_the_vault(citizen, portal, submitted):
    """The agent issue will call file_decision; check it files a verifiable document."""
    from portal.models import Dossier, Person, parse_dossier_id
    from portal.services.documents import file_decision

    with portal.app.state.sessionmaker() as db:
        dossier = db.get(Dossier, parse_dossier_id(submitted["id"])[1])
        agent = db.get(Person, "74011920708")
        document = file_decision(
            db, dossier, accepted=True, text="Le permis est accordé.\nBonne pêche.", agent=agent
        )
        db.commit()
        document_id = document.id
    vault = {d["id"]: d for d in citizen.get("/documents").json()["items"]}
    assert vault[document_id]["kind"] == "decision"
    content = citizen.get(f"/documents/{document_id}/content").content
    assert b"Le permis est accord\xe9." in content and b"Conseil d'\xc9tat" in content
    seal = citizen.get(f"/documents/{document_id}/seal").json()
    anchor = base64.b64decode(portal.get("/api/v1/seal/certificates").json()["trust_anchor"])
    verify_seal(seal, content, anchor)
    kinds = [n["kind"] for n in citizen.get("/notifications").json()["items"]]
    assert kinds[0] == "document"


def test_an_unpaid_payment_past_its_due_date_is_expired(citizen, portal, submitted):
    import datetime as dt

    from portal.models import Payment

    with portal.app.state.sessionmaker() as db:
        payment = db.get(Payment, submitted["payment_id"])
        payment.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        db.commit()
    assert citizen.get(f"/payments/{submitted['payment_id']}").json()["status"] == "expired"
    late = citizen.post(f"/sandbox/payments/{submitted['payment_id']}/pay")
    assert late.status_code == 409 and "expired" in late.json()["detail"]
