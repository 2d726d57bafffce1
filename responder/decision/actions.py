"""A decision is data: what the responder concluded and the actions that follow.

`handle` builds one Decision; the executor is the only code that carries
actions out. Dry-run prints the decision; replay rebuilds it from the same
inputs. Later stages add action types by subclassing Action.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, ClassVar

from responder.model.state import IssueState

OUTCOMES = ("queued", "needs-info", "triaged", "healthy", "cannot-reproduce", "fixed", "done", "escalated", "duplicate",
            "ignored")


@dataclass(frozen=True)
class Action:
    type: ClassVar[str] = "action"
    writes_github: ClassVar[bool] = True

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type}

    def describe(self) -> str:
        return self.type


@dataclass(frozen=True)
class Comment(Action):
    """Create or edit the responder's one comment on the issue."""

    type: ClassVar[str] = "comment"
    body: str

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "body": self.body}

    def describe(self) -> str:
        return "comment"


@dataclass(frozen=True)
class AddLabels(Action):
    type: ClassVar[str] = "add_labels"
    labels: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "labels": list(self.labels)}

    def describe(self) -> str:
        return "add labels " + ", ".join(self.labels)


@dataclass(frozen=True)
class RemoveLabels(Action):
    type: ClassVar[str] = "remove_labels"
    labels: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "labels": list(self.labels)}

    def describe(self) -> str:
        return "remove labels " + ", ".join(self.labels)


@dataclass(frozen=True)
class Close(Action):
    type: ClassVar[str] = "close"
    reason: str  # completed | not_planned

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "reason": self.reason}

    def describe(self) -> str:
        return f"close as {self.reason.replace('_', ' ')}"


@dataclass(frozen=True)
class Assign(Action):
    type: ClassVar[str] = "assign"
    assignees: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "assignees": list(self.assignees)}

    def describe(self) -> str:
        return "assign " + ", ".join(self.assignees)


@dataclass(frozen=True)
class SetIssue(Action):
    """Labels and assignees as full sets, and closing, in one request (the sweep escalates this way).

    A label someone adds between the listing the sets were made from and this write is lost.
    """

    type: ClassVar[str] = "set_issue"
    labels: tuple[str, ...] | None = None
    assignees: tuple[str, ...] | None = None
    close: str | None = None

    def to_json(self) -> dict[str, Any]:
        change: dict[str, Any] = {"type": "update_issue"}
        if self.labels is not None:
            change["labels"] = list(self.labels)
        if self.assignees is not None:
            change["assignees"] = list(self.assignees)
        if self.close:
            change["close"] = self.close
        return change

    def describe(self) -> str:
        return "updated the issue"


@dataclass(frozen=True)
class OpenIssue(Action):
    """Open a new issue (a detected incident, a post-mortem follow-up)."""

    type: ClassVar[str] = "open_issue"
    title: str
    body: str
    labels: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "title": self.title, "body": self.body, "labels": list(self.labels)}

    def describe(self) -> str:
        return f"open an issue: {self.title}"


@dataclass(frozen=True)
class OpenedIssue:
    """What OpenIssue hands back in Report.results."""

    number: int
    html_url: str


@dataclass(frozen=True)
class Decision:
    event: str
    issue: int | None
    kind: str
    trusted: bool | None
    severity: str | None
    outcome: str
    reasons: tuple[str, ...]
    actions: tuple[Action, ...] = ()
    # The state to remember; it is embedded in the Comment action's body.
    state: IssueState | None = None
    # Fingerprint of the intended end state; equal to the remembered one = nothing to do.
    digest: str | None = None
    # Extra sections later stages add to the JSON (findings, verdict, ...).
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "event": self.event,
            "issue": self.issue,
            "kind": self.kind,
            "trusted": self.trusted,
            "severity": self.severity,
            "outcome": self.outcome,
            "reasons": list(self.reasons),
            "actions": [action.to_json() for action in self.actions],
        }
        out.update(self.extra)
        return out

    @property
    def comment(self) -> Comment | None:
        for action in self.actions:
            if isinstance(action, Comment):
                return action
        return None


def ignored(event: str, issue: int | None, reason: str, kind: str = "unknown") -> Decision:
    return Decision(event=event, issue=issue, kind=kind, trusted=None, severity=None,
                    outcome="ignored", reasons=(reason,))


def fingerprint(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
