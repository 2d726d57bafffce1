"""responder check-config: validate responder.yml and summarise it."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from responder.cli.app import add_config_argument
from responder.errors import EXIT_OK

if TYPE_CHECKING:
    from responder.cli.app import IO
    from responder.config.loader import Config


def register(sub: Any) -> None:
    parser = sub.add_parser("check-config", help="validate responder.yml and list every problem")
    add_config_argument(parser)
    parser.add_argument("--terraform-binary", action="store_true",
                        help="print only the Terraform binary the responder needs (guardrails.binary), or "
                             "`none` when no service has a terraform stack; the GitHub Action uses this to "
                             "decide whether to set Terraform up")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, io: IO) -> int:
    from collections import Counter

    from responder.config.loader import load_config

    config = load_config(args.config)
    if args.terraform_binary:
        print(terraform_binary(config), file=io.stdout)
        return EXIT_OK
    tiers = Counter(service.tier for service in config.services)
    summary = ", ".join(f"{tiers[tier]} {tier}" for tier in ("core", "critical", "standard", "low") if tiers[tier])
    print(f"{config.path}: OK: {len(config.services)} services ({summary})", file=io.stdout)
    return EXIT_OK


def terraform_binary(config: Config) -> str:
    """`terraform` or `tofu` when some service changes through a stack, else `none`."""
    if not any(service.terraform for service in config.services):
        return "none"
    return config.guardrails.binary
