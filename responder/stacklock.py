"""One change per Terraform stack at a time, across processes on this machine.

An exclusive `flock` on a lock file per stack. The kernel releases it when
the holding process exits, however it exits, so a crashed run cannot leave
a stack locked forever. Who holds it (pid, issue, since when) is written
into the file, so the run that has to wait can say who it waited for.
Across machines, Terraform's own state lock (a remote backend) and the
workflow's concurrency group do this job.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import socket
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from responder.errors import ResponderError

POLL_SECONDS = 0.1


class StackBusy(ResponderError):
    """Another run held the stack for longer than we were willing to wait."""

    def __init__(self, stack: str, holder: dict[str, object], waited: float) -> None:
        who = ", ".join(f"{key} {'#' if key == 'issue' else ''}{value}" for key, value in holder.items()
                        if value not in (None, ""))
        super().__init__(f"another run is changing stack {stack}{' (' + who + ')' if who else ''}; "
                         f"waited {waited:g} s",
                         hint="Runs on the same stack take turns; this one can be re-run once the other is done.")
        self.stack = stack
        self.holder = holder


class StackLock:
    def __init__(self, lock_dir: Path, key: str, stack: str) -> None:
        self.stack = stack
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", stack).strip("-")[:60] or "stack"
        digest = hashlib.sha256(f"{key}\0{stack}".encode()).hexdigest()[:12]
        self.path = Path(lock_dir) / f"{slug}-{digest}.lock"
        self._handle: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def acquire(self, timeout: float, *, issue: int | None = None) -> None:
        """Wait up to `timeout` seconds; raise StackBusy after that."""
        if self._handle is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _read_holder(handle)
                    handle.close()
                    raise StackBusy(self.stack, holder, timeout) from None
                time.sleep(POLL_SECONDS)
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "issue": issue,
                                 "since": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}))
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


def _read_holder(handle: IO[str]) -> dict[str, object]:
    try:
        handle.seek(0)
        data = json.loads(handle.read() or "{}")
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: data.get(key) for key in ("pid", "host", "issue", "since") if key in data}
