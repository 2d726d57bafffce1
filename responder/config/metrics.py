"""The `metrics:` section of responder.yml and each service's `metrics:` thresholds, as typed frozen models.

    metrics:
      prometheus:
        url: http://prometheus.monitoring:9090
        token: "vault:secret/responder#prometheus"   # optional: sent as a bearer token
        external_url: https://prometheus.acme.org    # optional: where people open the graph links
    services:
      - name: nextcloud
        metrics:
          error_rate: {query: 'sum(rate(...{code=~"5.."}[5m])) / sum(rate(...[5m]))', above: 0.05}
          latency_p99: {query: 'histogram_quantile(0.99, ...)', above: 2.0, unit: s}

Pure: the JSON Schema has checked shapes and types when the config is loaded; this module applies
the defaults and reads the token reference. Querying is `responder.adapters.prometheus`, and the
verdict on a value is `responder.investigate.metrics`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from responder.config.secrets import Reference, VaultReference, parse_reference
from responder.errors import ConfigError

DEFAULT_TIMEOUT = 10.0
# The thresholds a service can set, in the order they are checked and shown.
KINDS = ("error_rate", "latency_p99")
TITLES = {"error_rate": "Error rate", "latency_p99": "p99 latency"}
# Without a unit, an error rate is a ratio (0.05 is 5 %) and a latency is in seconds, as PromQL gives them.
DEFAULT_UNITS = {"error_rate": "ratio", "latency_p99": "s"}
UNITS = ("ratio", "percent", "s", "ms")


@dataclass(frozen=True)
class PrometheusSettings:
    url: str
    token: Reference | None = None  # None: no Authorization header
    timeout_seconds: float = DEFAULT_TIMEOUT
    external_url: str | None = None  # where people open Prometheus (default: url)

    @property
    def link_base(self) -> str:
        return (self.external_url or self.url).rstrip("/")


@dataclass(frozen=True)
class MetricsSettings:
    prometheus: PrometheusSettings | None = None  # None: the metrics stage is skipped, and says so


@dataclass(frozen=True)
class Threshold:
    """One query of a service and the value over which it counts as degraded."""

    kind: str  # error_rate | latency_p99
    query: str
    above: float
    unit: str  # ratio | percent | s | ms

    @property
    def title(self) -> str:
        return TITLES.get(self.kind, self.kind)


@dataclass(frozen=True)
class ServiceMetrics:
    thresholds: tuple[Threshold, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.thresholds)


def build_metrics(section: Mapping[str, Any]) -> MetricsSettings:
    """From the schema-validated `metrics` mapping; ConfigError if the token reference does not parse."""
    prometheus = section.get("prometheus")
    if not prometheus:
        return MetricsSettings()
    token = prometheus.get("token")
    return MetricsSettings(PrometheusSettings(
        url=str(prometheus["url"]).rstrip("/"),
        token=parse_reference(token) if token else None,
        timeout_seconds=float(prometheus.get("timeout_seconds", DEFAULT_TIMEOUT)),
        external_url=prometheus.get("external_url"),
    ))


def build_service_metrics(raw: Mapping[str, Any] | None) -> ServiceMetrics:
    """A service's `metrics` mapping (schema-validated) as thresholds, in the order of KINDS."""
    raw = raw or {}
    return ServiceMetrics(tuple(
        Threshold(kind, str(raw[kind]["query"]), float(raw[kind]["above"]),
                  str(raw[kind].get("unit") or DEFAULT_UNITS[kind]))
        for kind in KINDS if isinstance(raw.get(kind), Mapping)))


def semantic_problems(raw: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    """Problems of the `metrics` section a schema cannot see, as (key path, message) pairs."""
    prometheus = (raw.get("metrics") or {}).get("prometheus") or {}
    token = prometheus.get("token")
    if not isinstance(token, str):
        return
    try:
        reference = parse_reference(token)
    except ConfigError as exc:
        yield "metrics.prometheus.token", exc.message
        return
    if isinstance(reference, VaultReference) and not isinstance((raw.get("secrets") or {}).get("vault"), Mapping):
        yield "metrics.prometheus.token", "a vault: reference needs a secrets.vault section (url, auth, role)"


def warnings(settings: MetricsSettings, services: Iterable[tuple[str, ServiceMetrics]]) -> list[tuple[str, str]]:
    """Allowed but probably a mistake: thresholds with no Prometheus to ask (the stage is skipped)."""
    if settings.prometheus is not None:
        return []
    return [(f"services[{index}].metrics",
             f"{name} has metrics thresholds, but there is no metrics.prometheus to query them: the metrics "
             "stage is skipped")
            for index, (name, metrics) in enumerate(services) if metrics]
