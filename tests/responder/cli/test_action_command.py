"""The action's `command` input becomes a program and its arguments, split but never expanded."""

from __future__ import annotations

import pytest

from responder.cli.action_command import CommandLineError, split_command


@pytest.mark.parametrize(("line", "argv"), [
    ("handle", ["responder", "--config", "r.yml", "handle"]),
    ("responder sweep", ["responder", "--config", "r.yml", "sweep"]),
    ("statuspage build --out public", ["statuspage", "--config", "r.yml", "build", "--out", "public"]),
    ("postmortem todos --all", ["postmortem", "--config", "r.yml", "todos", "--all"]),
    ("report-failure --issue 7 --reason \"the job failed\"",
     ["responder", "--config", "r.yml", "report-failure", "--issue", "7", "--reason", "the job failed"]),
])
def test_a_command_line_names_the_program_and_its_arguments(line: str, argv: list[str]) -> None:
    assert split_command(line, "r.yml") == argv


@pytest.mark.parametrize("line", ["handle $(id)", "handle `id`", "handle ${HOME}", "handle *", "handle a;id|x&y"])
def test_nothing_in_the_line_is_expanded(line: str) -> None:
    argv = split_command(line, "r.yml")
    assert argv[:4] == ["responder", "--config", "r.yml", "handle"]
    assert "".join(argv[4:]) == line.split(" ", 1)[1]  # the same characters, as plain words


@pytest.mark.parametrize(("line", "message"), [
    ("", "names no subcommand"),
    ("statuspage", "names no subcommand"),
    ("--debug handle", "must start with a subcommand"),
    ('handle "unclosed', "cannot be split"),
])
def test_a_bad_line_is_refused_with_a_reason(line: str, message: str) -> None:
    with pytest.raises(CommandLineError, match=message):
        split_command(line, "r.yml")
