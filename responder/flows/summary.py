"""The job summary ($GITHUB_STEP_SUMMARY) and the closing log line of a run."""

from __future__ import annotations

from pathlib import Path

from responder.decision.actions import Decision
from responder.decision.executor import Report
from responder.render.comments import render


def render_summary(decision: Decision, report: Report | None, github_requests: int, *, dry_run: bool,
                   offline: bool) -> str:
    return render("summary.md.j2", {
        "decision": decision,
        "done": report.done if report else [],
        "skipped": report.skipped if report else [],
        "comment_url": report.comment_url if report else "",
        "requests": github_requests,
        "dry_run": dry_run,
        "offline": offline,
    }) + "\n"


def append_summary(path: str | None, text: str) -> None:
    if not path:
        return
    with Path(path).open("a", encoding="utf-8") as handle:
        handle.write(text)
