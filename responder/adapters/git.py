"""The git adapter: the only module that runs git.

Used to commit the responder's changes (Terraform vars, post-mortems) to the
infrastructure repository, to read recent history (change correlation),
and to publish static sites to a branch. Every call goes through the one
subprocess wrapper with an argument list.
"""

from __future__ import annotations

import base64
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from responder.adapters.process import Completed, ProcessFailed, run
from responder.errors import ResponderError
from responder.model.commits import Commit
from responder.render.redaction import process_redactor

BOT_NAME = "issueops-responder"
BOT_EMAIL = "issueops-responder@users.noreply.github.com"


class GitError(ResponderError):
    """git refused: not a repository, a conflict, a rejected push."""


def push_auth_env(token: str | None, remote_url: str | None, env: Mapping[str, str]) -> dict[str, str]:
    """Environment that lets one `git push` authenticate with the GitHub token, nothing written to disk.

    Empty when there is no token, the remote is not https, or git already has credentials from its
    environment (the GitHub Action's step sets them the same way). Woodpecker gives its clone
    credentials to the clone step only, so without this a pipeline could not push the responder's commits.
    """
    if not token or not remote_url or not remote_url.startswith("https://") or env.get("GIT_CONFIG_COUNT"):
        return {}
    host = remote_url.split("/", 3)[2].rsplit("@", 1)[-1]
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    process_redactor.add(basic)
    return {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": f"http.https://{host}/.extraheader",
            "GIT_CONFIG_VALUE_0": f"AUTHORIZATION: basic {basic}"}


class GitCheckout(Protocol):
    """The checkout the guarded change engine checks, commits a vars file to and pushes.
    GitRepo is the real one; tests pass a fake, or a GitRepo over a scratch repository."""

    def git(self, *args: str, check: bool = True, input_text: str | None = None,
            env: Mapping[str, str] | None = None) -> Completed: ...
    def is_repository(self) -> bool: ...
    def current_branch(self) -> str: ...
    def changed(self, paths: Sequence[str] = ()) -> tuple[str, ...]: ...
    def commit(self, message: str, paths: Sequence[str]) -> str | None: ...
    def push(self, remote: str = "origin", branch: str | None = None) -> None: ...


class GitRepo:
    """git in one checkout, through the one subprocess wrapper; commits are the responder's."""

    def __init__(self, root: Path | str, *, author_name: str = BOT_NAME, author_email: str = BOT_EMAIL,
                 timeout: float = 120.0, push_token: Callable[[], str | None] | None = None) -> None:
        self.root = Path(root)
        self._timeout = timeout
        # Asked only when pushing: the GitHub token (from responder.yml's secrets) for an https remote.
        self._push_token = push_token
        # Commits are attributed to the responder, whatever the machine's git config says.
        self._env = {
            **os.environ,
            "GIT_AUTHOR_NAME": author_name, "GIT_AUTHOR_EMAIL": author_email,
            "GIT_COMMITTER_NAME": author_name, "GIT_COMMITTER_EMAIL": author_email,
            "GIT_TERMINAL_PROMPT": "0",
        }

    def git(self, *args: str, check: bool = True, input_text: str | None = None,
            env: Mapping[str, str] | None = None) -> Completed:
        try:
            return run(["git", *args], cwd=self.root, env={**self._env, **(env or {})}, timeout=self._timeout,
                       check=check, input_text=input_text)
        except ProcessFailed as exc:
            raise GitError(exc.message, hint=exc.hint) from None

    def is_repository(self) -> bool:
        return self.git("rev-parse", "--is-inside-work-tree", check=False).returncode == 0

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").stdout.strip()

    def current_branch(self) -> str:
        return self.git("rev-parse", "--abbrev-ref", "HEAD").stdout.strip()

    def changed(self, paths: Sequence[str] = ()) -> tuple[str, ...]:
        """Paths with uncommitted changes (staged, unstaged or untracked)."""
        out = self.git("status", "--porcelain", "-z", "--untracked-files=all", "--", *paths).stdout
        entries = [entry for entry in out.split("\0") if entry]
        return tuple(entry[3:] for entry in entries)

    def commit(self, message: str, paths: Sequence[str]) -> str | None:
        """Commit exactly these paths; None when they hold no change."""
        if not self.changed(paths):
            return None
        self.git("add", "--", *paths)
        self.git("commit", "--quiet", "--no-verify", "-m", message, "--", *paths)
        return self.head()

    def push(self, remote: str = "origin", branch: str | None = None) -> None:
        target = branch or self.current_branch()
        self.git("push", "--quiet", remote, f"HEAD:refs/heads/{target}", env=self._push_env(remote))

    def publish(self, remote: str, branch: str | None) -> str:
        """Push HEAD to `branch` (default: the current one); if someone pushed meanwhile, replay ours
        on top once and push again. Returns the branch pushed to."""
        target = branch or self.current_branch()
        if target == "HEAD":
            raise GitError("the checkout is on a detached HEAD: there is no branch to push to",
                           hint="Set postmortem.branch in responder.yml (e.g. main).")
        try:
            self.push(remote, target)
        except GitError:
            self.git("pull", "--rebase", "--quiet", remote, target)
            self.push(remote, target)
        return target

    def _push_env(self, remote: str) -> dict[str, str]:
        if self._push_token is None:
            return {}
        return push_auth_env(self._push_token(), self.remote_url(remote), self._env)

    def log(self, paths: Sequence[str] = (), since: str | None = None, limit: int = 50) -> tuple[Commit, ...]:
        """Recent commits touching these paths, newest first."""
        args = ["log", f"--max-count={limit}", "--format=%x1e%H%x1f%cI%x1f%an%x1f%s", "--name-only"]
        if since:
            args.append(f"--since={since}")
        out = self.git(*args, "--", *paths).stdout
        commits = []
        for record in out.split("\x1e"):
            if not record.strip():
                continue
            header, _, names = record.partition("\n")
            sha, at, author, subject = [*header.split("\x1f"), "", "", "", ""][:4]
            files = tuple(line for line in names.splitlines() if line.strip())
            commits.append(Commit(sha, at, author, subject, files))
        return tuple(commits)

    def file_versions(self, path: str, limit: int = 20) -> Iterator[tuple[Commit, str | None]]:
        """The commits that changed one file, newest first, each with the file as it left it (None: deleted
        there). Lazy: a caller that has seen enough stops reading."""
        for commit in self.log([path], limit=limit):
            shown = self.git("show", f"{commit.sha}:{path}", check=False)
            yield commit, shown.stdout if shown.returncode == 0 else None

    def remote_url(self, remote: str = "origin") -> str | None:
        result = self.git("remote", "get-url", remote, check=False)
        return result.stdout.strip() or None if result.returncode == 0 else None

    # ------------------------------------------------------------ plumbing for publishing a site

    def rev_parse(self, ref: str) -> str | None:
        """The commit a ref points at, or None when it does not exist."""
        result = self.git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
        return result.stdout.strip() or None if result.returncode == 0 else None

    def remote_branch(self, remote: str, branch: str) -> str | None:
        """The remote branch's commit, fetched so it is available here; None when it does not exist yet."""
        listed = self.git("ls-remote", "--heads", remote, f"refs/heads/{branch}").stdout.split()
        if not listed:
            return None
        self.git("fetch", "--quiet", "--no-tags", remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}")
        return listed[0]

    def tree_of_directory(self, directory: Path, extra: Mapping[str, bytes] | None = None) -> str:
        """Store a directory's files (plus `extra` files) as a tree object.

        A temporary index is used, so the caller's working tree, index and
        branch are never touched.
        """
        with tempfile.TemporaryDirectory(prefix="responder-index-") as scratch:
            env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            git_dir = self.git("rev-parse", "--absolute-git-dir").stdout.strip()
            self.git(f"--git-dir={git_dir}", f"--work-tree={directory.resolve()}", "add", "--all", "--force",
                     "--", ".", env={**env, "GIT_DIR": git_dir})
            for name, content in sorted((extra or {}).items()):
                blob = self._hash_blob(content)
                self.git("update-index", "--add", "--cacheinfo", f"100644,{blob},{name}", env=env)
            return self.git("write-tree", env=env).stdout.strip()

    def _hash_blob(self, content: bytes) -> str:
        with tempfile.NamedTemporaryFile(prefix="responder-blob-") as handle:
            handle.write(content)
            handle.flush()
            return self.git("hash-object", "-w", "--", handle.name).stdout.strip()

    def tree_of(self, commit: str) -> str:
        return self.git("rev-parse", f"{commit}^{{tree}}").stdout.strip()

    def commit_tree(self, tree: str, parents: Sequence[str], message: str,
                    env: Mapping[str, str] | None = None) -> str:
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        return self.git(*args, "-F", "-", input_text=message, env=env).stdout.strip()

    def push_commit(self, remote: str, commit: str, branch: str, expected: str | None) -> None:
        """Point the remote branch at `commit` in one step, only if it still is at `expected`.

        The lease makes the update a compare-and-swap: if someone else moved
        the branch meanwhile, nothing changes and the push fails.
        """
        lease = f"--force-with-lease=refs/heads/{branch}:{expected or ''}"
        self.git("push", "--quiet", "--porcelain", lease, remote, f"{commit}:refs/heads/{branch}",
                 env=self._push_env(remote))
