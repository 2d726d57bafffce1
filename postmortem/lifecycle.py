"""The closed-incident flow: draft the post-mortem, publish it, link it, swap the labels.

`responder handle` reaches this module through `responder.triage.closing` when a
SEV1/SEV2 incident is closed. The shell reads the issue's comments and
events (two paged requests; the issue itself comes with the webhook), the
decision is data like every other, and the executor carries it out: write
the files, commit and push them, swap `postmortem-required` for
`postmortem-done`, tell the `notify` targets (once: `resolved` if nobody was
told yet, and `postmortem` with the draft's link), and edit the responder's
one comment last, so the state
(with `sections["postmortem"]`, which the status page reads) records the run
only once everything else succeeded. A re-run that changes nothing sends no
write at all.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from postmortem.document.rendering import render_template
from postmortem.model.incident import format_duration
from postmortem.model.settings import Settings
from postmortem.site.layout import load_settings
from postmortem.site.writer import Draft, draft
from responder.adapters.files import LocalFiles
from responder.adapters.git import GitRepo
from responder.adapters.github import bot_comment_in
from responder.adapters.github.export import IncidentExport
from responder.config.loader import Config
from responder.decision.actions import Action, AddLabels, Comment, Decision, RemoveLabels, fingerprint, ignored
from responder.decision.executor import ExecutionContext, execute
from responder.decision.notify_actions import Notify, notification, wanted
from responder.decision.repository_actions import CommitFiles, WriteFiles
from responder.flows.run import GitHubFactory, Options, Result
from responder.model import notifications as events
from responder.model.events import IssueEvent
from responder.model.issues import BotComment
from responder.model.notifications import Notification
from responder.model.state import IssueState, render_marker
from responder.render.quoting import commit_text

log = logging.getLogger("responder")

SECTION = "postmortem"
COMMENT_TEMPLATE = "comment-postmortem.md.j2"
_BLOCK = re.compile(r"\n*<!-- postmortem:begin -->.*?<!-- postmortem:end -->\n*", re.DOTALL)
_STATE = re.compile(r"\n*<!-- issueops-responder:state \{.*?\} -->\s*$", re.DOTALL)


# ---------------------------------------------------------------- deciding


@dataclass(frozen=True)
class Closing:
    """What the decision depends on, gathered by the shell."""

    event: IssueEvent
    config: Config
    settings: Settings
    draft: Draft
    bot_comment: BotComment | None


def decide_closed(closing: Closing) -> Decision:
    event, config, settings, result = closing.event, closing.config, closing.settings, closing.draft
    issue = event.issue
    assert issue is not None
    incident = result.incident
    labels = config.labels
    relative = _relative(result.path, settings.root)
    link = result.link or ""
    block = render_template(COMMENT_TEMPLATE, {
        "title": f"{incident.date} {incident.title}".strip(),
        "url": link,
        "path": relative,
        "severity": incident.severity,
        "duration": format_duration(incident.duration),
        "budgets": incident.budgets,
    }, config.templates_dir, mode="github")
    prior = closing.bot_comment.state if closing.bot_comment else None
    digest = fingerprint({"document": result.text, "index": result.index_text, "comment": block})
    section = {
        "path": relative,
        "url": link or None,
        "title": incident.title,
        "date": incident.date,
        "severity": incident.severity,
        "duration_minutes": round(incident.duration.total_seconds() / 60) if incident.duration else None,
        "status": _status(result.text),
        "written_at": event.at,
        "digest": digest,
    }
    state = (prior or IssueState(kind="incident", severity=incident.severity)).with_section(SECTION, section)
    reasons = [f"#{issue.number} is a closed {incident.severity} incident: its post-mortem is {relative}"]
    remembered = prior.sections.get(SECTION) if prior else None
    actions: list[Action] = []
    if isinstance(remembered, Mapping) and remembered.get("digest") == digest and not result.changed:
        reasons.append("nothing changed since the last run: no action needed")
    else:
        files = [(str(result.path), result.text), (str(result.index_path), result.index_text)]
        actions.append(WriteFiles(tuple(files)))
        actions.append(CommitFiles(
            paths=(relative, _relative(result.index_path, settings.root)),
            message=f"docs: post-mortem for {incident.date} {commit_text(incident.title, 120) or 'untitled incident'}",
            push=settings.push, remote=settings.remote, branch=settings.branch,
        ))
        if labels["postmortem-required"] in issue.labels:
            actions.append(RemoveLabels((labels["postmortem-required"],)))
        if labels["postmortem-done"] not in issue.labels:
            actions.append(AddLabels((labels["postmortem-done"],)))
        if not isinstance(remembered, Mapping):
            actions.extend(Notify(notice) for notice in _notices(closing, prior, link))
        previous_body = closing.bot_comment.body if closing.bot_comment else None
        actions.append(Comment(comment_with_postmortem(previous_body, block, state)))
    return Decision(
        event=event.key, issue=issue.number, kind=state.kind or "incident", trusted=True,
        severity=incident.severity, outcome="post-mortem", reasons=tuple(reasons), actions=tuple(actions),
        state=state, digest=digest, extra={"postmortem": {k: v for k, v in section.items() if k != "digest"}},
    )


def _notices(closing: Closing, prior: IssueState | None, link: str) -> list[Notification]:
    """What the notify targets hear when the post-mortem is first published: that the incident is resolved
    (unless they heard it already, from the sweep or a remedy) and where the draft is."""
    event, incident, config = closing.event, closing.draft.incident, closing.config
    issue = event.issue
    assert issue is not None
    service = incident.services[0] if incident.services else None
    sections = prior.sections if prior else {}
    told = _mapping(sections.get("notify"))
    sweep = _mapping(sections.get("sweep"))
    duration = format_duration(incident.duration)
    out = []
    if events.RESOLVED not in told and sweep.get("status") != "resolved":
        out.append(notification(events.RESOLVED, issue=issue.number, url=issue.html_url, title=issue.title or "",
                                reason=f"The incident was closed after {duration}.", severity=incident.severity,
                                service=service))
    out.append(notification(events.POSTMORTEM, issue=issue.number, url=issue.html_url, title=issue.title or "",
                            reason=f"The post-mortem draft for {duration} of {incident.severity or 'an incident'} "
                                   "is published; it needs its owner's judgement.",
                            severity=incident.severity, service=service, document=link or None))
    return [notice for notice in out if wanted(config, notice)]


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def comment_with_postmortem(previous: str | None, block: str, state: IssueState) -> str:
    """The responder's one comment: what it said before, the post-mortem part (replaced, never stacked), the state."""
    kept = _STATE.sub("", _BLOCK.sub("\n\n", previous or "")).strip()
    part = f"<!-- postmortem:begin -->\n{block.strip()}\n<!-- postmortem:end -->"
    return (f"{kept}\n\n---\n\n{part}" if kept else part) + "\n\n" + render_marker(state)


def _status(text: str) -> str:
    match = re.search(r"^status: *['\"]?([A-Za-z-]+)", text, re.MULTILINE)
    return match.group(1) if match else "Draft"


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


# ---------------------------------------------------------------- the shell


def handle_closed(payload: Any, event: IssueEvent, config: Config, options: Options,
                  github_factory: GitHubFactory | None) -> Result:
    issue = event.issue
    assert issue is not None
    settings = load_settings(config)
    github = None
    comments: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    if not options.offline:
        if github_factory is None:
            return Result(ignored(event.key, issue.number, "no GitHub access configured"), None, 0)
        github = github_factory(event.repository or config.repository or "")
        comments = github.list_comments(issue.number)
        events = github.list_events(issue.number)
    raw_issue = payload.get("issue") if isinstance(payload, Mapping) else None
    export = IncidentExport(issue=raw_issue if isinstance(raw_issue, Mapping) else {}, comments=comments,
                            events=events)
    seal = github.state_seal if github else None
    repository = event.repository or config.repository or ""
    bot_comment = bot_comment_in(comments, config.bot_login, seal, repository, issue.number)
    decision = decide_closed(Closing(event, config, settings, draft(export, config, settings, seal=seal),
                                     bot_comment))
    requests = github.requests if github else 0
    if options.dry_run or options.offline:
        if options.offline:
            # Without the comments and events the draft would lack its timeline: show it, write nothing.
            decision = replace(decision, reasons=(*decision.reasons, "offline: the issue's comments and events "
                                                  "were not read, so nothing is written (replay a saved export "
                                                  "with `postmortem write --issue-file`)"))
        return Result(decision, None, requests)
    git = GitRepo(settings.root, push_token=github.push_token if github else None)
    context = ExecutionContext(issue=issue.number, github=github, bot_comment=bot_comment, git=git,
                               files=LocalFiles(), notifier=options.notifier)
    report = execute(decision, context)
    log.info("post-mortem %s: %s", decision.extra["postmortem"]["path"], "; ".join(report.done) or "no change")
    return Result(decision, report, github.requests if github else 0)
