"""HTTP probes: is a service answering the way responder.yml says it should?

The verdict for one answer (`judge`) is a pure function; `Prober` does the
HTTP. Probes run concurrently, each within its own time budget: a quick
failure (connection refused, a 502) is retried once after a short delay so
a single blip is not called "down", while a probe that hangs for its whole
timeout is not tried again. A catalogue therefore finishes within the
slowest probe's timeout plus a little.

An https service's certificate is read on the probe's own connection, with ssl, even when it does not
verify, so the verdict can say why: expired (down), expiring within `tls_warn_days` (a warning),
issued for another host (down), or not trusted (down; `investigation.ca_file` adds a private CA).
OpenSSL checks the chain and the signatures but not the dates: the dates are judged here against
the prober's clock, so a replay or a test decides with the time it is given.

The status page reuses this module for its live checks.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from responder.config.investigation import DEFAULT_TLS_WARN_DAYS
from responder.config.loader import Service
from responder.model.probes import DEGRADED, DOWN, OK, Certificate, ProbeResult, TlsCheck
from responder.model.timestamps import iso_utc, parse_utc

if TYPE_CHECKING:
    import ssl

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
    tls_warn_days: int = DEFAULT_TLS_WARN_DAYS
    ca_file: Path | None = None  # private CAs trusted besides the system's

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
            tls_warn_days=service.tls.warn_days,
            ca_file=service.tls.ca_file,
        )


@dataclass(frozen=True)
class Answer:
    """What one HTTP attempt got back (or why it got nothing)."""

    status: int | None
    body: str
    latency_ms: float
    error: str | None = None
    certificate: Certificate | None = None  # https: what the server presented, verified or not
    tls_error: str | None = None  # https: why there is no certificate (the handshake failed)


def judge(target: ProbeTarget, answer: Answer, now: datetime | None = None) -> tuple[str, str]:
    """The state and a plain-words reason for one answer. An https answer's certificate is judged at `now`."""
    tls = judge_tls(target, answer, now) if now is not None else None
    if tls is not None and tls.status == "fail":
        behind = f"; behind it, HTTP {answer.status}" if answer.status is not None else ""
        return DOWN, f"the certificate {tls.detail}{behind}"
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


# ---------------------------------------------------------------- certificates


def judge_tls(target: ProbeTarget, answer: Answer, now: datetime) -> TlsCheck | None:
    """The verdict on an https answer's certificate (None for plain http, or a fake fetch that read none)."""
    if answer.certificate is None:
        if answer.tls_error is None:
            return None
        return TlsCheck("warn", f"could not be read: {answer.tls_error}")
    return judge_certificate(answer.certificate, now, target.tls_warn_days)


def judge_certificate(cert: Certificate, now: datetime, warn_days: int) -> TlsCheck:
    """Expired, not yet valid, another host's or untrusted: fail (a browser refuses it). Expiring within
    `warn_days`: a warning, while there is still time to renew it."""
    not_after = parse_utc(cert.not_after)
    not_before = parse_utc(cert.not_before)
    assert not_after is not None and not_before is not None
    left = not_after - now
    days = left // timedelta(days=1) if left >= timedelta(0) else -((-left) // timedelta(days=1))
    expiry = f"{not_after:%Y-%m-%d %H:%M} UTC"
    problems = []
    if left <= timedelta(0):
        problems.append(f"expired {_span(-left)} ago ({expiry})")
    elif now < not_before:
        problems.append(f"is not valid before {not_before:%Y-%m-%d %H:%M} UTC")
    if not cert.hostname_ok:
        shown = ", ".join(cert.names[:4]) + (f" and {len(cert.names) - 4} more" if len(cert.names) > 4 else "")
        problems.append(f"is not valid for {cert.host} (it names {shown or cert.subject or 'nothing'})")
    if not cert.trusted:
        problems.append(f"is not trusted ({cert.trust_problem or 'unknown issuer'}; a private CA belongs in "
                        "investigation.ca_file)")
    if problems:
        return TlsCheck("fail", " and ".join(problems), cert, days, expired=left <= timedelta(0))
    if left < timedelta(days=warn_days):
        return TlsCheck("warn", f"expires in {_span(left)} ({expiry}), within the {warn_days}-day warning: renew it",
                        cert, days)
    return TlsCheck("ok", f"is valid until {expiry} ({days} days), issued by {cert.issuer} for {cert.host}",
                    cert, days)


def _span(delta: timedelta) -> str:
    """About how long, in the largest whole unit that fits."""
    if delta >= timedelta(days=2):
        return f"{delta // timedelta(days=1)} days"
    if delta >= timedelta(hours=2):
        return f"{delta // timedelta(hours=1)} hours"
    minutes = max(1, delta // timedelta(minutes=1))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def host_matches(host: str, names: Iterable[str]) -> bool:
    """RFC 6125: an exact name, or a wildcard standing for exactly one leftmost label; addresses exactly."""
    host = host.rstrip(".").lower()
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        address = None
    for name in names:
        name = name.rstrip(".").lower()
        if address is not None:
            try:
                if ipaddress.ip_address(name) == address:
                    return True
            except ValueError:
                continue
            continue
        if name == host:
            return True
        if name.startswith("*.") and "." in host:
            label, rest = host.split(".", 1)
            if label and rest == name[2:] and "*" not in rest:
                return True
    return False


def describe_certificate(der: bytes, host: str, trust_problem: str | None) -> Certificate:
    """The facts of a DER certificate (cryptography parses it; ssl only does so for verified ones)."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    cert = x509.load_der_x509_certificate(der)

    def common_name(name: x509.Name) -> str:
        values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(values[0].value) if values else name.rfc4514_string()

    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names: tuple[str, ...] = (*san.get_values_for_type(x509.DNSName),
                                  *(str(ip) for ip in san.get_values_for_type(x509.IPAddress)))
    except x509.ExtensionNotFound:
        names = ()
    return Certificate(host=host, subject=common_name(cert.subject), names=names, issuer=common_name(cert.issuer),
                       not_before=iso_utc(cert.not_valid_before_utc), not_after=iso_utc(cert.not_valid_after_utc),
                       trusted=trust_problem is None, trust_problem=trust_problem,
                       hostname_ok=host_matches(host, names))


# The OpenSSL flag that leaves the dates to us (X509_V_FLAG_NO_CHECK_TIME); ssl does not name it.
_NO_CHECK_TIME = 0x200000


_CONTEXTS: dict[Path | None, ssl.SSLContext] = {}
_CONTEXTS_LOCK = threading.Lock()


def _verifying_context(ca_file: Path | None) -> ssl.SSLContext:
    """Checks the chain against the system's CAs (and requests' bundle, which the probes trusted before),
    plus a private CA; not the host name, nor the dates, which are judged with the prober's clock.

    Built once, under a lock: fifty probes starting together would otherwise each load every CA at once,
    and a catalogue's first round would take seconds longer than its slowest timeout."""
    with _CONTEXTS_LOCK:
        if ca_file not in _CONTEXTS:
            import ssl

            import certifi

            context = ssl.create_default_context()
            context.load_verify_locations(certifi.where())
            if ca_file is not None:
                context.load_verify_locations(str(ca_file))
            context.check_hostname = False
            context.verify_flags |= _NO_CHECK_TIME
            _CONTEXTS[ca_file] = context
        return _CONTEXTS[ca_file]


@cache
def _reading_context() -> ssl.SSLContext:
    """Reads whatever certificate the server presents: for saying why it was not trusted."""
    import ssl

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def https_fetch(target: ProbeTarget, timeout: float) -> Answer:
    """One GET over TLS with http.client on our own context, the certificate read on the same connection;
    never raises. A certificate that does not verify is read again without verification, and the GET still
    goes out on that connection, so the evidence can say what answers behind it."""
    import http.client
    import ssl
    from urllib.parse import urlsplit

    start = time.perf_counter()
    parts = urlsplit(target.url)
    host = parts.hostname or ""
    port = parts.port or 443
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    def elapsed() -> float:
        return (time.perf_counter() - start) * 1000

    def connect(context: ssl.SSLContext) -> http.client.HTTPSConnection:
        remaining = max(0.05, timeout - (time.perf_counter() - start))
        connection = http.client.HTTPSConnection(host, port, timeout=remaining, context=context)
        connection.connect()
        return connection

    trust_problem = None
    try:
        try:
            connection = connect(_verifying_context(target.ca_file))
        except ssl.SSLCertVerificationError as exc:
            trust_problem = str(exc.verify_message or exc.reason or "verification failed")
            connection = connect(_reading_context())
    except (TimeoutError, ssl.SSLError, OSError) as exc:
        reason = _socket_reason(exc, timeout)
        return Answer(None, "", elapsed(), reason, tls_error=reason)
    try:
        assert connection.sock is not None
        der = connection.sock.getpeercert(binary_form=True)
        certificate = describe_certificate(der, host, trust_problem) if der else None
        try:
            connection.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
            response = connection.getresponse()
            data = response.read(MAX_BODY)
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
            reason = _socket_reason(exc, timeout) if isinstance(exc, OSError) else "the answer was not HTTP"
            return Answer(None, "", elapsed(), reason, certificate=certificate)
        latency = elapsed()
        charset = response.headers.get_content_charset() or "utf-8"
        return Answer(response.status, data.decode(charset, errors="replace"), latency, certificate=certificate)
    finally:
        connection.close()


def _socket_reason(exc: BaseException, timeout: float) -> str:
    import socket
    import ssl

    if isinstance(exc, TimeoutError | socket.timeout):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "DNS lookup failed"
    if isinstance(exc, ssl.SSLError):
        return f"TLS handshake failed ({exc.reason or type(exc).__name__})"
    return "connection failed"


# ---------------------------------------------------------------- plain http


Fetch = Callable[[ProbeTarget, float], Answer]


def http_fetch(target: ProbeTarget, timeout: float) -> Answer:
    """One GET; never raises. https goes through `https_fetch`, which reads the certificate."""
    if target.url.lower().startswith("https://"):
        return https_fetch(target, timeout)
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
        now = self._now()
        state, detail = judge(target, answer, now)
        attempts = 1
        remaining = deadline - self._clock() - self._retry_delay
        # A quick failure may be a blip: look once more before calling it down. A certificate is no blip.
        certificate_failed = (tls := judge_tls(target, answer, now)) is not None and tls.status == "fail"
        if state == DOWN and remaining > 0.05 and not certificate_failed:
            self._sleep(self._retry_delay)
            answer = self._fetch(target, remaining)
            now = self._now()
            state, detail = judge(target, answer, now)
            attempts = 2
        return ProbeResult(target.service, target.url, state, detail, answer.status,
                           None if answer.error else answer.latency_ms, attempts, iso_utc(now),
                           judge_tls(target, answer, now))

    def probe_all(self, targets: Iterable[ProbeTarget]) -> tuple[ProbeResult, ...]:
        """Every target at once; results in the order given."""
        items: Sequence[ProbeTarget] = list(targets)
        if not items:
            return ()
        with ThreadPoolExecutor(max_workers=min(64, len(items))) as pool:
            return tuple(pool.map(self.probe, items))
