"""The closed-incident flow of `responder handle`, with GitHub answered at the HTTP boundary and a real git remote."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from responder.adapters.git import GitRepo
from responder.cli.main import main
from responder.model.state import read_marker
from responder.render.quoting import ZWSP
from tests.support import events
from tests.support.github_api import FakeGitHub
from tests.support.infra_repo import load_export, make_infra_repo, remote_log
from tests.support.references import CLOSING, REFERENCE

TOKEN = "ghs_" + "L1f3cycl3" * 4
DOC = "site/docs/post-mortems/2026-11-23-nextcloud-502-since-14-00.md"


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return make_infra_repo(tmp_path)


def closed_event(export: dict[str, Any], sender: str = "vbarzin") -> dict[str, Any]:
    payload = events.issues_event("closed", number=42)
    payload["issue"] = export["issue"]
    payload["sender"] = events.user(sender)
    return payload


def handle(tmp_path: Path, repo: GitRepo, payload: dict[str, Any], *args: str) -> tuple[int, str, str]:
    event = events.write(tmp_path, payload)
    out, err = io.StringIO(), io.StringIO()
    env = {"GITHUB_TOKEN": TOKEN, "RESPONDER_GITHUB_WRITE_INTERVAL": "0",
           "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    code = main(["handle", "--config", str(repo.root / "responder.yml"), "--event", str(event), *args],
                env=env, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_closing_a_sev2_incident_publishes_its_post_mortem(tmp_path: Path, github: FakeGitHub,
                                                           repo: GitRepo) -> None:
    export = load_export()
    github.add_export(export)
    code, _, err = handle(tmp_path, repo, closed_event(export))
    assert code == 0, err

    document = (repo.root / DOC).read_text(encoding="utf-8")
    assert "duration: 47 min" in document and "consumed_percent: 21.8" in document
    assert remote_log(tmp_path)[0] == "docs: post-mortem for 2026-11-23 Nextcloud 502 since 14:00"
    [commit] = repo.log(limit=1)
    assert set(commit.files) == {DOC, "site/docs/post-mortems/index.md"}

    assert github.labels(42) == ["user-report", "incident", "sev2", "postmortem-done"]
    [comment] = github.bot_comments(42)
    assert comment["body"].startswith("### 🟠 SEV2 · Nextcloud: 502 Bad Gateway\n")  # what it said before stays
    assert "### 📝 Post-mortem draft" in comment["body"]
    link = "https://status.acme-homelab.org/post-mortems/2026-11-23-nextcloud-502-since-14-00/"
    assert f"]({link})" in comment["body"]
    state = read_marker(comment["body"])
    assert state is not None and state.outcome == "triaged"  # the incident's own outcome is kept
    section = state.sections["postmortem"]
    assert {k: section[k] for k in ("path", "url", "severity", "duration_minutes", "status")} == {
        "path": DOC, "url": link, "severity": "SEV2", "duration_minutes": 47, "status": "Draft"}
    assert len(state.journal) == 8  # the journal is carried over untouched

    assert github.log == [
        ("GET", "/repos/acme-homelab/infra/issues/42/comments"),
        ("GET", "/repos/acme-homelab/infra/issues/42/events"),
        ("DELETE", "/repos/acme-homelab/infra/issues/42/labels/postmortem-required"),
        ("POST", "/repos/acme-homelab/infra/issues/42/labels"),
        ("PATCH", f"/repos/acme-homelab/infra/issues/comments/{comment['id']}"),
    ]
    assert "GitHub requests: 5" in err
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "| **Outcome** | post-mortem |" in summary and "- committed " in summary


def test_a_retitled_incident_cannot_close_issues_through_the_post_mortem_commit(
        tmp_path: Path, github: FakeGitHub, repo: GitRepo) -> None:
    export = load_export()
    export["issue"]["title"] = "Nextcloud 502. Fixes #1, closes #3, resolves other/repo#4, GH-5 @admins"
    github.add_export(export)
    code, _, err = handle(tmp_path, repo, closed_event(export))
    assert code == 0, err
    [subject] = remote_log(tmp_path)[:1]
    assert subject.startswith("docs: post-mortem for 2026-11-23 Nextcloud 502.")
    assert CLOSING.findall(subject) == [] and REFERENCE.findall(subject) == []
    assert subject.replace(ZWSP, "").endswith("Fixes #1, closes #3, resolves other/repo#4, GH-5 @admins")


def test_an_address_in_the_title_is_never_a_link_in_the_responders_comment(
        tmp_path: Path, github: FakeGitHub, repo: GitRepo) -> None:
    export = load_export()
    export["issue"]["title"] = "Nextcloud 502: re-login at https://evil.example/login or www.evil.example"
    github.add_export(export)
    code, _, err = handle(tmp_path, repo, closed_event(export))
    assert code == 0, err
    [comment] = github.bot_comments(42)
    part = comment["body"].split("<!-- postmortem:begin -->")[1].split("<!-- postmortem:end -->")[0]
    assert "re-login at `https://evil.example/login` or `www.evil.example`" in part
    outside_code = re.sub(r"(`+).*?\1", "", part)
    assert "evil.example" not in outside_code


def test_rerunning_the_closed_event_writes_nothing_anywhere(tmp_path: Path, github: FakeGitHub,
                                                            repo: GitRepo) -> None:
    export = load_export()
    github.add_export(export)
    assert handle(tmp_path, repo, closed_event(export))[0] == 0
    writes, head, body = github.writes(), repo.head(), github.bot_comments(42)[0]["body"]
    payload = closed_event(export)
    payload["issue"]["labels"] = [events.label(name) for name in github.labels(42)]
    code, _, err = handle(tmp_path, repo, payload)
    assert code == 0, err
    assert github.writes() == writes and repo.head() == head
    assert github.bot_comments(42)[0]["body"] == body
    assert "GitHub requests: 2" in err


def test_a_regenerated_post_mortem_keeps_what_people_wrote(tmp_path: Path, github: FakeGitHub,
                                                           repo: GitRepo) -> None:
    export = load_export()
    github.add_export(export)
    handle(tmp_path, repo, closed_event(export))
    path = repo.root / DOC
    path.write_text(path.read_text(encoding="utf-8").replace(
        "- TODO\n\n<!-- human:end went-well -->", "- The memory fix was applied in two minutes.\n\n"
        "<!-- human:end went-well -->"), encoding="utf-8")
    repo.commit("docs: what went well", [DOC])
    # Reopened and closed again after a late comment: the draft is regenerated around the person's words.
    fake = github.issues[42]
    fake.comments.append({**fake.comments[1], "id": 5, "created_at": "2026-11-23T15:09:00Z",
                          "body": "One more data point: previews were off all along."})
    code, _, err = handle(tmp_path, repo, closed_event(export))
    assert code == 0, err
    text = path.read_text(encoding="utf-8")
    assert "- The memory fix was applied in two minutes." in text
    assert "One more data point: previews were off all along." in text


@pytest.mark.parametrize(("labels", "reason"), [
    (("user-report", "incident", "sev3"), "the closed incident is SEV3; post-mortems are written for SEV1, SEV2"),
    (("user-report", "sev2"), "the closed issue is not an incident"),
    (("feature-request",), "the closed issue is not an incident"),
])
def test_other_closed_issues_stay_ignored(tmp_path: Path, github: FakeGitHub, repo: GitRepo,
                                          labels: tuple[str, ...], reason: str) -> None:
    export = load_export()
    export["issue"]["labels"] = [events.label(name) for name in labels]
    code, out, _ = handle(tmp_path, repo, closed_event(export), "--dry-run")
    assert code == 0
    decision = json.loads(out)
    assert decision["outcome"] == "ignored" and decision["reasons"] == [reason]
    assert github.log == []


def test_the_responders_own_closing_is_ignored(tmp_path: Path, github: FakeGitHub, repo: GitRepo) -> None:
    export = load_export()
    _, out, _ = handle(tmp_path, repo, closed_event(export, sender="github-actions[bot]"), "--dry-run")
    assert json.loads(out)["reasons"] == ["the event was caused by the responder itself"]


def test_an_incident_a_person_declared_gets_a_responder_comment(tmp_path: Path, github: FakeGitHub,
                                                                repo: GitRepo) -> None:
    export = load_export()
    export["comments"] = export["comments"][1:]  # the responder never commented
    github.add_export(export)
    code, _, err = handle(tmp_path, repo, closed_event(export))
    assert code == 0, err
    [comment] = github.bot_comments(42)
    assert comment["body"].startswith("<!-- postmortem:begin -->\n### 📝 Post-mortem draft")
    state = read_marker(comment["body"])
    assert state is not None and state.sections["postmortem"]["path"] == DOC


def test_dry_run_shows_the_decision_and_writes_nothing(tmp_path: Path, github: FakeGitHub, repo: GitRepo) -> None:
    export = load_export()
    github.add_export(export)
    code, out, _ = handle(tmp_path, repo, closed_event(export), "--dry-run")
    assert code == 0
    decision = json.loads(out)
    assert [a["type"] for a in decision["actions"]] == ["write_files", "commit", "remove_labels", "add_labels",
                                                        "comment"]
    assert decision["postmortem"]["path"] == DOC
    assert not (repo.root / DOC).exists() and github.writes() == []


def test_offline_reads_nothing_so_writes_nothing(tmp_path: Path, repo: GitRepo) -> None:
    code, out, _ = handle(tmp_path, repo, closed_event(load_export()), "--offline")
    assert code == 0
    assert "offline: the issue's comments and events were not read" in json.loads(out)["reasons"][-1]
    assert not (repo.root / DOC).exists()


def test_a_push_that_loses_a_race_is_replayed_on_top(tmp_path: Path, github: FakeGitHub, repo: GitRepo) -> None:
    import subprocess

    other = tmp_path / "other"
    subprocess.run(["git", "clone", "--quiet", str(tmp_path / "remote.git"), str(other)], check=True)
    racer = GitRepo(other)
    (other / "stacks.txt").write_text("someone else's change\n")
    racer.commit("fix: someone else's change", ["stacks.txt"])
    racer.push()
    export = load_export()
    github.add_export(export)
    code, _, err = handle(tmp_path, repo, closed_event(export))
    assert code == 0, err
    assert remote_log(tmp_path)[:2] == ["docs: post-mortem for 2026-11-23 Nextcloud 502 since 14:00",
                                        "fix: someone else's change"]


def test_a_failed_push_leaves_the_issue_untouched_for_a_retry(tmp_path: Path, github: FakeGitHub,
                                                              repo: GitRepo) -> None:
    repo.git("remote", "set-url", "origin", str(tmp_path / "missing.git"))
    export = load_export()
    github.add_export(export)
    code, _, err = handle(tmp_path, repo, closed_event(export))
    assert code == 1
    assert "responder: error: git pull --rebase" in err or "responder: error: git push" in err
    assert github.writes() == []  # no label swapped, no comment: the next run does it all


def test_a_draft_edited_outside_its_sections_stops_the_flow_and_touches_nothing(
        tmp_path: Path, github: FakeGitHub, repo: GitRepo) -> None:
    export = load_export()
    github.add_export(export)
    handle(tmp_path, repo, closed_event(export))
    path = repo.root / DOC
    path.write_text(path.read_text(encoding="utf-8").replace("## Timeline (UTC)", "## Timeline (UTC)\n\nMine."),
                    encoding="utf-8")
    fake = github.issues[42]
    fake.comments.append({**fake.comments[1], "id": 6, "created_at": "2026-11-23T15:00:00Z", "body": "late news"})
    writes = github.writes()
    code, _, err = handle(tmp_path, repo, closed_event(export))
    assert code == 2
    assert "the generated part was edited by hand" in err and "Traceback" not in err
    assert "Mine." in path.read_text(encoding="utf-8") and github.writes() == writes


@pytest.mark.parametrize(("section", "reason"), [
    ("postmortem: {enabled: false}\n", "post-mortems are switched off (postmortem.enabled: false)"),
    ("postmortem: {severities: [SEV1]}\n", "the closed incident is SEV2; post-mortems are written for SEV1"),
])
def test_the_postmortem_section_decides_which_closings_count(tmp_path: Path, github: FakeGitHub, section: str,
                                                             reason: str) -> None:
    repo = make_infra_repo(tmp_path, config_extra=section)
    code, out, _ = handle(tmp_path, repo, closed_event(load_export()), "--dry-run")
    assert code == 0 and json.loads(out)["reasons"] == [reason]


def test_publishing_the_post_mortem_tells_the_notify_targets_once(tmp_path: Path, github: FakeGitHub,
                                                                 repo: GitRepo) -> None:
    import yaml

    from tests.support.notify_receiver import receiving

    config = repo.root / "responder.yml"
    raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    with receiving() as receiver:
        raw["notify"] = [{"url": receiver.url, "events": ["resolved", "postmortem"]}]
        config.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
        export = load_export()
        github.add_export(export)
        code, _, err = handle(tmp_path, repo, closed_event(export))
        assert code == 0, err
        postmortem = [message for message in receiver.messages if message["title"].endswith("published (#42)")]
        [message] = postmortem
        assert message["title"] == "SEV2 · nextcloud: post-mortem published (#42)"
        assert message["message"].splitlines()[-1] == (
            "Post-mortem: https://status.acme-homelab.org/post-mortems/2026-11-23-nextcloud-502-since-14-00/")
        told = len(receiver.messages)
        # Closed again after a reopen: the post-mortem is regenerated, nobody is told twice.
        code, _, err = handle(tmp_path, repo, closed_event(export))
        assert code == 0, err
        assert len(receiver.messages) == told
