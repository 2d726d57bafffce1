"""The GitHub Action's `command:` input, turned into the program and arguments it names.

The action passes its `command` input here as one string, e.g. `handle`, `sweep`,
`statuspage build --out public` or `report-failure --reason "the job failed"`. The
string comes from the workflow file, never from issue text, but it is still only
split the way a shell splits words (quotes honoured), never expanded: no variables,
no globbing, no command substitution. A line starting with `postmortem` or
`statuspage` runs that tool; anything else runs `responder`.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

PROGRAMS = ("responder", "postmortem", "statuspage")


class CommandLineError(ValueError):
    """The `command` input cannot be turned into a command."""


def split_command(line: str, config: str) -> list[str]:
    """The argv to execute: the program, `--config CONFIG`, then the subcommand and its arguments."""
    try:
        words = shlex.split(line, comments=False, posix=True)
    except ValueError as exc:
        raise CommandLineError(f"the command input {line!r} cannot be split into words: {exc}") from None
    if words and words[0] in PROGRAMS:
        program, words = words[0], words[1:]
    else:
        program = "responder"
    if not words:
        raise CommandLineError(f"the command input {line!r} names no subcommand (e.g. `handle` or `sweep`)")
    if words[0].startswith("-"):
        raise CommandLineError(f"the command input {line!r} must start with a subcommand, not an option")
    return [program, "--config", config, *words]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: python -m responder.cli.action_command COMMAND_LINE CONFIG", file=sys.stderr)
        return 2
    try:
        command = split_command(args[0], args[1])
    except CommandLineError as exc:
        print(f"responder: error: {exc}", file=sys.stderr)
        return 2
    print(f"running: {shlex.join(command)}", file=sys.stderr, flush=True)
    # The tools installed next to this Python (the action's venv) come first, then PATH.
    beside = Path(sys.executable).parent / command[0]
    try:
        if beside.is_file():
            os.execv(beside, command)  # noqa: S606 - an argument list from the workflow, no shell
        else:
            os.execvp(command[0], command)  # noqa: S606
    except OSError as exc:
        print(f"responder: error: cannot run {command[0]}: {exc.strerror}", file=sys.stderr)
        return 2
    return 1  # not reached


if __name__ == "__main__":
    raise SystemExit(main())
