"""What a health check of a service found (the probes adapter makes these)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

OK = "ok"


DEGRADED = "degraded"


DOWN = "down"


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

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service, "url": self.url, "state": self.state, "detail": self.detail,
            "status": self.status, "latency_ms": None if self.latency_ms is None else round(self.latency_ms, 1),
            "attempts": self.attempts, "checked_at": self.checked_at,
        }
