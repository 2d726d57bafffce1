"""The GitHub adapter's incident listing (GraphQL) and issue update, against GitHub's shapes at the HTTP boundary."""

from __future__ import annotations

import pytest

from responder.adapters.github import GitHubClient, is_bot
from responder.errors import GitHubError
from responder.model.state import IssueState, render_marker
from tests.support import events
from tests.support.github_api import FakeGitHub

TOKEN = "ghs_" + "L1st" * 9
BOT = "github-actions[bot]"


def client() -> GitHubClient:
    return GitHubClient("acme-homelab/infra", TOKEN, write_interval=0)


def marker(outcome: str) -> str:
    return "### report\n\n" + render_marker(IssueState(kind="outage-report", outcome=outcome))


def test_open_incidents_come_100_per_request_with_the_responders_comment(github: FakeGitHub) -> None:
    for number in range(1, 151):
        github.add_issue(events.issue(number, labels=("incident", "sev3")))
        github.add_comment(number, marker("escalated"), BOT, kind="Bot")
    github.add_issue(events.issue(200, labels=("user-report",)))  # not an incident
    github.add_issue(events.issue(201, labels=("incident",), state="closed"))
    incidents = client().open_incidents("incident", BOT)
    assert [i.number for i in incidents] == list(range(1, 151))
    assert github.log == [("POST", "/graphql"), ("POST", "/graphql")]
    first = incidents[0]
    assert first.bot_comment is not None and first.bot_comment.state is not None
    assert first.bot_comment.state.outcome == "escalated"
    assert first.labels == ("incident", "sev3")


def test_a_user_who_registered_the_bots_bare_name_cannot_plant_state(github: FakeGitHub) -> None:
    github.add_issue(events.issue(7, labels=("incident",)))
    github.add_comment(7, marker("fixed"), "github-actions", kind="User")  # a User, not the App
    [incident] = client().open_incidents("incident", BOT)
    assert incident.bot_comment is None
    assert incident.last_human_comment_at == "2026-11-23T14:06:00Z"


def test_a_responder_comment_beyond_the_first_page_costs_one_more_request(github: FakeGitHub) -> None:
    github.add_issue(events.issue(9, labels=("incident",)))
    for index in range(35):
        github.add_comment(9, f"comment {index}", "someone")
    github.add_comment(9, marker("escalated"), BOT, kind="Bot")
    [incident] = client().open_incidents("incident", BOT)
    assert incident.bot_comment is not None
    assert github.log == [("POST", "/graphql"), ("GET", "/repos/acme-homelab/infra/issues/9/comments")]


def test_graphql_errors_are_github_errors(github: FakeGitHub) -> None:
    with pytest.raises(GitHubError, match="GitHub GraphQL query failed: the fake answers only the OpenIncidents"):
        client().transport.graphql("query Other { viewer { login } }", {})


def test_labels_assignees_and_closing_are_one_request(github: FakeGitHub) -> None:
    github.add_issue(events.issue(5, labels=("incident", "sev3")))
    client().update_issue(5, labels=("incident", "sev3", "needs-human"), assignees=("vbarzin",))
    assert github.labels(5) == ["incident", "sev3", "needs-human"]
    assert [a["login"] for a in github.issues[5].data["assignees"]] == ["vbarzin"]
    client().update_issue(5, close_reason="completed")
    assert github.issues[5].data["state"] == "closed"
    assert len(github.log) == 2


@pytest.mark.parametrize(("author", "bot_login", "expected"), [
    ({"__typename": "Bot", "login": "github-actions"}, "github-actions[bot]", True),
    ({"__typename": "User", "login": "github-actions"}, "github-actions[bot]", False),
    ({"__typename": "User", "login": "acme-responder"}, "acme-responder", True),
    ({"__typename": "Bot", "login": "acme-responder"}, "acme-responder", False),
    (None, "github-actions[bot]", False),
])
def test_who_counts_as_the_responder(author: object, bot_login: str, expected: bool) -> None:
    assert is_bot(author, bot_login) is expected

