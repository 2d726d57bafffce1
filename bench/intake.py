"""Benchmark of the intake stage (issue: budgets in the README).

Measures, on this machine:
- decisions per second for `handle --dry-run --offline` in-process (config loaded once);
- GitHub requests per outcome (queued, needs-info, triaged, and a re-run), counted at
  the HTTP boundary against a stateful GitHub stand-in answering with GitHub's shapes;
- start-up time of `responder --help` in a fresh process.

Run: make bench  (or .venv/bin/python bench/intake.py)
"""

from __future__ import annotations

import io
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import responses  # noqa: E402

from responder.cli.main import main  # noqa: E402
from responder.config.loader import load_config  # noqa: E402
from responder.flows.handle import handle  # noqa: E402
from responder.flows.run import Options  # noqa: E402
from tests.support import events  # noqa: E402
from tests.support.github_api import FakeGitHub  # noqa: E402

CONFIG = ROOT / "examples" / "responder.yml"
EVENTS = sorted((ROOT / "examples" / "events").glob("*.json"))
ISSUES = ROOT / "examples" / "issues"


def bench_decisions(rounds: int = 200) -> dict[str, float]:
    config = load_config(CONFIG)
    payloads = [json.loads(p.read_text()) for p in EVENTS]
    options = Options(dry_run=True, offline=True, probe=False, plan=False)  # terraform: bench/guard.py
    for payload in payloads:  # warm up: template compilation, imports
        handle(payload, config, options, None)
    timings = []
    for _ in range(rounds):
        for payload in payloads:
            start = time.perf_counter()
            handle(payload, config, options, None)
            timings.append(time.perf_counter() - start)
    return {
        "decisions": len(timings),
        "per_second": len(timings) / sum(timings),
        "median_ms": statistics.median(timings) * 1000,
        "p99_ms": sorted(timings)[int(len(timings) * 0.99) - 1] * 1000,
        "max_ms": max(timings) * 1000,
    }


def count_requests(payload: dict[str, Any], permissions: dict[str, str], runs: int = 1) -> list[int]:
    counts = []
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake = FakeGitHub(rsps)
        fake.permissions.update(permissions)
        fake.add_issue(payload["issue"])
        tmp = Path(ROOT / "bench" / ".event.json")
        tmp.write_text(json.dumps(payload))
        try:
            for _ in range(runs):
                before = fake.requests
                code = main(["handle", "--config", str(CONFIG), "--event", str(tmp), "--no-probe"],
                            env={"GITHUB_TOKEN": "ghs_" + "b" * 36, "RESPONDER_GITHUB_WRITE_INTERVAL": "0"},
                            stdout=io.StringIO(), stderr=io.StringIO())
                assert code == 0
                counts.append(fake.requests - before)
        finally:
            tmp.unlink()
    return counts


def bench_requests() -> dict[str, Any]:
    outage = (ISSUES / "outage-nextcloud-502.md").read_text()
    incomplete = (ISSUES / "outage-empty-answers.md").read_text()
    triaged = count_requests(events.issues_event(body=outage), {"alice": "write"}, runs=2)
    return {
        "queued (author_association NONE)": count_requests(
            events.issues_event(body=outage, author="passerby", association="NONE"), {})[0],
        "queued (MEMBER with read access)": count_requests(
            events.issues_event(body=outage, author="reader", association="MEMBER"), {"reader": "read"})[0],
        "needs-info": count_requests(events.issues_event(body=incomplete), {"alice": "write"})[0],
        "triaged": triaged[0],
        "re-run of the same event": triaged[1],
        "ignored (bot's own event)": count_requests(
            events.issues_event("labeled", body=outage, sender="github-actions[bot]", added_label="incident"), {})[0],
    }


def bench_startup(runs: int = 10) -> float:
    exe = Path(sys.executable).parent / "responder"
    command = [str(exe), "--help"] if exe.exists() else [sys.executable, "-m", "responder", "--help"]
    subprocess.run(command, capture_output=True, check=True)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main_bench() -> int:
    decisions = bench_decisions()
    requests = bench_requests()
    startup = bench_startup()
    print("## Intake benchmark")
    print()
    print("| measure | value | budget |")
    print("|---|---|---|")
    print(f"| dry-run offline decisions per second (in-process) | {decisions['per_second']:.0f} | |")
    print(f"| decision time, median / p99 / max | {decisions['median_ms']:.2f} / {decisions['p99_ms']:.2f} / "
          f"{decisions['max_ms']:.2f} ms | < 50 ms |")
    print(f"| `responder --help` start-up (median of 10) | {startup * 1000:.0f} ms | < 300 ms |")
    budgets = {"queued (author_association NONE)": 3, "triaged": 5}
    for outcome, count in requests.items():
        budget = budgets.get(outcome)
        print(f"| GitHub requests: {outcome} | {count} | {'<= ' + str(budget) if budget else ''} |")
    ok = (decisions["max_ms"] < 50 and startup < 0.3 and requests["triaged"] <= 5
          and requests["queued (author_association NONE)"] <= 3)
    print()
    print("all budgets met" if ok else "BUDGET EXCEEDED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main_bench())
