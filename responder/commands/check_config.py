"""responder check-config: validate responder.yml and summarise it."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from responder.cli import add_config_argument
from responder.errors import EXIT_OK

if TYPE_CHECKING:
    from responder.cli import IO


def register(sub: Any) -> None:
    parser = sub.add_parser("check-config", help="validate responder.yml and list every problem")
    add_config_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, io: IO) -> int:
    from collections import Counter

    from responder.config import load_config

    config = load_config(args.config)
    tiers = Counter(service.tier for service in config.services)
    summary = ", ".join(f"{tiers[tier]} {tier}" for tier in ("core", "critical", "standard", "low") if tiers[tier])
    print(f"{config.path}: OK: {len(config.services)} services ({summary})", file=io.stdout)
    return EXIT_OK
