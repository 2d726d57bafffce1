"""Stopping the real servers the tests start (Prometheus, OpenBao, Chromium)."""

from __future__ import annotations

import subprocess


def reap(process: subprocess.Popen[bytes] | subprocess.Popen[str], timeout: float = 10.0) -> None:
    """Wait for a process that was asked to end; kill it if it has not within `timeout` seconds."""
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def stop(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    """Ask a process to end (SIGTERM), and kill it if it does not."""
    process.terminate()
    reap(process)
