"""Carry out a decision. The only code that writes.

Each action type has one small handler. Actions that write to GitHub are
skipped offline (and reported as such); the decision itself says nothing
about how it is carried out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from responder.decision.actions import Action, AddLabels, Assign, Close, Comment, Decision, RemoveLabels, SetIssue
from responder.model.issues import BotComment

log = logging.getLogger("responder.decision.executor")


class IssueWriter(Protocol):
    """What the executor needs from GitHub (GitHubClient satisfies it)."""

    requests: int

    def create_comment(self, number: int, body: str) -> BotComment: ...
    def edit_comment(self, comment_id: int, body: str, number: int) -> None: ...
    def delete_comment(self, comment_id: int) -> None: ...
    def add_labels(self, number: int, labels: tuple[str, ...]) -> None: ...
    def remove_label(self, number: int, label: str) -> None: ...
    def add_assignees(self, number: int, assignees: tuple[str, ...]) -> None: ...
    def close(self, number: int, reason: str) -> None: ...
    def update_issue(self, number: int, *, labels: tuple[str, ...] | None = None,
                     assignees: tuple[str, ...] | None = None, close_reason: str | None = None) -> None: ...


@dataclass
class ExecutionContext:
    issue: int
    github: IssueWriter | None  # None offline
    bot_comment: BotComment | None = None
    # Adapters later stages need (terraform, kube, git...), by name.
    adapters: dict[str, Any] = field(default_factory=dict)


@dataclass
class Report:
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    comment_url: str = ""
    # Data some actions hand back (an applied change, a restart time), for the caller.
    results: list[Any] = field(default_factory=list)


Handler = Callable[[Any, ExecutionContext, Report], None]
HANDLERS: dict[type[Action], Handler] = {}


def handles(action_type: type[Action]) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[action_type] = handler
        return handler

    return register


def execute(decision: Decision, context: ExecutionContext) -> Report:
    report = Report()
    for action in decision.actions:
        if action.writes_github and context.github is None:
            report.skipped.append(f"{action.describe()} (offline: not sent)")
            continue
        handler = HANDLERS.get(type(action))
        if handler is None:
            raise TypeError(f"no handler for action {action.type}")
        handler(action, context, report)
    return report


def _github(context: ExecutionContext) -> IssueWriter:
    assert context.github is not None
    return context.github


@handles(Comment)
def _comment(action: Comment, context: ExecutionContext, report: Report) -> None:
    existing = context.bot_comment
    if existing is None:
        created = _github(context).create_comment(context.issue, action.body)
        context.bot_comment = created
        report.comment_url = created.html_url
        report.done.append("posted the responder comment")
    elif existing.body != action.body:
        _github(context).edit_comment(existing.id, action.body, context.issue)
        context.bot_comment = BotComment(existing.id, action.body, existing.html_url, existing.state)
        report.comment_url = existing.html_url
        report.done.append("updated the responder comment")
    else:
        report.comment_url = existing.html_url
        report.skipped.append("comment unchanged")
    if existing is not None and existing.duplicates:
        # Two runs raced and both posted: their records are merged into this one comment.
        for duplicate in existing.duplicates:
            _github(context).delete_comment(duplicate)
        report.done.append(f"merged {len(existing.duplicates)} duplicate responder comment(s) into one")


@handles(AddLabels)
def _add_labels(action: AddLabels, context: ExecutionContext, report: Report) -> None:
    _github(context).add_labels(context.issue, action.labels)
    report.done.append(action.describe())


@handles(RemoveLabels)
def _remove_labels(action: RemoveLabels, context: ExecutionContext, report: Report) -> None:
    for label in action.labels:
        _github(context).remove_label(context.issue, label)
    report.done.append(action.describe())


@handles(Assign)
def _assign(action: Assign, context: ExecutionContext, report: Report) -> None:
    _github(context).add_assignees(context.issue, action.assignees)
    report.done.append(action.describe())


@handles(Close)
def _close(action: Close, context: ExecutionContext, report: Report) -> None:
    _github(context).close(context.issue, action.reason)
    report.done.append(action.describe())


@handles(SetIssue)
def _set_issue(action: SetIssue, context: ExecutionContext, report: Report) -> None:
    _github(context).update_issue(context.issue, labels=action.labels, assignees=action.assignees,
                                  close_reason=action.close)
    report.done.append(action.describe())
