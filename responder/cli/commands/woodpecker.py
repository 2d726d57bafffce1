"""responder woodpecker run: relay one issue event to the in-cluster pipeline and follow it."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from responder.cli.app import add_config_argument
from responder.errors import EXIT_FAILED, EXIT_OK, ResponderError

if TYPE_CHECKING:
    from responder.cli.app import IO
    from responder.config.loader import Config
    from responder.triage.relay import NotRelayed, Relay


def register(sub: Any) -> None:
    from responder.cli.commands.report_failure import add_issue_arguments

    parser = sub.add_parser("woodpecker", help="start the in-cluster Woodpecker pipeline for an issue",
                            description="Woodpecker mode: run the responder inside the cluster.")
    actions = parser.add_subparsers(dest="woodpecker_command", metavar="ACTION")
    start = actions.add_parser(
        "run",
        help="relay the issue event to the pipeline, wait, report failure on the issue",
        description="Read the GitHub event, and if the responder would act on it, start "
                    ".woodpecker/issue-automation.yml through Woodpecker's API with only ISSUE_NUMBER, "
                    "ISSUE_REPOSITORY, ISSUE_EVENT (opened, edited, reopened, labeled, closed or approve) and, "
                    "for an approval, COMMENT_ID as variables, and follow it. Any other event is not relayed "
                    "(exit 0). If the pipeline fails or the wait runs out, say so on the issue (needs-human) "
                    "and exit 1.",
    )
    add_config_argument(start)
    add_issue_arguments(start)
    start.add_argument("--event", metavar="EVENT.json", help="webhook payload (default: $GITHUB_EVENT_PATH)")
    start.add_argument("--event-name", metavar="NAME",
                       help="issues or issue_comment (default: $GITHUB_EVENT_NAME, else inferred)")
    start.add_argument("--server", help="Woodpecker address (default: $WOODPECKER_URL)")
    start.add_argument("--woodpecker-repo", metavar="OWNER/NAME",
                       help="the repository's name in Woodpecker (default: $WOODPECKER_REPO, else the "
                            "GitHub repository)")
    start.add_argument("--branch", help="branch whose pipeline file runs (default: $WOODPECKER_BRANCH, else main)")
    start.add_argument("--timeout", type=float, default=1500.0, metavar="SECONDS",
                       help="how long to wait for the pipeline (default: 1500)")
    start.add_argument("--poll", type=float, default=10.0, metavar="SECONDS",
                       help="seconds between two looks (default: 10)")
    start.set_defaults(run=run)


def run(args: argparse.Namespace, io: IO) -> int:
    import logging

    from responder.adapters.secrets import resolver_for
    from responder.adapters.woodpecker import WoodpeckerClient, follow
    from responder.cli.commands.report_failure import actions_run_url, github_for, now
    from responder.config.loader import load_config
    from responder.errors import InputError
    from responder.flows.failure_report import FailureReport, post_failure
    from responder.triage.relay import NotRelayed, pipeline_variables

    log = logging.getLogger("responder")
    config = load_config(args.config)
    relay = _relay(args, config, io)
    if isinstance(relay, NotRelayed):
        log.info("#%d: not relayed: %s", args.issue, relay.reason)
        return EXIT_OK
    github = github_for(args, config, io)
    server = args.server or io.env.get("WOODPECKER_URL") or ""
    if not server:
        raise InputError("no Woodpecker address", hint="Set WOODPECKER_URL or pass --server.")
    repo_name = args.woodpecker_repo or io.env.get("WOODPECKER_REPO") or github.repository
    branch = args.branch or io.env.get("WOODPECKER_BRANCH") or "main"

    def report(what: str, url: str | None) -> None:
        post_failure(github, args.issue, FailureReport(what, "Woodpecker", now(), url), config)

    try:
        token = resolver_for(config, io.env, mask_stream=io.stdout).require("woodpecker_token")
        client = WoodpeckerClient(server, token)
        repo_id = client.repo_id(repo_name)
        started = client.start(repo_id, branch, pipeline_variables(args.issue, github.repository, relay))
        log.info("started Woodpecker pipeline #%d for #%d (%s): %s", started.number, args.issue, relay.event,
                 started.url)
        outcome = follow(client, repo_id, started, timeout=args.timeout, poll=args.poll)
    except ResponderError as exc:
        report(f"The in-cluster pipeline could not be started ({exc.message})", actions_run_url(io.env))
        raise
    if outcome.succeeded:
        log.info("#%d: %s", args.issue, outcome.describe())
        return EXIT_OK
    report(f"The in-cluster {outcome.describe()}", outcome.pipeline.url)
    log.error("#%d: %s; reported on the issue", args.issue, outcome.describe())
    return EXIT_FAILED


def _relay(args: argparse.Namespace, config: Config, io: IO) -> Relay | NotRelayed:
    """What to tell the pipeline about the event in the event file (a Relay), or why nothing (NotRelayed)."""
    from responder.cli.commands.handle import read_event
    from responder.errors import InputError
    from responder.model.events import parse_event
    from responder.triage.relay import relay_for

    event_path = args.event or io.env.get("GITHUB_EVENT_PATH")
    if not event_path:
        raise InputError("no event given", hint="Pass --event EVENT.json, or run inside GitHub Actions.")
    event = parse_event(read_event(event_path), args.event_name or io.env.get("GITHUB_EVENT_NAME") or None)
    if event.issue is not None and event.issue.number != args.issue:
        raise InputError(f"the event is about issue #{event.issue.number}, not #{args.issue}",
                         hint="Pass the event's own issue number with --issue.")
    return relay_for(event, config)
