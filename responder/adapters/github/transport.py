"""GitHub's wire: the HTTP session, authentication, retries, paging, conditional GETs and GraphQL.

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
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from responder.adapters.inputs import loads_or_none
from responder.errors import GitHubError
from responder.model.state import StateSeal
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


class GitHubTransport:
    """Requests to GitHub's API with one token, retried where that can help, and counted."""

    def __init__(
        self,
        token: str,
        *,
        api_url: str = DEFAULT_API_URL,
        write_interval: float = 1.0,
        max_attempts: int = 4,
        max_wait: float = 60.0,
        timeout: float = 15.0,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if not token:
            raise GitHubError("no GitHub token", hint="Set GITHUB_TOKEN.")
        process_redactor.add(token)
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

    def push_token(self) -> str:
        """The token, for git pushes of the responder's own commits to the repository."""
        return self._token

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
            data = loads_or_none(text)
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

    def graphql(self, query: str, variables: Mapping[str, Any]) -> Any:
        response = self.request("POST", self._client().graphql_url, body={"query": query, "variables": variables})
        data = response.data if isinstance(response.data, Mapping) else {}
        if data.get("errors"):
            first = data["errors"][0] if isinstance(data["errors"], list) and data["errors"] else {}
            message = first.get("message") if isinstance(first, Mapping) else None
            raise GitHubError(process_redactor(f"GitHub GraphQL query failed: {message or data['errors']}"))
        return data.get("data") or {}


class RepositoryAPI:
    """Calls about one repository through a shared transport: the base of the issue, label and incident parts."""

    def __init__(self, transport: GitHubTransport, repository: str, state_seal: StateSeal | None = None) -> None:
        self.transport = transport
        self.repository = repository
        # Signs the state markers written through this part, and reads back only those it can verify.
        self.state_seal = state_seal or StateSeal()


def next_link(headers: Mapping[str, str]) -> str | None:
    """The rel="next" address of a paged answer's Link header, if any."""
    match = _NEXT_LINK.search(headers.get("link", ""))
    return match.group(1) if match else None


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
