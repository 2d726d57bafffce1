"""One change per Terraform stack at a time, across processes on this machine.

An exclusive `flock` on a lock file per stack. The kernel releases it when
the holding process exits, however it exits, so a crashed run cannot leave
a stack locked forever. Who holds it (pid, issue, since when) is written
into the file, so the run that has to wait can say who it waited for.
Across machines, Terraform's own state lock (a remote backend) and the
workflow's concurrency group do this job.

The lock files live in a private directory (mode 0700: under $RUNNER_TEMP
or $XDG_RUNTIME_DIR, else a per-user directory in the system's temporary
directory), checked before each use: one owned by someone else or writable
by others is refused, and so is a lock file that is a symbolic link. On a
shared runner, a fixed name in /tmp would let another user plant a link at
the lock path and have the responder empty any file it can write.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import socket
import stat
import tempfile
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from responder.errors import ResponderError
from responder.model.timestamps import iso_utc

POLL_SECONDS = 0.1
LOCK_DIR_NAME = "issueops-responder-locks"
# Open the lock file itself, never what a planted link points at; and keep it out of terraform and git.
_OPEN_FLAGS = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK


class UnsafeLockPath(ResponderError):
    """The lock directory or file could be changed by someone else: the responder will not use it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, hint="Point guardrails.lock_dir at a directory only the responder's user can "
                                       "write, or remove the one named, and re-run.")


def default_lock_dir(env: Mapping[str, str]) -> Path:
    """The runner's private temporary directory, or the session's, else a per-user one in the system's."""
    for variable in ("RUNNER_TEMP", "XDG_RUNTIME_DIR"):
        base = env.get(variable)
        if base and Path(base).is_absolute():
            return Path(base) / LOCK_DIR_NAME
    return Path(tempfile.gettempdir()) / f"{LOCK_DIR_NAME}-{os.geteuid()}"


def lock_dir_problem(path: Path, status: os.stat_result, uid: int) -> str | None:
    """Why a lock directory (its lstat) is not private to the user `uid`; None when it is."""
    if stat.S_ISLNK(status.st_mode):
        return f"the lock directory {path} is a symbolic link"
    if not stat.S_ISDIR(status.st_mode):
        return f"the lock directory {path} is not a directory"
    if status.st_uid != uid:
        return f"the lock directory {path} is owned by someone else (uid {status.st_uid}, not {uid})"
    if status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return (f"the lock directory {path} can be written by other users (mode "
                f"{stat.S_IMODE(status.st_mode):04o})")
    return None


def lock_file_problem(path: Path, status: os.stat_result, uid: int) -> str | None:
    """Why an opened lock file (its fstat) must not be written; None when it is the responder's own."""
    if not stat.S_ISREG(status.st_mode):
        return f"the lock file {path} is not a regular file"
    if status.st_uid != uid:
        return f"the lock file {path} is owned by someone else (uid {status.st_uid}, not {uid})"
    if status.st_nlink != 1:
        return f"the lock file {path} has other names (hard links): it could be someone else's file"
    return None


class StackBusy(ResponderError):
    """Another run held the stack for longer than we were willing to wait."""

    def __init__(self, stack: str, holder: dict[str, object], waited: float, what: str = "changing stack") -> None:
        who = ", ".join(f"{key} {'#' if key == 'issue' else ''}{value}" for key, value in holder.items()
                        if value not in (None, ""))
        super().__init__(f"another run is {what} {stack}{' (' + who + ')' if who else ''}; "
                         f"waited {waited:g} s",
                         hint="Runs take turns; this one can be re-run once the other is done.")
        self.stack = stack
        self.holder = holder


class StackLock:
    """An exclusive lock on one name (a Terraform stack, or an issue), shared by every run on this machine."""

    def __init__(self, lock_dir: Path, key: str, stack: str, what: str = "changing stack") -> None:
        self.stack = stack
        self.what = what
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", stack).strip("-")[:60] or "stack"
        digest = hashlib.sha256(f"{key}\0{stack}".encode()).hexdigest()[:12]
        self.path = Path(lock_dir) / f"{slug}-{digest}.lock"
        self._handle: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def acquire(self, timeout: float, *, issue: int | None = None) -> None:
        """Wait up to `timeout` seconds; raise StackBusy after that, UnsafeLockPath for a lock path not ours."""
        if self._handle is not None:
            return
        handle = _open_private(self.path)
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _read_holder(handle)
                    handle.close()
                    raise StackBusy(self.stack, holder, timeout, self.what) from None
                time.sleep(POLL_SECONDS)
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "issue": issue,
                                 "since": iso_utc(datetime.now(UTC))}))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is None:
            return
        handle.seek(0)
        handle.truncate()
        handle.flush()
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()


def _open_private(path: Path) -> IO[str]:
    """The lock file, opened for reading and writing in a directory only this user can write."""
    uid = os.geteuid()
    directory = path.parent
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    problem = lock_dir_problem(directory, directory.lstat(), uid)
    if problem is not None:
        raise UnsafeLockPath(f"{problem}: another user could replace the lock files, so the stack lock is not used")
    try:
        descriptor = os.open(path, _OPEN_FLAGS, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeLockPath(f"the lock file {path} is a symbolic link: it was not opened, and what it points "
                                 "at was left alone") from None
        raise UnsafeLockPath(f"the lock file {path} cannot be opened: {exc.strerror}") from None
    problem = lock_file_problem(path, os.fstat(descriptor), uid)
    if problem is not None:
        os.close(descriptor)
        raise UnsafeLockPath(f"{problem}: it was left alone")
    return os.fdopen(descriptor, "r+", encoding="utf-8")


def _read_holder(handle: IO[str]) -> dict[str, object]:
    try:
        handle.seek(0)
        data = json.loads(handle.read() or "{}")
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: data.get(key) for key in ("pid", "host", "issue", "since") if key in data}
