"""Write the built site to a directory, replacing the previous build in one step.

The new tree is written beside the output directory and renamed into
place, so a failed build never leaves half a site behind. An existing
directory that is not a previous status page build is never replaced.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from responder.errors import InputError

POSTMORTEM_DIR = "post-mortems"
BUILD_MARKERS = ("status.json", "data/build.json")


def write_site(out: Path, files: Mapping[str, bytes], postmortems: Path | None = None) -> int:
    """Write the files (and a copy of the post-mortem site); returns the number of files written."""
    out = out.resolve()
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and
                                              not any((out / m).is_file() for m in BUILD_MARKERS))):
        raise InputError(f"{out} exists and is not a status page build; refusing to replace it",
                         hint="Choose an empty or new directory for --out.")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; a site is served to everyone
    try:
        count = 0
        for name, content in files.items():
            target = staging / _safe_relative(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            count += 1
        if postmortems is not None:
            count += _copy_tree(postmortems, staging / POSTMORTEM_DIR)
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return count


def _safe_relative(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"refusing to write outside the site: {name!r}")
    return path


def _copy_tree(source: Path, target: Path) -> int:
    """Regular files only: a symlink in the source could point anywhere on the machine."""
    count = 0
    for path in sorted(source.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
        count += 1
    return count


def _swap(staging: Path, out: Path) -> None:
    if not out.exists():
        staging.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    try:
        staging.rename(out)
    except OSError:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)
