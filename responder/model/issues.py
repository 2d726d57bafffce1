"""The responder's comment on an issue, and an open incident with it, as the GitHub adapter reads them."""

from __future__ import annotations

from dataclasses import dataclass

from responder.model.state import IssueState


@dataclass(frozen=True)
class BotComment:
    id: int
    body: str
    html_url: str
    state: IssueState | None
    # Further comments of the responder's own on the same issue (two runs raced and both posted):
    # their state is merged into `state`, and the next write deletes them.
    duplicates: tuple[int, ...] = ()


@dataclass(frozen=True)
class PersonResponse:
    """Something a person (not the responder) did on an issue that could acknowledge it: a comment, a
    label or an assignment. Whether it does depends on who they are (the sweep looks that up)."""

    at: str
    login: str
    how: str  # comment | label | assignment
    association: str | None = None  # a comment's author_association; None for labels and assignments
    label: str | None = None  # the label added, for `label`


@dataclass(frozen=True)
class IncidentIssue:
    """An open incident, with the responder's comment on it, from one listing request."""

    number: int
    title: str
    body: str
    html_url: str
    author: str
    created_at: str
    labels: tuple[str, ...]
    assignees: tuple[str, ...]
    bot_comment: BotComment | None
    last_human_comment_at: str | None  # the newest comment by anyone but the responder
    # The first comments, labels and assignments by people, oldest first (acknowledgement candidates).
    responses: tuple[PersonResponse, ...] = ()
