"""The Prometheus adapter: the only module that queries metrics.

Two reads of the HTTP API, both at a time the caller gives (never the wall clock):

- an instant query (`/api/v1/query`): the value a threshold is judged on;
- a range query (`/api/v1/query_range`) over the hour before it: the evidence a person reads.

An optional bearer token comes through the secrets resolver (env: or vault:), like every other
secret. Every failure becomes a `PrometheusError` whose message fits one line of the evidence:
Prometheus unreachable, refusing the token, or refusing the query (with its own reason, such
as a PromQL parse error).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from responder.config.metrics import PrometheusSettings
from responder.errors import ResponderError
from responder.model.metrics import Sample, Series

if TYPE_CHECKING:
    from responder.config.loader import Config

USER_AGENT = "issueops-responder/0.1"
MAX_ANSWER = 8 * 1024 * 1024  # a query answering more than this is not a threshold


class PrometheusError(ResponderError):
    """Prometheus could not be asked, or refused the question."""


class MetricsSource(Protocol):
    """What the metrics stage needs: PrometheusClient is the real one; tests may pass their own."""

    def instant(self, query: str, at: datetime) -> tuple[Sample, ...]: ...

    def range(self, query: str, start: datetime, end: datetime, step_seconds: float) -> tuple[Series, ...]: ...


@dataclass(frozen=True)
class MetricsAccess:
    """The metrics source of a run, or why there is none (said in the evidence, never silently skipped)."""

    source: MetricsSource | None
    problem: str | None = None


NOT_CONFIGURED = "no Prometheus is configured (metrics.prometheus in responder.yml)"


class PrometheusClient:
    def __init__(self, url: str, *, token: str | None = None, timeout: float = 10.0) -> None:
        import requests

        self.url = url.rstrip("/")
        self.timeout = timeout
        self.requests = 0
        self._session = requests.Session()
        self._session.headers["User-Agent"] = USER_AGENT
        self._session.headers["Accept"] = "application/json"
        if token:
            self._session.headers["Authorization"] = f"Bearer {token}"

    def instant(self, query: str, at: datetime) -> tuple[Sample, ...]:
        data = self._get("/api/v1/query", {"query": query, "time": _unix(at)})
        return parse_instant(data)

    def range(self, query: str, start: datetime, end: datetime, step_seconds: float) -> tuple[Series, ...]:
        data = self._get("/api/v1/query_range", {"query": query, "start": _unix(start), "end": _unix(end),
                                                 "step": f"{step_seconds:g}"})
        return parse_range(data)

    def _get(self, path: str, params: Mapping[str, str]) -> Mapping[str, Any]:
        import requests

        self.requests += 1
        try:
            response = self._session.get(self.url + path, params=dict(params), timeout=self.timeout)
        except requests.RequestException as exc:
            from responder.adapters.http import network_reason

            raise PrometheusError(f"{self.url} could not be reached: {network_reason(exc, self.timeout)}") from None
        if response.status_code in (401, 403):
            raise PrometheusError(f"{self.url} refused the request (HTTP {response.status_code}): check "
                                  "metrics.prometheus.token")
        if len(response.content) > MAX_ANSWER:
            raise PrometheusError(f"the answer is larger than {MAX_ANSWER // 1048576} MiB: the query selects too "
                                  "many series")
        try:
            body = response.json()
        except ValueError:
            raise PrometheusError(f"{self.url} answered HTTP {response.status_code} without JSON: is this "
                                  "Prometheus's API?") from None
        if not isinstance(body, Mapping):
            raise PrometheusError(f"{self.url} answered something that is not Prometheus's API")
        if body.get("status") != "success":
            kind = body.get("errorType") or f"HTTP {response.status_code}"
            raise PrometheusError(f"the query was refused ({kind}): {str(body.get('error') or 'no reason')[:300]}")
        data = body.get("data")
        if not isinstance(data, Mapping):
            raise PrometheusError("the answer has no data")
        return data


def _unix(at: datetime) -> str:
    return f"{at.timestamp():.3f}"


def _labels(raw: Any) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(k), str(v)) for k, v in raw.items())) if isinstance(raw, Mapping) else ()


def _number(raw: Any) -> float:
    # Prometheus writes values as strings: "0.07", "NaN", "+Inf".
    try:
        return float(raw)
    except (TypeError, ValueError):
        return math.nan


def parse_instant(data: Mapping[str, Any]) -> tuple[Sample, ...]:
    """The samples of an instant query's `data`; a range vector is refused with what to do instead."""
    kind, result = data.get("resultType"), data.get("result")
    if kind == "scalar" and isinstance(result, list) and len(result) == 2:
        return (Sample((), _number(result[1])),)
    if kind == "matrix":
        raise PrometheusError("the query gives a range vector, not a value: wrap it in a function such as rate() or "
                              "max_over_time()")
    if kind != "vector" or not isinstance(result, list):
        raise PrometheusError(f"the query gives a {kind or 'missing'} result, not a number")
    return tuple(Sample(_labels(item.get("metric")), _number((item.get("value") or [None, None])[1]))
                 for item in result if isinstance(item, Mapping))


def parse_range(data: Mapping[str, Any]) -> tuple[Series, ...]:
    result = data.get("result")
    if data.get("resultType") != "matrix" or not isinstance(result, list):
        raise PrometheusError(f"a range query gave a {data.get('resultType') or 'missing'} result")
    out = []
    for item in result:
        if not isinstance(item, Mapping):
            continue
        points = tuple((float(point[0]), _number(point[1])) for point in item.get("values") or ()
                       if isinstance(point, list) and len(point) == 2)
        out.append(Series(_labels(item.get("metric")), points))
    return tuple(out)


# ---------------------------------------------------------------- wiring


TokenReader = Callable[[], str | None]


def open_prometheus(settings: PrometheusSettings | None, token: TokenReader | None = None) -> MetricsAccess:
    """The client for responder.yml's Prometheus, or why there is none. `token` reads the bearer token
    (it raises PrometheusError when a configured reference cannot be read)."""
    if settings is None:
        return MetricsAccess(None, NOT_CONFIGURED)
    try:
        value = token() if token is not None and settings.token is not None else None
    except PrometheusError as exc:
        return MetricsAccess(None, exc.message)
    return MetricsAccess(PrometheusClient(settings.url, token=value, timeout=settings.timeout_seconds))


def metrics_for(config: Config, env: Mapping[str, str]) -> MetricsAccess:
    """The real metrics source of a run, its token resolved through the secrets resolver."""
    settings = config.metrics.prometheus

    def token() -> str | None:
        from responder.adapters.secrets import resolver_for

        assert settings is not None and settings.token is not None
        resolved = resolver_for(config, env).reference("metrics.prometheus.token", settings.token)
        if resolved.value is None:
            raise PrometheusError(f"the Prometheus token could not be read: {resolved.problem}")
        return resolved.value

    return open_prometheus(settings, token)
