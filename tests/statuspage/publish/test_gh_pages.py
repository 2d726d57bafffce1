"""Publishing to gh-pages against a real bare repository: one atomic update, or nothing."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest

from responder.adapters.git import GitError, GitRepo
from responder.errors import InputError
from statuspage.cli import main
from statuspage.publish.gh_pages import publish
from tests.conftest import EXAMPLE_CONFIG


def bare(path: Path, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", str(path), *args], capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    path = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "-b", "main", str(path)], check=True)
    return path


@pytest.fixture
def repo(tmp_path: Path, remote: Path) -> GitRepo:
    work = tmp_path / "infra"
    subprocess.run(["git", "init", "--quiet", "-b", "main", str(work)], check=True)
    git = GitRepo(work)
    (work / "responder.yml").write_text(EXAMPLE_CONFIG.read_text())
    git.git("add", "responder.yml")
    git.git("commit", "--quiet", "-m", "initial")
    git.git("remote", "add", "origin", str(remote))
    git.push()
    return git


def site(tmp_path: Path, version: str, name: str = "public") -> Path:
    out = tmp_path / name
    (out / "data").mkdir(parents=True, exist_ok=True)
    (out / "index.html").write_text(f"<h1>status {version}</h1>")
    (out / "404.html").write_text("<h1>not found</h1>")
    (out / "status.json").write_text(f'{{"v": "{version}"}}')
    (out / "data" / "history.json").write_text("{}")
    return out


def served(remote: Path, name: str = "index.html") -> str:
    return bare(remote, "show", f"gh-pages:{name}")


def push_by_hand(remote: Path, checkout: Path, name: str, content: str, message: str) -> None:
    """Someone else changes the published branch (the Pages settings UI, or a person)."""
    if not checkout.exists():
        subprocess.run(["git", "clone", "--quiet", "-b", "gh-pages", str(remote), str(checkout)], check=True,
                       capture_output=True)
    other = GitRepo(checkout)
    (checkout / name).write_text(content)
    other.git("add", name)
    other.git("commit", "--quiet", "-m", message)
    other.git("push", "--quiet", "origin", "gh-pages")


def test_the_first_publish_creates_the_branch_without_touching_the_checkout(repo: GitRepo, remote: Path,
                                                                            tmp_path: Path) -> None:
    (repo.root / "local-change.txt").write_text("uncommitted work")
    head = repo.head()
    result = publish(repo, site(tmp_path, "1"))
    assert result.changed and result.previous is None
    assert served(remote) == "<h1>status 1</h1>"
    assert bare(remote, "ls-tree", "--name-only", "gh-pages").split() == [".nojekyll", "404.html", "data",
                                                                          "index.html", "status.json"]
    assert repo.head() == head and repo.current_branch() == "main"
    assert repo.changed() == ("local-change.txt",)
    assert "responder.yml" not in bare(remote, "ls-tree", "--name-only", "gh-pages")


def test_each_publish_adds_one_commit(repo: GitRepo, remote: Path, tmp_path: Path) -> None:
    first = publish(repo, site(tmp_path, "1"))
    second = publish(repo, site(tmp_path, "2"))
    assert second.previous == first.commit
    assert bare(remote, "rev-list", "--count", "gh-pages") == "2"
    assert served(remote) == "<h1>status 2</h1>"


def test_publishing_the_same_build_again_pushes_nothing(repo: GitRepo, remote: Path, tmp_path: Path) -> None:
    first = publish(repo, site(tmp_path, "1"))
    again = publish(repo, site(tmp_path, "1"))
    assert not again.changed and again.commit == first.commit
    assert bare(remote, "rev-list", "--count", "gh-pages") == "1"


def test_squash_keeps_a_bounded_history(repo: GitRepo, remote: Path, tmp_path: Path) -> None:
    for version in range(1, 6):
        publish(repo, site(tmp_path, str(version)), squash=True, keep=3)
    assert bare(remote, "rev-list", "--count", "gh-pages") == "3"
    assert served(remote) == "<h1>status 5</h1>"
    assert bare(remote, "show", "gh-pages~2:index.html") == "<h1>status 3</h1>"


def test_a_rejected_push_leaves_the_previous_page_live(repo: GitRepo, remote: Path, tmp_path: Path) -> None:
    first = publish(repo, site(tmp_path, "1"))
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'rejected by policy' >&2\nexit 1\n")
    hook.chmod(0o755)
    with pytest.raises(GitError):
        publish(repo, site(tmp_path, "2"))
    assert bare(remote, "rev-parse", "gh-pages") == first.commit
    assert served(remote) == "<h1>status 1</h1>"


def test_a_concurrent_update_is_not_overwritten(repo: GitRepo, remote: Path, tmp_path: Path) -> None:
    publish(repo, site(tmp_path, "1"))
    original = repo.remote_branch

    def racing(remote_name: str, branch: str) -> str | None:
        seen = original(remote_name, branch)
        push_by_hand(remote, tmp_path / "other", "index.html", "<h1>someone else</h1>", "manual fix")
        return seen

    repo.remote_branch = racing  # type: ignore[method-assign]
    with pytest.raises(GitError):
        publish(repo, site(tmp_path, "2"), squash=True)
    assert served(remote) == "<h1>someone else</h1>"


def test_an_incomplete_build_is_refused_before_anything_is_pushed(repo: GitRepo, remote: Path,
                                                                  tmp_path: Path) -> None:
    publish(repo, site(tmp_path, "1"))
    broken = site(tmp_path, "2", "broken")
    (broken / "status.json").unlink()
    with pytest.raises(InputError, match=r"missing status\.json"):
        publish(repo, broken)
    assert served(remote) == "<h1>status 1</h1>"


def test_a_custom_domain_file_on_the_branch_is_kept(repo: GitRepo, remote: Path, tmp_path: Path) -> None:
    publish(repo, site(tmp_path, "1"))
    push_by_hand(remote, tmp_path / "other", "CNAME", "status.acme-homelab.org\n", "Create CNAME")
    publish(repo, site(tmp_path, "2"))
    assert served(remote, "CNAME") == "status.acme-homelab.org"


def test_the_publish_command(repo: GitRepo, remote: Path, tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["publish", "--config", str(repo.root / "responder.yml"), "--out", str(site(tmp_path, "1"))],
                env={}, stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    assert out.getvalue().startswith("gh-pages: new branch -> ")
    code = main(["publish", "--config", str(repo.root / "responder.yml"), "--out", str(tmp_path / "missing")],
                env={}, stdout=out, stderr=err)
    assert code == 2 and "no such directory" in err.getvalue()
