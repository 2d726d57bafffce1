"""The one subprocess wrapper: argument lists only, never a shell.

It logs the command it runs (with secrets redacted), enforces a timeout,
and turns a failure into a ProcessFailed carrying the tool's stderr. Only
adapters (git, terraform) use it.
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from responder.errors import ResponderError
from responder.render.redaction import process_redactor

log = logging.getLogger("responder.adapters.process")


class ProcessFailed(ResponderError):
    """A tool exited non-zero (or could not start, or timed out)."""

    def __init__(self, message: str, *, returncode: int | None, stdout: str = "", stderr: str = "",
                 hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr


@dataclass(frozen=True)
class Completed:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def run(
    args: Sequence[str],
    *,
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 300.0,
    check: bool = True,
    input_text: str | None = None,
) -> Completed:
    """Run a command from an argument list; raise ProcessFailed when check and it fails."""
    argv = tuple(str(a) for a in args)
    shown = process_redactor(" ".join(argv))
    log.debug("run: %s (in %s)", shown, cwd or ".")
    try:
        result = subprocess.run(  # an argument list, never a shell
            argv, cwd=cwd, env=dict(env) if env is not None else None, capture_output=True, text=True,
            timeout=timeout, input=input_text, check=False,
        )
    except FileNotFoundError:
        raise ProcessFailed(f"{argv[0]} is not installed or not on PATH", returncode=None,
                            hint=f"Install {argv[0]} and make sure it is on PATH.") from None
    except subprocess.TimeoutExpired as exc:
        raise ProcessFailed(f"{shown} did not finish within {timeout:g} s", returncode=None,
                            stdout=_text(exc.stdout), stderr=_text(exc.stderr)) from None
    completed = Completed(argv, result.returncode, result.stdout, result.stderr)
    if check and result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        detail = process_redactor(lines[-1]) if lines else ""
        raise ProcessFailed(f"{shown} failed (exit {result.returncode}){': ' + detail if detail else ''}",
                            returncode=result.returncode, stdout=process_redactor(result.stdout),
                            stderr=process_redactor(result.stderr))
    return completed


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value
