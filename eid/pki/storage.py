"""Files of the sandbox PKI directory: PEM in, PEM out, private keys 0600.

Several processes open the same directory (a portal, a virtual card, pytest
workers), so every creation happens under an exclusive ``flock`` and every
file is written to a temporary name and renamed: a reader never sees half a
key.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@contextlib.contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on the directory while creating its files."""
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data)
        os.fchmod(fd, mode)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def save_key(path: Path, key: PrivateKey) -> None:
    """Store a private key as unencrypted PKCS#8 PEM readable by the owner only."""
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    write_atomic(path, pem, 0o600)


def load_key(path: Path) -> PrivateKey:
    """Load a private key written by :func:`save_key`."""
    try:
        return load_key_pem(path.read_bytes())
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


def load_key_pem(pem: bytes) -> PrivateKey:
    """Load an unencrypted PEM private key (RSA or EC only).

    RSA consistency checks are skipped: they cost ~50 ms a key and every key
    here was made by this package or comes from our own bundle format.
    """
    key = serialization.load_pem_private_key(
        pem, password=None, unsafe_skip_rsa_key_validation=True
    )
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ValueError("unsupported key type (expected RSA or EC)")
    return key


def save_cert(path: Path, cert: x509.Certificate) -> None:
    """Store a certificate as PEM."""
    write_atomic(path, cert.public_bytes(serialization.Encoding.PEM))


def load_cert(path: Path) -> x509.Certificate:
    """Load a PEM certificate."""
    return x509.load_pem_x509_certificate(path.read_bytes())
