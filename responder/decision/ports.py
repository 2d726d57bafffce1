"""What the executor needs from the outside world, one Protocol per side effect.

The adapters satisfy these (GitHubClient, the cluster access, the
Terraform change engine, the git checkout, the file system); tests and
replays pass their own. The executor sees nothing wider than this.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from responder.model.changes import AppliedChange, PreparedChange
from responder.model.issues import BotComment
from responder.model.notifications import Delivery, Notification


class IssueWriter(Protocol):
    """Writes to issues and their comments (GitHubClient satisfies it)."""

    requests: int

    def create_issue(self, title: str, body: str, labels: tuple[str, ...] = ()) -> dict[str, Any]: ...
    def create_comment(self, number: int, body: str) -> BotComment: ...
    def edit_comment(self, comment_id: int, body: str, number: int) -> None: ...
    def delete_comment(self, comment_id: int) -> None: ...
    def add_labels(self, number: int, labels: tuple[str, ...]) -> None: ...
    def remove_label(self, number: int, label: str) -> None: ...
    def add_assignees(self, number: int, assignees: tuple[str, ...]) -> None: ...
    def close(self, number: int, reason: str) -> None: ...
    def update_issue(self, number: int, *, labels: tuple[str, ...] | None = None,
                     assignees: tuple[str, ...] | None = None, close_reason: str | None = None) -> None: ...


class LabelWriter(Protocol):
    """Writes to the repository's labels."""

    def create_label(self, name: str, color: str, description: str) -> None: ...
    def update_label(self, current_name: str, *, new_name: str, color: str, description: str) -> None: ...


class ChangeApplier(Protocol):
    """Applies a checked Terraform plan (the guarded change engine)."""

    def apply(self, prepared: PreparedChange, *, issue: int) -> AppliedChange: ...


class ClusterWriter(Protocol):
    """The one direct cluster write: `kubectl rollout restart`."""

    def restart_rollout(self, namespace: str, deployment: str, at: datetime) -> str: ...


class Committer(Protocol):
    """Commits files in the checkout and pushes them."""

    def commit(self, message: str, paths: Sequence[str]) -> str | None: ...
    def publish(self, remote: str, branch: str | None) -> str: ...


class FileWriter(Protocol):
    """Writes text files, only when their content changes."""

    def write_text(self, path: Path, text: str) -> bool: ...


class Notifier(Protocol):
    """Sends a notification to every configured target that wants it. Never raises: failures are counted."""

    def send(self, notification: Notification) -> Delivery: ...
