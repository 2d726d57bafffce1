"""The `responder` program: its subcommands, wired into the app."""

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
    from responder.cli.commands import (
        check_config,
        config_schema,
        export,
        guard,
        handle,
        init,
        parse,
        report_failure,
        sweep,
        templates,
        watch,
        woodpecker,
    )
    from responder.cli.commands import labels as labels_command
    from responder.cli.commands import secrets as secrets_command

    return run_cli(
        "responder",
        "Incident desk for an infrastructure repository: trusted intake, SEV1-SEV4 triage, "
        "guarded fixes and escalation.",
        [handle, init, parse, templates, config_schema, check_config, guard, export, sweep,
         secrets_command, labels_command, woodpecker, report_failure, watch],
        argv, env, stdout, stderr,
    )
