"""`postmortem todos`: follow-up issues for TODO action items, filed exactly once across re-runs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from postmortem.cli import main
from postmortem.document.file import parse_document
from responder.adapters.git import GitRepo
from tests.support import events
from tests.support.github_api import FakeGitHub
from tests.support.infra_repo import SEV2_EXPORT, make_infra_repo, remote_log
from tests.support.references import CLOSING, REFERENCE

TOKEN = "ghs_" + "T0d0s" * 7
DOC = "site/docs/post-mortems/2026-11-23-nextcloud-502-since-14-00.md"
ACCEPTED = """\
- id: 3
  action: Set a memory request for the preview generator
  type: config
  owner: '@vbarzin'
  priority: P1
  due: 2026-12-01
  status: todo
- id: 4
  action: Write a runbook for OOMKilled pods
  type: runbook
  owner: null
  priority: P2
  due: null
  status: TODO
- id: 5
  action: Dashboard for memory headroom
  type: monitor
  owner: null
  priority: P3
  due: null
  status: DONE
"""


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = make_infra_repo(tmp_path)
    assert run(repo, "write", "--issue-file", str(SEV2_EXPORT))[0] == 0
    path = repo.root / DOC
    # A person accepts the responder's alert suggestion and adds items of their own.
    text = path.read_text(encoding="utf-8").replace("status: PROPOSED", "status: TODO")
    path.write_text(text.replace("generated:\n", ACCEPTED + "generated:\n", 1), encoding="utf-8")
    repo.commit("docs: action items for the nextcloud post-mortem", ["site"])
    return repo


def run(repo: GitRepo, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = {"GITHUB_TOKEN": TOKEN, "RESPONDER_GITHUB_WRITE_INTERVAL": "0"}
    code = main(["--config", str(repo.root / "responder.yml"), *argv], env=env, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def items(repo: GitRepo) -> dict[int, dict[str, object]]:
    front = parse_document((repo.root / DOC).read_text(encoding="utf-8")).front_matter
    assert front is not None
    return {item["id"]: item for item in front["action_items"]}


def initial(repo: GitRepo) -> str:
    return repo.git("rev-list", "--max-parents=0", "HEAD").stdout.strip()


def test_alert_config_and_monitor_items_marked_todo_are_filed_and_recorded(repo: GitRepo,
                                                                           github: FakeGitHub) -> None:
    code, out, err = run(repo, "todos", "--changed-since", initial(repo))
    assert code == 0, err
    assert out.splitlines() == [
        "2026-11-23-nextcloud-502-since-14-00.md: filed item 2 as #501",
        "2026-11-23-nextcloud-502-since-14-00.md: filed item 3 as #502",
    ]
    first, second = github.created_issues()
    assert first["title"] == "[PM-2026-11-23] Alert when Nextcloud is down, before users report it"
    assert second["title"] == "[PM-2026-11-23] Set a memory request for the preview generator"
    assert [label["name"] for label in first["labels"]] == ["follow-up"]
    assert "(https://status.acme-homelab.org/post-mortems/2026-11-23-nextcloud-502-since-14-00/)" \
        in first["body"]
    assert "[\\#\u200b42](https://github.com/acme-homelab/infra/issues/42)" in first["body"]
    assert ("`fix(post-mortem): Alert when Nextcloud is down, before users report it [PM-2026-11-23]`"
            in first["body"])
    assert first["body"].endswith("<!-- issueops-responder:follow-up incident-42/action-2 -->\n")
    assert "| **Owner** | @\u200bvbarzin |" in second["body"]  # named, never pinged
    recorded = items(repo)
    assert (recorded[2]["issue"], recorded[3]["issue"]) == (501, 502)
    assert "issue" not in recorded[1] and "issue" not in recorded[4] and "issue" not in recorded[5]
    text = (repo.root / DOC).read_text(encoding="utf-8")
    assert ("| 2 | Alert when Nextcloud is down, before users report it | alert | @vbarzin | P2 | 2026-12-07 | TODO "
            "| [&#35;501](https://github.com/acme-homelab/infra/issues/501) |") in text


def test_a_follow_up_suggests_a_commit_that_closes_nothing(repo: GitRepo, github: FakeGitHub) -> None:
    path = repo.root / DOC
    path.write_text(path.read_text(encoding="utf-8").replace(
        "action: Set a memory request for the preview generator",
        "action: 'Set a memory request. Fixes #1, resolves other/repo#4 GH-5 @admins'"), encoding="utf-8")
    repo.commit("docs: a hostile action item", [DOC])
    assert run(repo, "todos", "--changed-since", initial(repo))[0] == 0
    [suggested] = [line for line in github.created_issues()[1]["body"].splitlines() if "fix(post-mortem)" in line]
    assert CLOSING.findall(suggested) == [] and REFERENCE.findall(suggested) == []
    assert "fix(post-mortem): Set a memory request. F\u200bixes #\u200b1" in suggested


def test_rerunning_files_nothing_new(repo: GitRepo, github: FakeGitHub) -> None:
    run(repo, "todos", "--changed-since", initial(repo))
    before = len(github.created_issues())
    code, out, _ = run(repo, "todos", "--changed-since", initial(repo))
    assert code == 0 and out == ""
    assert len(github.created_issues()) == before == 2


def test_an_issue_number_that_never_made_it_back_is_found_not_filed_twice(repo: GitRepo,
                                                                          github: FakeGitHub) -> None:
    committed = (repo.root / DOC).read_text(encoding="utf-8")
    run(repo, "todos", "--changed-since", initial(repo))
    (repo.root / DOC).write_text(committed, encoding="utf-8")  # the write-back was lost (a failed commit)
    code, out, _ = run(repo, "todos", "--changed-since", initial(repo))
    assert code == 0
    assert "item 2 was already filed as #501" in out and "item 3 was already filed as #502" in out
    assert len(github.created_issues()) == 2
    assert items(repo)[2]["issue"] == 501
    assert ("GET", "/repos/acme-homelab/infra/issues") in github.log


def test_a_follow_up_key_pasted_by_someone_else_does_not_count(repo: GitRepo, github: FakeGitHub) -> None:
    forged = events.issue(400, title="decoy", author="mallory", labels=("follow-up",),
                          body="<!-- issueops-responder:follow-up incident-42/action-2 -->")
    github.add_issue(forged)
    run(repo, "todos", "--changed-since", initial(repo))
    assert items(repo)[2]["issue"] == 501


def test_only_post_mortems_changed_since_the_ref_are_looked_at(repo: GitRepo, github: FakeGitHub) -> None:
    code, out, _ = run(repo, "todos", "--changed-since", "HEAD")
    assert code == 0 and out == "no post-mortems to look at\n"
    assert github.log == []


def test_dry_run_files_nothing(repo: GitRepo, github: FakeGitHub) -> None:
    code, out, _ = run(repo, "todos", "--dry-run", str(repo.root / DOC))
    assert code == 0
    assert "would file item 2: [PM-2026-11-23] Alert when Nextcloud is down, before users report it" in out
    assert github.writes() == [] and "issue" not in items(repo)[2]


def test_an_invalid_item_is_reported_and_the_valid_ones_still_filed(repo: GitRepo, github: FakeGitHub) -> None:
    path = repo.root / DOC
    path.write_text(path.read_text(encoding="utf-8").replace("type: runbook", "type: runbok"), encoding="utf-8")
    code, _, err = run(repo, "todos", str(path))
    assert code == 2
    assert (f"postmortem: {path}: action_items[3].type: expected one of alert, config, monitor, runbook, "
            "architecture, investigation, got 'runbok'") in err
    assert len(github.created_issues()) == 2


def test_commit_records_the_numbers_in_git(repo: GitRepo, github: FakeGitHub, tmp_path: Path) -> None:
    code, out, _ = run(repo, "todos", "--changed-since", initial(repo), "--commit")
    assert code == 0 and "committed " in out
    assert remote_log(tmp_path)[0] == "docs: record follow-up issues of 1 post-mortem(s)"
    assert repo.changed() == ()


def test_naming_nothing_is_refused(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    # Never "the first file alphabetically": which post-mortems to look at must be said.
    with pytest.raises(SystemExit) as exited:
        run(repo, "todos")
    assert exited.value.code == 2
