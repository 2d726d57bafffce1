"""What a health check of a service found (the probes adapter makes these)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

OK = "ok"


DEGRADED = "degraded"


DOWN = "down"


@dataclass(frozen=True)
class Certificate:
    """What an https service's certificate says, and whether it holds for the host it was read from."""

    host: str  # the name (or address) the probe asked for
    subject: str  # the subject's common name, or its full name when it has none
    names: tuple[str, ...]  # the subject alternative names (DNS names and IP addresses)
    issuer: str
    not_before: str  # ISO 8601 UTC
    not_after: str  # ISO 8601 UTC
    trusted: bool  # the chain leads to a CA the system or investigation.ca_file trusts
    trust_problem: str | None = None  # OpenSSL's reason when it does not ("self-signed certificate")
    hostname_ok: bool = True  # one of `names` covers `host`

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"host": self.host, "subject": self.subject, "names": list(self.names),
                               "issuer": self.issuer, "not_before": self.not_before, "not_after": self.not_after,
                               "trusted": self.trusted, "hostname_ok": self.hostname_ok}
        if self.trust_problem:
            out["trust_problem"] = self.trust_problem
        return out


@dataclass(frozen=True)
class TlsCheck:
    """The verdict on an https service's certificate: ok, warn (expires soon) or fail (expired, another host's,
    not trusted), or why it could not be read (`certificate` None)."""

    status: str  # ok | warn | fail
    detail: str  # what follows "<service>'s certificate": "expires in 3 days (2026-11-26 14:10 UTC), …"
    certificate: Certificate | None = None
    days_left: int | None = None  # whole days until it expires (negative: since it expired)
    expired: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status, "detail": self.detail}
        if self.certificate is not None:
            out["certificate"] = self.certificate.to_json()
        if self.days_left is not None:
            out["days_left"] = self.days_left
        if self.expired:
            out["expired"] = True
        return out


@dataclass(frozen=True)
class ProbeResult:
    service: str
    url: str
    state: str  # ok | degraded | down
    detail: str
    status: int | None
    latency_ms: float | None
    attempts: int
    checked_at: str  # ISO 8601 UTC
    tls: TlsCheck | None = None  # https services: the certificate's verdict

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "service": self.service, "url": self.url, "state": self.state, "detail": self.detail,
            "status": self.status, "latency_ms": None if self.latency_ms is None else round(self.latency_ms, 1),
            "attempts": self.attempts, "checked_at": self.checked_at,
        }
        if self.tls is not None:
            out["tls"] = self.tls.to_json()
        return out
