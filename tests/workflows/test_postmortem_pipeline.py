"""Which post-mortems the in-cluster pipeline hands to `postmortem todos`, and that the numbers are committed.

The step's script runs as Woodpecker would run it (its `$$` turned into `$`,
then `sh -e`) in a real git checkout, with `postmortem` replaced by a
recorder: a push looks at what changed since the previous pipeline's commit
when the clone holds it, and everything else at all post-mortems.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT
from tests.workflows.test_injection import recorders, woodpecker_substitute

PIPELINE = yaml.safe_load((ROOT / ".woodpecker" / "postmortem.yml").read_text())
[STEP] = PIPELINE["steps"]
SCRIPT = STEP["commands"][-1]


def git(checkout: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=checkout, env=env, capture_output=True, text=True, check=True,
                          timeout=30).stdout.strip()


@pytest.fixture
def checkout(tmp_path: Path) -> tuple[Path, str, str]:
    """A clone with two commits on main: (path, first commit, second commit)."""
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "--quiet", "--initial-branch=main")
    (work / "a.md").write_text("first\n")
    git(work, "add", "a.md")
    git(work, "commit", "--quiet", "-m", "first")
    first = git(work, "rev-parse", "HEAD")
    (work / "a.md").write_text("second\n")
    git(work, "commit", "--quiet", "-am", "second")
    return work, first, git(work, "rev-parse", "HEAD")


def todos_call(tmp_path: Path, cwd: Path, variables: dict[str, str]) -> list[str]:
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.jsonl"
    recorders(bin_dir, log)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1",
           **{k: str(v) for k, v in (STEP.get("environment") or {}).items()}, **variables}
    script = woodpecker_substitute(SCRIPT, variables)
    result = subprocess.run(["sh", "-e", "-c", script], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=30, check=False)
    assert result.returncode == 0, result.stderr
    [call] = [json.loads(line) for line in log.read_text().splitlines()]
    return call


def test_a_push_files_the_todos_of_what_changed_since_the_previous_pipeline(
        tmp_path: Path, checkout: tuple[Path, str, str]) -> None:
    work, first, _ = checkout
    call = todos_call(tmp_path, work, {"CI_PIPELINE_EVENT": "push", "CI_PREV_COMMIT_SHA": first})
    assert call == ["todos", "--config", "responder.yml", "--commit", f"--changed-since={first}"]


@pytest.mark.parametrize(("variables", "why"), [
    ({"CI_PIPELINE_EVENT": "manual", "CI_PREV_COMMIT_SHA": "{first}"}, "a manual run"),
    ({"CI_PIPELINE_EVENT": "push", "CI_PREV_COMMIT_SHA": ""}, "the branch's first pipeline"),
    ({"CI_PIPELINE_EVENT": "push", "CI_PREV_COMMIT_SHA": "0" * 40}, "a commit the clone does not hold"),
    ({"CI_PIPELINE_EVENT": "push", "CI_PREV_COMMIT_SHA": "--output=/tmp/x"}, "not a commit id"),
    ({"CI_PIPELINE_EVENT": "push", "CI_PREV_COMMIT_SHA": "HEAD~1"}, "not a commit id"),
])
def test_anything_else_files_the_todos_of_all_post_mortems(tmp_path: Path, checkout: tuple[Path, str, str],
                                                           variables: dict[str, str], why: str) -> None:
    work, first, _ = checkout
    filled = {key: value.format(first=first) for key, value in variables.items()}
    call = todos_call(tmp_path, work, filled)
    assert call == ["todos", "--config", "responder.yml", "--commit", "--all"], why


def test_outside_a_git_checkout_it_still_files_all(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    call = todos_call(tmp_path, tmp_path / "plain", {"CI_PIPELINE_EVENT": "push", "CI_PREV_COMMIT_SHA": "a" * 40})
    assert call[-1] == "--all"
