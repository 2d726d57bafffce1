"""responder init: a working infrastructure repository in one command, and re-runs that change nothing."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest

from postmortem.cli import main as postmortem_main
from responder.cli.main import main
from responder.cli.scaffold import (
    PIPELINES,
    WORKFLOWS,
    FileState,
    ScaffoldFile,
    check_action_ref,
    fill,
    repository_from_remote,
    state_of,
    template_text,
)
from responder.errors import InputError
from tests.conftest import ROOT

SHA = "0123456789abcdef0123456789abcdef01234567"
ACTION = f"acme/issueops-responder@{SHA}"


def run(*argv: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), env=env or {}, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def empty_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "infra"
    subprocess.run(["git", "init", "--quiet", "-b", "main", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "remote", "add", "origin", "git@github.com:acme/infra.git"], check=True)
    return repo


def test_init_in_an_empty_repository_gives_a_working_one(empty_repo: Path) -> None:
    code, out, err = run("init", str(empty_repo), "--action-ref", ACTION)
    assert code == 0, err
    assert "responder.yml: created" in out and ".github/workflows/issue-automation.yml: created" in out
    for workflow in WORKFLOWS:
        text = (empty_repo / ".github" / "workflows" / workflow).read_text(encoding="utf-8")
        assert "__" not in text.replace("__ACTION__", "")  # every placeholder filled
        assert f"uses: {ACTION}" in text
    config = str(empty_repo / "responder.yml")
    assert "repository: acme/infra" in (empty_repo / "responder.yml").read_text(encoding="utf-8")
    assert run("check-config", "--config", config)[0] == 0
    assert run("templates", "--config", config, "--out", str(empty_repo / ".github" / "ISSUE_TEMPLATE"),
               "--check")[0] == 0
    assert "site_name: acme/infra incident reviews" in (empty_repo / "site" / "mkdocs.yml").read_text(encoding="utf-8")
    err_stream = io.StringIO()
    built = postmortem_main(["build", "--config", config, "--site-dir", str(empty_repo / "site")], env={},
                            stdout=io.StringIO(), stderr=err_stream)
    assert built == 0, err_stream.getvalue()
    assert (empty_repo / "site" / "build" / "index.html").is_file()


def test_a_rerun_changes_nothing_and_an_edited_file_is_kept_unless_forced(empty_repo: Path) -> None:
    assert run("init", str(empty_repo), "--action-ref", ACTION, "--woodpecker")[0] == 0
    before = {p: p.read_bytes() for p in empty_repo.rglob("*") if p.is_file() and ".git" not in p.parts}
    code, out, _ = run("init", str(empty_repo), "--action-ref", ACTION, "--woodpecker")
    assert code == 0 and "created" not in out and "differs" not in out
    assert {p: p.read_bytes() for p in before} == before
    assert run("init", str(empty_repo), "--action-ref", ACTION, "--woodpecker", "--check")[0] == 0

    workflow = empty_repo / ".github" / "workflows" / "statuspage.yml"
    workflow.write_text(workflow.read_text(encoding="utf-8").replace('"15,45 * * * *"', '"*/30"'), encoding="utf-8")
    (empty_repo / "responder.yml").write_text("# ours\n" + (empty_repo / "responder.yml").read_text(encoding="utf-8"),
                                             encoding="utf-8")
    code, out, _ = run("init", str(empty_repo), "--action-ref", ACTION, "--woodpecker")
    assert code == 0
    assert ".github/workflows/statuspage.yml: differs from what init writes; kept (use --force to overwrite)" in out
    assert "responder.yml" not in out.replace("responder.yml)", "")  # the team's config is theirs: never compared
    assert "*/30" in workflow.read_text(encoding="utf-8")
    assert run("init", str(empty_repo), "--action-ref", ACTION, "--woodpecker", "--check")[0] == 1

    code, out, _ = run("init", str(empty_repo), "--action-ref", ACTION, "--woodpecker", "--force")
    assert code == 0 and ".github/workflows/statuspage.yml: overwritten" in out
    assert "*/30" not in workflow.read_text(encoding="utf-8")
    assert (empty_repo / "responder.yml").read_text(encoding="utf-8").startswith("# ours\n")


def test_the_forms_follow_the_teams_own_catalogue(empty_repo: Path) -> None:
    (empty_repo / "responder.yml").write_text((ROOT / "examples" / "responder.yml").read_text(encoding="utf-8"),
                                             encoding="utf-8")
    assert run("init", str(empty_repo), "--action-ref", ACTION)[0] == 0
    form = (empty_repo / ".github" / "ISSUE_TEMPLATE" / "outage-report.yml").read_text(encoding="utf-8")
    assert "DNS (Technitium)" in form
    assert form == (ROOT / ".github" / "ISSUE_TEMPLATE" / "outage-report.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("argv", "message"), [
    (["--action-ref", "acme/issueops-responder@v1"], "full 40-character commit SHA"),
    (["--action-ref", "acme/issueops-responder@main"], "full 40-character commit SHA"),
    (["--action-ref", ACTION, "--repository", "not a repo"], "OWNER/NAME"),
])
def test_refs_and_names_that_could_move_or_break_are_refused(empty_repo: Path, argv: list[str], message: str) -> None:
    code, _, err = run("init", str(empty_repo), *argv)
    assert code == 2 and message in err
    assert not (empty_repo / ".github").exists()


def test_a_repository_without_a_github_remote_needs_its_name(tmp_path: Path) -> None:
    code, _, err = run("init", str(tmp_path), "--action-ref", ACTION)
    assert code == 2 and "--repository OWNER/NAME" in err
    code, _, err = run("init", str(tmp_path / "new"), "--action-ref", ACTION, "--repository", "acme/new")
    assert code == 0, err
    assert (tmp_path / "new" / "responder.yml").is_file()


def test_inside_the_action_the_ref_is_the_actions_own_commit(empty_repo: Path) -> None:
    env = {"GITHUB_ACTION_REPOSITORY": "acme/issueops-responder", "GITHUB_ACTION_REF": SHA}
    assert run("init", str(empty_repo), env=env)[0] == 0
    assert f"uses: {ACTION}" in (empty_repo / ".github" / "workflows" / "statuspage.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("url", "repository"), [
    ("https://github.com/acme/infra.git", "acme/infra"),
    ("https://github.com/acme/infra", "acme/infra"),
    ("git@github.com:acme/infra.git", "acme/infra"),
    ("ssh://git@github.com/acme/in.fra.git", "acme/in.fra"),
    ("https://x-access-token:abc@github.com/acme/infra.git", "acme/infra"),
    ("https://gitlab.com/acme/infra.git", None),
    ("/srv/git/infra.git", None),
])
def test_the_repository_is_read_from_a_github_remote(url: str, repository: str | None) -> None:
    assert repository_from_remote(url) == repository


def test_file_states() -> None:
    file = ScaffoldFile("a.yml", "new\n")
    assert state_of(file, None, force=False) is FileState.CREATED
    assert state_of(file, "new\n", force=False) is FileState.UNCHANGED
    assert state_of(file, "old\n", force=False) is FileState.DIFFERS
    assert state_of(file, "old\n", force=True) is FileState.OVERWRITTEN
    assert state_of(ScaffoldFile("r.yml", "x", create_only=True), "y", force=True) is FileState.KEPT


def test_local_action_refs_are_allowed_for_the_repository_that_holds_the_action() -> None:
    assert check_action_ref("./") == "./"
    with pytest.raises(InputError):
        check_action_ref("../elsewhere")


@pytest.mark.parametrize("workflow", WORKFLOWS)
def test_this_repositorys_workflows_are_the_shipped_ones_with_the_local_action(workflow: str) -> None:
    shipped = fill(template_text(f"github/workflows/{workflow}"), {"ACTION": "./"})
    assert (ROOT / ".github" / "workflows" / workflow).read_text(encoding="utf-8") == shipped, \
        f"regenerate .github/workflows/{workflow} from responder/templates/init/github/workflows/{workflow}"


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_this_repositorys_pipelines_are_the_shipped_ones(pipeline: str) -> None:
    assert (ROOT / ".woodpecker" / pipeline).read_text(encoding="utf-8") == template_text(f"woodpecker/{pipeline}")


def test_this_repositorys_site_is_the_skeleton_init_writes_for_the_example_repository(tmp_path: Path) -> None:
    code, _, err = run("init", str(tmp_path), "--action-ref", ACTION, "--repository", "acme-homelab/infra")
    assert code == 0, err
    for page in ("mkdocs.yml", ".gitignore", "docs/post-mortems/index.md"):
        assert (ROOT / "site" / page).read_text(encoding="utf-8") == \
            (tmp_path / "site" / page).read_text(encoding="utf-8"), page


def test_a_workflow_an_older_init_wrote_is_reported_obsolete_and_left_alone(empty_repo: Path) -> None:
    """The sweep moved into statuspage.yml's scheduled job: an old sweep.yml would sweep twice."""
    old = empty_repo / ".github" / "workflows" / "sweep.yml"
    old.parent.mkdir(parents=True)
    old.write_text("name: sweep\n", encoding="utf-8")
    code, out, _ = run("init", str(empty_repo), "--action-ref", ACTION)
    assert code == 0
    assert (".github/workflows/sweep.yml: obsolete: the sweep now runs in statuspage.yml's one scheduled job; "
            "delete this file, or every incident is swept twice") in out
    assert old.read_text(encoding="utf-8") == "name: sweep\n"
    assert run("init", str(empty_repo), "--action-ref", ACTION, "--check")[0] == 1
    old.unlink()
    assert run("init", str(empty_repo), "--action-ref", ACTION, "--check")[0] == 0
