"""The certificate and metrics stages of the evidence, pure: an Investigation in, findings, the state for
severity, and the next commands out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from responder.config.loader import Config, load_config
from responder.config.metrics import MetricsSettings, PrometheusSettings, Threshold
from responder.investigate.evidence import Investigation, findings, metric_breaches, next_commands, observed_state
from responder.investigate.metrics import MetricReading
from responder.model.findings import Finding
from responder.model.metrics import Sample
from responder.model.probes import Certificate, ProbeResult, TlsCheck
from tests.conftest import EXAMPLE_CONFIG

AT = datetime(2026, 11, 23, 14, 10, tzinfo=UTC)
CERT = Certificate("cloud.acme-homelab.org", "cloud.acme-homelab.org", ("cloud.acme-homelab.org",), "R11",
                   "2026-08-28T10:00:00Z", "2026-11-26T10:00:00Z", trusted=True)
ERRORS = Threshold("error_rate", "sum(rate(errors[5m]))", 0.05, "ratio")


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(EXAMPLE_CONFIG)


def probe(service: str, state: str = "ok", tls: TlsCheck | None = None) -> ProbeResult:
    return ProbeResult(service, f"https://{service}.acme-homelab.org/", state, "HTTP 200 in 12 ms", 200, 12.0, 1,
                       "2026-11-23T14:10:00Z", tls)


def investigation(*probes: ProbeResult, metrics: tuple[MetricReading, ...] = ()) -> Investigation:
    return Investigation("nextcloud", "2026-11-23T14:10:00Z", probed=True, probes=probes, metrics=metrics)


def stage(found: tuple[Finding, ...], name: str) -> list[Finding]:
    return [finding for finding in found if finding.stage == name]


def test_the_reported_service_and_its_dependencies_have_their_certificates_checked(config: Config) -> None:
    expiring = TlsCheck("warn", "expires in 2 days (2026-11-26 10:00 UTC), within the 14-day warning: renew it",
                        CERT, 2)
    fine = TlsCheck("ok", "is valid until 2027-02-01 10:00 UTC (69 days), issued by R11 for auth.acme-homelab.org")
    inv = investigation(probe("nextcloud", tls=expiring), probe("authentik", tls=fine), probe("traefik"),
                        probe("immich", tls=expiring))  # not a dependency: the blast radius speaks for it
    found = stage(findings(inv, config, "502 Bad Gateway"), "tls")
    assert [(f.check, f.status, f.detail) for f in found] == [
        ("tls:nextcloud", "warn", "nextcloud's certificate expires in 2 days (2026-11-26 10:00 UTC), within the "
                                  "14-day warning: renew it."),
        ("tls:authentik", "ok", "authentik's certificate is valid until 2027-02-01 10:00 UTC (69 days), issued by R11 "
                                "for auth.acme-homelab.org."),
    ]
    assert found[0].evidence == ("checked for: cloud.acme-homelab.org (2026-11-23T14:10:00Z)\n"
                                 "subject: cloud.acme-homelab.org\nnames: cloud.acme-homelab.org\nissuer: R11\n"
                                 "valid: 2026-08-28T10:00:00Z to 2026-11-26T10:00:00Z\ntrusted: yes")
    assert observed_state(inv, "down", "502 Bad Gateway") == "ok"  # a warning is not an outage


def test_a_failing_certificate_comes_with_the_command_that_shows_it(config: Config) -> None:
    expired = TlsCheck("fail", "expired 2 days ago (2026-11-21 10:00 UTC)", CERT, -2)
    inv = investigation(probe("nextcloud", "down", tls=expired))
    assert stage(findings(inv, config, None), "tls")[0].status == "fail"
    assert ("openssl s_client -connect cloud.acme-homelab.org:443 -servername cloud.acme-homelab.org </dev/null "
            "2>/dev/null | openssl x509 -noout -subject -issuer -dates -ext subjectAltName") in next_commands(inv,
                                                                                                        config)


def test_a_breach_makes_an_answering_service_degraded(config: Config) -> None:
    over = MetricReading("nextcloud", ERRORS, AT, (Sample((), 0.08),))
    under = MetricReading("nextcloud", ERRORS, AT, (Sample((), 0.01),))
    assert metric_breaches(investigation(probe("nextcloud"), metrics=(over,))) == (
        "error rate is 8 % (threshold 5 %)",)
    assert observed_state(investigation(probe("nextcloud"), metrics=(over,)), "down", "502 Bad Gateway") == "degraded"
    assert observed_state(investigation(probe("nextcloud"), metrics=(under,)), "down", "502 Bad Gateway") == "ok"
    assert observed_state(investigation(probe("nextcloud", "down"), metrics=(over,)), "degraded", None) == "down"
    assert observed_state(replace(investigation(metrics=(over,)), probed=False), "unknown", None) == "degraded"


def test_the_metrics_stage_always_says_something(config: Config) -> None:
    inv = investigation(probe("nextcloud"))
    (line,) = stage(findings(inv, config, None), "metrics")
    assert line.detail == ("Error rate and latency were not checked: no Prometheus is configured (metrics.prometheus "
                           "in responder.yml).")
    with_prometheus = replace(config, metrics=MetricsSettings(PrometheusSettings("http://prometheus:9090")))
    (line,) = stage(findings(inv, with_prometheus, None), "metrics")
    assert line.detail.startswith("nextcloud has no metrics thresholds in responder.yml")
    assert stage(findings(replace(inv, service=None), with_prometheus, None), "metrics") == []
