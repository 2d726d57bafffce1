"""Command-line entry points: wiring only.

Each subcommand lives in responder/commands/<name>.py with `register` and
`run`. This module parses arguments, sets up logging, and turns every
ResponderError into one readable line and its exit code. A traceback is a
bug: it is shown only with --debug.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, TextIO

from responder.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, InputError, ResponderError

if TYPE_CHECKING:
    from datetime import datetime

DEFAULT_CONFIG = "responder.yml"


@dataclass
class IO:
    """Where a command reads its environment and writes its output (injected by tests)."""

    stdout: TextIO
    stderr: TextIO
    env: Mapping[str, str]


def _setup_logging(stream: TextIO, verbose: bool, prog: str) -> None:
    """Every log record through the redactor, on the app's stderr. Not for a command whose parser sets
    `logs=False`: nothing on its path logs (and the logging module is never imported), which the tests
    check, so its start-up does not pay for importing it (a fortieth of the guard's)."""
    import logging

    class RedactingFormatter(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            from responder.render.redaction import process_redactor

            return process_redactor(super().format(record))

    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_responder", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream)
    handler._responder = True  # type: ignore[attr-defined]
    handler.setFormatter(RedactingFormatter(f"{prog}: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("urllib3", "github", "kubernetes"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def run_cli(
    prog: str,
    description: str,
    commands: Mapping[str, str],
    argv: Sequence[str] | None,
    env: Mapping[str, str] | None,
    stdout: TextIO | None,
    stderr: TextIO | None,
) -> int:
    import os

    io = IO(stdout or sys.stdout, stderr or sys.stderr, env if env is not None else os.environ)
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--config", default=DEFAULT_CONFIG, metavar="PATH",
                        help=f"responder.yml to use (default: ./{DEFAULT_CONFIG})")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    parser.add_argument("--version", action=_VersionAction, help="show the program's version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    from importlib import import_module

    for name in _commands_to_build(sys.argv[1:] if argv is None else argv, commands):
        module: ModuleType = import_module(commands[name])
        module.register(sub)
    # The global flags are accepted after the subcommand too (`responder handle -v`), as --config is.
    for command in sub.choices.values():
        command.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                             help="log more detail")
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                             help="show tracebacks of internal errors")
    import contextlib

    # argparse writes --help and usage errors to sys.stdout/stderr: route them to our streams.
    with contextlib.redirect_stdout(io.stdout), contextlib.redirect_stderr(io.stderr):
        args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help(io.stderr)
        return EXIT_BAD_INPUT
    if getattr(args, "logs", True):
        _setup_logging(io.stderr, args.verbose, prog)
    run: Callable[[argparse.Namespace, IO], int] = args.run
    try:
        return run(args, io)
    except ResponderError as exc:
        # Every message goes through the redactor: a token can hide in a config value or a tool's stderr.
        print(_redacted(f"{prog}: error: {exc}"), file=io.stderr)
        if exc.hint:
            print(_redacted(f"{prog}: hint: {exc.hint}"), file=io.stderr)
        return exc.exit_code
    except (NotADirectoryError, IsADirectoryError, FileExistsError, PermissionError) as exc:
        # A path the user gave that cannot be written or read as asked: their mistake, not a bug.
        where = f" {exc.filename}" if exc.filename else ""
        print(_redacted(f"{prog}: error: cannot use the path{where}: {exc.strerror or exc}"), file=io.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=io.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        if args.debug:
            raise
        print(_redacted(f"{prog}: internal error: {type(exc).__name__}: {exc}"), file=io.stderr)
        print(f"{prog}: hint: this is a bug; rerun with --debug and report the traceback", file=io.stderr)
        return EXIT_FAILED


def _commands_to_build(argv: Sequence[str], commands: Mapping[str, str]) -> list[str]:
    """The subcommand named on the command line, alone, when it is one of `commands` (subcommand -> the
    module that registers it): importing every command's module and building its parser took a tenth
    of a small command's start-up. Every subcommand for --help, a usage error, or no subcommand at all,
    so argparse lists them all."""
    words = iter(argv)
    for word in words:
        if word in ("-h", "--help", "--version", "--"):
            break
        if len(word) > 2 and "--config".startswith(word):  # --config PATH, or an abbreviation of it
            next(words, None)
        elif not word.startswith("-"):
            return [word] if word in commands else list(commands)
    return list(commands)


def _redacted(text: str) -> str:
    # Every message goes through the redactor; it is imported when there is one to write (its patterns
    # take a few milliseconds to compile, which a command that succeeds need not pay).
    from responder.render.redaction import process_redactor

    return process_redactor(text)


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    """Let `--config` also follow the subcommand (`responder handle --config C`)."""
    parser.add_argument("--config", default=argparse.SUPPRESS, metavar="PATH",
                        help=f"responder.yml to use (default: ./{DEFAULT_CONFIG})")


def write_files(files: dict[str, str], out: Any, check: bool, io: IO, command: str) -> int:
    """Write generated files, or with check only report (exit 1) those that differ on disk."""
    if check:
        stale = [name for name, text in files.items()
                 if not (out / name).is_file() or (out / name).read_text(encoding="utf-8") != text]
        for name in stale:
            print(f"{out / name} is out of date; run `{command}`", file=io.stderr)
        return EXIT_FAILED if stale else EXIT_OK
    out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
        print(f"wrote {out / name}", file=io.stdout)
    return EXIT_OK


def issue_number(text: str) -> int:
    if not text.isdigit() or int(text) <= 0:
        raise argparse.ArgumentTypeError(f"expected an issue number, got {text!r}")
    return int(text)


def moment_of(text: str | None) -> datetime | None:
    """A `--now` option: None when not given; a UTC time; bad input is one clear line (InputError)."""
    if not text:
        return None
    from responder.model.timestamps import parse_utc

    moment = parse_utc(text)
    if moment is None:
        raise InputError(f"--now {text!r} is not an ISO 8601 time such as 2026-11-23T14:30:00Z")
    return moment


class _VersionAction(argparse.Action):
    """argparse's version action, asking for the version only when --version is given: reading the
    installed distribution's metadata costs a fifth of the start-up of every other command."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: Any = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        # As argparse's own: on stdout (redirected to the app's stream), then exit 0.
        print(f"{parser.prog} {installed_version()}", file=sys.stdout)
        parser.exit()


def installed_version() -> str:
    """The version of the installed distribution (one for all three programs)."""
    from importlib import metadata

    try:
        return metadata.version("issueops-responder")
    except metadata.PackageNotFoundError:
        return "(not installed)"
