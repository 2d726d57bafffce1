"""Publish the built site to the gh-pages branch, atomically.

The new tree is written with git plumbing (a temporary index, commit-tree),
so the caller's checkout, index and branch are never touched. The remote
branch is then moved in one push with a lease: it either points at the
complete new commit or still at the old one. If anything fails before or
during the push, the previous page stays live.

Normal mode adds one commit on top of the branch. `--squash` keeps a
bounded history instead: the newest `--keep` commits, rewritten onto a new
root, so the branch does not grow by one commit every five minutes.

The other route, GitHub's `actions/deploy-pages`, needs no git at all:
upload the `--out` directory with `actions/upload-pages-artifact` and
deploy it (see the README).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from responder.adapters.git import GitRepo
from responder.errors import InputError

REQUIRED = ("index.html", "status.json", "404.html")
DEFAULT_MESSAGE = "Update the status page"


@dataclass(frozen=True)
class Published:
    branch: str
    commit: str
    previous: str | None
    changed: bool
    kept_commits: int


def check_build(out: Path) -> None:
    """Refuse to publish anything but a complete build: a broken page must never replace a good one."""
    if not out.is_dir():
        raise InputError(f"{out}: no such directory", hint="Run `statuspage build --out DIR` first.")
    missing = [name for name in REQUIRED if not (out / name).is_file()]
    if missing:
        raise InputError(f"{out} is not a complete status page build (missing {', '.join(missing)})",
                         hint="Run `statuspage build --out DIR` and publish that directory.")


def publish(repo: GitRepo, out: Path, *, remote: str = "origin", branch: str = "gh-pages",
            squash: bool = False, keep: int = 10, message: str = DEFAULT_MESSAGE) -> Published:
    check_build(out)
    if keep < 1:
        raise InputError("--keep must be at least 1")
    previous = repo.remote_branch(remote, branch)
    extra = {".nojekyll": b""}
    if previous is not None and not (out / "CNAME").exists():
        # GitHub keeps a custom domain as a CNAME file in the branch: dropping it would unset the domain.
        cname = repo.git("show", f"{previous}:CNAME", check=False)
        if cname.returncode == 0 and cname.stdout.strip():
            extra["CNAME"] = cname.stdout.encode("utf-8")
    tree = repo.tree_of_directory(out, extra)
    if previous is not None and repo.tree_of(previous) == tree:
        return Published(branch, previous, previous, changed=False, kept_commits=0)
    parents: list[str] = []
    kept = 0
    if previous is not None and not squash:
        parents = [previous]
    elif previous is not None and keep > 1:
        base, kept = _rewrite_recent(repo, previous, keep - 1)
        parents = [base] if base else []
    commit = repo.commit_tree(tree, parents, message + "\n")
    repo.push_commit(remote, commit, branch, expected=previous)
    return Published(branch, commit, previous, changed=True, kept_commits=kept + 1)


def _rewrite_recent(repo: GitRepo, tip: str, count: int) -> tuple[str | None, int]:
    """The newest `count` commits up to tip, copied onto a new root (same trees, messages and dates)."""
    shas = repo.git("rev-list", "--first-parent", f"--max-count={count}", tip).stdout.split()
    base: str | None = None
    for sha in reversed(shas):
        meta = repo.git("log", "-1", "--format=%aI%x00%cI%x00%B", sha).stdout
        author_date, committer_date, body = [*meta.split("\x00", 2), "", "", ""][:3]
        env = {"GIT_AUTHOR_DATE": author_date, "GIT_COMMITTER_DATE": committer_date}
        base = repo.commit_tree(repo.tree_of(sha), [base] if base else [], body.rstrip("\n") + "\n", env=env)
    return base, len(shas)
