"""The GitHub adapter: the only module that talks to GitHub.

It goes through PyGithub's requester (authentication, base URL, JSON) but
keeps retries in its own hands so every HTTP attempt is counted: 5xx and
rate-limit answers are retried with backoff, honouring Retry-After and the
rate-limit reset. Writes are spaced out, as GitHub asks of integrations, to
stay clear of secondary rate limits.

PyGithub is imported lazily: `responder --help` and offline runs never load it.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from responder.adapters.inputs import loads_or_none
from responder.errors import GitHubError
from responder.model.issues import BotComment, IncidentIssue
from responder.model.state import IssueState, StateSeal
from responder.render.redaction import process_redactor

log = logging.getLogger("responder.adapters.github")

DEFAULT_API_URL = "https://api.github.com"
_NEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="next"')
_WRITE_VERBS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    data: Any


class GitHubClient:
    """GitHub REST calls for one repository, with retries and a request count."""

    def __init__(
        self,
        repository: str,
        token: str,
        *,
        api_url: str = DEFAULT_API_URL,
        write_interval: float = 1.0,
        max_attempts: int = 4,
        max_wait: float = 60.0,
        timeout: float = 15.0,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        state_seal: StateSeal | None = None,
    ) -> None:
        if not token:
            raise GitHubError("no GitHub token", hint="Set GITHUB_TOKEN, or run with --offline.")
        process_redactor.add(token)
        self.repository = repository
        self.requests = 0
        self._token = token
        self._api_url = api_url.rstrip("/")
        self._write_interval = write_interval
        self._max_attempts = max_attempts
        self._max_wait = max_wait
        self._timeout = timeout
        # Looked up at call time, so a test can speed up time.sleep for a whole CLI run.
        self._sleep = sleep or (lambda seconds: time.sleep(seconds))
        self._clock = clock or (lambda: time.time())
        self._last_write: float | None = None
        self._requester: Any = None
        # Signs the state markers this client writes, and reads back only those it can verify.
        self.state_seal = state_seal or StateSeal()

    def push_token(self) -> str:
        """The token, for git pushes of the responder's own commits to this repository."""
        return self._token

    # ------------------------------------------------------------ transport

    def _client(self) -> Any:
        if self._requester is None:
            import github

            gh = github.Github(
                auth=github.Auth.Token(self._token),
                base_url=self._api_url,
                timeout=int(self._timeout),
                retry=None,  # retries are ours, so they are counted
                seconds_between_requests=None,
                seconds_between_writes=None,
                per_page=100,
            )
            self._requester = gh.requester
        return self._requester

    def request(
        self,
        verb: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        allow: tuple[int, ...] = (),
    ) -> Response:
        """One logical request; retried on 5xx, rate limits and network errors."""
        import requests

        url = path if path.startswith("http") else f"{self._api_url}{path}"
        what = f"{verb} {_shorten(url, self._api_url)}"
        last_problem = ""
        for attempt in range(1, self._max_attempts + 1):
            self._space_writes(verb)
            self.requests += 1
            try:
                status, response_headers, text = self._client().requestJson(
                    verb, url, dict(params) if params else None, dict(headers or {}), body
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                last_problem = f"network error: {type(exc).__name__}"
                log.warning("%s: %s (attempt %d of %d)", what, last_problem, attempt, self._max_attempts)
                if attempt < self._max_attempts:
                    self._sleep(self._backoff(attempt))
                continue
            response_headers = {k.lower(): v for k, v in (response_headers or {}).items()}
            data = _json(text)
            if status in allow or 200 <= status < 300 or status == 304:
                return Response(status, response_headers, data)
            wait = self._retry_wait(status, response_headers, attempt)
            message = _message(data)
            last_problem = f"{status} {message}".strip()
            if wait is None or attempt == self._max_attempts:
                break
            log.warning("%s: %s; retrying in %.0fs (attempt %d of %d)", what, last_problem, wait, attempt,
                        self._max_attempts)
            self._sleep(wait)
        status_code = int(last_problem.split()[0]) if last_problem[:3].isdigit() else None
        raise GitHubError(
            process_redactor(f"GitHub {what} failed: {last_problem}"),
            status=status_code,
            hint=_hint(status_code),
        )

    def _space_writes(self, verb: str) -> None:
        if verb not in _WRITE_VERBS or not self._write_interval:
            return
        now = self._clock()
        if self._last_write is not None:
            remaining = self._write_interval - (now - self._last_write)
            if remaining > 0:
                self._sleep(remaining)
        self._last_write = self._clock()

    def _backoff(self, attempt: int) -> float:
        return float(min(self._max_wait, 2 ** (attempt - 1)))

    def _retry_wait(self, status: int, headers: Mapping[str, str], attempt: int) -> float | None:
        """Seconds to wait before retrying, or None when retrying cannot help."""
        retry_after = headers.get("retry-after")
        rate_limited = status == 429 or (status == 403 and (retry_after or headers.get("x-ratelimit-remaining") == "0"))
        if rate_limited:
            if retry_after and retry_after.strip().isdigit():
                wait = float(retry_after)
            elif headers.get("x-ratelimit-reset", "").isdigit():
                wait = max(1.0, float(headers["x-ratelimit-reset"]) - self._clock())
            else:
                wait = 60.0
            # Waiting longer than a job should is worse than failing clearly now.
            return wait if wait <= self._max_wait else None
        if status >= 500:
            if retry_after and retry_after.strip().isdigit():
                return min(float(retry_after), self._max_wait)
            return self._backoff(attempt)
        return None

    def paged(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[Any]:
        """Items of a paged list, following Link rel="next" one page at a time."""
        query: dict[str, Any] = {"per_page": 100, **(params or {})}
        url: str | None = path
        while url:
            response = self.request("GET", url, params=query)
            yield from response.data or ()
            url = next_link(response.headers)
            query = {}  # the next link carries the query

    def get_if_changed(self, path: str, *, params: Mapping[str, Any] | None = None,
                       etag: str | None = None) -> Response:
        """A conditional GET. Given the ETag of an earlier answer, GitHub answers 304 Not Modified
        when nothing changed, and a 304 does not count against the rate limit."""
        return self.request("GET", path, params=params, headers={"If-None-Match": etag} if etag else None)

    # ------------------------------------------------------------ issues

    def _issue_path(self, number: int) -> str:
        return f"/repos/{self.repository}/issues/{number}"

    def permission(self, login: str) -> str:
        """The user's permission: admin, maintain, write, triage, read or none."""
        response = self.request(
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
        return bot_comment_in(self.paged(f"{self._issue_path(number)}/comments"), bot_login, self.state_seal,
                              self.repository, number)

    def get_issue(self, number: int) -> dict[str, Any]:
        response = self.request("GET", self._issue_path(number))
        if not isinstance(response.data, Mapping):
            raise GitHubError(f"GitHub GET issue #{number} answered without an issue")
        return dict(response.data)

    def get_issue_comment(self, comment_id: int) -> dict[str, Any] | None:
        """One issue comment by its id, wherever it is in the repository; None when it does not exist (any more)."""
        response = self.request("GET", f"/repos/{self.repository}/issues/comments/{comment_id}", allow=(404,))
        if response.status == 404:
            return None
        if not isinstance(response.data, Mapping):
            raise GitHubError(f"GitHub GET comment {comment_id} answered without a comment")
        return dict(response.data)

    def list_comments(self, number: int) -> list[dict[str, Any]]:
        """Every comment on the issue, oldest first (100 per request)."""
        return list(self.paged(f"{self._issue_path(number)}/comments"))

    def list_events(self, number: int) -> list[dict[str, Any]]:
        """Every issue event (labeled, closed, assigned...), oldest first (100 per request)."""
        return list(self.paged(f"{self._issue_path(number)}/events"))

    def list_issues(self, *, labels: tuple[str, ...] = (), state: str = "all") -> list[dict[str, Any]]:
        """Issues (not pull requests) carrying all of these labels."""
        params = {"state": state, **({"labels": ",".join(labels)} if labels else {})}
        return [item for item in self.paged(f"/repos/{self.repository}/issues", params)
                if not item.get("pull_request")]

    def create_issue(self, title: str, body: str, labels: tuple[str, ...] = ()) -> dict[str, Any]:
        response = self.request("POST", f"/repos/{self.repository}/issues",
                                body={"title": title, "body": body, "labels": list(labels)})
        return dict(response.data or {})

    def create_comment(self, number: int, body: str) -> BotComment:
        body = self.state_seal.seal(body, self.repository, number)
        response = self.request("POST", f"{self._issue_path(number)}/comments", body={"body": body})
        data = response.data or {}
        return BotComment(int(data.get("id", 0)), body, str(data.get("html_url", "")),
                          self.state_seal.open(body, self.repository, number))

    def delete_comment(self, comment_id: int) -> None:
        # 404: already gone (another run deleted it), which is what we wanted.
        self.request("DELETE", f"/repos/{self.repository}/issues/comments/{comment_id}", allow=(404,))

    def edit_comment(self, comment_id: int, body: str, number: int) -> None:
        """Replace a comment of issue `number` (the number its state marker is sealed for)."""
        body = self.state_seal.seal(body, self.repository, number)
        self.request("PATCH", f"/repos/{self.repository}/issues/comments/{comment_id}", body={"body": body})

    def add_labels(self, number: int, labels: tuple[str, ...]) -> None:
        self.request("POST", f"{self._issue_path(number)}/labels", body={"labels": list(labels)})

    def remove_label(self, number: int, label: str) -> None:
        # 404: the label is already gone, which is what we wanted.
        self.request("DELETE", f"{self._issue_path(number)}/labels/{quote(label, safe='')}", allow=(404,))

    def add_assignees(self, number: int, assignees: tuple[str, ...]) -> None:
        self.request("POST", f"{self._issue_path(number)}/assignees", body={"assignees": list(assignees)})

    def close(self, number: int, reason: str) -> None:
        self.request("PATCH", self._issue_path(number), body={"state": "closed", "state_reason": reason})

    # ------------------------------------------------------------ labels

    def list_labels(self) -> list[Mapping[str, Any]]:
        return list(self.paged(f"/repos/{self.repository}/labels"))

    def create_label(self, name: str, color: str, description: str) -> None:
        self.request("POST", f"/repos/{self.repository}/labels",
                     body={"name": name, "color": color, "description": description})

    def update_label(self, current_name: str, *, new_name: str, color: str, description: str) -> None:
        self.request("PATCH", f"/repos/{self.repository}/labels/{quote(current_name, safe='')}",
                     body={"new_name": new_name, "color": color, "description": description})


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
            self.request("PATCH", self._issue_path(number), body=change)

    def graphql(self, query: str, variables: Mapping[str, Any]) -> Any:
        response = self.request("POST", self._client().graphql_url, body={"query": query, "variables": variables})
        data = response.data if isinstance(response.data, Mapping) else {}
        if data.get("errors"):
            first = data["errors"][0] if isinstance(data["errors"], list) and data["errors"] else {}
            message = first.get("message") if isinstance(first, Mapping) else None
            raise GitHubError(process_redactor(f"GitHub GraphQL query failed: {message or data['errors']}"))
        return data.get("data") or {}

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
            data = self.graphql(OPEN_INCIDENTS_QUERY, {"owner": owner, "name": name, "label": label,
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
            bot = self.find_bot_comment(number, bot_login)
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
        )


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
    from dataclasses import replace

    state = primary or IssueState()
    for other in others:
        if other is None:
            continue
        state = state.with_entries(other.journal)
        state = replace(state, sections={**other.sections, **state.sections})
    return replace(state, digest=None)


def next_link(headers: Mapping[str, str]) -> str | None:
    """The rel="next" address of a paged answer's Link header, if any."""
    match = _NEXT_LINK.search(headers.get("link", ""))
    return match.group(1) if match else None


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
      }
    }
  }
}
""".strip()


def is_bot(author: Any, bot_login: str) -> bool:
    """Whether a GraphQL comment author is the responder's account."""
    if not isinstance(author, Mapping):
        return False
    login = str(author.get("login") or "")
    kind = author.get("__typename")
    if bot_login.endswith("[bot]"):
        return kind == "Bot" and login in (bot_login, bot_login[: -len("[bot]")])
    return kind != "Bot" and login == bot_login


def _json(text: str | None) -> Any:
    return loads_or_none(text)


def _message(data: Any) -> str:
    if isinstance(data, Mapping) and isinstance(data.get("message"), str):
        return str(data["message"])[:200]
    return ""


def _shorten(url: str, api_url: str) -> str:
    return url[len(api_url):] if url.startswith(api_url) else url


def _hint(status: int | None) -> str | None:
    if status == 401:
        return "The token was refused: check that GITHUB_TOKEN is set and not expired."
    if status == 403:
        return ("The token lacks a permission, or a rate limit was hit: the workflow needs "
                "`issues: write` and `contents: read`.")
    if status == 404:
        return "Check the repository name and that the token can see it."
    if status is not None and status >= 500:
        return "GitHub is having trouble; the run can be retried safely."
    return None
