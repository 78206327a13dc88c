"""Certificate profiles shaped like the Belgian eID PKI, for the sandbox.

The names say "monespace Sandbox" everywhere so that nobody mistakes these
certificates for real ones; the *shape* (subject attributes, extensions,
criticality, key types) follows the real Belgian certificates described in
reference/x509-notes.md, because the portal and the reader must be tested
against what they will meet in production: no SubjectAlternativeName, the
NRN in the subject serialNumber, Key Usage critical, a CRL distribution
point, certificate policies and AIA.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

from eid.pki.storage import PrivateKey

#: Every URL points into the reserved ``.invalid`` TLD: nothing resolves.
BASE_URL = "http://pki.sandbox.monespace.invalid"
OCSP_URL = "http://ocsp.sandbox.monespace.invalid"
CPS_URL = f"{BASE_URL}/repository"

#: Belgian eID certificate policy arcs (authentication / non-repudiation),
#: reused so software that routes on the policy sees the usual values.
POLICY_AUTHENTICATION = x509.ObjectIdentifier("2.16.56.12.1.1.2.2")
POLICY_SIGNATURE = x509.ObjectIdentifier("2.16.56.12.1.1.2.1")
POLICY_CA = x509.ObjectIdentifier("2.16.56.12.1.1.2")
POLICY_RRN = x509.ObjectIdentifier("2.16.56.12.1.1.4")
NETSCAPE_CERT_TYPE = x509.ObjectIdentifier("2.16.840.1.113730.1.1")
# DER BIT STRINGs: SSL client + S/MIME (auth), S/MIME (signature).
_NS_TYPE_AUTH = bytes.fromhex("030205a0")
_NS_TYPE_SIGN = bytes.fromhex("03020520")

HASH_FOR_APPLET = {"1.7": hashes.SHA256(), "1.8": hashes.SHA384()}
APPLETS = ("1.7", "1.8")


class CertificateHolder(Protocol):
    """What a per-person certificate needs from a cardholder."""

    @property
    def nrn(self) -> str: ...
    @property
    def surname(self) -> str: ...
    @property
    def given_names(self) -> str: ...


def signing_hash(key: PrivateKey) -> hashes.SHA256 | hashes.SHA384:
    """RSA CAs sign with SHA-256, the EC P-384 CAs with SHA-384 (as Belgium's do)."""
    return hashes.SHA384() if isinstance(key, ec.EllipticCurvePrivateKey) else hashes.SHA256()


@dataclass(frozen=True)
class Issuer:
    """A CA key with its certificate, able to sign what it issues."""

    key: PrivateKey
    cert: x509.Certificate

    @property
    def hash(self) -> hashes.SHA256 | hashes.SHA384:
        """The hash this CA signs with."""
        return signing_hash(self.key)


def new_key(applet: str) -> PrivateKey:
    """An RSA-2048 key for applet 1.7 hierarchies, P-384 for applet 1.8."""
    if applet == "1.7":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if applet == "1.8":
        return ec.generate_private_key(ec.SECP384R1())
    raise ValueError(f"unknown applet {applet!r} (expected 1.7 or 1.8)")


def now() -> dt.datetime:
    """The current time, to the second (certificates carry no fractions)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _name(cn: str, serial: str | None = None) -> x509.Name:
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "BE"),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ]
    if serial:
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial))
    return x509.Name(attrs)


def _policies(oid: x509.ObjectIdentifier) -> x509.CertificatePolicies:
    return x509.CertificatePolicies([x509.PolicyInformation(oid, [CPS_URL])])


def _crl_dp(url: str) -> x509.CRLDistributionPoints:
    dp = x509.DistributionPoint([x509.UniformResourceIdentifier(url)], None, None, None)
    return x509.CRLDistributionPoints([dp])


def _key_usage(**flags: bool) -> x509.KeyUsage:
    names = (
        "digital_signature content_commitment key_encipherment data_encipherment "
        "key_agreement key_cert_sign crl_sign encipher_only decipher_only"
    ).split()
    return x509.KeyUsage(**{n: flags.get(n, False) for n in names})


def slug(cert: x509.Certificate) -> str:
    """A file-name friendly form of a CA's common name, for its CRL URL."""
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    return "".join(c.lower() if str(c).isalnum() else "-" for c in str(cn)).strip("-")


def root_ca(cn: str, key: PrivateKey, years: int = 20) -> x509.Certificate:
    """A self-signed root like Belgium Root CA4 (RSA) / CA6 (P-384)."""
    start = now() - dt.timedelta(days=1)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(_name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), False)
        .add_extension(_policies(POLICY_CA), critical=False)
    )
    return builder.sign(key, signing_hash(key))


def sub_ca(
    cn: str, serial: str, key: PrivateKey, issuer: Issuer, years: int = 12
) -> x509.Certificate:
    """An intermediate like "Citizen CA" (serialNumber like 202002)."""
    start = now() - dt.timedelta(days=1)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn, serial))
        .issuer_name(issuer.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(
            min(start + dt.timedelta(days=365 * years), issuer.cert.not_valid_after_utc)
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(_aki(issuer), critical=False)
        .add_extension(_policies(POLICY_CA), critical=False)
        .add_extension(_crl_dp(f"{BASE_URL}/crl/{slug(issuer.cert)}.crl"), critical=False)
    )
    return builder.sign(issuer.key, issuer.hash)


def _aki(issuer: Issuer) -> x509.AuthorityKeyIdentifier:
    ski = issuer.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def _aia(issuer: Issuer, ocsp_url: str = OCSP_URL) -> x509.AuthorityInformationAccess:
    return x509.AuthorityInformationAccess(
        [
            x509.AccessDescription(
                AuthorityInformationAccessOID.CA_ISSUERS,
                x509.UniformResourceIdentifier(f"{BASE_URL}/certs/{slug(issuer.cert)}.crt"),
            ),
            x509.AccessDescription(
                AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url)
            ),
        ]
    )


def person_certificate(
    holder: CertificateHolder,
    usage: str,
    public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey,
    issuer: Issuer,
    not_after: dt.datetime,
    ocsp_url: str = OCSP_URL,
) -> x509.Certificate:
    """An authentication or signature certificate with the Belgian subject layout.

    ``usage`` is "authentication" (Key Usage digitalSignature) or "signature"
    (nonRepudiation), as on the real card's Cert#2 / Cert#3. ``ocsp_url`` goes
    in Authority Information Access, as the real responder's address does.
    """
    first = holder.given_names.split()[0] if holder.given_names.split() else holder.given_names
    label = {"authentication": "Authentication", "signature": "Signature"}[usage]
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "BE"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{first} {holder.surname} ({label})"),
            x509.NameAttribute(NameOID.SURNAME, holder.surname),
            x509.NameAttribute(NameOID.GIVEN_NAME, holder.given_names or first),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, holder.nrn),
        ]
    )
    not_before = min(now() - dt.timedelta(days=1), not_after - dt.timedelta(days=365))
    auth = usage == "authentication"
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(
            _policies(POLICY_AUTHENTICATION if auth else POLICY_SIGNATURE), critical=False
        )
        .add_extension(
            _key_usage(digital_signature=auth, content_commitment=not auth), critical=True
        )
        .add_extension(_aki(issuer), critical=False)
        .add_extension(_crl_dp(f"{BASE_URL}/crl/{slug(issuer.cert)}.crl"), critical=False)
        .add_extension(
            x509.UnrecognizedExtension(
                NETSCAPE_CERT_TYPE, _NS_TYPE_AUTH if auth else _NS_TYPE_SIGN
            ),
            critical=False,
        )
        .add_extension(_aia(issuer, ocsp_url), critical=False)
    )
    return builder.sign(issuer.key, issuer.hash)


def rrn_certificate(key: PrivateKey, issuer: Issuer) -> x509.Certificate:
    """The national register's certificate that signs identity and address files."""
    start = now() - dt.timedelta(days=1)
    builder = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "BE"),
                    x509.NameAttribute(
                        NameOID.ORGANIZATION_NAME, "monespace Sandbox Registre national"
                    ),
                    x509.NameAttribute(NameOID.COMMON_NAME, "monespace Sandbox RRN"),
                ]
            )
        )
        .issuer_name(issuer.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(min(start + dt.timedelta(days=365 * 10), issuer.cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(_aki(issuer), critical=False)
        .add_extension(_policies(POLICY_RRN), critical=False)
        .add_extension(_crl_dp(f"{BASE_URL}/crl/{slug(issuer.cert)}.crl"), critical=False)
    )
    return builder.sign(issuer.key, issuer.hash)


def seal_certificate(key: PrivateKey, issuer: Issuer) -> x509.Certificate:
    """The portal's document-sealing certificate (an organisation, not a person)."""
    start = now() - dt.timedelta(days=1)
    builder = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "BE"),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "monespace Sandbox Portal"),
                    x509.NameAttribute(NameOID.COMMON_NAME, "monespace Sandbox Portal Seal"),
                ]
            )
        )
        .issuer_name(issuer.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(min(start + dt.timedelta(days=365 * 5), issuer.cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(_aki(issuer), critical=False)
        .add_extension(_crl_dp(f"{BASE_URL}/crl/{slug(issuer.cert)}.crl"), critical=False)
    )
    return builder.sign(issuer.key, issuer.hash)
