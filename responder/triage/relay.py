"""Woodpecker mode's relay: which GitHub event the in-cluster pipeline is told about, and how it rebuilds it.

The Actions job reads the real webhook event and relays at most two values
besides the issue number: a name from a fixed list (ISSUE_EVENT) and, for an
approval, the comment's id (COMMENT_ID). Never any issue text. The pipeline
checks both values again and rebuilds a webhook-shaped event from the
GitHub API, so the normal screen and trust check run on what GitHub holds,
not on what a variable says.

Pure: events and JSON in, a Relay or a payload out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from responder.config.loader import Config
from responder.errors import InputError
from responder.model.events import IssueEvent
from responder.triage.intake import screen

APPROVE_EVENT = "approve"  # an issue_comment.created whose comment is `/responder approve`
ISSUE_ACTIONS = ("opened", "edited", "reopened", "labeled", "closed")
RELAYED_EVENTS = (*ISSUE_ACTIONS, APPROVE_EVENT)

_COMMENT_ID = re.compile(r"[0-9]{1,19}")  # ASCII digits only: str.isdigit() also takes "²" and "٣"


@dataclass(frozen=True)
class Relay:
    """What the pipeline is told about the event."""

    event: str  # one of RELAYED_EVENTS
    comment_id: int | None = None  # the approving comment, for APPROVE_EVENT only

    def variables(self) -> dict[str, str]:
        """The pipeline variables for this event (besides ISSUE_NUMBER and ISSUE_REPOSITORY)."""
        if self.comment_id is None:
            return {"ISSUE_EVENT": self.event}
        return {"ISSUE_EVENT": self.event, "COMMENT_ID": str(self.comment_id)}


@dataclass(frozen=True)
class NotRelayed:
    """Why the event does not start the pipeline."""

    reason: str


def relay_for(event: IssueEvent, config: Config) -> Relay | NotRelayed:
    """The Actions side: relay exactly the events the responder would act on in direct mode.

    The same screen as `responder handle` runs first, so comments that are no
    command, the responder's own events and labels that do not concern it
    start no pipeline at all.
    """
    early = screen(event, config)
    if early is not None:
        return NotRelayed(early.reasons[0])
    if event.name == "issue_comment" and event.comment is not None:
        return Relay(APPROVE_EVENT, event.comment.id)  # the screen lets only `/responder approve` through
    if event.name == "issues" and event.action in ISSUE_ACTIONS:
        return Relay(event.action)
    return NotRelayed(f"{event.key} is not an event the pipeline rebuilds")


def parse_relay(event: str, comment_id: str | None) -> Relay:
    """The pipeline side: check the two relayed values. An empty COMMENT_ID means none."""
    if event not in RELAYED_EVENTS:
        raise InputError(f"--relayed-event: expected one of {', '.join(RELAYED_EVENTS)}, got {_shown(event)}")
    text = comment_id or ""
    if text and not _COMMENT_ID.fullmatch(text):
        raise InputError(f"--comment-id: expected a comment id (digits only), got {_shown(text)}")
    number = int(text) if text else None
    if event == APPROVE_EVENT and not number:
        raise InputError("--relayed-event approve needs the approving comment's id (--comment-id)")
    if event != APPROVE_EVENT and number is not None:
        raise InputError(f"--comment-id goes only with --relayed-event approve, not {event}")
    return Relay(event, number)


def relayed_payload(relay: Relay, issue: Mapping[str, Any], repository: str, config: Config,
                    comment: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], str]:
    """A webhook-shaped payload and its event name, from the issue (and comment) as the API returns them.

    `issue` is GET /repos/{o}/{r}/issues/{n}; `comment` is GET
    /repos/{o}/{r}/issues/comments/{id}, already checked to belong to that
    issue (comment_belongs_to). Both have the same shape as in a webhook.
    """
    if relay.event == APPROVE_EVENT:
        if comment is None:
            # The approval was deleted before the pipeline read it: what GitHub itself would send now.
            return ({"action": "deleted", "issue": dict(issue), "comment": None,
                     "repository": {"full_name": repository}}, "issue_comment")
        # GitHub's issue_comment payload: the commenter is the sender, and the one whose trust counts.
        return ({"action": "created", "issue": dict(issue), "comment": dict(comment),
                 "repository": {"full_name": repository}, "sender": comment.get("user")},
                "issue_comment")
    # Who acted is not relayed: the Actions side already skipped the responder's own events, and the
    # issue's author would be the wrong sender for the incidents the responder opened itself.
    payload: dict[str, Any] = {"action": relay.event, "issue": dict(issue), "repository": {"full_name": repository}}
    if relay.event == "labeled":
        # Only a form label is relayed (the screen drops the others); the one the issue carries now stands in.
        label = next((name for name in _form_labels(config) if name in _label_names(issue)), None)
        if label is not None:
            payload["label"] = {"name": label}
    return payload, "issues"


def comment_belongs_to(comment: Mapping[str, Any], repository: str, issue: int) -> bool:
    """Whether the comment (REST shape) is on this issue of this repository, judged by its issue_url."""
    url = comment.get("issue_url")
    if not isinstance(url, str):
        return False
    return url.lower().endswith(f"/repos/{repository}/issues/{issue}".lower())


def _form_labels(config: Config) -> tuple[str, str]:
    return config.labels["user-report"], config.labels["feature-request"]


def _label_names(issue: Mapping[str, Any]) -> set[str]:
    return {label["name"] for label in issue.get("labels") or ()
            if isinstance(label, Mapping) and isinstance(label.get("name"), str)}


def _shown(text: str) -> str:
    """A hostile value, quoted and cut short, for a one-line error."""
    return repr(text if len(text) <= 40 else text[:40] + "…")


def pipeline_variables(issue: int, repository: str, relay: Relay) -> dict[str, str]:
    """The only data a pipeline gets: values whose shape is checked here and again in the pipeline."""
    from responder.model.events import REPOSITORY_PATTERN

    if issue <= 0:
        raise InputError(f"not an issue number: {issue}")
    if not REPOSITORY_PATTERN.match(repository):
        raise InputError(f"not a repository name (OWNER/NAME): {repository!r}")
    relayed = relay.variables()
    parse_relay(relayed["ISSUE_EVENT"], relayed.get("COMMENT_ID"))  # the pipeline's own check, made before sending
    return {"ISSUE_NUMBER": str(issue), "ISSUE_REPOSITORY": repository, **relayed}
