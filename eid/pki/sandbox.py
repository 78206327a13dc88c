"""The sandbox PKI: two Belgian-shaped hierarchies, persisted in one directory.

``SandboxPKI.open(dir)`` loads the CA keys and certificates from ``dir`` or
creates them on first use. A portal and a virtual card opened on the same
directory therefore share trust anchors, CRLs and per-person credentials:
the card presents certificates that the portal's verifier accepts.

Hierarchies (all names start with "monespace Sandbox" — never real ones):

- EC P-384, like Belgium Root CA6 → Citizen CA (applet 1.8 cards),
- RSA-2048, like Belgium Root CA4 → Citizen CA (applet 1.7 cards),
- a Seal CA under the EC root for the portal's document seal,
- an "UNTRUSTED" root and citizen CA that no trust store lists, for tests
  of certificates from an unknown CA.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from eid.pki import profiles, revocation
from eid.pki.profiles import APPLETS, CertificateHolder, Issuer
from eid.pki.responder import respond
from eid.pki.status import ocsp_urls
from eid.pki.storage import (
    PrivateKey,
    load_cert,
    load_key,
    locked,
    save_cert,
    save_key,
    write_atomic,
)

_FAMILY = {"1.8": "ec", "1.7": "rsa"}
#: The file holding the OCSP responder address set by the sandbox portal.
OCSP_URL_FILE = "ocsp-url"


@dataclass(frozen=True)
class PersonCredentials:
    """What goes on one person's card: two key pairs, their certificates, the chain."""

    applet: str
    auth_key: PrivateKey
    auth_cert: x509.Certificate
    sign_key: PrivateKey
    sign_cert: x509.Certificate
    ca_cert: x509.Certificate
    root_cert: x509.Certificate

    @property
    def chain(self) -> list[x509.Certificate]:
        """Authentication certificate, citizen CA, root — the order a client sends."""
        return [self.auth_cert, self.ca_cert, self.root_cert]


def _validate_applet(applet: str) -> str:
    if applet not in APPLETS:
        raise ValueError(f"unknown applet {applet!r} (expected one of {', '.join(APPLETS)})")
    return applet


class SandboxPKI:
    """Sandbox certification authorities living in one directory (see module doc)."""

    def __init__(self, directory: Path, cas: dict[str, Issuer]) -> None:
        self.directory = directory
        self._cas = cas

    # -- opening --------------------------------------------------------------

    @classmethod
    def open(cls, directory: Path | str) -> SandboxPKI:
        """Load the PKI in ``directory``, creating whatever is missing."""
        directory = Path(directory)
        with locked(directory):
            cas = {**_hierarchy(directory, "ec"), **_hierarchy(directory, "rsa")}
            seal_ca = _ca(directory, "seal-ca", "1.8", cas["ec-root"], "monespace Sandbox Seal CA")
            cas["seal-ca"] = seal_ca
            cas["seal"] = _leaf(directory, "seal", "1.8", seal_ca, profiles.seal_certificate)
        return cls(directory, cas)

    # -- what relying parties need ---------------------------------------------

    def trust_anchors(self) -> list[x509.Certificate]:
        """Both sandbox roots (EC "CA6"-like and RSA "CA4"-like)."""
        return [self._cas["ec-root"].cert, self._cas["rsa-root"].cert]

    def intermediates(self) -> list[x509.Certificate]:
        """The two citizen CAs that issue authentication and signature certificates."""
        return [self._cas["ec-citizen"].cert, self._cas["rsa-citizen"].cert]

    def crls(self) -> list[x509.CertificateRevocationList]:
        """Freshly signed CRLs of both citizen CAs, listing every revocation so far."""
        revoked = revocation.load_revocations(self.directory)
        return [revocation.build_crl(self._cas[f"{f}-citizen"], revoked) for f in ("ec", "rsa")]

    def root(self, applet: str) -> x509.Certificate:
        """The root of the hierarchy used by cards of ``applet``."""
        return self._cas[f"{_FAMILY[_validate_applet(applet)]}-root"].cert

    def citizen_ca(self, applet: str) -> x509.Certificate:
        """The citizen CA of the hierarchy used by cards of ``applet``."""
        return self._cas[f"{_FAMILY[_validate_applet(applet)]}-citizen"].cert

    # -- national register ----------------------------------------------------

    def rrn_certificate(self, applet: str) -> x509.Certificate:
        """The register's certificate (Cert#8) that signs identity and address files."""
        return self._cas[f"{_FAMILY[_validate_applet(applet)]}-rrn"].cert

    def rrn_key(self, applet: str) -> PrivateKey:
        """The private key matching :meth:`rrn_certificate`."""
        return self._cas[f"{_FAMILY[_validate_applet(applet)]}-rrn"].key

    # -- the portal's seal ----------------------------------------------------

    def seal_credentials(self) -> tuple[PrivateKey, list[x509.Certificate]]:
        """The portal's P-384 sealing key and its chain ``[seal cert, Seal CA]``.

        The chain ends at the EC sandbox root (:meth:`seal_trust_anchor`).
        """
        seal = self._cas["seal"]
        return seal.key, [seal.cert, self._cas["seal-ca"].cert]

    def seal_trust_anchor(self) -> x509.Certificate:
        """The root a document-seal verifier trusts (the EC sandbox root)."""
        return self._cas["ec-root"].cert

    # -- people ---------------------------------------------------------------

    def issue_person(
        self, person: CertificateHolder, applet: str, *, not_after: dt.datetime | None = None
    ) -> PersonCredentials:
        """Keys and certificates for ``person``'s card of ``applet`` ("1.7" or "1.8").

        Keys are cached per (NRN, applet) so the same person always gets the
        same keys. Without ``not_after`` the certificates are cached too and
        run to the card's validity end (``person.validity_end`` if it has
        one, else ten years). With ``not_after`` (e.g. in the past, for an
        expired certificate) fresh certificates are issued for the same keys
        and not cached.
        """
        family = _FAMILY[_validate_applet(applet)]
        return self._issue(person, applet, f"{family}-citizen", not_after)

    def issue_revoked(self, person: CertificateHolder, applet: str) -> PersonCredentials:
        """Fresh (uncached) credentials whose two certificates are already revoked."""
        creds = self.issue_person(person, applet, not_after=_default_not_after(person))
        self.revoke(creds.auth_cert)
        self.revoke(creds.sign_cert)
        return creds

    def issue_expired(self, person: CertificateHolder, applet: str) -> PersonCredentials:
        """Fresh credentials whose certificates expired yesterday."""
        return self.issue_person(person, applet, not_after=profiles.now() - dt.timedelta(days=1))

    def issue_unknown_ca(self, person: CertificateHolder, applet: str) -> PersonCredentials:
        """Credentials from a CA chaining to a root that :meth:`trust_anchors` omits."""
        family = _FAMILY[_validate_applet(applet)]
        return self._issue(
            person, applet, f"untrusted-{family}-citizen", _default_not_after(person)
        )

    # -- OCSP ---------------------------------------------------------------

    @property
    def ocsp_url(self) -> str:
        """The responder address new certificates carry (set by the sandbox portal)."""
        path = self.directory / OCSP_URL_FILE
        return path.read_text().strip() if path.exists() else profiles.OCSP_URL

    @property
    def has_ocsp_url(self) -> bool:
        """Whether a portal has named itself as this PKI's responder."""
        return (self.directory / OCSP_URL_FILE).exists()

    def set_ocsp_url(self, url: str) -> None:
        """Make certificates issued from now on point at ``url`` (the portal's responder).

        Cached person certificates naming another responder are re-issued on
        their next use, for the same keys.
        """
        if url != self.ocsp_url:
            with locked(self.directory):
                write_atomic(self.directory / OCSP_URL_FILE, url.encode())

    def ocsp_response(self, request_der: bytes) -> bytes:
        """Answer one DER OCSP request as the sandbox responder (see eid.pki.responder)."""
        return respond(self, request_der)

    def issuers(self) -> list[Issuer]:
        """Every CA key that issues person certificates (trusted or not)."""
        return [
            self._cas[n]
            for n in ("ec-citizen", "rsa-citizen", "untrusted-ec-citizen", "untrusted-rsa-citizen")
        ]

    def revoke(self, cert: x509.Certificate) -> None:
        """Put ``cert`` on its CA's CRL (persisted in the directory)."""
        with locked(self.directory):
            revocation.add_revocation(self.directory, cert)

    def is_revoked(self, cert: x509.Certificate) -> bool:
        """Whether ``cert`` was revoked through :meth:`revoke`."""
        issuer = cert.issuer.public_bytes().hex()
        return any(
            r.issuer == issuer and r.serial == cert.serial_number
            for r in revocation.load_revocations(self.directory)
        )

    def _issue(
        self, person: CertificateHolder, applet: str, ca_name: str, not_after: dt.datetime | None
    ) -> PersonCredentials:
        ca = self._cas[ca_name]
        root = self._cas[ca_name.replace("citizen", "root")]
        folder = self.directory / "persons" / f"{person.nrn}-{applet}"
        ocsp_url = self.ocsp_url
        with locked(self.directory):
            keys = {
                usage: _person_key(folder / f"{usage}.key", applet) for usage in ("auth", "sign")
            }
            certs = {}
            for usage, long in (("auth", "authentication"), ("sign", "signature")):
                cached = folder / f"{usage}-{ca_name}.pem"
                if not_after is None and cached.exists():
                    cert = load_cert(cached)
                    if _still_matches(cert, person, keys[usage], ocsp_url):
                        certs[usage] = cert
                        continue
                end = not_after or _default_not_after(person)
                end = min(end, ca.cert.not_valid_after_utc)
                cert = profiles.person_certificate(
                    person, long, keys[usage].public_key(), ca, end, ocsp_url
                )
                if not_after is None:
                    save_cert(cached, cert)
                certs[usage] = cert
        return PersonCredentials(
            applet, keys["auth"], certs["auth"], keys["sign"], certs["sign"], ca.cert, root.cert
        )


_ROOT_CN = {"ec": "monespace Sandbox Root CA6", "rsa": "monespace Sandbox Root CA4"}
_CITIZEN_CN = {"ec": "monespace Sandbox Citizen CA EC", "rsa": "monespace Sandbox Citizen CA RSA"}
_UNTRUSTED_ROOT_CN = {
    "ec": "monespace Sandbox UNTRUSTED Root EC",
    "rsa": "monespace Sandbox UNTRUSTED Root RSA",
}
_UNTRUSTED_CN = {
    "ec": "monespace Sandbox UNTRUSTED Citizen CA EC",
    "rsa": "monespace Sandbox UNTRUSTED Citizen CA RSA",
}
_CA_SERIAL = {"ec": "202602", "rsa": "202601"}


def _hierarchy(directory: Path, family: str) -> dict[str, Issuer]:
    """Root, citizen CA and RRN signer of one family, plus its untrusted twin."""
    applet = "1.8" if family == "ec" else "1.7"
    root = _ca(directory, f"{family}-root", applet, None, _ROOT_CN[family])
    citizen = _ca(directory, f"{family}-citizen-ca", applet, root, _CITIZEN_CN[family])
    rrn = _leaf(directory, f"{family}-rrn", applet, root, profiles.rrn_certificate)
    rogue_root = _ca(
        directory, f"untrusted-{family}-root", applet, None, _UNTRUSTED_ROOT_CN[family]
    )
    rogue = _ca(
        directory, f"untrusted-{family}-citizen-ca", applet, rogue_root, _UNTRUSTED_CN[family]
    )
    return {
        f"{family}-root": root,
        f"{family}-citizen": citizen,
        f"{family}-rrn": rrn,
        f"untrusted-{family}-root": rogue_root,
        f"untrusted-{family}-citizen": rogue,
    }


def _default_not_after(person: CertificateHolder) -> dt.datetime:
    end = getattr(person, "validity_end", None)
    if isinstance(end, dt.date):
        return dt.datetime(end.year, end.month, end.day, 23, 59, 59, tzinfo=dt.UTC)
    return profiles.now() + dt.timedelta(days=3652)


def _still_matches(
    cert: x509.Certificate, person: CertificateHolder, key: PrivateKey, ocsp_url: str
) -> bool:
    """A cached certificate is reused only for the same key, names, NRN and responder."""
    attrs = {a.oid: a.value for a in cert.subject}
    return (
        ocsp_urls(cert) == [ocsp_url]
        and cert.public_key() == key.public_key()
        and attrs.get(NameOID.SERIAL_NUMBER) == person.nrn
        and attrs.get(NameOID.SURNAME) == person.surname
        and attrs.get(NameOID.GIVEN_NAME) == person.given_names
        and cert.not_valid_after_utc > profiles.now()
    )


def _person_key(path: Path, applet: str) -> PrivateKey:
    if path.exists():
        return load_key(path)
    key = profiles.new_key(applet)
    save_key(path, key)
    return key


def _ca(directory: Path, name: str, applet: str, issuer: Issuer | None, cn: str) -> Issuer:
    """Load or create one CA (root when ``issuer`` is None)."""
    key_path, cert_path = directory / f"{name}.key", directory / f"{name}.pem"
    if key_path.exists() and cert_path.exists():
        return Issuer(load_key(key_path), load_cert(cert_path))
    key = profiles.new_key(applet)
    if issuer is None:
        cert = profiles.root_ca(cn, key)
    else:
        family = "ec" if isinstance(key, ec.EllipticCurvePrivateKey) else "rsa"
        cert = profiles.sub_ca(cn, _CA_SERIAL[family], key, issuer)
    save_key(key_path, key)
    save_cert(cert_path, cert)
    return Issuer(key, cert)


def _leaf(
    directory: Path,
    name: str,
    applet: str,
    issuer: Issuer,
    make: Callable[[PrivateKey, Issuer], x509.Certificate],
) -> Issuer:
    """Load or create a non-CA key + certificate (RRN, seal) issued by ``issuer``."""
    key_path, cert_path = directory / f"{name}.key", directory / f"{name}.pem"
    if key_path.exists() and cert_path.exists():
        return Issuer(load_key(key_path), load_cert(cert_path))
    key = profiles.new_key(applet)
    cert = make(key, issuer)
    save_key(key_path, key)
    save_cert(cert_path, cert)
    return Issuer(key, cert)
