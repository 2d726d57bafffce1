"""Benchmark of the investigation stage (budgets in the README).

Measures, on this machine:
- wall time to probe a catalogue of 50 services, 10 of them slow (they hang past their 2 s timeout),
  against real loopback HTTP services; budget: the slowest probe's timeout plus one second;
- the same inside a whole `handle` run (probes, a cluster snapshot, the decision);
- the same catalogue over https with the certificate checks (a private CA, one certificate expiring) and the
  metrics on for every service (two thresholds each, against a real Prometheus over backfilled series): the
  probes, a `handle` run, and the watch round's checks of all 50 (probe, certificate and thresholds);
- GitHub requests per outcome (healthy, fixed, escalated, duplicate) and per incident for `responder sweep`,
  counted at the HTTP boundary against the stateful GitHub stand-in (GitHub's own shapes).

Run: .venv/bin/python bench/investigate.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import responses  # noqa: E402
import yaml  # noqa: E402

from responder.adapters.github import GitHubClient  # noqa: E402
from responder.adapters.kube import open_cluster  # noqa: E402
from responder.adapters.probes import Prober, ProbeTarget  # noqa: E402
from responder.adapters.prometheus import open_prometheus  # noqa: E402
from responder.config.loader import load_config  # noqa: E402
from responder.flows.handle import handle  # noqa: E402
from responder.flows.outage import IncidentTools  # noqa: E402
from responder.flows.run import Options  # noqa: E402
from responder.flows.sweep import run as sweep  # noqa: E402
from tests.conftest import issue_body  # noqa: E402
from tests.support import events  # noqa: E402
from tests.support.catalogue import loopback_config  # noqa: E402
from tests.support.change_engine import ScriptedEngine  # noqa: E402
from tests.support.github_api import FakeGitHub  # noqa: E402
from tests.support.http_services import serving  # noqa: E402
from tests.support.prometheus import ERROR_RATE, LATENCY_P99, running_prometheus  # noqa: E402
from tests.support.prometheus import NOW as METRICS_NOW  # noqa: E402
from tests.support.tls import Authority, serving_tls  # noqa: E402

SNAPSHOTS = ROOT / "examples" / "cluster"
TIMEOUT = 2.0
TOKEN = "ghs_" + "b" * 36


def big_catalogue(tmp: Path, base_url: str) -> Path:
    services: list[dict[str, Any]] = []
    for index in range(50):
        name = f"svc-{index:02d}"
        services.append({"name": name, "title": f"Service {index:02d}", "tier": "standard",
                         "url": f"{base_url}/{name}", "expect": {"status": 200, "timeout_seconds": TIMEOUT}})
    # The reported service runs where the snapshot's Nextcloud does.
    services[0]["kubernetes"] = {"namespace": "nextcloud", "selector": "app.kubernetes.io/name=nextcloud",
                                 "deployment": "nextcloud"}
    path = tmp / "responder.yml"
    path.write_text(yaml.safe_dump({"version": 1, "repository": "acme-homelab/infra", "services": services}))
    return path


def bench_probes(rounds: int = 3) -> dict[str, float]:
    slow = set(range(40, 50))
    with serving() as services, tempfile.TemporaryDirectory() as tmp:
        for index in range(50):
            services.add(f"/svc-{index:02d}", delay=3.0 if index in slow else 0.005)
        config = load_config(big_catalogue(Path(tmp), services.base))
        targets = [t for t in (ProbeTarget.for_service(s) for s in config.services) if t is not None]
        walls = []
        for _ in range(rounds):
            start = time.perf_counter()
            results = Prober().probe_all(targets)
            walls.append(time.perf_counter() - start)
        down = sum(1 for r in results if r.state == "down")
        payload = events.issues_event(body=issue_body("outage-nextcloud-502.md").replace("Nextcloud\n",
                                                                                          "Service 00\n", 1))
        settings = config.investigation
        tools = IncidentTools(settings=settings, open_cluster=lambda: open_cluster(
            settings, {}, str(SNAPSHOTS / "healthy.json")))
        start = time.perf_counter()
        result = handle(payload, config, Options(dry_run=True, offline=True), None, tools)
        handle_wall = time.perf_counter() - start
    return {"median_s": statistics.median(walls), "max_s": max(walls), "down": down,
            "handle_s": handle_wall, "outcome": result.decision.outcome, "concurrent": services.max_in_flight}


def secure_catalogue(tmp: Path, base_url: str, ca_file: Path, prometheus: str) -> Path:
    """The same 50 services over https, each with an error-rate and a latency threshold in Prometheus
    (half of them on series that are over their thresholds)."""
    path = big_catalogue(tmp, base_url)
    raw = yaml.safe_load(path.read_text())
    for index, service in enumerate(raw["services"]):
        app = "nextcloud" if index % 2 == 0 else "mail"
        service["metrics"] = {"error_rate": {"query": ERROR_RATE % (app, app), "above": 0.05},
                              "latency_p99": {"query": LATENCY_P99 % app, "above": 2.0}}
    raw["investigation"] = {"ca_file": str(ca_file)}
    raw["metrics"] = {"prometheus": {"url": prometheus}}
    path.write_text(yaml.safe_dump(raw))
    return path


def bench_secure(rounds: int = 3) -> dict[str, Any]:
    """Probes with certificate checks, a handle run with the metrics stage, and a watch round's checks."""
    from responder.flows.watch import Checker

    slow = set(range(40, 50))
    authority = Authority()
    now = METRICS_NOW + timedelta(seconds=30)
    with tempfile.TemporaryDirectory() as tmp, running_prometheus() as prometheus, \
            serving_tls(authority.issue(days_left=10)) as services:
        for index in range(50):
            services.add(f"/svc-{index:02d}", delay=3.0 if index in slow else 0.005)
        config = load_config(secure_catalogue(Path(tmp), services.base, authority.write(Path(tmp)),
                                              prometheus.url))
        targets = [t for t in (ProbeTarget.for_service(s) for s in config.services) if t is not None]
        walls = []
        for _ in range(rounds):
            start = time.perf_counter()
            results = Prober(now=lambda: now).probe_all(targets)
            walls.append(time.perf_counter() - start)
        warned = sum(1 for r in results if r.tls is not None and r.tls.status == "warn")
        settings = config.investigation

        def tools() -> IncidentTools:
            return IncidentTools(settings=settings, prober=Prober(now=lambda: now), now=lambda: now,
                                 open_cluster=lambda: open_cluster(settings, {}, str(SNAPSHOTS / "healthy.json")),
                                 open_metrics=lambda: open_prometheus(config.metrics.prometheus))

        payload = events.issues_event(body=issue_body("outage-nextcloud-502.md").replace("Nextcloud\n",
                                                                                          "Service 00\n", 1))
        payload["issue"]["created_at"] = "2026-11-23T14:05:00Z"
        handles = []
        for _ in range(rounds):
            start = time.perf_counter()
            result = handle(payload, config, Options(dry_run=True, offline=True), None, tools())
            handles.append(time.perf_counter() - start)
        metric_findings = [f for f in result.decision.to_json()["findings"] if f["stage"] == "metrics"]
        checks_walls = []
        for _ in range(rounds):
            checker = Checker(config, tools())
            start = time.perf_counter()
            checks = checker.check_all(config.services)
            checks_walls.append(time.perf_counter() - start)
        degraded = sum(1 for seen in checks.values() if seen[0].state == "degraded")
    return {"probe_median_s": statistics.median(walls), "probe_max_s": max(walls), "warned": warned,
            "handle_median_s": statistics.median(handles), "handle_max_s": max(handles),
            "outcome": result.decision.outcome, "metric_findings": len(metric_findings),
            "checks_median_s": statistics.median(checks_walls), "checks_max_s": max(checks_walls),
            "degraded": degraded}


def count(outcome: str) -> int:
    """GitHub requests for one report reaching `outcome`."""
    with serving() as services, tempfile.TemporaryDirectory() as tmp, \
            responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add_passthru("http://127.0.0.1")
        github = FakeGitHub(rsps)
        github.permissions.update({"alice": "write", "dave": "write"})
        down = {} if outcome == "healthy" else {"nextcloud": {"status": 502}}
        config = load_config(loopback_config(Path(tmp), services, down,
                                             investigation={"recovery": {"timeout_seconds": 2,
                                                                         "interval_seconds": 0.05}}))
        settings = config.investigation
        engine = None
        if outcome == "fixed":
            engine = ScriptedEngine(on_apply=lambda _: setattr(services.routes["/nextcloud/health"], "status", 200))
        snapshot = "healthy" if outcome == "healthy" else "oomkilled"

        def run(number: int, author: str = "alice") -> int:
            tools = IncidentTools(settings=settings, prober=Prober(retry_delay=0.05), changes=engine,
                                  open_cluster=lambda: open_cluster(settings, {}, str(SNAPSHOTS / f"{snapshot}.json")))
            payload = events.issues_event(number=number, author=author,
                                          body=issue_body("outage-nextcloud-502.md"))
            github.add_issue(payload["issue"])
            before = github.requests
            result = handle(payload, config, Options(), lambda repo: GitHubClient(repo, TOKEN, write_interval=0),
                            tools)
            assert result.decision.outcome == (outcome if number == 42 else "escalated"), result.decision.reasons
            return github.requests - before

        if outcome == "duplicate":
            run(40, "dave")
            return run(42)
        return run(42)


def count_sweep(incidents: int = 20) -> dict[str, Any]:
    with serving() as services, tempfile.TemporaryDirectory() as tmp, \
            responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add_passthru("http://127.0.0.1")
        github = FakeGitHub(rsps)
        config = load_config(loopback_config(Path(tmp), services, {"nextcloud": {"status": 502}}))
        from responder.model.state import IssueState, render_marker

        for number in range(1, incidents + 1):
            github.add_issue(events.issue(number, body=issue_body("outage-nextcloud-502.md"),
                                          labels=("user-report", "incident", "sev2", "postmortem-required"),
                                          created_at="2026-11-23T14:05:00Z"))
            state = IssueState(kind="outage-report", outcome="escalated", severity="SEV2",
                               sections={"investigation": {"service": "nextcloud", "root_cause": None},
                                         # acknowledged in time: the response target is met
                                         "sweep": {"status": "open", "last_update": "2026-11-23T14:06:00Z",
                                                   "acknowledged_at": "2026-11-23T14:08:00Z"}})
            github.add_comment(number, "### report\n\n" + render_marker(state), "github-actions[bot]", kind="Bot")
        client = GitHubClient("acme-homelab/infra", TOKEN, write_interval=0)
        now = datetime(2026, 11, 23, 16, 10, tzinfo=UTC)  # every incident: an update due and no root cause
        quiet = sweep(config, client, config.investigation, prober=Prober(retry_delay=0.05),
                      now=lambda: now - timedelta(hours=1, minutes=50))
        first = github.requests
        busy = sweep(config, client, config.investigation, prober=Prober(retry_delay=0.05), now=lambda: now)
        return {"incidents": incidents, "quiet_run": quiet.github_requests,
                "busy_run": busy.github_requests - first,
                "notes": sorted({n for p in busy.plans for n in p.notes})}


def main() -> None:
    probes = bench_probes()
    print("probes: 50 services, 10 hanging past their 2 s timeout")
    print(f"  wall time median {probes['median_s']:.2f} s, max {probes['max_s']:.2f} s "
          f"(budget {TIMEOUT + 1:.1f} s); {probes['down']} down; {probes['concurrent']} requests at once")
    print(f"  whole handle run (probes + snapshot + decision): {probes['handle_s']:.2f} s -> {probes['outcome']}")
    secure = bench_secure()
    print("the same over https, certificates checked and two Prometheus thresholds per service:")
    print(f"  probes: median {secure['probe_median_s']:.2f} s, max {secure['probe_max_s']:.2f} s "
          f"(budget {TIMEOUT + 1:.1f} s); {secure['warned']} certificate warnings")
    print(f"  whole handle run (+ metrics stage of the reported service): median {secure['handle_median_s']:.2f} s, "
          f"max {secure['handle_max_s']:.2f} s -> {secure['outcome']} ({secure['metric_findings']} metric findings)")
    print(f"  watch round's checks of all 50 (probe, certificate, thresholds): "
          f"median {secure['checks_median_s']:.2f} s, max {secure['checks_max_s']:.2f} s "
          f"(budget {TIMEOUT + 1:.1f} s); {secure['degraded']} degraded")
    print("GitHub requests per outcome (one report):")
    for outcome in ("healthy", "fixed", "escalated", "duplicate"):
        print(f"  {outcome:<10} {count(outcome)}")
    swept = count_sweep()
    print(f"sweep of {swept['incidents']} open incidents: nothing due {swept['quiet_run']} request(s); "
          f"all due {swept['busy_run']} requests ({(swept['busy_run'] - 2) / swept['incidents']:.1f} per incident "
          f"+ 2 listings): {', '.join(swept['notes'])}")


if __name__ == "__main__":
    main()
