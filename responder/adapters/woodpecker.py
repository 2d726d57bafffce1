"""The Woodpecker adapter: the only module that talks to Woodpecker's API.

Woodpecker mode starts the in-cluster pipeline for one issue event with
ISSUE_NUMBER, ISSUE_REPOSITORY and ISSUE_EVENT (plus COMMENT_ID for an
approval; see relay.py), then follows it until it finishes or the wait runs
out. No issue text is ever sent: the pipeline reads the issue (and the
approving comment) itself through the GitHub API.

API (Woodpecker 2.x and 3.x): GET /api/repos/lookup/{owner}/{name} -> repo id;
POST /api/repos/{id}/pipelines {branch, variables} -> pipeline;
GET /api/repos/{id}/pipelines/{number} -> pipeline with its status.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from responder.errors import ResponderError
from responder.render.redaction import process_redactor

log = logging.getLogger("responder.adapters.woodpecker")

# Woodpecker's pipeline statuses. "blocked" waits for a person to approve it.
WAITING = frozenset({"created", "pending", "running", "blocked"})
SUCCEEDED = frozenset({"success"})
FAILED = frozenset({"failure", "error", "killed", "declined", "skipped"})


class WoodpeckerError(ResponderError):
    """Woodpecker could not be reached or refused a request."""


@dataclass(frozen=True)
class Pipeline:
    number: int
    status: str
    url: str

    @property
    def finished(self) -> bool:
        return self.status not in WAITING

    @property
    def succeeded(self) -> bool:
        return self.status in SUCCEEDED


@dataclass(frozen=True)
class Outcome:
    """How a started pipeline ended, as far as the responder waited for it."""

    pipeline: Pipeline
    timed_out: bool = False

    @property
    def succeeded(self) -> bool:
        return not self.timed_out and self.pipeline.succeeded

    def describe(self) -> str:
        if self.timed_out:
            return f"pipeline #{self.pipeline.number} was still {self.pipeline.status} when the wait ran out"
        return f"pipeline #{self.pipeline.number} ended with status {self.pipeline.status}"


class WoodpeckerClient:
    def __init__(self, server: str, token: str, *, timeout: float = 15.0, session: Any = None) -> None:
        if not token:
            raise WoodpeckerError("no Woodpecker token",
                                  hint="Set WOODPECKER_TOKEN, or secrets.woodpecker_token in responder.yml.")
        if not server.startswith(("https://", "http://")):
            raise WoodpeckerError(f"the Woodpecker address must be an http(s):// URL, got {server!r}")
        process_redactor.add(token)
        self.server = server.rstrip("/")
        self._token = token
        self._timeout = timeout
        self._session = session
        self.requests = 0

    def _request(self, verb: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        import requests

        session = self._session or requests.Session()
        self._session = session
        url = f"{self.server}/api{path}"
        self.requests += 1
        try:
            response = session.request(verb, url, json=body, timeout=self._timeout,
                                       headers={"Authorization": f"Bearer {self._token}",
                                                "Accept": "application/json"})
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise WoodpeckerError(f"cannot reach Woodpecker at {self.server}: {type(exc).__name__}",
                                  hint="Check WOODPECKER_URL and that the server is up.") from None
        if response.status_code >= 400:
            detail = process_redactor(response.text.strip())[:200]
            raise WoodpeckerError(f"Woodpecker {verb} {path} failed: {response.status_code} {detail}".rstrip(),
                                  hint=_hint(response.status_code))
        try:
            return response.json()
        except ValueError:
            raise WoodpeckerError(f"Woodpecker {verb} {path} answered something that is not JSON") from None

    def repo_id(self, full_name: str) -> int:
        data = self._request("GET", f"/repos/lookup/{quote(full_name, safe='/')}")
        if not isinstance(data, Mapping) or not isinstance(data.get("id"), int):
            raise WoodpeckerError(f"Woodpecker's answer for {full_name} has no repository id")
        return int(data["id"])

    def start(self, repo_id: int, branch: str, variables: Mapping[str, str]) -> Pipeline:
        data = self._request("POST", f"/repos/{repo_id}/pipelines",
                             {"branch": branch, "variables": dict(variables)})
        return self._pipeline(repo_id, data)

    def pipeline(self, repo_id: int, number: int) -> Pipeline:
        return self._pipeline(repo_id, self._request("GET", f"/repos/{repo_id}/pipelines/{number}"))

    def _pipeline(self, repo_id: int, data: Any) -> Pipeline:
        if not isinstance(data, Mapping) or not isinstance(data.get("number"), int):
            raise WoodpeckerError("Woodpecker's answer has no pipeline number")
        number = int(data["number"])
        status = str(data.get("status") or "unknown")
        return Pipeline(number, status, f"{self.server}/repos/{repo_id}/pipeline/{number}")


def follow(
    client: WoodpeckerClient,
    repo_id: int,
    pipeline: Pipeline,
    *,
    timeout: float,
    poll: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Poll until the pipeline finishes or `timeout` seconds have passed."""
    deadline = clock() + timeout
    current = pipeline
    while not current.finished:
        if clock() >= deadline:
            return Outcome(current, timed_out=True)
        sleep(min(poll, max(0.0, deadline - clock())))
        current = client.pipeline(repo_id, current.number)
        log.debug("pipeline #%d: %s", current.number, current.status)
    return Outcome(current)


def _hint(status: int) -> str | None:
    if status == 401:
        return "The Woodpecker token was refused: create a new personal token in Woodpecker."
    if status == 403:
        return "The token's user needs push access to the repository in Woodpecker to start pipelines."
    if status == 404:
        return "The repository is not activated in Woodpecker, or the token's user cannot see it."
    return None
