"""The metrics stage of the outage path against a real Prometheus (backfilled series, the run's clock fixed at
the end of them), and what the evidence says when Prometheus could not be asked.

nextcloud answers its health check and its pods are fine (the healthy snapshot), but since 13:50 UTC 8 % of
its requests fail and its p99 latency is 4.5 s (tests/support/prometheus.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from responder.adapters.github import GitHubClient
from responder.adapters.probes import Prober
from responder.config.loader import Config, load_config
from responder.flows.handle import handle
from responder.flows.outage import IncidentTools
from responder.flows.run import Options, Result
from tests.conftest import issue_body
from tests.support import events
from tests.support.catalogue import loopback_config, stand_ins
from tests.support.cluster_objects import SNAPSHOTS
from tests.support.github_api import FakeGitHub
from tests.support.http_services import Services, closed_port_url
from tests.support.prometheus import ERROR_RATE, LATENCY_P99, NOW, Prometheus

TOKEN = "ghs_" + "T0k3nV4lu3" * 4


@dataclass
class Desk:
    tmp: Path
    services: Services
    github: FakeGitHub

    def configure(self, prometheus: dict[str, Any] | None, thresholds: dict[str, Any] | None = None) -> Config:
        path = loopback_config(self.tmp, self.services)
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        if prometheus is not None:
            raw["metrics"] = {"prometheus": prometheus}
        for service in raw["services"]:
            if service["name"] == "nextcloud" and thresholds:
                service["metrics"] = thresholds
        path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
        return load_config(path)

    def run(self, config: Config, env: dict[str, str] | None = None, dry_run: bool = False) -> Result:
        tools = IncidentTools.for_run(config, env or {}, str(SNAPSHOTS / "healthy.json"))
        tools.prober = Prober(retry_delay=0.05)
        tools.now = lambda: NOW + timedelta(seconds=30)
        tools.ask_agent = None
        payload = events.issues_event(number=42, body=issue_body("outage-nextcloud-502.md"))
        self.github.add_issue(payload["issue"])
        return handle(payload, config, Options(dry_run=dry_run), lambda repo: GitHubClient(repo, TOKEN,
                                                                                          write_interval=0), tools)


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    with stand_ins() as (services, rsps):
        github = FakeGitHub(rsps)
        github.permissions["alice"] = "write"
        yield Desk(tmp_path, services, github)


NEXTCLOUD = {"error_rate": {"query": ERROR_RATE % ("nextcloud", "nextcloud"), "above": 0.05},
             "latency_p99": {"query": LATENCY_P99 % "nextcloud", "above": 2.0, "unit": "s"}}
MAIL_NUMBERS = {"error_rate": {"query": ERROR_RATE % ("mail", "mail"), "above": 0.05},
                "latency_p99": {"query": LATENCY_P99 % "mail", "above": 2.0}}


def test_a_service_over_its_thresholds_is_degraded_not_healthy(desk: Desk, prometheus: Prometheus) -> None:
    config = desk.configure({"url": prometheus.url, "external_url": "https://prometheus.acme-homelab.org"},
                            NEXTCLOUD)
    result = desk.run(config)
    decision = result.decision
    assert decision.outcome == "escalated"
    assert decision.reasons[1] == (
        "escalated: nextcloud answers, but its error rate is 8 % (threshold 5 %) and its p99 latency is 4.5 s "
        "(threshold 2 s): degraded while its pods look fine, and no safe remedy is known")
    comment = desk.github.bot_comment(42)
    assert "**Metrics** ⚠️" in comment
    assert ("- ⚠️ Error rate of nextcloud is 8 %, over its threshold of 5 %, and has been since 13:53 UTC (17 min): "
            "degraded. ([graph](https://prometheus.acme-homelab.org/graph?g0.expr=sum%28rate%28http_requests_total"
            "%7Bapp%3D%22nextcloud%22%2Ccode%3D~%225..%22%7D%5B5m%5D%29%29+%2F+sum%28rate%28http_requests_total%7B"
            "app%3D%22nextcloud%22%7D%5B5m%5D%29%29&g0.tab=0&g0.range_input=1h&g0.end_input=2026-11-23+14%3A10%3A30"
            "))") in comment
    assert "- ⚠️ p99 latency of nextcloud is 4.5 s, over its threshold of 2 s" in comment
    assert "<details><summary>Error rate over the last hour</summary>" in comment
    assert "13:45  1 %\n13:50  2.05 %\n13:55  8 %  over" in comment
    section = decision.state.sections["investigation"] if decision.state else {}
    assert section["state"] == "degraded"


def test_a_service_within_its_thresholds_is_closed_as_healthy_and_says_what_was_measured(
        desk: Desk, prometheus: Prometheus) -> None:
    result = desk.run(desk.configure({"url": prometheus.url}, MAIL_NUMBERS))
    assert result.decision.outcome == "healthy"
    comment = desk.github.bot_comment(42)
    assert "- ✅ Error rate of nextcloud is 0.5 %, within its threshold of 5 %. ([graph](http://127.0.0.1:" in comment
    assert "- ✅ p99 latency of nextcloud is 0.46 s, within its threshold of 2 s." in comment


@pytest.mark.parametrize(("prometheus", "thresholds", "env", "line"), [
    (None, NEXTCLOUD, {},
     "Error rate and latency were not checked: no Prometheus is configured (metrics.prometheus in responder.yml)."),
    ({"url": "http://127.0.0.1:9"}, None, {},
     "nextcloud has no metrics thresholds in responder.yml (services[].metrics), so its error rate and latency "
     "were not checked."),
    ({"url": "http://127.0.0.1:9", "token": "env:PROMETHEUS_TOKEN"}, NEXTCLOUD, {},
     "Error rate and latency were not checked: the Prometheus token could not be read: not set "
     "(env:PROMETHEUS_TOKEN is empty)."),
])
def test_a_stage_that_could_not_look_says_why(desk: Desk, prometheus: dict[str, Any] | None,
                                              thresholds: dict[str, Any] | None, env: dict[str, str],
                                              line: str) -> None:
    result = desk.run(desk.configure(prometheus, thresholds), env)
    assert result.decision.outcome == "healthy"  # nothing disagrees with the probe and the pods
    findings = [f for f in result.decision.to_json()["findings"] if f["stage"] == "metrics"]
    assert findings == [{"stage": "metrics", "check": "metrics", "status": "warn", "detail": line}]
    assert "**Metrics** ⚠️" in desk.github.bot_comment(42)


def test_an_unreachable_prometheus_is_said_per_threshold(desk: Desk) -> None:
    url = closed_port_url().rstrip("/")
    result = desk.run(desk.configure({"url": url, "timeout_seconds": 2}, NEXTCLOUD), dry_run=True)
    assert result.decision.outcome == "healthy"
    findings = [f for f in result.decision.to_json()["findings"] if f["stage"] == "metrics"]
    assert [(f["status"], f["detail"]) for f in findings] == [
        ("warn", f"The error rate of nextcloud could not be read: {url} could not be reached: connection refused."),
        ("warn", f"The p99 latency of nextcloud could not be read: {url} could not be reached: connection refused."),
    ]
