"""Actions on the repository itself rather than on one issue: files in the checkout, and labels.

The post-mortem stage writes and commits its files with the first two;
`responder labels sync` creates and updates labels with the third.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from responder.decision.actions import Action


@dataclass(frozen=True)
class WriteFiles(Action):
    """Write files in the checkout (only those whose content changed)."""

    type: ClassVar[str] = "write_files"
    writes_github: ClassVar[bool] = False
    files: tuple[tuple[str, str], ...]  # (path, text)

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "paths": [path for path, _ in self.files]}

    def describe(self) -> str:
        return "write " + ", ".join(Path(path).name for path, _ in self.files)


@dataclass(frozen=True)
class CommitFiles(Action):
    """Commit exactly these paths and push them. Pushing leaves the machine, so offline skips it."""

    type: ClassVar[str] = "commit"
    writes_github: ClassVar[bool] = True
    paths: tuple[str, ...]  # relative to the repository root
    message: str
    push: bool
    remote: str
    branch: str | None

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "paths": list(self.paths), "message": self.message, "push": self.push}

    def describe(self) -> str:
        return f"commit {self.message!r}" + (" and push" if self.push else "")


@dataclass(frozen=True)
class SyncLabel(Action):
    """Create a label, or bring an existing one (found under `current_name`) to this name, colour and text."""

    type: ClassVar[str] = "sync_label"
    writes_github: ClassVar[bool] = True
    name: str
    color: str
    description: str
    current_name: str | None = None  # None: create it

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "name": self.name, "color": self.color, "description": self.description,
                "current_name": self.current_name}

    def describe(self) -> str:
        if self.current_name is None:
            return f"create label {self.name}"
        renamed = f" (was {self.current_name})" if self.current_name != self.name else ""
        return f"update label {self.name}{renamed}"
