"""One change per stack at a time, across processes; a crashed holder never blocks for ever."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from responder.stacklock import StackBusy, StackLock

ROOT = Path(__file__).resolve().parent.parent.parent


@contextmanager
def held_elsewhere(lock_dir: Path, stack: str = "stacks/app", issue: int = 41) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the stack's lock until the block ends (or it is killed)."""
    holder = subprocess.Popen([sys.executable, "-m", "tests.support.holder", "lock", str(lock_dir),
                               "acme-homelab/infra", stack, str(issue)],
                              cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        if holder.poll() is None:
            assert holder.stdin is not None
            holder.stdin.close()
        holder.wait(timeout=10)


def lock(lock_dir: Path, stack: str = "stacks/app") -> StackLock:
    return StackLock(lock_dir, "acme-homelab/infra", stack)


def test_a_second_run_is_refused_after_the_timeout_and_told_who_holds_it(tmp_path: Path) -> None:
    with held_elsewhere(tmp_path) as holder:
        started = time.monotonic()
        with pytest.raises(StackBusy) as caught:
            lock(tmp_path).acquire(0.5, issue=42)
        waited = time.monotonic() - started
    assert 0.5 <= waited < 3
    assert caught.value.message.startswith(f"another run is changing stack stacks/app (pid {holder.pid}, host ")
    assert ", issue #41, since 20" in caught.value.message
    assert caught.value.message.endswith("; waited 0.5 s")


def test_a_second_run_waits_for_the_first_to_finish(tmp_path: Path) -> None:
    with held_elsewhere(tmp_path) as holder:
        assert holder.stdin is not None
        finish = threading.Timer(0.5, holder.stdin.close)  # the first run finishes while the second waits
        finish.start()
        started = time.monotonic()
        second = lock(tmp_path)
        second.acquire(10, issue=42)
        waited = time.monotonic() - started
        finish.join()
    assert second.held
    assert 0.4 <= waited < 5
    second.release()


def test_a_crashed_run_releases_the_stack(tmp_path: Path) -> None:
    with held_elsewhere(tmp_path) as holder:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
        started = time.monotonic()
        survivor = lock(tmp_path)
        survivor.acquire(5, issue=42)
        assert time.monotonic() - started < 1
        survivor.release()


def test_different_stacks_do_not_wait_for_each_other(tmp_path: Path) -> None:
    with held_elsewhere(tmp_path, stack="stacks/app"):
        other = lock(tmp_path, "stacks/workers")
        other.acquire(0, issue=42)
        other.release()


def test_within_one_process_acquire_is_idempotent_and_release_frees(tmp_path: Path) -> None:
    first = lock(tmp_path)
    first.acquire(0)
    first.acquire(0)
    with pytest.raises(StackBusy):
        lock(tmp_path).acquire(0)
    first.release()
    again = lock(tmp_path)
    again.acquire(0)
    again.release()
