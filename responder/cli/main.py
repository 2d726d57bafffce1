"""The `responder` program: its subcommands, wired into the app."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TextIO

from responder.cli.app import run_cli

# Each subcommand, in the order --help lists them, and the module that registers it.
COMMANDS = {name: f"responder.cli.commands.{module}" for name, module in (
    ("handle", "handle"), ("init", "init"), ("parse", "parse"), ("templates", "templates"),
    ("config-schema", "config_schema"), ("check-config", "check_config"), ("guard", "guard"),
    ("export", "export"), ("sweep", "sweep"), ("secrets", "secrets"), ("labels", "labels"),
    ("woodpecker", "woodpecker"), ("report-failure", "report_failure"), ("watch", "watch"))}


def main(
    argv: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    return run_cli(
        "responder",
        "Incident desk for an infrastructure repository: trusted intake, SEV1-SEV4 triage, "
        "guarded fixes and escalation.",
        COMMANDS, argv, env, stdout, stderr,
    )
