"""responder secrets check: which secrets resolve, and from where (names only, never values)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from responder.cli.app import add_config_argument
from responder.errors import EXIT_FAILED, EXIT_OK

if TYPE_CHECKING:
    from responder.adapters.secrets import Resolved
    from responder.cli.app import IO
    from responder.config.secrets import SecretsSettings


def register(sub: Any) -> None:
    parser = sub.add_parser("secrets", help="check where the tokens come from",
                            description="Work with the secrets named in responder.yml.")
    actions = parser.add_subparsers(dest="secrets_command", metavar="ACTION")
    check = actions.add_parser(
        "check",
        help="resolve every secret and report where it came from",
        description="Resolve the GitHub, Woodpecker and agent tokens from the environment or Vault and report "
                    "which resolved and from where. Values are never printed. Exits 1 when the GitHub token "
                    "or a secret named in responder.yml does not resolve.",
    )
    add_config_argument(check)
    check.set_defaults(run=run)


def run(args: argparse.Namespace, io: IO) -> int:
    from responder.adapters.secrets import resolver_for
    from responder.config.loader import load_config
    from responder.config.secrets import SECRET_NAMES

    config = load_config(args.config)
    resolver = resolver_for(config, io.env, mask_stream=io.stdout)
    results = [resolver.resolve(name) for name in SECRET_NAMES]
    lines, failed = render_report(results, resolver.settings)
    for line in lines:
        print(line, file=io.stdout)
    return EXIT_FAILED if failed else EXIT_OK


def render_report(results: list[Resolved], settings: SecretsSettings) -> tuple[list[str], bool]:
    """One line per secret (plus hints); failed when a required one did not resolve."""
    from responder.adapters.secrets import DESCRIPTIONS

    width = max(len(result.name) for result in results)
    lines: list[str] = []
    failed = False
    for result in results:
        required = result.name == "github_token" or result.name in settings.configured
        if result.found:
            lines.append(f"{result.name:<{width}}  ok       from {result.source}")
            continue
        if required:
            failed = True
            where = f"{result.source}: " if result.source else ""
            lines.append(f"{result.name:<{width}}  FAILED   {where}{result.problem}")
            if result.hint:
                lines.append(f"{'':<{width}}           hint: {result.hint}")
        else:
            lines.append(f"{result.name:<{width}}  not set  {result.problem}; optional: "
                         f"{DESCRIPTIONS[result.name]}")
    return lines, failed
