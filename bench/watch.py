"""Benchmark of `responder watch`, one detection round (budgets in the README).

A catalogue of 100 services on real loopback HTTP services, 10 of them hanging past their 2 s timeout,
the confirmation at 3 checks 2.5 s apart; GitHub is the stateful stand-in (GitHub's shapes), its
requests counted at the HTTP boundary. Measured, on this machine:

- a dry run of the first round (10 services down, nothing open yet): the checks and the confirmation
  of the 10; budget: the confirmation window plus 1 s;
- the same round for real: it opens and triages 10 incidents (the stand-in takes writes without
  GitHub's 1 s spacing, which a real round adds per write);
- the next round, when nothing changed: budget 1 GitHub request, and no confirmation.

Run: .venv/bin/python bench/watch.py
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import responses  # noqa: E402
import yaml  # noqa: E402

from responder.adapters.github import GitHubClient  # noqa: E402
from responder.adapters.probes import Prober  # noqa: E402
from responder.config.loader import Config, load_config  # noqa: E402
from responder.flows.outage import IncidentTools  # noqa: E402
from responder.flows.watch import WatchReport, run  # noqa: E402
from tests.support.github_api import FakeGitHub  # noqa: E402
from tests.support.http_services import serving  # noqa: E402

SERVICES = 100
HANGING = 10
TIMEOUT = 2.0
PROBES = 3
INTERVAL = 2.5
TOKEN = "ghs_" + "w" * 36
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def catalogue(tmp: Path, base_url: str) -> Path:
    services: list[dict[str, Any]] = []
    for index in range(SERVICES):
        name = f"svc-{index:03d}"
        services.append({"name": name, "title": f"Service {index:03d}", "tier": "standard",
                         "url": f"{base_url}/{name}", "expect": {"status": 200, "timeout_seconds": TIMEOUT}})
    path = tmp / "responder.yml"
    path.write_text(yaml.safe_dump({
        "version": 1, "repository": "acme-homelab/infra", "services": services,
        "detection": {"confirm": {"probes": PROBES, "interval_seconds": INTERVAL}},
    }), encoding="utf-8")
    return path


def watch_round(config: Config, *, dry_run: bool = False) -> WatchReport:
    client = GitHubClient("acme-homelab/infra", TOKEN, write_interval=0)
    tools = IncidentTools(settings=config.investigation, prober=Prober(now=lambda: NOW), now=lambda: NOW)
    return run(config, client, tools, dry_run=dry_run)


def main() -> None:
    hanging = set(range(SERVICES - HANGING, SERVICES))
    with serving() as services, tempfile.TemporaryDirectory() as tmp, \
            responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add_passthru("http://127.0.0.1")
        github = FakeGitHub(rsps)
        for index in range(SERVICES):
            services.add(f"/svc-{index:03d}", delay=TIMEOUT + 1.5 if index in hanging else 0.005)
        config = load_config(catalogue(Path(tmp), services.base))
        window = config.detection.confirmation_window(TIMEOUT)

        dry = watch_round(config, dry_run=True)
        dry_requests = github.requests
        first = watch_round(config)
        first_requests = github.requests - dry_requests
        writes = len(github.writes())
        quiet = watch_round(config)
        quiet_requests = github.requests - dry_requests - first_requests

    print(f"watch: {SERVICES} services, {HANGING} hanging past their {TIMEOUT:g} s timeout; confirmation "
          f"{PROBES} checks {INTERVAL:g} s apart (window {window:g} s)")
    print(f"  first round, dry run: {dry.seconds:.2f} s (budget {window + 1:g} s); {len(dry.confirmed)} confirmed, "
          f"{len(dry.plan.of_kind('open'))} to open; GitHub requests {dry_requests}")
    print(f"  first round: checks and confirmation {first.check_seconds:.2f} s, whole round {first.seconds:.2f} s; "
          f"opened {len(first.opened)}; GitHub requests {first_requests} ({writes} writes)")
    print(f"  next round, nothing changed: {quiet.seconds:.2f} s; {len(quiet.confirmed)} confirmed, "
          f"{len(quiet.plan.steps)} steps; GitHub requests {quiet_requests} (budget 1)")
    assert dry.seconds <= window + 1, "over the wall-time budget"
    assert quiet_requests <= 1, "over the request budget"


if __name__ == "__main__":
    main()
