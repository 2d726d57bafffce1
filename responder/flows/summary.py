"""The job summary ($GITHUB_STEP_SUMMARY) and the closing log line of a run."""

from __future__ import annotations

from pathlib import Path

from responder.decision.actions import Decision
from responder.decision.executor import Report
from responder.flows.sweep import SweepReport
from responder.model.notifications import Delivery
from responder.render.comments import render


def render_summary(decision: Decision, report: Report | None, github_requests: int, *, dry_run: bool,
                   offline: bool) -> str:
    return render("summary.md.j2", {
        "decision": decision,
        "done": report.done if report else [],
        "skipped": report.skipped if report else [],
        "comment_url": report.comment_url if report else "",
        "notified": sum(r.sent for r in report.results if isinstance(r, Delivery)) if report else 0,
        "notify_failures": report.notify_failures if report else 0,
        "requests": github_requests,
        "dry_run": dry_run,
        "offline": offline,
    }) + "\n"


def render_sweep_summary(report: SweepReport, *, dry_run: bool) -> str:
    return render("sweep-summary.md.j2", {
        "plans": [plan for plan in report.plans if plan.notes],
        "swept": len(report.plans),
        "done": report.done,
        "skipped": report.skipped,
        "requests": report.github_requests,
        "notified": report.notified,
        "notify_failures": report.notify_failures,
        "dry_run": dry_run,
    }) + "\n"


def append_summary(path: str | None, text: str) -> None:
    if not path:
        return
    with Path(path).open("a", encoding="utf-8") as handle:
        handle.write(text)
