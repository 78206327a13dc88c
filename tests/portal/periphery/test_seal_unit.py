"""The seal verifies with only public certificates, and catches tampering."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from portal.services import seal as sealing

from . import files


@pytest.fixture(scope="module")
def credentials(tmp_path_factory):
    return sealing.load_sandbox_credentials(tmp_path_factory.mktemp("pki"))


def _anchor(credentials) -> bytes:
    return base64.b64decode(credentials.public_certificates()["trust_anchor"])


def test_seal_round_trip(credentials):
    content = files.pdf_file("Accusé de réception")
    seal = sealing.seal_document(credentials, "doc_1", content)
    assert seal["format"] == "monespace-seal/v1" and seal["algorithm"] == "ES384"
    sealing.verify_seal(json.loads(json.dumps(seal)), content, _anchor(credentials))


def test_canonical_json_is_the_contract_form():
    fields = {"b": 1, "a": "é"}
    assert sealing.canonical_json(fields) == b'{"a":"\\u00e9","b":1}'


def test_public_certificates_end_at_a_self_signed_root(credentials):
    body = credentials.public_certificates()
    assert len(body["certificates"]) == 2
    assert credentials.trust_anchor.subject == credentials.trust_anchor.issuer


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s, c: (dict(s, document_id="doc_2"), c),
        lambda s, c: (dict(s, signed_at="2020-01-01T00:00:00Z"), c),
        lambda s, c: (s, c + b"\n"),
        lambda s, c: (dict(s, signature=base64.b64encode(b"\x30\x00").decode()), c),
        lambda s, c: (dict(s, algorithm="RS256"), c),
        lambda s, c: (dict(s, certificates=[]), c),
        lambda s, c: ({k: v for k, v in s.items() if k != "signature"}, c),
    ],
)
def test_tampering_is_detected(credentials, tamper):
    content = files.pdf_file()
    seal, content = tamper(sealing.seal_document(credentials, "doc_1", content), content)
    with pytest.raises(sealing.SealError):
        sealing.verify_seal(seal, content, _anchor(credentials))


def test_a_seal_from_another_portal_is_refused(credentials, tmp_path):
    other = sealing.load_sandbox_credentials(tmp_path)
    content = files.pdf_file()
    seal = sealing.seal_document(other, "doc_1", content)
    with pytest.raises(sealing.SealError, match="not trusted"):
        sealing.verify_seal(seal, content, _anchor(credentials))


def test_a_seal_signed_by_a_key_outside_the_chain_is_refused(credentials):
    forged = sealing.SealCredentials(
        ec.generate_private_key(ec.SECP384R1()), credentials.chain, credentials.trust_anchor
    )
    content = files.pdf_file()
    seal = sealing.seal_document(forged, "doc_1", content, at=datetime.now(UTC))
    with pytest.raises(sealing.SealError, match="signature"):
        sealing.verify_seal(seal, content, _anchor(credentials))


def test_only_p384_keys_are_accepted(credentials):
    with pytest.raises(sealing.SealError):
        sealing.credentials_from(ec.generate_private_key(ec.SECP256R1()), credentials.chain)
