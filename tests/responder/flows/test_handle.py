"""`responder handle` end to end, with GitHub's REST API answered at the HTTP boundary."""

from __future__ import annotations

import io
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from responder.cli.main import main
from responder.model.state import read_marker
from tests.conftest import EXAMPLE_CONFIG, issue_body
from tests.support import events
from tests.support.github_api import FakeGitHub

TOKEN = "ghs_" + "T0k3nV4lu3" * 4


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    summary: str

    @property
    def decision(self) -> dict[str, Any]:
        return json.loads(self.stdout)


@pytest.fixture
def github(github: FakeGitHub) -> FakeGitHub:
    github.permissions.update({"alice": "write", "maintainer": "admin", "reader": "read"})
    return github


def handle(tmp_path: Path, payload: dict[str, Any], *args: str, config: Path = EXAMPLE_CONFIG,
           extra_env: dict[str, str] | None = None) -> Run:
    """The intake stage alone: without probes and without a cluster there is nothing to investigate."""
    event = events.write(tmp_path, payload)
    summary = tmp_path / "summary.md"
    summary.write_text("")
    out, err = io.StringIO(), io.StringIO()
    # PATH as a runner has it: the change engine finds terraform there.
    env = {"PATH": os.environ.get("PATH", ""), "GITHUB_TOKEN": TOKEN, "RESPONDER_GITHUB_WRITE_INTERVAL": "0",
           "GITHUB_STEP_SUMMARY": str(summary),
           **(extra_env or {})}
    code = main(["handle", "--config", str(config), "--event", str(event), "--no-probe", *args], env=env, stdout=out,
                stderr=err)
    return Run(code, out.getvalue(), err.getvalue(), summary.read_text())


def report(number: int = 42, body: str | None = None, **fields: Any) -> dict[str, Any]:
    return events.issues_event(number=number, body=body or issue_body("outage-nextcloud-502.md"), **fields)


def test_a_trusted_report_is_triaged_in_four_requests(tmp_path: Path, github: FakeGitHub) -> None:
    payload = report()
    github.add_issue(payload["issue"])
    run = handle(tmp_path, payload)
    assert run.code == 0, run.stderr
    assert github.labels(42) == ["user-report", "incident", "sev2", "postmortem-required"]
    [comment] = github.bot_comments(42)
    assert comment["body"].startswith("### 🟠 SEV2 · Nextcloud: 502 Bad Gateway\n")
    state = read_marker(comment["body"])
    assert state is not None and state.outcome == "triaged" and state.severity == "SEV2"
    assert github.log == [
        ("GET", "/repos/acme-homelab/infra/collaborators/alice/permission"),
        ("GET", "/repos/acme-homelab/infra/issues/42/comments"),
        ("POST", "/repos/acme-homelab/infra/issues/42/labels"),
        ("POST", "/repos/acme-homelab/infra/issues/42/comments"),
    ]
    assert "responder: GitHub requests: 4" in run.stderr
    assert "| **GitHub requests** | 4 |" in run.summary
    assert "| **Outcome** | triaged |" in run.summary


def test_rerunning_the_same_event_posts_nothing_twice(tmp_path: Path, github: FakeGitHub) -> None:
    payload = report()
    github.add_issue(payload["issue"])
    assert handle(tmp_path, payload).code == 0
    writes = github.writes()
    body = github.bot_comments(42)[0]["body"]
    second = handle(tmp_path, payload)
    assert second.code == 0
    assert github.writes() == writes  # no new write at all
    assert len(github.bot_comments(42)) == 1
    assert github.bot_comments(42)[0]["body"] == body
    assert "responder: GitHub requests: 2" in second.stderr


def test_an_untrusted_report_is_queued_in_three_requests(tmp_path: Path, github: FakeGitHub) -> None:
    payload = report(author="mallory", association="NONE")
    github.add_issue(payload["issue"])
    run = handle(tmp_path, payload)
    assert run.code == 0
    assert github.labels(42) == ["user-report", "needs-triage"]
    [comment] = github.bot_comments(42)
    assert comment["body"].startswith("### 👋 Thanks — your report is queued for review\n")
    assert "incident" not in github.labels(42)
    assert len(github.log) == 3
    assert not any("permission" in path for _, path in github.log)


def test_a_member_without_write_access_is_queued(tmp_path: Path, github: FakeGitHub) -> None:
    payload = report(author="reader", association="MEMBER")
    github.add_issue(payload["issue"])
    run = handle(tmp_path, payload, "--dry-run")
    assert run.decision["outcome"] == "queued"
    assert run.decision["reasons"][0] == "not trusted: reader (read permission (needs write))"
    assert github.writes() == []


def test_a_permission_lookup_that_fails_counts_as_untrusted(tmp_path: Path, github: FakeGitHub) -> None:
    payload = report(author="alice", association="COLLABORATOR")
    github.add_issue(payload["issue"])
    github.fail_next(401, body={"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
    run = handle(tmp_path, payload, "--dry-run")
    assert run.decision["outcome"] == "queued"
    assert run.decision["trusted"] is False
    assert run.decision["reasons"][0].startswith(
        "not trusted: alice (could not verify permission: GitHub GET /repos/acme-homelab/infra/collaborators/"
        "alice/permission failed: 401 Bad credentials)")


def test_an_incomplete_form_asks_for_the_missing_answers_then_triages_after_an_edit(
        tmp_path: Path, github: FakeGitHub) -> None:
    incomplete = report(body=issue_body("outage-empty-answers.md"))
    github.add_issue(incomplete["issue"])
    run = handle(tmp_path, incomplete)
    assert run.code == 0
    assert github.labels(42) == ["user-report", "needs-info"]
    [comment] = github.bot_comments(42)
    assert comment["body"].split("\n\n<sub>")[0] == (
        "### ✏️ Some answers are missing or invalid\n\n"
        "The responder cannot act on this outage report yet. Please **edit the issue** (the **···** menu → "
        "**Edit**) and fix:\n\n"
        "- **What do you see?**: required, but no answer was given\n"
        "- **What kind of error?**: required, but no answer was given\n\n"
        "It looks again as soon as you save."
    )
    fixed = report(body=issue_body("outage-nextcloud-502.md"), updated_at="2026-11-23T14:20:00Z")
    fixed["action"] = "edited"
    fixed["issue"]["labels"] = [events.label(n) for n in github.labels(42)]
    run = handle(tmp_path, fixed)
    assert run.code == 0
    assert github.labels(42) == ["user-report", "incident", "sev2", "postmortem-required"]
    assert len(github.bot_comments(42)) == 1  # edited, not a second comment
    state = read_marker(github.bot_comments(42)[0]["body"])
    assert state is not None
    assert [entry.kind for entry in state.journal] == ["needs-info", "triaged"]


def test_an_edit_that_changes_the_severity_swaps_the_label_and_says_why(tmp_path: Path, github: FakeGitHub) -> None:
    slow = report(body=issue_body("outage-nextcloud-502.md").replace("502 Bad Gateway\n\n### Who", "Slow / degraded "
                                                                    "performance\n\n### Who").replace("Everyone",
                                                                                                      "Just me"))
    github.add_issue(slow["issue"])
    handle(tmp_path, slow)
    assert "sev3" in github.labels(42)
    worse = report(updated_at="2026-11-23T14:30:00Z")
    worse["action"] = "edited"
    worse["issue"]["labels"] = [events.label(n) for n in github.labels(42)]
    handle(tmp_path, worse)
    labels = github.labels(42)
    assert "sev3" not in labels and {"sev2", "postmortem-required"} <= set(labels)
    body = github.bot_comments(42)[0]["body"]
    assert "**Severity changed from SEV3 to SEV2.**" in body


def test_a_severity_a_person_set_is_kept(tmp_path: Path, github: FakeGitHub) -> None:
    payload = report()
    github.add_issue(payload["issue"])
    handle(tmp_path, payload)
    # A maintainer decides this is SEV1 and swaps the label by hand, then the author edits the issue.
    edited = report(updated_at="2026-11-23T15:00:00Z")
    edited["action"] = "edited"
    edited["issue"]["labels"] = [events.label(n) for n in ("user-report", "incident", "sev1", "postmortem-required")]
    github.issues[42].data["labels"] = edited["issue"]["labels"]
    run = handle(tmp_path, edited, "--dry-run")
    assert run.decision["severity"] == "SEV1"
    assert run.decision["reasons"][-1] == "SEV1: set by a person with the sev1 label; kept"
    assert not any(a["type"] in ("add_labels", "remove_labels") for a in run.decision["actions"])


def digest_shown(github: FakeGitHub, number: int = 42) -> str:
    """The report digest the queued comment asks a maintainer to approve, read as they would read it."""
    match = re.search(r"`/responder approve ([0-9a-f]{12})`", github.bot_comment(number))
    assert match, github.bot_comment(number)
    return match[1]


def test_a_maintainer_can_approve_a_queued_report_until_it_is_edited(tmp_path: Path, github: FakeGitHub) -> None:
    payload = report(author="mallory", association="NONE")
    github.add_issue(payload["issue"])
    handle(tmp_path, payload)
    approval = events.comment_event(f"/responder approve {digest_shown(github)}\nLooks legit.", commenter="maintainer",
                                    association="OWNER", body=payload["issue"]["body"], author="mallory",
                                    labels=tuple(github.labels(42)))
    approval["issue"]["author_association"] = "NONE"
    run = handle(tmp_path, approval)
    assert run.code == 0, run.stderr
    assert {"incident", "sev2"} <= set(github.labels(42))
    assert "needs-triage" not in github.labels(42)
    body = github.bot_comments(42)[0]["body"]
    assert "approved for automation by maintainer" in body
    # The author edits the report: the approval no longer covers it.
    edited = report(author="mallory", association="NONE",
                    body=payload["issue"]["body"] + "\nP.S. also please delete the database",
                    updated_at="2026-11-23T16:00:00Z")
    edited["action"] = "edited"
    edited["issue"]["labels"] = [events.label(n) for n in github.labels(42)]
    run = handle(tmp_path, edited)
    assert run.code == 0, run.stderr
    assert "issues.edited: queued" in run.stderr
    assert "The report changed after it was approved" in github.bot_comment(42)
    # It loses what the approval gave it: off the status page, no post-mortem, no severity.
    assert github.labels(42) == ["user-report", "needs-triage"]


def test_a_title_only_edit_needs_a_fresh_approval_too(tmp_path: Path, github: FakeGitHub) -> None:
    payload = report(author="mallory", association="NONE")
    github.add_issue(payload["issue"])
    handle(tmp_path, payload)
    approval = events.comment_event(f"/responder approve {digest_shown(github)}", commenter="maintainer",
                                    association="OWNER", body=payload["issue"]["body"], author="mallory",
                                    labels=tuple(github.labels(42)))
    approval["issue"]["author_association"] = "NONE"
    handle(tmp_path, approval)
    assert "incident" in github.labels(42)
    retitled = report(author="mallory", association="NONE", updated_at="2026-11-23T16:00:00Z",
                      title="DNS compromised - reset your passwords at evil.example")
    retitled["action"] = "edited"
    retitled["issue"]["labels"] = [events.label(n) for n in github.labels(42)]
    run = handle(tmp_path, retitled)
    assert "issues.edited: queued" in run.stderr
    assert "incident" not in github.labels(42) and "sev2" not in github.labels(42)


@pytest.mark.parametrize("named", [None, "swapped"], ids=["no-digest", "stale-digest"])
def test_an_approval_covers_only_the_version_the_maintainer_read(tmp_path: Path, github: FakeGitHub,
                                                                 named: str | None) -> None:
    payload = report(author="mallory", association="NONE")
    github.add_issue(payload["issue"])
    handle(tmp_path, payload)
    reviewed = digest_shown(github)
    # Seconds before the approval arrives, the author swaps the body.
    swapped = payload["issue"]["body"] + "\nAlso scale the database to zero."
    command = "/responder approve" if named is None else f"/responder approve {reviewed}"
    approval = events.comment_event(command, commenter="maintainer", association="OWNER", body=swapped,
                                    author="mallory", labels=tuple(github.labels(42)))
    approval["issue"]["author_association"] = "NONE"
    run = handle(tmp_path, approval, "--dry-run")
    assert run.decision["outcome"] == "queued" and run.decision["trusted"] is False
    assert run.decision["reasons"][0].startswith("not approved: maintainer ")
    run = handle(tmp_path, approval)
    assert run.code == 0, run.stderr
    assert "incident" not in github.labels(42)
    body = github.bot_comment(42)
    assert "Not approved: maintainer" in body
    assert "approved for automation" not in body
    assert digest_shown(github) != reviewed  # the comment now shows the swapped version's digest


def test_only_trusted_people_can_approve(tmp_path: Path, github: FakeGitHub) -> None:
    payload = report(author="mallory", association="NONE")
    github.add_issue(payload["issue"])
    approval = events.comment_event("/responder approve", commenter="mallory", association="NONE",
                                    body=payload["issue"]["body"], author="mallory")
    run = handle(tmp_path, approval, "--dry-run")
    assert run.decision["outcome"] == "ignored"
    assert run.decision["reasons"] == [
        "mallory may not approve reports (author_association NONE: not a collaborator)"]


def test_a_forged_state_marker_from_someone_else_is_ignored(tmp_path: Path, github: FakeGitHub) -> None:
    payload = report()
    github.add_issue(payload["issue"])
    handle(tmp_path, payload, "--dry-run")
    forged = ('<!-- issueops-responder:state {"digest":"0000","outcome":"fixed","severity":"SEV4","v":1} -->')
    github.add_comment(42, "I fixed it myself " + forged, "mallory")
    run = handle(tmp_path, payload)
    assert run.code == 0
    assert len(github.bot_comments(42)) == 1
    assert "sev2" in github.labels(42)


def test_the_bot_comment_is_found_on_a_later_page(tmp_path: Path, github: FakeGitHub) -> None:
    payload = report()
    github.add_issue(payload["issue"])
    for i in range(130):
        github.add_comment(42, f"+1 from person {i}", f"user{i}")
    handle(tmp_path, payload)
    for i in range(130, 150):
        github.add_comment(42, f"+1 from person {i}", f"user{i}")
    edited = report(body=issue_body("outage-data-loss.md"), updated_at="2026-11-23T17:00:00Z")
    edited["action"] = "edited"
    edited["issue"]["labels"] = [events.label(n) for n in github.labels(42)]
    run = handle(tmp_path, edited)
    assert run.code == 0
    assert len(github.bot_comments(42)) == 1
    assert "sev1" in github.labels(42)
    assert ("GET", "/repositories/123456/issues/42/comments") in github.log


def test_a_feature_request_not_planned_is_handed_to_a_person(tmp_path: Path, github: FakeGitHub) -> None:
    # Planned and applied requests: tests/responder/flows/test_feature_requests.py.
    payload = events.issues_event(number=7, body=issue_body("feature-nextcloud-replicas.md"),
                                  labels=("feature-request",))
    github.add_issue(payload["issue"])
    run = handle(tmp_path, payload, "--no-plan")
    assert run.code == 0
    assert github.labels(7) == ["feature-request", "needs-human"]
    assert [a["login"] for a in github.issues[7].data["assignees"]] == ["vbarzin"]
    body = github.bot_comments(7)[0]["body"]
    assert "| **Change** | Replica count |" in body
    assert "| **New value** | `3` |" in body


def test_dry_run_reads_but_never_writes(tmp_path: Path, github: FakeGitHub) -> None:
    payload = report()
    github.add_issue(payload["issue"])
    run = handle(tmp_path, payload, "--dry-run")
    assert run.code == 0
    assert github.writes() == []
    assert [a["type"] for a in run.decision["actions"]] == ["add_labels", "comment"]
    assert "(dry run: nothing written)" in run.summary


def test_server_errors_are_retried_and_counted(tmp_path: Path, github: FakeGitHub,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr("time.sleep", slept.append)
    payload = report()
    github.add_issue(payload["issue"])
    github.fail_next(502, body={"message": "Server Error"})
    run = handle(tmp_path, payload)
    assert run.code == 0
    assert "retrying in 1s (attempt 1 of 4)" in run.stderr
    assert slept == [1.0]
    assert "responder: GitHub requests: 5" in run.stderr
    assert len(github.bot_comments(42)) == 1


def test_github_down_fails_clearly_without_a_traceback_or_token(tmp_path: Path, github: FakeGitHub,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    payload = report()
    github.add_issue(payload["issue"])
    github.permissions["alice"] = "write"
    github.fail_next(503, body={"message": f"unavailable for token {TOKEN}"}, times=20)
    run = handle(tmp_path, payload)
    assert run.code == 1
    assert "Traceback" not in run.stderr
    assert TOKEN not in run.stderr + run.stdout + run.summary
    assert "responder: error: GitHub GET /repos/acme-homelab/infra/issues/42/comments failed: 503 unavailable " \
           "for token [REDACTED]" in run.stderr
    assert "responder: hint: GitHub is having trouble; the run can be retried safely." in run.stderr


def test_events_caused_by_the_bot_cost_nothing(tmp_path: Path, github: FakeGitHub) -> None:
    payload = report(sender="github-actions[bot]")
    payload["action"] = "labeled"
    payload["label"] = events.label("incident")
    run = handle(tmp_path, payload)
    assert run.code == 0
    assert github.log == []
    assert "ignored issues.labeled: the event was caused by the responder itself" in run.stderr


def test_offline_makes_no_request_and_prints_the_decision(tmp_path: Path, github: FakeGitHub) -> None:
    run = handle(tmp_path, report(), "--offline")
    assert run.code == 0
    assert github.log == []
    assert run.decision["outcome"] == "triaged"
    assert "GitHub requests: 0" in run.stderr


def test_without_a_token_online_runs_say_what_to_do(tmp_path: Path) -> None:
    event = events.write(tmp_path, report())
    err = io.StringIO()
    code = main(["handle", "--config", str(EXAMPLE_CONFIG), "--event", str(event)], env={}, stdout=io.StringIO(),
                stderr=err)
    assert code == 1
    assert err.getvalue() == ("responder: error: no GitHub token\n"
                              "responder: hint: Set GITHUB_TOKEN (or secrets.github_token in responder.yml), "
                              "or run with --offline.\n")


def test_an_approval_on_a_report_that_is_not_queued_changes_nothing(tmp_path: Path, github: FakeGitHub) -> None:
    payload = report()
    github.add_issue(payload["issue"])
    handle(tmp_path, payload)
    approval = events.comment_event("/responder approve", commenter="maintainer", association="OWNER",
                                    body=payload["issue"]["body"], labels=tuple(github.labels(42)))
    run = handle(tmp_path, approval, "--dry-run")
    assert (run.decision["outcome"], run.decision["reasons"]) == \
        ("ignored", ["the report is not waiting for an approval"])


FORGED_APPROVAL = ('<!-- issueops-responder:state {"approved_by":"maintainer","approved_digest":"%s",'
                   '"kind":"outage-report","outcome":"triaged","v":1} -->')


@pytest.mark.parametrize("key", ["0123456789abcdef" * 4, None], ids=["state-key", "no-key"])
def test_a_marker_another_workflow_quotes_under_the_shared_account_approves_nothing(
        tmp_path: Path, github: FakeGitHub, key: str | None) -> None:
    """A greeting workflow posts as github-actions[bot] too, quoting the stranger's text."""
    payload = report(author="mallory", association="NONE")
    github.add_issue(payload["issue"])
    extra = {"RESPONDER_STATE_KEY": key} if key else {}
    handle(tmp_path, payload, "--dry-run", extra_env=extra)
    from responder.model.events import parse_event
    from responder.triage.intake import report_digest

    issue = parse_event(payload, "issues").issue
    assert issue is not None
    digest = report_digest(issue)
    greeting = github.add_comment(42, "Thanks for your report! You wrote:\n\n> see below\n\n" +
                                  FORGED_APPROVAL % digest, "github-actions[bot]", "NONE", kind="Bot")
    edited = report(author="mallory", association="NONE", updated_at="2026-11-23T16:00:00Z")
    edited["action"] = "edited"
    run = handle(tmp_path, edited, extra_env=extra)
    assert run.code == 0, run.stderr
    assert "issues.edited: queued" in run.stderr
    assert "incident" not in github.labels(42) and "sev2" not in github.labels(42)
    if key:
        # With a key the greeting is not the responder's: it is left alone, and the responder has its own.
        assert github.issues[42].comments[0] == greeting
        [own] = [c for c in github.bot_comments(42) if c["id"] != greeting["id"]]
        assert " sig=v1:" in own["body"] and "queued for review" in own["body"]


def test_with_a_state_key_the_responders_own_state_carries_its_approval(tmp_path: Path, github: FakeGitHub) -> None:
    extra = {"RESPONDER_STATE_KEY": "fedcba9876543210" * 4}
    payload = report(author="mallory", association="NONE")
    github.add_issue(payload["issue"])
    handle(tmp_path, payload, extra_env=extra)
    approval = events.comment_event(f"/responder approve {digest_shown(github)}", commenter="maintainer",
                                    association="OWNER", body=payload["issue"]["body"], author="mallory",
                                    labels=tuple(github.labels(42)))
    approval["issue"]["author_association"] = "NONE"
    handle(tmp_path, approval, extra_env=extra)
    assert "incident" in github.labels(42)
    again = report(author="mallory", association="NONE", updated_at="2026-11-23T16:00:00Z")
    again["action"] = "labeled"
    again["label"] = events.label("user-report")
    again["issue"]["labels"] = [events.label(n) for n in github.labels(42)]
    run = handle(tmp_path, again, "--dry-run", extra_env=extra)
    assert run.decision["trusted"] is True and run.decision["outcome"] != "queued"


@pytest.mark.parametrize("key", ["00112233445566778899aabbccddeeff", None], ids=["state-key", "no-key"])
def test_two_racing_runs_leave_two_comments_and_the_next_run_merges_them(tmp_path: Path, github: FakeGitHub,
                                                                        key: str | None) -> None:
    """`opened` and `labeled` ran at once (Woodpecker, or the CLI): each posted a comment of its own."""
    from responder.model.state import StateSeal

    extra = {"RESPONDER_STATE_KEY": key} if key else {}
    seal = StateSeal.for_bot(key, "github-actions[bot]")
    payload = report()
    github.add_issue(payload["issue"])
    handle(tmp_path, payload, extra_env=extra)
    first = github.bot_comments(42)[0]
    # The racing run did not see the first comment yet, so it posted its own.
    racing = seal.seal(read_marker_body(first["body"]).replace('"kind":"triaged"', '"kind":"triaged-again"'),
                       "acme-homelab/infra", 42)
    github.issues[42].comments.append({**first, "id": 999_001, "body": racing})
    assert len(github.bot_comments(42)) == 2
    again = report(updated_at="2026-11-23T16:00:00Z")
    again["action"] = "edited"
    again["issue"]["labels"] = [events.label(n) for n in github.labels(42)]
    run = handle(tmp_path, again, extra_env=extra)
    assert run.code == 0, run.stderr
    if key is None:
        # Under the shared account without a key nothing proves which comment is the responder's:
        # it merges nothing and deletes nothing.
        assert len(github.bot_comments(42)) == 2
        assert not any(method == "DELETE" and "/comments/" in path for method, path in github.log)
        return
    assert [c["id"] for c in github.bot_comments(42)] == [first["id"]]
    assert ("DELETE", "/repos/acme-homelab/infra/issues/comments/999001") in github.log
    state = read_marker(github.bot_comment(42))
    assert state is not None and {e.kind for e in state.journal} >= {"triaged", "triaged-again"}


def read_marker_body(body: str) -> str:
    """The comment as written before sealing: the text and its marker without a signature."""
    return re.sub(r" sig=v1:[0-9a-f]{64} -->", " -->", body)


def test_runs_for_one_issue_on_one_machine_take_turns(tmp_path: Path, github: FakeGitHub) -> None:
    """Woodpecker and the CLI have no concurrency group: the second run waits, then sees the first one's comment."""
    import subprocess
    import sys
    import threading
    import time

    from tests.conftest import ROOT

    runner_temp = tmp_path / "runner"
    runner_temp.mkdir(mode=0o700)
    locks = runner_temp / "issueops-responder-locks"
    locks.mkdir(mode=0o700)
    payload = report()
    github.add_issue(payload["issue"])
    holder = subprocess.Popen([sys.executable, "-m", "tests.support.holder", "lock", str(locks),
                               "acme-homelab/infra", "#42", "42"], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        threading.Timer(1.0, lambda: holder.stdin.close() if holder.stdin else None).start()
        started = time.monotonic()
        run = handle(tmp_path, payload, extra_env={"RUNNER_TEMP": str(runner_temp)})
        waited = time.monotonic() - started
    finally:
        holder.kill() if holder.poll() is None else None
        holder.wait()
    assert run.code == 0, run.stderr
    assert waited >= 0.9  # it waited for the other run to let go
    assert len(github.bot_comments(42)) == 1
