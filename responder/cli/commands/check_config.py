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
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="json: one JSON object on stdout, {ok, config, services, problems: [{path, message}]}, "
                             "for editors and CI annotations (exit status as with text)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, io: IO) -> int:
    from collections import Counter

    from responder.config.loader import load_config

    if args.format == "json":
        return _as_json(args, io)
    config = load_config(args.config)
    if args.terraform_binary:
        print(terraform_binary(config), file=io.stdout)
        return EXIT_OK
    tiers = Counter(service.tier for service in config.services)
    summary = ", ".join(f"{tiers[tier]} {tier}" for tier in ("core", "critical", "standard", "low") if tiers[tier])
    print(f"{config.path}: OK: {len(config.services)} services ({summary})", file=io.stdout)
    for where, message in warnings(config):
        print(f"warning: {config.path}: {where}: {message}", file=io.stdout)
    return EXIT_OK


def warnings(config: Config) -> list[tuple[str, str]]:
    """What is allowed but probably a mistake: a literal notify URL holding a credential, in a committed file;
    metrics thresholds with no Prometheus to ask."""
    from responder.config import metrics
    from responder.config.notify import credential_warnings

    return [*credential_warnings(config.notify),
            *metrics.warnings(config.metrics, [(service.name, service.metrics) for service in config.services])]


def terraform_binary(config: Config) -> str:
    """`terraform` or `tofu` when some service changes through a stack, else `none`."""
    if not any(service.terraform for service in config.services):
        return "none"
    return config.guardrails.binary


def _as_json(args: argparse.Namespace, io: IO) -> int:
    import json

    from responder.config.loader import DEFAULT_CONFIG, load_config
    from responder.errors import EXIT_BAD_INPUT, ConfigError

    path = str(args.config or DEFAULT_CONFIG)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        problems: list[dict[str, str | None]] = [{"path": where, "message": message}
                                                 for where, message in exc.located]
        if not problems:
            problems = [{"path": None, "message": exc.message}]
        json.dump({"ok": False, "config": path, "problems": problems}, io.stdout, indent=2, ensure_ascii=False)
        io.stdout.write("\n")
        return EXIT_BAD_INPUT
    tiers = {tier: sum(service.tier == tier for service in config.services)
             for tier in ("core", "critical", "standard", "low")}
    json.dump({"ok": True, "config": path, "services": len(config.services), "tiers": tiers,
               "terraform_binary": terraform_binary(config), "problems": [],
               "warnings": [{"path": where, "message": message} for where, message in warnings(config)]},
              io.stdout, indent=2)
    io.stdout.write("\n")
    return EXIT_OK
