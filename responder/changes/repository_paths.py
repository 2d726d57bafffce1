"""Where a path in responder.yml (or on the command line) really leads.

A stack or vars file is named by a path relative to the repository, but a
symbolic link can make `stacks/secrets-ui` lead into `stacks/vault`. Every
check that matters (protected stacks, inside the repository, what git
commits) is made on the real path, resolved once here, and the change
engine and `responder guard` both use this one function.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath


@dataclass(frozen=True)
class RepositoryPath:
    """A path as it was given, and where it really leads."""

    given: str  # as written in responder.yml or on the command line
    real: Path  # absolute, every symbolic link resolved
    relative: str | None  # the real path relative to the repository's real root ("." for the root); None outside
    lexical: str  # the path as given, relative to the repository without resolving links (or as given, outside)

    @property
    def inside(self) -> bool:
        return self.relative is not None

    @property
    def through_link(self) -> bool:
        """The path leads somewhere else than its own name says (a symbolic link on the way)."""
        return self.relative is not None and self.relative != self.lexical

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the path goes by: protected names are matched against all of them."""
        return tuple(dict.fromkeys(name for name in (self.lexical, self.relative) if name is not None))

    @property
    def shown(self) -> str:
        """For people: the name, and where it really leads when a link makes that differ."""
        if self.relative is None:
            return self.lexical
        return f"{self.lexical} -> {self.relative}" if self.through_link else self.relative

    @property
    def parent(self) -> RepositoryPath:
        """The directory holding this path, resolved the same way."""
        lexical_parent = PurePosixPath(self.lexical).parent.as_posix()
        relative_parent = PurePosixPath(self.relative).parent.as_posix() if self.relative is not None else None
        return RepositoryPath(self.given, self.real.parent, relative_parent, lexical_parent)


def locate(root: Path, path: str | Path, *, base: Path | None = None) -> RepositoryPath:
    """Resolve `path` (relative to `base`, by default the repository root) against the repository at `root`.

    Nothing is created or opened: the path need not exist.
    """
    given = Path(path)
    start = given if given.is_absolute() else (base or root) / given
    real_root = root.resolve()
    real = start.resolve()
    relative = _relative(real, real_root)
    lexical_path = Path(os.path.normpath(Path.cwd() / start if not start.is_absolute() else start))
    lexical = None
    for candidate_root in (Path(os.path.normpath(Path.cwd() / root)), real_root):
        lexical = _relative(lexical_path, candidate_root)
        if lexical is not None:
            break
    return RepositoryPath(given=str(path), real=real, relative=relative,
                          lexical=lexical if lexical is not None else PurePosixPath(given.as_posix()).as_posix())


def _relative(path: Path, root: Path) -> str | None:
    if path == root:
        return "."
    if root in path.parents:
        return path.relative_to(root).as_posix()
    return None
