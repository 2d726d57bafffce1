"""Tell the issue when a run could not finish (a failed or timed-out pipeline).

The seeds' system lost such failures: the pipeline died and the issue never
heard. Here the report is one comment per issue, found again by a hidden
marker and edited on the next failure, plus the needs-human label: a
decision like any other, carried out by the executor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from responder.decision.actions import Decision
from responder.decision.executor import CommentWritten, ExecutionContext, execute
from responder.decision.incident_actions import UpdateOtherIssue
from responder.render.quoting import Markdown
from responder.render.urls import safe_http_url

if TYPE_CHECKING:
    from responder.adapters.github import GitHubClient
    from responder.config.loader import Config

MARKER = "<!-- issueops-responder:runner-failure -->"


@dataclass(frozen=True)
class FailureReport:
    what: str  # one sentence: what failed, e.g. "The in-cluster pipeline #12 ended with status failure"
    runner: str  # e.g. "Woodpecker", "GitHub Actions"
    at: str  # ISO 8601 time of the report
    url: str | None = None  # where to look; shown only when it is a plain http(s) URL


def render_failure(report: FailureReport, label: str, templates_dir: Path | None = None) -> str:
    from responder.render.comments import render

    safe = safe_http_url(report.url)
    url = Markdown(safe) if safe else None
    text = render("comments/runner-failure.md.j2",
                  {"what": report.what, "url": url, "runner": report.runner, "at": report.at, "label": label},
                  templates_dir)
    return f"{text}\n\n{MARKER}"


def decide_failure(issue: int, report: FailureReport, config: Config, existing: Mapping[str, Any] | None) -> Decision:
    """needs-human, then the failure comment: the one found by its marker is rewritten, else one is posted."""
    label = config.labels["needs-human"]
    body = render_failure(report, label, config.templates_dir)
    write = UpdateOtherIssue(
        number=issue,
        comment_id=int(existing["id"]) if existing is not None else None,
        body=body,
        add_labels=(label,),
        comment_url=str(existing.get("html_url", "")) if existing is not None else "",
    )
    return Decision(event="failure-report", issue=issue, kind="failure-report", trusted=None, severity=None,
                    outcome="reported", reasons=(report.what,), actions=(write,))


def post_failure(github: GitHubClient, issue: int, report: FailureReport, config: Config) -> str:
    """Write (or rewrite) the failure comment and add needs-human, through the executor. Returns its URL."""
    existing = None
    for comment in github.paged(f"/repos/{github.repository}/issues/{issue}/comments"):
        user = comment.get("user") or {}
        if user.get("login") == config.bot_login and MARKER in (comment.get("body") or ""):
            existing = comment
    done = execute(decide_failure(issue, report, config, existing), ExecutionContext(issue=issue, github=github))
    written = next(result for result in done.results if isinstance(result, CommentWritten))
    return written.html_url
