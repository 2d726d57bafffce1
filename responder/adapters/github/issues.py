"""One repository's issues and comments: reads, writes, and who may act on them.

The responder's own comment carries its state; it is written sealed and read
back only when the seal accepts it as the responder's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from responder.adapters.github.transport import RepositoryAPI
from responder.errors import GitHubError
from responder.model.issues import BotComment
from responder.model.state import IssueState, StateSeal


class Issues(RepositoryAPI):
    """Issue and comment calls for one repository."""

    def _issue_path(self, number: int) -> str:
        return f"/repos/{self.repository}/issues/{number}"

    def permission(self, login: str) -> str:
        """The user's permission: admin, maintain, write, triage, read or none."""
        response = self.transport.request(
            "GET", f"/repos/{self.repository}/collaborators/{quote(login, safe='')}/permission", allow=(404,)
        )
        if response.status == 404 or not isinstance(response.data, Mapping):
            return "none"
        role = str(response.data.get("role_name") or "").lower()
        if role in ("admin", "maintain", "write", "triage", "read"):
            return role
        return str(response.data.get("permission") or "none").lower()

    def find_bot_comment(self, number: int, bot_login: str) -> BotComment | None:
        """The responder's own comment (the one holding its state), if it has one.

        Only comments written by the bot account count: a marker pasted by
        anyone else is ignored.
        """
        return bot_comment_in(self.transport.paged(f"{self._issue_path(number)}/comments"), bot_login,
                              self.state_seal, self.repository, number)

    def get_issue(self, number: int) -> dict[str, Any]:
        response = self.transport.request("GET", self._issue_path(number))
        if not isinstance(response.data, Mapping):
            raise GitHubError(f"GitHub GET issue #{number} answered without an issue")
        return dict(response.data)

    def get_issue_comment(self, comment_id: int) -> dict[str, Any] | None:
        """One issue comment by its id, wherever it is in the repository; None when it does not exist (any more)."""
        response = self.transport.request("GET", f"/repos/{self.repository}/issues/comments/{comment_id}",
                                          allow=(404,))
        if response.status == 404:
            return None
        if not isinstance(response.data, Mapping):
            raise GitHubError(f"GitHub GET comment {comment_id} answered without a comment")
        return dict(response.data)

    def list_comments(self, number: int) -> list[dict[str, Any]]:
        """Every comment on the issue, oldest first (100 per request)."""
        return list(self.transport.paged(f"{self._issue_path(number)}/comments"))

    def list_events(self, number: int) -> list[dict[str, Any]]:
        """Every issue event (labeled, closed, assigned...), oldest first (100 per request)."""
        return list(self.transport.paged(f"{self._issue_path(number)}/events"))

    def list_issues(self, *, labels: tuple[str, ...] = (), state: str = "all") -> list[dict[str, Any]]:
        """Issues (not pull requests) carrying all of these labels."""
        params = {"state": state, **({"labels": ",".join(labels)} if labels else {})}
        return [item for item in self.transport.paged(f"/repos/{self.repository}/issues", params)
                if not item.get("pull_request")]

    def create_issue(self, title: str, body: str, labels: tuple[str, ...] = ()) -> dict[str, Any]:
        response = self.transport.request("POST", f"/repos/{self.repository}/issues",
                                          body={"title": title, "body": body, "labels": list(labels)})
        return dict(response.data or {})

    def create_comment(self, number: int, body: str) -> BotComment:
        body = self.state_seal.seal(body, self.repository, number)
        response = self.transport.request("POST", f"{self._issue_path(number)}/comments", body={"body": body})
        data = response.data or {}
        return BotComment(int(data.get("id", 0)), body, str(data.get("html_url", "")),
                          self.state_seal.open(body, self.repository, number))

    def delete_comment(self, comment_id: int) -> None:
        # 404: already gone (another run deleted it), which is what we wanted.
        self.transport.request("DELETE", f"/repos/{self.repository}/issues/comments/{comment_id}", allow=(404,))

    def edit_comment(self, comment_id: int, body: str, number: int) -> None:
        """Replace a comment of issue `number` (the number its state marker is sealed for)."""
        body = self.state_seal.seal(body, self.repository, number)
        self.transport.request("PATCH", f"/repos/{self.repository}/issues/comments/{comment_id}",
                               body={"body": body})

    def add_labels(self, number: int, labels: tuple[str, ...]) -> None:
        self.transport.request("POST", f"{self._issue_path(number)}/labels", body={"labels": list(labels)})

    def remove_label(self, number: int, label: str) -> None:
        # 404: the label is already gone, which is what we wanted.
        self.transport.request("DELETE", f"{self._issue_path(number)}/labels/{quote(label, safe='')}",
                               allow=(404,))

    def add_assignees(self, number: int, assignees: tuple[str, ...]) -> None:
        self.transport.request("POST", f"{self._issue_path(number)}/assignees",
                               body={"assignees": list(assignees)})

    def close(self, number: int, reason: str) -> None:
        self.transport.request("PATCH", self._issue_path(number), body={"state": "closed", "state_reason": reason})

    def update_issue(self, number: int, *, labels: tuple[str, ...] | None = None,
                     assignees: tuple[str, ...] | None = None, close_reason: str | None = None) -> None:
        """Labels (the full set), assignees (the full set) and closing, in one request."""
        change: dict[str, Any] = {}
        if labels is not None:
            change["labels"] = list(labels)
        if assignees is not None:
            change["assignees"] = list(assignees)
        if close_reason is not None:
            change.update({"state": "closed", "state_reason": close_reason})
        if change:
            self.transport.request("PATCH", self._issue_path(number), body=change)


def bot_comment_in(comments: Iterable[Mapping[str, Any]], bot_login: str, seal: StateSeal | None = None,
                   repository: str = "", number: int = 0) -> BotComment | None:
    """The first comment written by the bot account whose state marker the seal accepts as the responder's."""
    seal = seal or StateSeal()
    own = [comment for comment in comments
           if (comment.get("user") or {}).get("login") == bot_login
           and seal.owns(comment.get("body") or "", repository, number)]
    if not own:
        return None
    first, rest = own[0], own[1:]
    if seal.key is None and seal.shared_account:
        # Nothing proves which of these is the responder's (another workflow may quote a marker under
        # the same account): merge nothing, delete nothing.
        rest = []
    body = first.get("body") or ""
    state = seal.open(body, repository, number)
    if rest:
        state = merged_state(state, [seal.open(c.get("body") or "", repository, number) for c in rest])
    return BotComment(int(first["id"]), body, str(first.get("html_url", "")), state,
                      tuple(int(c["id"]) for c in rest))


def merged_state(primary: IssueState | None, others: Iterable[IssueState | None]) -> IssueState:
    """One state from the responder's comments on one issue, the oldest first.

    The journal keeps what every run recorded; sections the oldest lacks come from the others.
    An approval is never taken from a duplicate. The digest is dropped, so the next run writes
    the merged comment (and deletes the duplicates) even when nothing else changed.
    """
    state = primary or IssueState()
    for other in others:
        if other is None:
            continue
        state = state.with_entries(other.journal)
        state = replace(state, sections={**other.sections, **state.sections})
    return replace(state, digest=None)
