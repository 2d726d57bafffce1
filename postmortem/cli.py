"""postmortem: write and follow up post-mortems."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TextIO

from responder.cli.app import run_cli

# Each subcommand, in the order --help lists them, and the module that registers it.
COMMANDS = {name: f"postmortem.commands.{name}" for name in ("write", "index", "todos", "build")}


def main(
    argv: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    return run_cli("postmortem", "Write post-mortems for SEV1/SEV2 incidents and file their follow-ups.",
                   COMMANDS, argv, env, stdout, stderr)
