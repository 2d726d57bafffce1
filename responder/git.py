"""The git adapter: the only module that runs git.

Used to commit the responder's changes (Terraform vars, post-mortems) to the
infrastructure repository, to read recent history (change correlation),
and to publish static sites to a branch. Every call goes through the one
subprocess wrapper with an argument list.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from responder.errors import ResponderError
from responder.process import Completed, ProcessFailed, run

BOT_NAME = "issueops-responder"
BOT_EMAIL = "issueops-responder@users.noreply.github.com"


class GitError(ResponderError):
    """git refused: not a repository, a conflict, a rejected push."""


@dataclass(frozen=True)
class Commit:
    sha: str
    at: str  # ISO 8601 committer date
    author: str
    subject: str
    files: tuple[str, ...] = ()


class GitRepo:
    def __init__(self, root: Path | str, *, author_name: str = BOT_NAME, author_email: str = BOT_EMAIL,
                 timeout: float = 120.0) -> None:
        self.root = Path(root)
        self._timeout = timeout
        # Commits are attributed to the responder, whatever the machine's git config says.
        self._env = {
            **os.environ,
            "GIT_AUTHOR_NAME": author_name, "GIT_AUTHOR_EMAIL": author_email,
            "GIT_COMMITTER_NAME": author_name, "GIT_COMMITTER_EMAIL": author_email,
            "GIT_TERMINAL_PROMPT": "0",
        }

    def git(self, *args: str, check: bool = True, input_text: str | None = None) -> Completed:
        try:
            return run(["git", *args], cwd=self.root, env=self._env, timeout=self._timeout, check=check,
                       input_text=input_text)
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
        self.git("push", "--quiet", remote, f"HEAD:refs/heads/{target}")

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

    def remote_url(self, remote: str = "origin") -> str | None:
        result = self.git("remote", "get-url", remote, check=False)
        return result.stdout.strip() or None if result.returncode == 0 else None
