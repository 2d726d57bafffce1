"""The watch round's other signals: thresholds in a real Prometheus and certificates of real TLS servers.

A breach makes an answering service degraded: the round opens nothing for it, says so, and does not call
an auto-detected incident resolved while it lasts. An expiring certificate is a warning of the round.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from responder.adapters.github import GitHubClient
from responder.adapters.probes import Prober
from responder.cli.main import main
from responder.config.loader import Config, load_config
from responder.flows.outage import IncidentTools
from responder.flows.watch import WatchReport, run
from tests.support.catalogue import loopback_config, stand_ins
from tests.support.github_api import FakeGitHub
from tests.support.http_services import Services
from tests.support.moments import at
from tests.support.prometheus import ERROR_RATE, LATENCY_P99, Prometheus
from tests.support.tls import Authority, serving_tls

TOKEN = "ghs_" + "w4tch" * 8
NEXTCLOUD = {"error_rate": {"query": ERROR_RATE % ("nextcloud", "nextcloud"), "above": 0.05},
             "latency_p99": {"query": LATENCY_P99 % "nextcloud", "above": 2.0}}


@dataclass
class Desk:
    tmp: Path
    services: Services
    github: FakeGitHub

    def configure(self, routes: dict[str, dict[str, Any]], prometheus: str, thresholds: dict[str, Any]) -> Config:
        path = loopback_config(self.tmp, self.services, routes, timeout=1.0)
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        raw["detection"] = {"confirm": {"probes": 2, "interval_seconds": 0.05}}
        raw["postmortem"] = {"push": False}
        raw["metrics"] = {"prometheus": {"url": prometheus}}
        for service in raw["services"]:
            if service["name"] == "nextcloud":
                service["metrics"] = thresholds
        path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
        return load_config(path)

    def round(self, config: Config, now: str, dry_run: bool = False) -> WatchReport:
        moment = at(now)
        tools = IncidentTools.for_run(config, {})
        tools.prober = Prober(retry_delay=0.02, now=lambda: moment)
        tools.now = lambda: moment
        tools.ask_agent = None
        return run(config, GitHubClient("acme-homelab/infra", TOKEN, write_interval=0), tools, dry_run=dry_run)


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    with stand_ins() as (services, rsps):
        yield Desk(tmp_path, services, FakeGitHub(rsps))


def test_a_breach_is_a_warning_of_the_round_and_opens_nothing(desk: Desk, prometheus: Prometheus) -> None:
    config = desk.configure({}, prometheus.url, NEXTCLOUD)
    report = desk.round(config, "2026-11-23T14:10:30Z", dry_run=True)
    assert report.opened == [] and report.confirmed == () and report.problems == []
    assert dict(report.plan.warnings) == {
        "nextcloud": ("its error rate is 8 % (threshold 5 %)", "its p99 latency is 4.5 s (threshold 2 s)")}
    assert report.to_json()["warnings"] == {
        "nextcloud": ["its error rate is 8 % (threshold 5 %)", "its p99 latency is 4.5 s (threshold 2 s)"]}


def test_an_incident_is_not_resolved_while_its_service_is_over_a_threshold(desk: Desk,
                                                                           prometheus: Prometheus) -> None:
    config = desk.configure({"nextcloud": {"status": 502}}, prometheus.url, NEXTCLOUD)
    desk.round(config, "2026-11-23T14:10:00Z")
    [issue] = desk.github.created_issues()
    desk.services.routes["/nextcloud/health"].status = 200
    report = desk.round(config, "2026-11-23T14:11:00Z")
    assert report.plan.steps == ()  # answers, but 8 % of requests fail: not a recovery
    assert desk.github.issues[issue["number"]].data["state"] == "open"
    relaxed = desk.configure({}, prometheus.url, {"error_rate": {**NEXTCLOUD["error_rate"], "above": 0.1}})
    report = desk.round(relaxed, "2026-11-23T14:12:00Z")
    assert [step.kind for step in report.plan.steps] == ["resolve"]


def test_an_unreachable_prometheus_is_one_problem_of_the_round(desk: Desk) -> None:
    config = desk.configure({}, "http://127.0.0.1:9", NEXTCLOUD)
    report = desk.round(config, "2026-11-23T14:10:30Z", dry_run=True)
    assert report.plan.warnings == {}
    assert report.problems == [
        "nextcloud: the error rate could not be read: http://127.0.0.1:9 could not be reached: connection refused",
        "nextcloud: the p99 latency could not be read: http://127.0.0.1:9 could not be reached: connection refused"]


def test_an_expiring_certificate_is_a_warning_of_the_round_and_its_summary(tmp_path: Path) -> None:
    authority = Authority()
    ca_file = authority.write(tmp_path)
    with serving_tls(authority.issue(days_left=3)) as tls, stand_ins() as (_, rsps):
        FakeGitHub(rsps)
        path = tmp_path / "responder.yml"
        path.write_text(f"""\
repository: acme-homelab/infra
investigation: {{ca_file: {ca_file.name}}}
services:
  - {{name: wiki, title: Wiki, tier: standard, url: "{tls.add('/health')}"}}
""", encoding="utf-8")
        summary = tmp_path / "summary.md"
        out = io.StringIO()
        code = main(["watch", "--config", str(path), "--dry-run", "--now", "2026-11-23T14:10:00Z"],
                    env={"GITHUB_TOKEN": TOKEN, "GITHUB_STEP_SUMMARY": str(summary)}, stdout=out)
    assert code == 0
    assert yaml.safe_load(out.getvalue())["warnings"] == {
        "wiki": ["the certificate expires in 3 days (2026-11-26 14:10 UTC), within the 14-day warning: renew it"]}
    assert ("**Warnings**\n- wiki: the certificate expires in 3 days (2026-11-26 14:10 UTC), within the 14-day "
            "warning: renew it") in summary.read_text(encoding="utf-8")
