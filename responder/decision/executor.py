"""Carry out a decision. The only code that writes.

Each action type has one small handler, listed in one explicit table: an
action without a handler fails the test that checks the table, not a run.
The handlers reach the outside only through the typed ports of the
ExecutionContext (responder.decision.ports). Actions that write to GitHub
are skipped offline (and reported as such); the decision itself says
nothing about how it is carried out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from responder.decision.actions import (
    Action,
    AddLabels,
    Assign,
    Close,
    Comment,
    Decision,
    OpenedIssue,
    OpenIssue,
    RemoveLabels,
    SetIssue,
)
from responder.decision.change_actions import ApplyChange
from responder.decision.incident_actions import RestartOutcome, RolloutRestart, UpdateOtherIssue
from responder.decision.notify_actions import Notify
from responder.decision.ports import (
    ChangeApplier,
    ClusterWriter,
    Committer,
    FileWriter,
    IssueWriter,
    LabelWriter,
    Notifier,
)
from responder.decision.repository_actions import CommitFiles, SyncLabel, WriteFiles
from responder.errors import ResponderError
from responder.model.issues import BotComment

log = logging.getLogger("responder.decision.executor")


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ExecutionContext:
    """The issue the decision is about, and the ports its actions may use. A port left None is not
    available to this run: an action that needs it fails with a clear error."""

    issue: int | None
    github: IssueWriter | None  # None offline
    bot_comment: BotComment | None = None
    changes: ChangeApplier | None = None
    cluster: ClusterWriter | None = None
    labels: LabelWriter | None = None
    git: Committer | None = None
    files: FileWriter | None = None
    notifier: Notifier | None = None  # None: responder.yml configures no notify targets
    clock: Callable[[], datetime] = _utc_now


@dataclass
class Report:
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    comment_url: str = ""
    # Data some actions hand back (an applied change, a restart time, an opened issue), for the caller.
    results: list[Any] = field(default_factory=list)
    # Notifications that failed: counted in the job summary, never a failed run.
    notify_failures: int = 0


class MissingPort(ResponderError):
    """An action needs an adapter this run was not given (a wiring mistake)."""


def execute(decision: Decision, context: ExecutionContext) -> Report:
    report = Report()
    for action in decision.actions:
        if action.writes_github and context.github is None:
            report.skipped.append(f"{action.describe()} (offline: not sent)")
            continue
        handler = HANDLERS.get(type(action))
        if handler is None:
            raise MissingPort(f"no handler for action {action.type}")
        handler(action, context, report)
    return report


T = TypeVar("T")


def _port(port: T | None, what: str, action: Action) -> T:
    if port is None:
        raise MissingPort(f"{action.describe()}: this run has no {what}")
    return port


def _issue(context: ExecutionContext, action: Action) -> int:
    if context.issue is None:
        raise MissingPort(f"{action.describe()}: the decision names no issue")
    return context.issue


# ---------------------------------------------------------------- the issue


def _comment(action: Comment, context: ExecutionContext, report: Report) -> None:
    github, issue = _port(context.github, "GitHub access", action), _issue(context, action)
    existing = context.bot_comment
    if existing is None:
        created = github.create_comment(issue, action.body)
        context.bot_comment = created
        report.comment_url = created.html_url
        report.done.append("posted the responder comment")
    elif existing.body != action.body:
        github.edit_comment(existing.id, action.body, issue)
        context.bot_comment = BotComment(existing.id, action.body, existing.html_url, existing.state)
        report.comment_url = existing.html_url
        report.done.append("updated the responder comment")
    else:
        report.comment_url = existing.html_url
        report.skipped.append("comment unchanged")
    if existing is not None and existing.duplicates:
        # Two runs raced and both posted: their records are merged into this one comment.
        for duplicate in existing.duplicates:
            github.delete_comment(duplicate)
        report.done.append(f"merged {len(existing.duplicates)} duplicate responder comment(s) into one")


def _add_labels(action: AddLabels, context: ExecutionContext, report: Report) -> None:
    _port(context.github, "GitHub access", action).add_labels(_issue(context, action), action.labels)
    report.done.append(action.describe())


def _remove_labels(action: RemoveLabels, context: ExecutionContext, report: Report) -> None:
    github, issue = _port(context.github, "GitHub access", action), _issue(context, action)
    for label in action.labels:
        github.remove_label(issue, label)
    report.done.append(action.describe())


def _assign(action: Assign, context: ExecutionContext, report: Report) -> None:
    _port(context.github, "GitHub access", action).add_assignees(_issue(context, action), action.assignees)
    report.done.append(action.describe())


def _close(action: Close, context: ExecutionContext, report: Report) -> None:
    _port(context.github, "GitHub access", action).close(_issue(context, action), action.reason)
    report.done.append(action.describe())


def _set_issue(action: SetIssue, context: ExecutionContext, report: Report) -> None:
    _port(context.github, "GitHub access", action).update_issue(
        _issue(context, action), labels=action.labels, assignees=action.assignees, close_reason=action.close)
    report.done.append(action.describe())


# ---------------------------------------------------------------- other issues


def _open_issue(action: OpenIssue, context: ExecutionContext, report: Report) -> None:
    created = _port(context.github, "GitHub access", action).create_issue(action.title, action.body, action.labels)
    opened = OpenedIssue(int(created["number"]), str(created.get("html_url", "")))
    report.results.append(opened)
    report.done.append(f"opened #{opened.number}")


def _update_other(action: UpdateOtherIssue, context: ExecutionContext, report: Report) -> None:
    github = _port(context.github, "GitHub access", action)
    for label in action.remove_labels:
        github.remove_label(action.number, label)
    if action.add_labels:
        github.add_labels(action.number, action.add_labels)
    if action.comment_id is None:
        url = github.create_comment(action.number, action.body).html_url
    else:
        github.edit_comment(action.comment_id, action.body, action.number)
        url = action.comment_url
    report.results.append(CommentWritten(action.number, url))
    report.done.append(action.describe())


@dataclass(frozen=True)
class CommentWritten:
    """What UpdateOtherIssue hands back: where its comment is."""

    number: int
    html_url: str


# ---------------------------------------------------------------- infrastructure


def _apply_change(action: ApplyChange, context: ExecutionContext, report: Report) -> None:
    applied = _port(context.changes, "Terraform change engine", action).apply(
        action.prepared, issue=_issue(context, action))
    report.results.append(applied)
    if applied.ok:
        report.done.append(f"applied {action.prepared.summary}" + (f"; commit {applied.commit[:12]}"
                                                                   if applied.commit else ""))
    else:
        report.done.append(f"apply of {action.prepared.summary} failed")


def _rollout_restart(action: RolloutRestart, context: ExecutionContext, report: Report) -> None:
    cluster = _port(context.cluster, "writable cluster", action)
    stamp = cluster.restart_rollout(action.namespace, action.deployment, context.clock())
    report.results.append(RestartOutcome(stamp))
    report.done.append(action.describe())


# ---------------------------------------------------------------- the repository


def _write_files(action: WriteFiles, context: ExecutionContext, report: Report) -> None:
    files = _port(context.files, "file system", action)
    for path, text in action.files:
        if files.write_text(Path(path), text):
            report.done.append(f"wrote {Path(path).name}")


def _commit_files(action: CommitFiles, context: ExecutionContext, report: Report) -> None:
    git = _port(context.git, "git checkout", action)
    sha = git.commit(action.message, action.paths)
    report.done.append(f"committed {sha[:7]}" if sha else "nothing new to commit")
    if action.push:
        branch = git.publish(action.remote, action.branch)
        report.done.append(f"pushed to {action.remote}/{branch}")


def _sync_label(action: SyncLabel, context: ExecutionContext, report: Report) -> None:
    labels = _port(context.labels, "GitHub access to labels", action)
    if action.current_name is None:
        labels.create_label(action.name, action.color, action.description)
    else:
        labels.update_label(action.current_name, new_name=action.name, color=action.color,
                            description=action.description)
    report.done.append(action.describe())


# ---------------------------------------------------------------- people


def _notify(action: Notify, context: ExecutionContext, report: Report) -> None:
    if context.notifier is None:
        report.skipped.append(f"{action.describe()} (no notify targets configured)")
        return
    delivery = context.notifier.send(action.notification)
    report.results.append(delivery)
    if delivery.sent:
        report.done.append(f"{action.describe()}: sent to {delivery.sent} target(s)")
    if delivery.failed:
        report.notify_failures += delivery.failed
        report.skipped.append(f"{action.describe()}: {delivery.failed} target(s) failed: "
                              + "; ".join(delivery.problems))


Handler = Callable[[Any, ExecutionContext, Report], None]

# Every action type and the one handler that carries it out.
HANDLERS: Mapping[type[Action], Handler] = {
    Comment: _comment,
    AddLabels: _add_labels,
    RemoveLabels: _remove_labels,
    Assign: _assign,
    Close: _close,
    SetIssue: _set_issue,
    OpenIssue: _open_issue,
    UpdateOtherIssue: _update_other,
    ApplyChange: _apply_change,
    RolloutRestart: _rollout_restart,
    WriteFiles: _write_files,
    CommitFiles: _commit_files,
    SyncLabel: _sync_label,
    Notify: _notify,
}
