"""Certificates the tests make, and real TLS servers on loopback that present them.

`Authority` is a private CA (cryptography): it issues leaves for any names and validity window,
so a test can make a valid certificate, one expiring in 3 days, an expired one, one for another
host, and a self-signed one nobody trusts. Windows are set relative to the test's fixed clock;
the prober judges dates with the clock it is given, never the wall clock.

`serving_tls` is `tests/support/http_services.serving` behind TLS: the same routes (status, body,
delay), each connection's handshake done in its own thread, on https://localhost:<port>.
"""

from __future__ import annotations

import datetime as dt
import ssl
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_address
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.support.http_services import Services, route_handler

NOW = dt.datetime(2026, 11, 23, 14, 10, tzinfo=dt.UTC)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Acme Homelab"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class Leaf:
    """A server certificate with its key, and the chain a server sends (leaf first)."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    chain_pem: bytes

    def key_pem(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())


class Authority:
    """A private CA, valid for years around the test clock."""

    def __init__(self, common_name: str = "Acme Homelab Test CA") -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.name = _name(common_name)
        self.cert = (
            x509.CertificateBuilder().subject_name(self.name).issuer_name(self.name)
            .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(days=3650)).not_valid_after(NOW + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False),
                           critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256()))

    def pem(self) -> bytes:
        return _pem(self.cert)

    def write(self, directory: Path) -> Path:
        path = directory / "private-ca.pem"
        path.write_bytes(self.pem())
        return path

    def issue(self, names: Sequence[str] = ("localhost", "127.0.0.1"), *, days_left: float = 90,
              days_old: float = 30) -> Leaf:
        """A leaf for `names`, valid from `days_old` days before the test clock until `days_left` after it
        (negative: it expired that long ago)."""
        return _leaf(names, NOW - dt.timedelta(days=days_old), NOW + dt.timedelta(days=days_left), self)

    def self_signed(self, names: Sequence[str] = ("localhost", "127.0.0.1"), days_left: float = 90) -> Leaf:
        return _leaf(names, NOW - dt.timedelta(days=30), NOW + dt.timedelta(days=days_left), None)


def _leaf(names: Sequence[str], not_before: dt.datetime, not_after: dt.datetime,
          issuer: Authority | None) -> Leaf:
    key = ec.generate_private_key(ec.SECP256R1())
    alt: list[x509.GeneralName] = []
    for name in names:
        try:
            alt.append(x509.IPAddress(ip_address(name)))
        except ValueError:
            alt.append(x509.DNSName(name))
    subject = _name(names[0])
    builder = (
        x509.CertificateBuilder().subject_name(subject)
        .issuer_name(issuer.name if issuer else subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(not_before).not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False))
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    cert = builder.sign(issuer.key if issuer else key, hashes.SHA256())
    return Leaf(cert, key, _pem(cert) + (issuer.pem() if issuer else b""))


class TlsServices(Services):
    @property
    def base(self) -> str:
        return f"https://localhost:{self.server.server_address[1]}"


class _TlsServer(ThreadingHTTPServer):
    context: ssl.SSLContext

    def finish_request(self, request: Any, client_address: Any) -> None:
        # The handshake runs in the connection's own thread: a client that stalls holds up no one else.
        try:
            wrapped = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return  # the client refused our certificate, as a verifying client should
        super().finish_request(wrapped, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # a probe that gives up mid-answer is what timeouts are for


@contextmanager
def serving_tls(leaf: Leaf) -> Iterator[TlsServices]:
    """Routes as in `serving()`, behind TLS with `leaf`, on https://localhost:<port>."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as tmp:
        chain, key = Path(tmp) / "chain.pem", Path(tmp) / "key.pem"
        chain.write_bytes(leaf.chain_pem)
        key.write_bytes(leaf.key_pem())
        context.load_cert_chain(chain, key)
    _TlsServer.request_queue_size = 128
    server = _TlsServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    server.context = context
    server.daemon_threads = True
    services = TlsServices(server)
    server.RequestHandlerClass = route_handler(services)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield services
    finally:
        server.shutdown()
        server.server_close()
