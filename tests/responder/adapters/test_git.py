"""The git adapter against real repositories (a working copy and a bare remote)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from responder.adapters.git import GitError, GitRepo


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "-b", "main", str(remote)], check=True)
    work = tmp_path / "work"
    subprocess.run(["git", "init", "--quiet", "-b", "main", str(work)], check=True)
    git = GitRepo(work)
    (work / "README.md").write_text("infra\n")
    git.git("add", "README.md")
    git.git("commit", "--quiet", "-m", "initial")
    git.git("remote", "add", "origin", str(remote))
    git.push()
    return git


def test_commit_exactly_the_given_paths_and_push(repo: GitRepo, tmp_path: Path) -> None:
    stack = repo.root / "stacks" / "nextcloud"
    stack.mkdir(parents=True)
    (stack / "nextcloud.auto.tfvars.json").write_text('{"memory_limit": "2Gi"}\n')
    (repo.root / "unrelated.txt").write_text("not mine\n")
    sha = repo.commit("fix: raise nextcloud memory limit to 2Gi (fixes #42)",
                      ["stacks/nextcloud/nextcloud.auto.tfvars.json"])
    assert sha is not None and len(sha) == 40
    assert repo.changed() == ("unrelated.txt",)
    repo.push()
    remote_head = subprocess.run(["git", "--git-dir", str(tmp_path / "remote.git"), "rev-parse", "main"],
                                 capture_output=True, text=True, check=True).stdout.strip()
    assert remote_head == sha
    [latest, _] = repo.log()
    assert latest.subject == "fix: raise nextcloud memory limit to 2Gi (fixes #42)"
    assert latest.author == "issueops-responder"
    assert latest.files == ("stacks/nextcloud/nextcloud.auto.tfvars.json",)


def test_committing_nothing_new_is_a_no_op(repo: GitRepo) -> None:
    assert repo.commit("docs: nothing", ["README.md"]) is None


def test_log_filters_by_path(repo: GitRepo) -> None:
    (repo.root / "a.txt").write_text("a")
    repo.commit("feat: a", ["a.txt"])
    (repo.root / "b.txt").write_text("b")
    repo.commit("feat: b", ["b.txt"])
    assert [c.subject for c in repo.log(["a.txt"])] == ["feat: a"]


def test_a_rejected_push_is_a_clear_error(repo: GitRepo, tmp_path: Path) -> None:
    other = tmp_path / "other"
    subprocess.run(["git", "clone", "--quiet", str(tmp_path / "remote.git"), str(other)], check=True)
    racer = GitRepo(other)
    (other / "c.txt").write_text("c")
    racer.commit("feat: c", ["c.txt"])
    racer.push()
    (repo.root / "d.txt").write_text("d")
    repo.commit("feat: d", ["d.txt"])
    with pytest.raises(GitError, match=r"git push --quiet origin HEAD:refs/heads/main failed \(exit 1\)"):
        repo.push()


def test_not_a_repository(tmp_path: Path) -> None:
    assert not GitRepo(tmp_path).is_repository()


def test_a_push_to_an_https_remote_carries_the_token_in_its_environment_only() -> None:
    from responder.adapters.git import push_auth_env
    from responder.render.redaction import process_redactor

    env = push_auth_env("ghs_secret", "https://github.com/acme/infra.git", {})
    assert env["GIT_CONFIG_KEY_0"] == "http.https://github.com/.extraheader"
    assert env["GIT_CONFIG_VALUE_0"].startswith("AUTHORIZATION: basic ")
    assert "ghs_secret" not in str(env)  # base64, and that form is registered with the redactor too
    basic = env["GIT_CONFIG_VALUE_0"].split()[-1]
    assert process_redactor(f"header {basic}") == "header [REDACTED]"
    # Credentials git already has (the action's step), an ssh or local remote, or no token: nothing added.
    assert push_auth_env("t", "https://github.com/acme/infra.git", {"GIT_CONFIG_COUNT": "1"}) == {}
    assert push_auth_env("t", "git@github.com:acme/infra.git", {}) == {}
    assert push_auth_env("t", "/srv/git/infra.git", {}) == {}
    assert push_auth_env(None, "https://github.com/acme/infra.git", {}) == {}
    assert push_auth_env("t", "https://x-access-token:old@ghe.example/acme/infra", {})["GIT_CONFIG_KEY_0"] == \
        "http.https://ghe.example/.extraheader"
