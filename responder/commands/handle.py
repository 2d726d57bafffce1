"""responder handle: act on one GitHub issue event."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from responder.cli import add_config_argument
from responder.errors import EXIT_OK, InputError

if TYPE_CHECKING:
    from responder.cli import IO


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "handle",
        help="act on a GitHub issue event",
        description="Screen, trust-check, classify and act on one `issues` or `issue_comment` event.",
    )
    add_config_argument(parser)
    parser.add_argument("--event", metavar="EVENT.json",
                        help="webhook payload (default: $GITHUB_EVENT_PATH)")
    parser.add_argument("--event-name", metavar="NAME",
                        help="issues or issue_comment (default: $GITHUB_EVENT_NAME, else inferred)")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the decision as JSON and write nothing")
    parser.add_argument("--offline", action="store_true",
                        help="make no GitHub API call: trust from author_association, state from the payload "
                             "(probes, the cluster and remedies still run; add --dry-run to change nothing)")
    parser.add_argument("--no-probe", dest="probe", action="store_false",
                        help="skip the HTTP probes of the investigation")
    parser.add_argument("--cluster-snapshot", metavar="FILE",
                        help="read the cluster from `kubectl get pods,deployments,replicasets,events,nodes -A -o json` "
                             "output instead of the live API")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, io: IO) -> int:
    from responder.config import load_config
    from responder.incident_flow import IncidentTools
    from responder.runner import Options, handle
    from responder.summary import append_summary, render_summary

    config = load_config(args.config)
    event_path = args.event or io.env.get("GITHUB_EVENT_PATH")
    if not event_path:
        raise InputError("no event given", hint="Pass --event EVENT.json, or run inside GitHub Actions.")
    payload = read_event(event_path)
    options = Options(
        dry_run=args.dry_run,
        offline=args.offline,
        probe=args.probe,
        event_name=args.event_name or io.env.get("GITHUB_EVENT_NAME") or None,
        cluster_snapshot=args.cluster_snapshot,
    )
    # changes: the Terraform ChangeEngine for remedies; without one they escalate.
    tools = IncidentTools.for_run(config, io.env, args.cluster_snapshot, changes=None)
    result = handle(payload, config, options, None if args.offline else github_factory(io.env), tools)
    decision = result.decision
    if args.dry_run or args.offline:
        json.dump(decision.to_json(), io.stdout, indent=2, ensure_ascii=False)
        io.stdout.write("\n")
    import logging

    log = logging.getLogger("responder")
    log.info("#%s %s: %s%s", decision.issue, decision.event, decision.outcome,
             f" ({decision.severity})" if decision.severity else "")
    log.info("GitHub requests: %d", result.github_requests)
    append_summary(io.env.get("GITHUB_STEP_SUMMARY"),
                   render_summary(decision, result.report, result.github_requests,
                                  dry_run=args.dry_run, offline=args.offline))
    return EXIT_OK


def read_event(path: str) -> Any:
    from pathlib import Path

    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"event file {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"event file {path}: cannot be read: {exc}") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InputError(f"event file {path}: not valid JSON: {exc}") from None


def github_factory(env: Any) -> Any:
    from responder.github import DEFAULT_API_URL, GitHubClient

    def make(repository: str) -> GitHubClient:
        token = env.get("GITHUB_TOKEN") or env.get("GH_TOKEN") or ""
        interval = env.get("RESPONDER_GITHUB_WRITE_INTERVAL")
        try:
            write_interval = float(interval) if interval else 1.0
        except ValueError:
            raise InputError(f"RESPONDER_GITHUB_WRITE_INTERVAL={interval!r} is not a number") from None
        return GitHubClient(
            repository,
            token,
            api_url=env.get("GITHUB_API_URL") or DEFAULT_API_URL,
            write_interval=write_interval,
        )

    return make
