"""One change per stack at a time, across processes; a crashed holder never blocks for ever."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from responder.adapters.locks import (
    StackBusy,
    StackLock,
    UnsafeLockPath,
    default_lock_dir,
    lock_dir_problem,
    lock_file_problem,
)

ROOT = Path(__file__).resolve().parents[3]


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


# ---------------------------------------------------------------- a lock path nobody else can touch


def test_a_symlink_planted_at_the_lock_path_is_refused_and_its_target_left_alone(tmp_path: Path) -> None:
    # Another user of a shared runner plants a link where the lock file will be, pointing at a file
    # the responder can write: before, opening it with a+ and truncating emptied that file.
    victim = tmp_path / "victim.auto.tfvars.json"
    victim.write_text('{"replicas": 2}\n')
    locks = tmp_path / "locks"
    locks.mkdir(mode=0o700)
    planted = lock(locks)
    planted.path.symlink_to(victim)
    with pytest.raises(UnsafeLockPath) as caught:
        planted.acquire(0, issue=42)
    assert caught.value.message == (f"the lock file {planted.path} is a symbolic link: it was not opened, and what it "
                                    "points at was left alone")
    assert victim.read_text() == '{"replicas": 2}\n'
    assert not planted.held


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o1777])
def test_a_lock_directory_others_can_write_is_refused(tmp_path: Path, mode: int) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(mode)
    with pytest.raises(UnsafeLockPath) as caught:
        lock(shared).acquire(0)
    assert caught.value.message == (f"the lock directory {shared} can be written by other users (mode {mode:04o}): "
                                    "another user could replace the lock files, so the stack lock is not used")
    assert list(shared.iterdir()) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="making a directory someone else owns needs root")
def test_a_lock_directory_owned_by_someone_else_is_refused(tmp_path: Path) -> None:
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o700)
    os.chown(theirs, 65534, 65534)
    with pytest.raises(UnsafeLockPath, match=r"is owned by someone else \(uid 65534, not 0\)"):
        lock(theirs).acquire(0)


def status(mode: int, uid: int = 1000, links: int = 1) -> os.stat_result:
    return os.stat_result((mode, 0, 0, links, uid, uid, 0, 0, 0, 0))


@pytest.mark.parametrize(("found", "problem"), [
    (status(stat.S_IFDIR | 0o700), None),
    (status(stat.S_IFDIR | 0o755), None),
    (status(stat.S_IFDIR | 0o700, uid=1001), "the lock directory /l is owned by someone else (uid 1001, not 1000)"),
    (status(stat.S_IFDIR | 0o775), "the lock directory /l can be written by other users (mode 0775)"),
    (status(stat.S_IFDIR | 0o703), "the lock directory /l can be written by other users (mode 0703)"),
    (status(stat.S_IFLNK | 0o777), "the lock directory /l is a symbolic link"),
    (status(stat.S_IFREG | 0o600), "the lock directory /l is not a directory"),
])
def test_only_a_directory_private_to_the_user_holds_locks(found: os.stat_result, problem: str | None) -> None:
    assert lock_dir_problem(Path("/l"), found, 1000) == problem


@pytest.mark.parametrize(("found", "problem"), [
    (status(stat.S_IFREG | 0o600), None),
    (status(stat.S_IFIFO | 0o600), "the lock file /l/a.lock is not a regular file"),
    (status(stat.S_IFREG | 0o600, uid=0), "the lock file /l/a.lock is owned by someone else (uid 0, not 1000)"),
    (status(stat.S_IFREG | 0o600, links=2),
     "the lock file /l/a.lock has other names (hard links): it could be someone else's file"),
])
def test_only_the_responders_own_lock_file_is_written(found: os.stat_result, problem: str | None) -> None:
    assert lock_file_problem(Path("/l/a.lock"), found, 1000) == problem


@pytest.mark.parametrize(("env", "expected"), [
    ({"RUNNER_TEMP": "{tmp}/runner", "XDG_RUNTIME_DIR": "{tmp}/xdg"}, "{tmp}/runner/issueops-responder-locks"),
    ({"XDG_RUNTIME_DIR": "{tmp}/xdg"}, "{tmp}/xdg/issueops-responder-locks"),
    ({"RUNNER_TEMP": "relative"}, "{tmp}/system/issueops-responder-locks-{uid}"),
    ({}, "{tmp}/system/issueops-responder-locks-{uid}"),
])
def test_the_default_lock_directory_is_private_and_made_0700(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              env: dict[str, str], expected: str) -> None:
    import tempfile

    for base in ("runner", "xdg", "system"):
        (tmp_path / base).mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "system"))
    env = {key: value.format(tmp=tmp_path) for key, value in env.items()}
    found = default_lock_dir(env)
    assert found == Path(expected.format(tmp=tmp_path, uid=os.geteuid()))
    held = lock(found)
    held.acquire(0)
    try:
        assert stat.S_IMODE(found.stat().st_mode) == 0o700
        assert stat.S_IMODE(held.path.stat().st_mode) == 0o600
        # The lock file's descriptor is not inherited by terraform or git.
        [descriptor] = [int(fd.name) for fd in Path("/proc/self/fd").iterdir()
                        if fd.resolve() == held.path.resolve()]
        assert not os.get_inheritable(descriptor)
    finally:
        held.release()
