"""responder guard: judge a Terraform plan against the guardrails, as the responder would."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from responder.cli.app import DEFAULT_CONFIG, add_config_argument
from responder.errors import EXIT_BLOCKED, EXIT_OK, InputError

if TYPE_CHECKING:
    from responder.changes.repository_paths import RepositoryPath
    from responder.cli.app import IO
    from responder.config.guardrails import Policy


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "guard",
        help="judge a terraform plan JSON against the guardrails",
        description="Print the guardrail verdict for `terraform show -json PLANFILE` output as JSON. "
                    "Exits 0 when the plan is allowed, 3 when it is blocked (or changes nothing), "
                    "2 when the plan cannot be read.",
    )
    add_config_argument(parser)
    parser.add_argument("--plan-json", required=True, metavar="FILE",
                        help="output of `terraform show -json PLANFILE` ('-' for stdin)")
    parser.add_argument("--stack", metavar="DIR",
                        help="the stack directory the plan is for; a protected stack is always blocked")
    parser.set_defaults(run=run, logs=False)  # pure: reads a file, judges it, prints the verdict


def run(args: argparse.Namespace, io: IO) -> int:
    import gc

    # A plan's millions of objects form no cycles, and the cyclic collector would rescan them again and
    # again while they are judged and printed (a tenth of the command's time).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _judge(args, io)
    finally:
        if enabled:
            gc.enable()


def _judge(args: argparse.Namespace, io: IO) -> int:
    import sys

    from responder.changes.guardrails import evaluate
    from responder.changes.plan_document import PlanError, parse_plan

    policy, root = _policy(args.config, io)
    # Handed over, not kept: the reader drops the bytes once it has the text, so a plan is held once.
    unread = [_read(args.plan_json, sys.stdin.buffer)]
    stack = _locate_stack(args.stack, root) if args.stack else None
    try:
        plan = parse_plan(unread.pop())
    except PlanError as exc:
        # Scripts read stdout: a plan that cannot be read is a refusal there too.
        _print(io, {"allowed": False, "outcome": "bad-input", "stack": stack.shown if stack else None,
                    "reasons": [exc.message]})
        raise
    verdict = evaluate(plan, policy, stack)
    _print(io, verdict.shown())
    return EXIT_OK if verdict.allowed else EXIT_BLOCKED


def _policy(config_path: str, io: IO) -> tuple[Policy, Path]:
    from responder.config.guardrails import Policy

    if config_path == DEFAULT_CONFIG and not Path(config_path).exists():
        print("responder: no responder.yml here: using the default guardrails", file=io.stderr)
        return Policy(), Path.cwd()
    from responder.config.loader import load_config

    config = load_config(config_path)
    return config.guardrails.policy, config.root


def _read(path: str, stdin: Any) -> bytes:
    if path == "-":
        data: bytes = stdin.read()
        return data
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"plan file {path}: no such file") from None
    except OSError as exc:
        raise InputError(f"plan file {path}: cannot be read: {exc}") from None


def _locate_stack(stack: str, root: Path) -> RepositoryPath:
    """The stack as the change engine sees it: relative to the repository (so directories above it never
    match a protected name), with symbolic links resolved (so a link into a protected stack is protected)."""
    from responder.changes.repository_paths import locate

    cwd = Path.cwd()
    located = locate(root, stack, base=cwd)
    return located if located.inside else locate(cwd, stack, base=cwd)


def _print(io: IO, payload: dict[str, Any]) -> None:
    """The verdict as JSON, by msgspec's encoder in C: indented on a terminal, on one line for a script
    or a file (`jq .` indents it). json's indented output goes through its pure-Python encoder, which
    took longer to print a 10,000-change verdict than reading and judging the plan, and the indented
    verdict is half as long again to pass through a pipe. A real stdout is given the bytes as they are."""
    import msgspec

    text = msgspec.json.encode(payload)
    if io.stdout.isatty():
        text = msgspec.json.format(text, indent=2)
    binary = getattr(io.stdout, "buffer", None)
    if binary is None:  # a text stream only (tests' StringIO)
        io.stdout.write(text.decode() + "\n")
        return
    io.stdout.flush()  # whatever was written as text goes first
    binary.write(text + b"\n")
    binary.flush()
