"""postmortem: write and follow up post-mortems."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TextIO

from responder.cli.app import run_cli


def main(
    argv: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    from postmortem.commands import build, index, todos, write

    return run_cli("postmortem", "Write post-mortems for SEV1/SEV2 incidents and file their follow-ups.",
                   [write, index, todos, build], argv, env, stdout, stderr)
