"""statuspage: build and publish the static status page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TextIO

from responder.cli.app import run_cli

# Each subcommand, in the order --help lists them, and the module that registers it.
COMMANDS = {name: f"statuspage.commands.{name}" for name in ("build", "publish", "templates")}


def main(
    argv: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    return run_cli("statuspage", "Build and publish the static status page.", COMMANDS,
                   argv, env, stdout, stderr)
