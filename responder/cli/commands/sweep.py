"""responder sweep: re-probe open incidents, post due updates, escalate, resolve."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from responder.cli.app import add_config_argument, moment_of
from responder.errors import EXIT_OK, InputError

if TYPE_CHECKING:
    from responder.cli.app import IO


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "sweep",
        help="follow every open incident: re-probe, remind, escalate, resolve",
        description="Look at every open incident issue: re-probe its service, mark it resolved (and close "
                    "SEV3/SEV4) when it answers again, escalate when there is no root cause in time, and post the "
                    "update due by its severity. Run it on a schedule.",
    )
    add_config_argument(parser)
    parser.add_argument("--dry-run", action="store_true", help="print what would change as JSON and write nothing")
    parser.add_argument("--no-probe", dest="probe", action="store_false", help="do not re-probe the services")
    parser.add_argument("--now", metavar="TIME",
                        help="judge the incidents as at this ISO 8601 time (replays; default: now)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, io: IO) -> int:
    import logging
    from datetime import UTC, datetime

    from responder.adapters.notify import notifier_for
    from responder.cli.wiring import github_factory
    from responder.config.loader import load_config
    from responder.flows.summary import append_summary, render_sweep_summary
    from responder.flows.sweep import run as sweep

    config = load_config(args.config)
    repository = io.env.get("GITHUB_REPOSITORY") or config.repository
    if not repository:
        raise InputError("no repository to sweep", hint="Set `repository:` in responder.yml or GITHUB_REPOSITORY.")
    moment = moment_of(args.now)
    github = github_factory(io.env, config, mask_stream=io.stdout, unauthenticated_hint=(
        "Set GITHUB_TOKEN. The sweep reads the open incidents from the GitHub API, --dry-run too."))(repository)
    notifier = None if args.dry_run else notifier_for(config, io.env, mask_stream=io.stdout)
    report = sweep(config, github, config.investigation, probe=args.probe, dry_run=args.dry_run,
                   now=(lambda: moment) if moment else (lambda: datetime.now(UTC)), notifier=notifier)
    if args.dry_run:
        json.dump(report.to_json(), io.stdout, indent=2, ensure_ascii=False)
        io.stdout.write("\n")
    log = logging.getLogger("responder")
    due = sum(1 for p in report.plans if p.notes)
    log.info("swept %d open incident(s); %d needed something", len(report.plans), due)
    log.info("GitHub requests: %d", report.github_requests)
    if report.notified or report.notify_failures:
        log.info("notifications: %d sent, %d failed", report.notified, report.notify_failures)
    append_summary(io.env.get("GITHUB_STEP_SUMMARY"), render_sweep_summary(report, dry_run=args.dry_run))
    return EXIT_OK
