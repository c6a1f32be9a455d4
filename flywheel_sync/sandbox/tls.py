"""HTTPS for the sandbox on loopback: a throwaway certificate authority made at run time.

Some clients only speak ``https://`` (Singer's ``tap-jira`` rewrites every base URL to it), so
the sandbox must be able to serve TLS on 127.0.0.1 without a certificate checked in or a
network call. `loopback_tls` makes, in a temporary folder removed afterwards:

- ``ca.pem``: a certificate authority valid for a day; the only file a client needs
  (``requests``' ``verify=``, ``REQUESTS_CA_BUNDLE``, ``ca_bundle`` in ``flywheel.toml``);
- ``server.pem`` and ``server-key.pem``: a server certificate it signed for ``127.0.0.1``,
  ``::1`` and ``localhost``, and its key (mode 0600), which the server presents.

An authority plus a leaf, rather than one self-signed leaf, because strict verifiers
(Python 3.13's default ``VERIFY_X509_STRICT``, recent OpenSSL) reject a leaf used as its own
trust anchor. EC P-256 keys take milliseconds to make; RSA-2048 would take a second.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from flywheel_sync.serving import ServerTLS

__all__ = ["LOOPBACK_NAMES", "LoopbackTLS", "loopback_tls", "write_loopback_tls"]

LOOPBACK_NAMES: Final = ("127.0.0.1", "::1", "localhost")
"""The names the server certificate is valid for."""
_VALIDITY: Final = timedelta(days=1)
_CLOCK_SKEW: Final = timedelta(minutes=5)
"""Certificates start a little in the past, so a client whose clock is behind accepts them."""


@dataclass(frozen=True, kw_only=True)
class LoopbackTLS:
    """The files of one throwaway authority and the server certificate it signed.

    Attributes:
        ca_certificate: The authority's certificate (PEM): what clients trust.
        server: The server's certificate and key, as `BackgroundServer` takes them.
    """

    ca_certificate: Path
    server: ServerTLS

    def client_context(self) -> ssl.SSLContext:
        """An SSL context that trusts this authority only (hostname checks on)."""
        return ssl.create_default_context(cafile=str(self.ca_certificate))


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "flywheel-sync sandbox"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _alternative_names() -> x509.SubjectAlternativeName:
    names: list[x509.GeneralName] = []
    for name in LOOPBACK_NAMES:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            names.append(x509.DNSName(name))
    return x509.SubjectAlternativeName(names)


def _authority(
    key: ec.EllipticCurvePrivateKey, not_before: datetime, not_after: datetime
) -> x509.Certificate:
    name = _name("flywheel-sync sandbox CA")
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def _server_certificate(
    key: ec.EllipticCurvePrivateKey,
    authority: x509.Certificate,
    authority_key: ec.EllipticCurvePrivateKey,
    not_before: datetime,
    not_after: datetime,
) -> x509.Certificate:
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(authority.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(_alternative_names(), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(authority_key.public_key()),
            critical=False,
        )
        .sign(authority_key, hashes.SHA256())
    )


def _write_private(path: Path, data: bytes) -> None:
    """Write a key readable by its owner only, from the moment the file exists."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def write_loopback_tls(folder: Path, *, now: datetime | None = None) -> LoopbackTLS:
    """Make an authority and a loopback server certificate in ``folder``; return their paths.

    Args:
        folder: An existing folder; ``ca.pem``, ``server.pem`` and ``server-key.pem`` are
            (over)written there.
        now: When the certificates become valid (minus five minutes of clock skew); they
            stay valid for a day. Defaults to the current time.
    """
    start = (now or datetime.now(UTC)) - _CLOCK_SKEW
    end = start + _VALIDITY
    authority_key = ec.generate_private_key(ec.SECP256R1())
    authority = _authority(authority_key, start, end)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _server_certificate(server_key, authority, authority_key, start, end)
    pem = serialization.Encoding.PEM
    tls = LoopbackTLS(
        ca_certificate=folder / "ca.pem",
        server=ServerTLS(certificate=folder / "server.pem", key=folder / "server-key.pem"),
    )
    tls.ca_certificate.write_bytes(authority.public_bytes(pem))
    tls.server.certificate.write_bytes(server.public_bytes(pem))
    _write_private(
        tls.server.key,
        server_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )
    return tls


@contextmanager
def loopback_tls() -> Iterator[LoopbackTLS]:
    """A fresh authority and server certificate in a temporary folder, removed on exit."""
    with tempfile.TemporaryDirectory(prefix="flywheel-sandbox-tls-") as folder:
        yield write_loopback_tls(Path(folder))
