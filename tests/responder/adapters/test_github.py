"""The GitHub adapter: retries, rate limits, request counting, and the shapes it reads."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import responses

from responder.adapters.github import GitHubClient
from responder.errors import GitHubError
from tests.support import events
from tests.support.github_api import FakeGitHub

PERMISSION_URL = re.compile(r"https://api\.github\.com(:443)?/repos/acme-homelab/infra/collaborators/.*/permission")
COMMENT_URL = re.compile(r"https://api\.github\.com(:443)?/repos/acme-homelab/infra/issues/42/comments")


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def time(self) -> float:
        return self.now


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def client(clock: Clock, **kwargs: float) -> GitHubClient:
    return GitHubClient("acme-homelab/infra", "ghs_" + "a" * 36, sleep=clock.sleep, clock=clock.time,
                        write_interval=kwargs.pop("write_interval", 0), **kwargs)  # type: ignore[arg-type]


def test_retry_after_is_honoured_on_a_secondary_rate_limit(rsps: responses.RequestsMock) -> None:
    clock = Clock()
    rsps.add("POST", COMMENT_URL, status=403, headers={"Retry-After": "7"}, json={
        "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"})
    rsps.add("POST", COMMENT_URL, status=201, json={"id": 1, "html_url": "https://github.com/x#issuecomment-1",
                                                    "body": "hi"})
    gh = client(clock)
    created = gh.create_comment(42, "hi")
    assert created.id == 1
    assert clock.slept == [7.0]
    assert gh.requests == 2


def test_the_primary_rate_limit_waits_until_the_reset(rsps: responses.RequestsMock) -> None:
    clock = Clock()
    reset = int(clock.now) + 12
    rsps.add("GET", PERMISSION_URL, status=403, headers={
        "x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0", "x-ratelimit-used": "5000",
        "x-ratelimit-reset": str(reset), "x-ratelimit-resource": "core"},
        json={"message": "API rate limit exceeded for installation ID 1234.",
              "documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"})
    rsps.add("GET", PERMISSION_URL, json={"permission": "write", "role_name": "write", "user": events.user("alice")})
    gh = client(clock)
    assert gh.permission("alice") == "write"
    assert clock.slept == [12.0]


def test_a_rate_limit_longer_than_the_job_should_wait_fails_at_once(rsps: responses.RequestsMock) -> None:
    clock = Clock()
    rsps.add("GET", PERMISSION_URL, status=429, headers={"Retry-After": "3600"},
             json={"message": "Too many requests"})
    gh = client(clock)
    with pytest.raises(GitHubError) as caught:
        gh.permission("alice")
    assert clock.slept == []
    assert caught.value.status == 429
    assert gh.requests == 1


def test_server_errors_back_off_then_give_up(rsps: responses.RequestsMock) -> None:
    clock = Clock()
    for _ in range(4):
        rsps.add("GET", COMMENT_URL, status=502, body="<html>Bad gateway</html>")
    gh = client(clock)
    with pytest.raises(GitHubError) as caught:
        gh.find_bot_comment(42, "github-actions[bot]")
    assert clock.slept == [1.0, 2.0, 4.0]
    assert gh.requests == 4
    assert caught.value.status == 502
    assert caught.value.hint == "GitHub is having trouble; the run can be retried safely."


def test_client_errors_are_not_retried(rsps: responses.RequestsMock) -> None:
    clock = Clock()
    rsps.add("POST", COMMENT_URL, status=422, json={"message": "Validation Failed", "errors": [
        {"resource": "IssueComment", "code": "unprocessable", "field": "data",
         "message": "Body is too long (maximum is 65536 characters)"}]})
    gh = client(clock)
    with pytest.raises(GitHubError, match="422 Validation Failed"):
        gh.create_comment(42, "x" * 70_000)
    assert gh.requests == 1 and clock.slept == []


def test_writes_are_spaced_to_respect_secondary_limits(rsps: responses.RequestsMock) -> None:
    clock = Clock()
    labels_url = re.compile(r"https://api\.github\.com(:443)?/repos/acme-homelab/infra/issues/42/labels")
    rsps.add("POST", labels_url, json=[])
    rsps.add("POST", labels_url, json=[])
    gh = client(clock, write_interval=1.0)
    gh.add_labels(42, ("a",))
    gh.add_labels(42, ("b",))
    assert clock.slept == [1.0]


@pytest.mark.parametrize(("role_name", "permission", "expected"), [
    ("maintain", "write", "maintain"),
    ("triage", "read", "triage"),
    ("admin", "admin", "admin"),
    ("security-manager", "read", "read"),  # a custom role falls back to the base permission
])
def test_permission_reads_the_role(rsps: responses.RequestsMock, role_name: str, permission: str,
                                   expected: str) -> None:
    rsps.add("GET", PERMISSION_URL, json={"permission": permission, "role_name": role_name,
                                          "user": events.user("alice")})
    assert client(Clock()).permission("alice") == expected


def test_removing_a_label_that_is_gone_is_fine(rsps: responses.RequestsMock) -> None:
    fake = FakeGitHub(rsps)
    fake.add_issue(events.issue(labels=("user-report",)))
    gh = client(Clock())
    gh.remove_label(42, "needs-info")
    gh.remove_label(42, "user-report")
    assert fake.labels(42) == []


def test_label_names_are_escaped_in_urls(rsps: responses.RequestsMock) -> None:
    fake = FakeGitHub(rsps)
    fake.add_issue(events.issue(labels=("sev/1 critical",)))
    client(Clock()).remove_label(42, "sev/1 critical")
    assert fake.log == [("DELETE", "/repos/acme-homelab/infra/issues/42/labels/sev%2F1%20critical")]
    assert fake.labels(42) == []
