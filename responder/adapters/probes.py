"""HTTP probes: is a service answering the way responder.yml says it should?

The verdict for one answer (`judge`) is a pure function; `Prober` does the
HTTP. Probes run concurrently, each within its own time budget: a quick
failure (connection refused, a 502) is retried once after a short delay so
a single blip is not called "down", while a probe that hangs for its whole
timeout is not tried again. A catalogue therefore finishes within the
slowest probe's timeout plus a little.

The status page reuses this module for its live checks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from responder.config.loader import Service
from responder.model.probes import DEGRADED, DOWN, OK, ProbeResult
from responder.model.timestamps import iso_utc

MAX_BODY = 1_048_576  # read at most 1 MiB of a health-check answer
USER_AGENT = "issueops-responder-probe/0.1"


@dataclass(frozen=True)
class ProbeTarget:
    service: str
    url: str
    expect_status: tuple[int, ...] = ()  # empty: any 2xx or 3xx
    expect_body: str | None = None
    timeout: float = 5.0
    slow_ms: int | None = None

    @classmethod
    def for_service(cls, service: Service) -> ProbeTarget | None:
        if not service.url:
            return None
        return cls(
            service=service.name,
            url=service.url,
            expect_status=service.expect.status,
            expect_body=service.expect.body,
            timeout=service.expect.timeout_seconds,
            slow_ms=service.expect.slow_ms,
        )


@dataclass(frozen=True)
class Answer:
    """What one HTTP attempt got back (or why it got nothing)."""

    status: int | None
    body: str
    latency_ms: float
    error: str | None = None


def judge(target: ProbeTarget, answer: Answer) -> tuple[str, str]:
    """The state and a plain-words reason for one answer."""
    if answer.error is not None:
        return DOWN, answer.error
    assert answer.status is not None
    if target.expect_status:
        if answer.status not in target.expect_status:
            wanted = ", ".join(str(s) for s in target.expect_status)
            return DOWN, f"HTTP {answer.status}, expected {wanted}"
    elif not 200 <= answer.status < 400:
        return DOWN, f"HTTP {answer.status}"
    if target.expect_body and target.expect_body not in answer.body:
        return DEGRADED, f"HTTP {answer.status} but the body lacks the expected text"
    if target.slow_ms is not None and answer.latency_ms > target.slow_ms:
        return DEGRADED, f"HTTP {answer.status} in {answer.latency_ms:.0f} ms, slower than {target.slow_ms} ms"
    return OK, f"HTTP {answer.status} in {answer.latency_ms:.0f} ms"


Fetch = Callable[[ProbeTarget, float], Answer]


def http_fetch(target: ProbeTarget, timeout: float) -> Answer:
    """One GET with requests; never raises."""
    import requests

    start = time.perf_counter()
    try:
        with requests.get(target.url, timeout=timeout, allow_redirects=False, stream=True,
                          headers={"User-Agent": USER_AGENT}) as response:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_content(65536):
                chunks.append(chunk)
                size += len(chunk)
                if size >= MAX_BODY:
                    break
            latency = (time.perf_counter() - start) * 1000
            body = b"".join(chunks).decode(response.encoding or "utf-8", errors="replace")
            return Answer(response.status_code, body, latency)
    except requests.Timeout:
        return Answer(None, "", (time.perf_counter() - start) * 1000, f"no answer within {timeout:g} s")
    except requests.ConnectionError as exc:
        return Answer(None, "", (time.perf_counter() - start) * 1000, _connection_reason(exc))
    except requests.RequestException as exc:
        return Answer(None, "", (time.perf_counter() - start) * 1000, f"request failed: {type(exc).__name__}")


def _connection_reason(exc: Exception) -> str:
    text = str(exc)
    for needle, reason in (("Connection refused", "connection refused"),
                           ("Name or service not known", "DNS lookup failed"),
                           ("nodename nor servname", "DNS lookup failed"),
                           ("CERTIFICATE_VERIFY_FAILED", "TLS certificate not trusted"),
                           ("Read timed out", "no answer in time")):
        if needle in text:
            return reason
    return "connection failed"


class ProbeRunner(Protocol):
    """Probes services' health checks: what the outage path, the sweep and the status page need.
    Prober is the real one; tests pass one with a fake fetch, or their own."""

    def probe(self, target: ProbeTarget) -> ProbeResult: ...
    def probe_all(self, targets: Iterable[ProbeTarget]) -> tuple[ProbeResult, ...]: ...


class Prober:
    """Probes targets concurrently, with a retry for quick failures."""

    def __init__(self, fetch: Fetch = http_fetch, retry_delay: float = 0.5,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], datetime] | None = None) -> None:
        self._fetch = fetch
        self._retry_delay = retry_delay
        self._clock = clock
        self._sleep = sleep
        self._now = now or (lambda: datetime.now(UTC))

    def probe(self, target: ProbeTarget) -> ProbeResult:
        deadline = self._clock() + target.timeout
        answer = self._fetch(target, target.timeout)
        state, detail = judge(target, answer)
        attempts = 1
        remaining = deadline - self._clock() - self._retry_delay
        # A quick failure may be a blip: look once more before calling it down.
        if state == DOWN and remaining > 0.05:
            self._sleep(self._retry_delay)
            answer = self._fetch(target, remaining)
            state, detail = judge(target, answer)
            attempts = 2
        checked = iso_utc(self._now())
        return ProbeResult(target.service, target.url, state, detail, answer.status,
                           None if answer.error else answer.latency_ms, attempts, checked)

    def probe_all(self, targets: Iterable[ProbeTarget]) -> tuple[ProbeResult, ...]:
        """Every target at once; results in the order given."""
        items: Sequence[ProbeTarget] = list(targets)
        if not items:
            return ()
        with ThreadPoolExecutor(max_workers=min(64, len(items))) as pool:
            return tuple(pool.map(self.probe, items))
