"""Benchmark of the status page build (budgets in the README).

Measures, on this machine:
- `statuspage build` in-process for 100 services x 90 days of 5-minute history and 10,000 past
  incidents (plus active incidents with updates, user reports and maintenance), from a saved export
  and a history file, without probes: the time of the whole build (read, assemble, render, write);
- the size of index.html, raw and gzipped;
- the GitHub requests of a refresh, against a stateful GitHub stand-in that answers with GitHub's
  shapes, Link paging and ETags: a first build, an unchanged refresh (all 304: nothing counted
  against the rate limit), and a refresh after one new status comment.

Run: make bench  (or .venv/bin/python bench/statuspage.py)
"""

from __future__ import annotations

import gzip
import io
import json
import random
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

from responder.model.state import IssueState, JournalEntry  # noqa: E402
from statuspage.cli import main  # noqa: E402
from statuspage.model import history  # noqa: E402
from tests.support.github_api import FakeGitHub  # noqa: E402
from tests.support.issues_export import bot_comment, comment, maintenance_body, outage_body, rest_issue  # noqa: E402

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
SERVICES = 100
PAST_INCIDENTS = 10_000
TIERS = ("core", "critical", "standard", "low")


def make_config(directory: Path) -> Path:
    raw = yaml.safe_load((ROOT / "examples" / "responder.yml").read_text())
    raw["services"] = [
        {"name": f"svc-{i:03d}", "title": f"Service {i:03d}", "tier": TIERS[min(3, i // 25)],
         "url": f"https://svc-{i:03d}.acme-homelab.org/health", "slo": 99.5,
         "description": f"Service number {i} of the benchmark catalogue."}
        for i in range(SERVICES)
    ]
    raw["severity"] = {"default": "SEV3"}
    path = directory / "responder.yml"
    path.write_text(yaml.safe_dump(raw))
    return path


def make_history(directory: Path, rng: random.Random) -> Path:
    services = {}
    for i in range(SERVICES):
        days = {}
        for offset in range(90):
            day = (NOW - timedelta(days=offset)).date()
            slots = ["o"] * history.SLOTS_PER_DAY
            if rng.random() < 0.08:  # an outage or slow spell on some days
                start = rng.randrange(history.SLOTS_PER_DAY - 24)
                code = rng.choice("xd")
                slots[start:start + rng.randrange(1, 24)] = [code] * 24
            if rng.random() < 0.01:
                slots[:rng.randrange(288)] = ["-"] * 288  # the runner did not run
            days[day.isoformat()] = "".join(slots)[:history.SLOTS_PER_DAY]
        last = history.LastCheck("o", "2026-11-23T14:55:00Z", "HTTP 200 in 80 ms", 80.0)
        services[f"svc-{i:03d}"] = history.ServiceHistory(days, last)
    path = directory / "history.json"
    path.write_text(history.dumps(history.History(services, "2026-11-23T14:55:00Z")))
    return path


def make_issues(rng: random.Random) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    issues: list[dict[str, Any]] = []
    comments: dict[str, list[dict[str, Any]]] = {}
    for n in range(1, PAST_INCIDENTS + 1):
        started = NOW - timedelta(days=3 * 365 * (1 - n / PAST_INCIDENTS), hours=rng.randrange(24))
        closed = started + timedelta(minutes=rng.randrange(10, 600))
        service = f"Service {rng.randrange(SERVICES):03d}"
        issues.append(rest_issue(n, title=f"[Outage]: {service} is down", body=outage_body(service),
                                 labels=("user-report", "incident", f"sev{rng.randrange(1, 5)}"), state="closed",
                                 created_at=started.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                 updated_at=closed.strftime("%Y-%m-%dT%H:%M:%SZ"), state_reason="completed",
                                 closed_at=closed.strftime("%Y-%m-%dT%H:%M:%SZ")))
    for n in range(PAST_INCIDENTS + 1, PAST_INCIDENTS + 6):  # active incidents with updates
        at = (NOW - timedelta(minutes=5 * (n % 7 + 1))).strftime("%Y-%m-%dT%H:%M:%SZ")
        service = f"Service {n % SERVICES:03d}"
        issues.append(rest_issue(n, title=f"[Outage]: {service} returns 502", body=outage_body(service),
                                 labels=("user-report", "incident", "sev2"), created_at=at, association="OWNER"))
        state = IssueState(severity="SEV2", journal=(JournalEntry(at, "triaged", "Classified SEV2.", ""),))
        comments[str(n)] = [bot_comment(n, state, at=at),
                            comment(n, "/status identified: **found** the cause", "vbarzin", "OWNER", at)]
    for n in range(PAST_INCIDENTS + 6, PAST_INCIDENTS + 26):  # user reports
        issues.append(rest_issue(n, labels=("user-report", "needs-triage"), association="NONE",
                                 body=outage_body(f"Service {n % SERVICES:03d}", "Slow / degraded performance",
                                                  "Just me"), created_at="2026-11-23T14:00:00Z"))
    for n in range(PAST_INCIDENTS + 26, PAST_INCIDENTS + 29):  # maintenance
        issues.append(rest_issue(n, labels=("maintenance",), association="OWNER",
                                 body=maintenance_body(f"Service {n % SERVICES:03d}", "2026-11-25 22:00",
                                                       "2026-11-25 23:00"), created_at="2026-11-22T10:00:00Z"))
    return issues, comments


def run(argv: list[str], env: dict[str, str] | None = None) -> str:
    err = io.StringIO()
    code = main(argv, env=env or {}, stdout=io.StringIO(), stderr=err)
    if code != 0:
        raise SystemExit(err.getvalue())
    return err.getvalue()


def bench_build(directory: Path, config: Path, rounds: int = 5) -> dict[str, Any]:
    rng = random.Random(42)
    history_file = make_history(directory, rng)
    issues, comments = make_issues(rng)
    export = directory / "issues.json"
    export.write_text(json.dumps({"issues": issues, "comments": comments}))
    out = directory / "public"
    argv = ["build", "--config", str(config), "--out", str(out), "--issues-file", str(export), "--history-file",
            str(history_file), "--no-probe", "--now", NOW.strftime("%Y-%m-%dT%H:%M:%SZ")]
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        run(argv)
        timings.append(time.perf_counter() - start)
    index = (out / "index.html").read_bytes()
    return {
        "export_mb": export.stat().st_size / 1e6,
        "history_kb": history_file.stat().st_size / 1e3,
        "median_s": statistics.median(timings),
        "max_s": max(timings),
        "index_kb": len(index) / 1e3,
        "index_gz_kb": len(gzip.compress(index)) / 1e3,
        "status_json_kb": (out / "status.json").stat().st_size / 1e3,
        "issues": issues,
        "comments": comments,
    }


def bench_requests(directory: Path, config: Path, issues: list[dict[str, Any]],
                   comments: dict[str, list[dict[str, Any]]]) -> dict[str, tuple[int, int]]:
    results = {}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        github = FakeGitHub(rsps)
        for issue in issues:
            github.add_issue(issue)
        for number, items in comments.items():
            github.issues[int(number)].comments.extend(items)
        # The maintainers who post maintenance and /status updates have write access (the page checks).
        for item in [*issues, *(c for items in comments.values() for c in items)]:
            if item.get("author_association") in ("OWNER", "MEMBER", "COLLABORATOR"):
                github.permissions[item["user"]["login"]] = "admin"

        def refresh(name: str, out: str, previous: str) -> None:
            before = len(github.statuses)
            run(["build", "--config", str(config), "--out", str(directory / out), "--no-probe", "--previous",
                 previous, "--now", NOW.strftime("%Y-%m-%dT%H:%M:%SZ")], env={"GITHUB_TOKEN": "ghs_bench"})
            statuses = github.statuses[before:]
            results[name] = (len(statuses), sum(1 for s in statuses if s != 304))

        refresh("first build (no cache)", "gh-1", "none")
        refresh("unchanged refresh", "gh-2", str(directory / "gh-1"))
        number = PAST_INCIDENTS + 1
        github.issues[number].comments.append(comment(number, "/status monitoring: fixed", "vbarzin", "OWNER",
                                                      "2026-11-23T14:59:00Z"))
        github.issues[number].data["updated_at"] = "2026-11-23T14:59:00Z"
        refresh("refresh after one new status comment", "gh-3", str(directory / "gh-2"))
    return results


def main_bench() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-statuspage-") as tmp:
        directory = Path(tmp)
        config = make_config(directory)
        build = bench_build(directory, config)
        requests = bench_requests(directory, config, build.pop("issues"), build.pop("comments"))
    print(f"statuspage build: {SERVICES} services x 90 days of 5-minute history, {PAST_INCIDENTS} past incidents")
    print(f"  export {build['export_mb']:.1f} MB, history file {build['history_kb']:.0f} KB")
    print(f"  build time (median of 5 / max): {build['median_s']:.2f} s / {build['max_s']:.2f} s   budget < 3 s")
    print(f"  index.html: {build['index_kb']:.0f} KB, {build['index_gz_kb']:.0f} KB gzipped   budget < 200 KB gzipped")
    print(f"  status.json: {build['status_json_kb']:.0f} KB")
    print("GitHub requests of a refresh (made / counted against the rate limit):")
    for name, (made, counted) in requests.items():
        print(f"  {name}: {made} / {counted}")
    ok = build["max_s"] < 3 and build["index_gz_kb"] < 200 and requests["unchanged refresh"][1] == 0
    print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main_bench())
