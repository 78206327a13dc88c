"""The sandbox PKI: Belgian-shaped chains that verify, expire, get revoked, persist."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtensionOID, NameOID

from eid.pki import SandboxPKI, VerificationError, revoked_by, verify_chain
from eid.pki.profiles import NETSCAPE_CERT_TYPE
from eid.virtual import CardholderData

APPLETS = ("1.7", "1.8")


def _attr(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    return str(name.get_attributes_for_oid(oid)[0].value)


@pytest.mark.parametrize("applet", APPLETS)
def test_person_chain_verifies_with_the_relaxed_webpki_policy(
    pki: SandboxPKI, marie: CardholderData, applet: str
) -> None:
    creds = pki.issue_person(marie, applet)
    for leaf in (creds.auth_cert, creds.sign_cert):
        chain = verify_chain(leaf, pki.intermediates(), pki.trust_anchors())
        assert chain[-1] == pki.root(applet)
        assert chain[1] == pki.citizen_ca(applet)


@pytest.mark.parametrize("applet", APPLETS)
def test_person_certificates_have_the_belgian_layout(
    pki: SandboxPKI, marie: CardholderData, applet: str
) -> None:
    creds = pki.issue_person(marie, applet)
    auth, sign = creds.auth_cert, creds.sign_cert
    assert _attr(auth.subject, NameOID.COUNTRY_NAME) == "BE"
    assert _attr(auth.subject, NameOID.COMMON_NAME) == "Marie Dupont (Authentication)"
    assert _attr(sign.subject, NameOID.COMMON_NAME) == "Marie Dupont (Signature)"
    assert _attr(auth.subject, NameOID.SURNAME) == "Dupont"
    assert _attr(auth.subject, NameOID.GIVEN_NAME) == "Marie Louise"
    assert _attr(auth.subject, NameOID.SERIAL_NUMBER) == marie.nrn
    ku = auth.extensions.get_extension_for_class(x509.KeyUsage)
    assert ku.critical and ku.value.digital_signature and not ku.value.content_commitment
    ku = sign.extensions.get_extension_for_class(x509.KeyUsage)
    assert ku.critical and ku.value.content_commitment and not ku.value.digital_signature
    oids = {e.oid for e in auth.extensions}
    assert ExtensionOID.SUBJECT_ALTERNATIVE_NAME not in oids
    for required in (
        ExtensionOID.CERTIFICATE_POLICIES,
        ExtensionOID.AUTHORITY_KEY_IDENTIFIER,
        ExtensionOID.CRL_DISTRIBUTION_POINTS,
        ExtensionOID.AUTHORITY_INFORMATION_ACCESS,
        NETSCAPE_CERT_TYPE,
    ):
        assert required in oids
    key = auth.public_key()
    if applet == "1.7":
        assert isinstance(key, rsa.RSAPublicKey) and key.key_size == 2048
    else:
        assert isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp384r1"
    assert "monespace Sandbox" in _attr(auth.issuer, NameOID.COMMON_NAME)


def test_names_say_sandbox(pki: SandboxPKI) -> None:
    certs = [*pki.trust_anchors(), *pki.intermediates(), *pki.seal_credentials()[1]]
    certs += [pki.rrn_certificate(a) for a in APPLETS]
    for cert in certs:
        assert _attr(cert.subject, NameOID.COMMON_NAME).startswith("monespace Sandbox")


def test_credentials_are_cached_and_keys_match(pki: SandboxPKI, marie: CardholderData) -> None:
    first = pki.issue_person(marie, "1.8")
    again = SandboxPKI.open(pki.directory).issue_person(marie, "1.8")
    assert again.auth_cert == first.auth_cert
    assert again.auth_key.public_key() == first.auth_cert.public_key()
    assert again.sign_key.public_key() == first.sign_cert.public_key()


def test_expired_certificate_is_refused(pki: SandboxPKI, marie: CardholderData) -> None:
    creds = pki.issue_expired(marie, "1.8")
    assert creds.auth_cert.not_valid_after_utc < dt.datetime.now(dt.UTC)
    with pytest.raises(VerificationError):
        verify_chain(creds.auth_cert, pki.intermediates(), pki.trust_anchors())
    # The cached, valid certificate is untouched.
    verify_chain(pki.issue_person(marie, "1.8").auth_cert, pki.intermediates(), pki.trust_anchors())


@pytest.mark.parametrize("applet", APPLETS)
def test_unknown_ca_is_refused(pki: SandboxPKI, marie: CardholderData, applet: str) -> None:
    creds = pki.issue_unknown_ca(marie, applet)
    with pytest.raises(VerificationError):
        verify_chain(creds.auth_cert, [creds.ca_cert, *pki.intermediates()], pki.trust_anchors())
    assert creds.root_cert not in pki.trust_anchors()


@pytest.mark.parametrize("applet", APPLETS)
def test_revoked_certificate_is_on_a_fresh_crl(
    pki: SandboxPKI, marie: CardholderData, applet: str
) -> None:
    creds = pki.issue_revoked(marie, applet)
    crls = SandboxPKI.open(pki.directory).crls()  # another process sees it too
    assert revoked_by(creds.auth_cert, crls) is not None
    assert revoked_by(creds.sign_cert, crls) is not None
    assert pki.is_revoked(creds.auth_cert)
    assert revoked_by(pki.issue_person(marie, applet).auth_cert, crls) is None
    ca = pki.citizen_ca(applet)
    crl = next(c for c in crls if c.issuer == ca.subject)
    assert crl.is_signature_valid(ca.public_key())  # type: ignore[arg-type]
    assert crl.next_update_utc is not None and crl.next_update_utc > dt.datetime.now(dt.UTC)


def test_revoke_is_idempotent(tmp_path: Path, marie: CardholderData) -> None:
    pki = SandboxPKI.open(tmp_path)
    cert = pki.issue_person(marie, "1.8").auth_cert
    pki.revoke(cert)
    pki.revoke(cert)
    ec_crl = pki.crls()[0]
    assert len(list(ec_crl)) == 1


def test_private_keys_are_owner_only(pki: SandboxPKI) -> None:
    keys = list(Path(pki.directory).rglob("*.key"))
    assert keys
    for key in keys:
        assert stat.S_IMODE(key.stat().st_mode) == 0o600


@pytest.mark.parametrize("applet", APPLETS)
def test_rrn_certificate_chains_to_the_root(pki: SandboxPKI, applet: str) -> None:
    rrn = pki.rrn_certificate(applet)
    verify_chain(rrn, [], pki.trust_anchors())
    data = b"identity file"
    key = pki.rrn_key(applet)
    public = rrn.public_key()
    if isinstance(key, rsa.RSAPrivateKey):
        assert isinstance(public, rsa.RSAPublicKey)
        sig = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        public.verify(sig, data, padding.PKCS1v15(), hashes.SHA256())
    else:
        assert isinstance(public, ec.EllipticCurvePublicKey)
        sig = key.sign(data, ec.ECDSA(hashes.SHA384()))
        public.verify(sig, data, ec.ECDSA(hashes.SHA384()))


def test_seal_credentials_sign_and_chain_to_the_seal_anchor(pki: SandboxPKI) -> None:
    key, chain = pki.seal_credentials()
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert key.public_key() == chain[0].public_key()
    verify_chain(chain[0], chain[1:], [pki.seal_trust_anchor()])
    sig = key.sign(b"doc", ec.ECDSA(hashes.SHA384()))
    public = chain[0].public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(sig, b"doc", ec.ECDSA(hashes.SHA384()))


def test_unknown_applet_is_a_clear_error(pki: SandboxPKI, marie: CardholderData) -> None:
    with pytest.raises(ValueError, match="unknown applet"):
        pki.issue_person(marie, "2.0")
