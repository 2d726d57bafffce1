"""GitHub webhook payloads, turned into a small frozen model.

Payloads come from GitHub, but the issue and comment text inside them is
written by anyone. Parsing never raises: a payload that cannot be used is
described by `problem`, and the decision reports it as ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

HANDLED = {
    # closed: only SEV1/SEV2 incidents, for their post-mortem (responder.triage.closing).
    "issues": frozenset({"opened", "edited", "reopened", "labeled", "closed"}),
    "issue_comment": frozenset({"created"}),
}


@dataclass(frozen=True)
class Actor:
    login: str
    type: str = "User"  # User | Bot | Organization


@dataclass(frozen=True)
class Issue:
    number: int
    title: str
    body: str | None
    author: Actor
    author_association: str
    labels: tuple[str, ...]
    state: str
    html_url: str
    created_at: str
    updated_at: str
    closed_at: str | None = None
    assignees: tuple[str, ...] = ()
    is_pull_request: bool = False


@dataclass(frozen=True)
class Comment:
    id: int
    body: str | None
    author: Actor
    author_association: str
    html_url: str
    created_at: str


@dataclass(frozen=True)
class IssueEvent:
    name: str  # issues | issue_comment | ...
    action: str
    repository: str | None
    sender: Actor | None
    issue: Issue | None
    comment: Comment | None = None
    label: str | None = None  # the label added or removed, for labeled/unlabeled
    problem: str | None = None  # why the payload cannot be used, if it cannot

    @property
    def key(self) -> str:
        return f"{self.name}.{self.action}" if self.action else self.name

    @property
    def handled(self) -> bool:
        return self.action in HANDLED.get(self.name, frozenset())

    @property
    def at(self) -> str:
        """When the event happened, as GitHub recorded it (deterministic for replays)."""
        if self.comment is not None and self.comment.created_at:
            return self.comment.created_at
        if self.issue is not None:
            if self.action == "opened":
                return self.issue.created_at
            if self.action == "closed" and self.issue.closed_at:
                return self.issue.closed_at
            return self.issue.updated_at
        return ""


def parse_event(payload: Any, event_name: str | None = None) -> IssueEvent:
    if not isinstance(payload, Mapping):
        return IssueEvent(event_name or "unknown", "", None, None, None, problem="the payload is not a JSON object")
    malformed = _malformed(payload)
    if malformed:
        return IssueEvent(event_name or _infer_name(payload), "", None, None, None, problem=malformed)
    name = event_name or _infer_name(payload)
    action = payload.get("action")
    action = action if isinstance(action, str) else ""
    repository = _repository(payload.get("repository"))
    sender = _actor(payload.get("sender"))
    issue = _issue(payload.get("issue"))
    comment = _comment(payload.get("comment")) if name == "issue_comment" else None
    label_raw = payload.get("label")
    label = label_raw.get("name") if isinstance(label_raw, Mapping) and isinstance(label_raw.get("name"), str) else None
    problem = None
    if issue is None:
        problem = "the payload has no usable issue"
    elif name == "issue_comment" and action == "created" and comment is None:
        problem = "the payload has no usable comment"
    return IssueEvent(name, action, repository, sender, issue, comment, label, problem)


def _malformed(payload: Mapping[str, Any]) -> str | None:
    """What makes a payload unlike any GitHub sends: lists that are not lists, text that is not Unicode."""
    import json

    for part in ("issue", "comment"):
        raw = payload.get(part)
        if not isinstance(raw, Mapping):
            continue
        for key in ("labels", "assignees"):
            if key in raw and raw[key] is not None and not isinstance(raw[key], list):
                return f"{part}.{key} is {type(raw[key]).__name__}, not a list"
    try:
        json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return "the payload holds text that is not valid Unicode (a lone surrogate)"
    except (ValueError, RecursionError):
        return "the payload is nested too deeply"
    return None


def _infer_name(payload: Mapping[str, Any]) -> str:
    if "comment" in payload and "issue" in payload:
        return "issue_comment"
    if "issue" in payload:
        return "issues"
    return "unknown"


def _repository(raw: Any) -> str | None:
    if isinstance(raw, Mapping) and isinstance(raw.get("full_name"), str):
        return str(raw["full_name"])
    return None


def _actor(raw: Any) -> Actor | None:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("login"), str):
        return None
    kind = raw.get("type")
    return Actor(login=raw["login"], type=kind if isinstance(kind, str) else "User")


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    return value if isinstance(value, str) else ""


def _issue(raw: Any) -> Issue | None:
    if not isinstance(raw, Mapping):
        return None
    number = raw.get("number")
    author = _actor(raw.get("user"))
    if not isinstance(number, int) or isinstance(number, bool) or number <= 0 or author is None:
        return None
    body = raw.get("body")
    labels = tuple(
        label["name"] for label in raw.get("labels") or ()
        if isinstance(label, Mapping) and isinstance(label.get("name"), str)
    )
    assignees = tuple(
        a["login"] for a in raw.get("assignees") or ()
        if isinstance(a, Mapping) and isinstance(a.get("login"), str)
    )
    closed_at = raw.get("closed_at")
    return Issue(
        number=number,
        title=_text(raw, "title"),
        body=body if isinstance(body, str) else None,
        author=author,
        author_association=_text(raw, "author_association") or "NONE",
        labels=labels,
        state=_text(raw, "state") or "open",
        html_url=_text(raw, "html_url"),
        created_at=_text(raw, "created_at"),
        updated_at=_text(raw, "updated_at"),
        closed_at=closed_at if isinstance(closed_at, str) else None,
        assignees=assignees,
        is_pull_request=isinstance(raw.get("pull_request"), Mapping),
    )


def _comment(raw: Any) -> Comment | None:
    if not isinstance(raw, Mapping):
        return None
    comment_id = raw.get("id")
    author = _actor(raw.get("user"))
    if not isinstance(comment_id, int) or author is None:
        return None
    body = raw.get("body")
    return Comment(
        id=comment_id,
        body=body if isinstance(body, str) else None,
        author=author,
        author_association=_text(raw, "author_association") or "NONE",
        html_url=_text(raw, "html_url"),
        created_at=_text(raw, "created_at"),
    )


REPOSITORY_PATTERN = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
