"""A commit of the infrastructure repository, as the git adapter reads it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Commit:
    sha: str
    at: str  # ISO 8601 committer date
    author: str
    subject: str
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class PinnedValue:
    """A variable's value in a vars file as one commit left it (None: absent or unreadable there)."""

    commit: Commit
    value: str | None
