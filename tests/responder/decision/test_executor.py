"""The one executor: every action type has a handler, ports are typed and checked, results come back."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import responder
from responder.adapters.files import LocalFiles
from responder.adapters.github import GitHubClient
from responder.decision.actions import Action, AddLabels, Comment, Decision, OpenedIssue, OpenIssue
from responder.decision.executor import HANDLERS, CommentWritten, ExecutionContext, MissingPort, execute
from responder.decision.incident_actions import RolloutRestart, UpdateOtherIssue
from responder.decision.notify_actions import Notify
from responder.decision.repository_actions import SyncLabel, WriteFiles
from responder.model.notifications import Delivery, Notification
from tests.support import events
from tests.support.github_api import FakeGitHub

TOKEN = "ghs_" + "e" * 36


def client() -> GitHubClient:
    return GitHubClient(events.REPO, TOKEN, write_interval=0)


def decision(*actions: Action, issue: int | None = 7) -> Decision:
    return Decision(event="test", issue=issue, kind="test", trusted=True, severity=None, outcome="done",
                    reasons=("test",), actions=actions)


def all_action_types() -> set[type[Action]]:
    """Every Action subclass anywhere in the responder package (and the stages built on it)."""
    for package in (responder,):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if not module.name.endswith("__main__"):
                importlib.import_module(module.name)
    found: set[type[Action]] = set()
    pending = [Action]
    while pending:
        for sub in pending.pop().__subclasses__():
            if not inspect.isabstract(sub) and sub.__module__.startswith(("responder.", "postmortem.")):
                found.add(sub)
            pending.append(sub)
    return found


def test_every_action_type_has_exactly_one_handler_in_the_table() -> None:
    missing = {action.__name__ for action in all_action_types()} - {action.__name__ for action in HANDLERS}
    assert missing == set()
    assert len(HANDLERS) >= 13


def test_an_action_whose_port_is_missing_fails_with_a_clear_error() -> None:
    with pytest.raises(MissingPort, match="this run has no writable cluster"):
        execute(decision(RolloutRestart("apps", "nextcloud")), ExecutionContext(issue=7, github=None))
    with pytest.raises(MissingPort, match="this run has no file system"):
        execute(decision(WriteFiles((("x.md", "x"),))), ExecutionContext(issue=7, github=None))


def test_offline_github_writes_are_skipped_and_said_so() -> None:
    report = execute(decision(AddLabels(("sev2",)), Comment("hello")), ExecutionContext(issue=7, github=None))
    assert report.done == []
    assert report.skipped == ["add labels sev2 (offline: not sent)", "comment (offline: not sent)"]


def test_open_issue_hands_back_the_new_number(github: FakeGitHub) -> None:
    report = execute(decision(OpenIssue("[Outage]: Nextcloud is down", "body", ("incident",)), issue=None),
                     ExecutionContext(issue=None, github=client()))
    [opened] = [result for result in report.results if isinstance(result, OpenedIssue)]
    created = github.created_issues()
    assert [issue["title"] for issue in created] == ["[Outage]: Nextcloud is down"]
    assert opened.number == created[0]["number"]
    assert report.done == [f"opened #{opened.number}"]


def test_an_issue_action_without_an_issue_is_refused(github: FakeGitHub) -> None:
    with pytest.raises(MissingPort, match="names no issue"):
        execute(decision(AddLabels(("sev2",)), issue=None), ExecutionContext(issue=None, github=client()))
    assert github.writes() == []


def test_update_other_issue_reports_where_its_comment_is(github: FakeGitHub) -> None:
    github.add_issue(events.issue(number=12, labels=()))
    report = execute(decision(UpdateOtherIssue(12, None, "the run failed", add_labels=("needs-human",))),
                     ExecutionContext(issue=7, github=client()))
    [written] = [result for result in report.results if isinstance(result, CommentWritten)]
    assert written.number == 12
    assert written.html_url.endswith(f"/issues/12#issuecomment-{github.issues[12].comments[0]['id']}")
    assert github.labels(12) == ["needs-human"]


def test_sync_label_needs_the_label_port(github: FakeGitHub) -> None:
    with pytest.raises(MissingPort, match="GitHub access to labels"):
        execute(decision(SyncLabel("sev1", "b60205", "Critical")), ExecutionContext(issue=None, github=client()))
    gh = client()
    report = execute(decision(SyncLabel("sev1", "b60205", "Critical"), issue=None),
                     ExecutionContext(issue=None, github=gh, labels=gh))
    assert report.done == ["create label sev1"]
    assert [label["name"] for label in github.repo_labels] == ["sev1"]


def test_write_files_writes_only_what_changed(tmp_path: Path) -> None:
    target = tmp_path / "docs" / "a.md"
    context = ExecutionContext(issue=7, github=None, files=LocalFiles())
    first = execute(decision(WriteFiles(((str(target), "one\n"),))), context)
    again = execute(decision(WriteFiles(((str(target), "one\n"),))), context)
    assert first.done == ["wrote a.md"] and again.done == []
    assert target.read_text() == "one\n"


class RecordingNotifier:
    def __init__(self, delivery: Delivery) -> None:
        self.delivery = delivery
        self.sent: list[Notification] = []

    def send(self, notification: Notification) -> Delivery:
        self.sent.append(notification)
        return self.delivery


NOTE = Notification(event="opened", issue=7, url="https://github.com/acme-homelab/infra/issues/7",
                    title="Nextcloud is down", reason="every probe failed", severity="SEV2", service="nextcloud")


def test_a_failed_notification_is_counted_and_never_fails_the_run() -> None:
    notifier = RecordingNotifier(Delivery(sent=1, failed=1, problems=("json://127.0.0.1:9: refused",)))
    report = execute(decision(Notify(NOTE)), ExecutionContext(issue=7, github=None, notifier=notifier))
    assert report.skipped == ["notify opened of #7 (SEV2) (offline: not sent)"]  # offline: nothing leaves
    report = execute(decision(Notify(NOTE)), ExecutionContext(issue=7, github=client(), notifier=notifier))
    assert notifier.sent == [NOTE]
    assert report.done == ["notify opened of #7 (SEV2): sent to 1 target(s)"]
    assert report.notify_failures == 1
    assert report.skipped == ["notify opened of #7 (SEV2): 1 target(s) failed: json://127.0.0.1:9: refused"]


def test_without_notify_targets_a_notification_is_skipped_and_said_so() -> None:
    report = execute(decision(Notify(NOTE)), ExecutionContext(issue=7, github=client()))
    assert report.skipped == ["notify opened of #7 (SEV2) (no notify targets configured)"]
