"""The open incidents of a repository, each with the responder's comment, read in one GraphQL request per 100."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from responder.adapters.github.issues import Issues
from responder.adapters.github.transport import RepositoryAPI
from responder.model.issues import BotComment, IncidentIssue, PersonResponse

# GraphQL reports a GitHub App's login without the "[bot]" suffix that REST shows,
# with the actor type "Bot"; a user who registered the bare name is a "User".
OPEN_INCIDENTS_QUERY = """
query OpenIncidents($owner: String!, $name: String!, $label: String!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    issues(first: 100, after: $cursor, states: OPEN, labels: [$label],
           orderBy: {field: CREATED_AT, direction: ASC}) {
      pageInfo { hasNextPage endCursor }
      nodes {
        number title body url createdAt
        author { __typename login }
        labels(first: 100) { nodes { name } }
        assignees(first: 20) { nodes { login } }
        comments(first: 30) {
          pageInfo { hasNextPage }
          nodes { databaseId url body createdAt author { __typename login } }
        }
        latest: comments(last: 5) {
          nodes { createdAt author { __typename login } }
        }
        responses: timelineItems(first: 50, itemTypes: [ISSUE_COMMENT, LABELED_EVENT, ASSIGNED_EVENT]) {
          nodes {
            __typename
            ... on IssueComment { createdAt authorAssociation author { __typename login } }
            ... on LabeledEvent { createdAt actor { __typename login } label { name } }
            ... on AssignedEvent { createdAt actor { __typename login } }
          }
        }
      }
    }
  }
}
""".strip()


class Incidents(RepositoryAPI):
    """Incident reads for one repository."""

    def open_incidents(self, label: str, bot_login: str) -> list[IncidentIssue]:
        """Open issues with the incident label and the responder's comment on each, 100 per request.

        One GraphQL request returns the issues and their first comments, so a
        sweep reads every incident's state without a request per incident.
        An issue whose responder comment lies beyond the first page of
        comments costs one extra REST listing.
        """
        owner, name = self.repository.split("/", 1)
        cursor: str | None = None
        out: list[IncidentIssue] = []
        while True:
            data = self.transport.graphql(OPEN_INCIDENTS_QUERY, {"owner": owner, "name": name, "label": label,
                                                                 "cursor": cursor})
            issues = ((data.get("repository") or {}).get("issues")) or {}
            for node in issues.get("nodes") or ():
                out.append(self._incident(node, bot_login))
            page = issues.get("pageInfo") or {}
            if not page.get("hasNextPage"):
                return out
            cursor = page.get("endCursor")

    def _incident(self, node: Mapping[str, Any], bot_login: str) -> IncidentIssue:
        comments = node.get("comments") or {}
        bot: BotComment | None = None
        number = int(node["number"])
        for comment in comments.get("nodes") or ():
            body = comment.get("body") or ""
            if is_bot(comment.get("author"), bot_login) and self.state_seal.owns(body, self.repository, number):
                bot = BotComment(int(comment["databaseId"]), body, str(comment.get("url", "")),
                                 self.state_seal.open(body, self.repository, number))
                break
        if bot is None and (comments.get("pageInfo") or {}).get("hasNextPage"):
            bot = Issues(self.transport, self.repository, self.state_seal).find_bot_comment(number, bot_login)
        latest = [c for c in (node.get("latest") or {}).get("nodes") or () if not is_bot(c.get("author"), bot_login)]
        return IncidentIssue(
            number=number,
            title=str(node.get("title") or ""),
            body=str(node.get("body") or ""),
            html_url=str(node.get("url") or ""),
            author=str((node.get("author") or {}).get("login") or ""),
            created_at=str(node.get("createdAt") or ""),
            labels=tuple(str(n.get("name")) for n in (node.get("labels") or {}).get("nodes") or ()),
            assignees=tuple(str(n.get("login")) for n in (node.get("assignees") or {}).get("nodes") or ()),
            bot_comment=bot,
            last_human_comment_at=str(latest[-1].get("createdAt")) if latest else None,
            responses=_responses(node, bot_login),
        )


_HOW = {"IssueComment": "comment", "LabeledEvent": "label", "AssignedEvent": "assignment"}


def _responses(node: Mapping[str, Any], bot_login: str) -> tuple[PersonResponse, ...]:
    """The first comments, labels and assignments of people (the responder's own left out), oldest first."""
    out = []
    for item in (node.get("responses") or {}).get("nodes") or ():
        how = _HOW.get(str(item.get("__typename")))
        person = item.get("author") if how == "comment" else item.get("actor")
        login = str((person or {}).get("login") or "") if isinstance(person, Mapping) else ""
        if how is None or not login or is_bot(person, bot_login) or not item.get("createdAt"):
            continue
        out.append(PersonResponse(
            at=str(item["createdAt"]), login=login, how=how,
            association=str(item.get("authorAssociation") or "NONE") if how == "comment" else None,
            label=str((item.get("label") or {}).get("name") or "") or None if how == "label" else None))
    return tuple(out)


def is_bot(author: Any, bot_login: str) -> bool:
    """Whether a GraphQL comment author is the responder's account."""
    if not isinstance(author, Mapping):
        return False
    login = str(author.get("login") or "")
    kind = author.get("__typename")
    if bot_login.endswith("[bot]"):
        return kind == "Bot" and login in (bot_login, bot_login[: -len("[bot]")])
    return kind != "Bot" and login == bot_login
