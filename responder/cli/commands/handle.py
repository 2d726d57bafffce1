"""responder handle: act on one GitHub issue event."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from responder.cli.app import add_config_argument, issue_number
from responder.cli.wiring import github_factory
from responder.errors import EXIT_OK, InputError

if TYPE_CHECKING:
    from responder.cli.app import IO


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "handle",
        help="act on a GitHub issue event",
        description="Screen, trust-check, classify and act on one `issues` or `issue_comment` event.",
    )
    add_config_argument(parser)
    parser.add_argument("--event", metavar="EVENT.json",
                        help="webhook payload (default: $GITHUB_EVENT_PATH)")
    parser.add_argument("--issue", type=issue_number, metavar="N",
                        help="handle issue N as it is now, read through the GitHub API (the Woodpecker "
                             "pipeline's way: no issue text ever passes through a variable)")
    parser.add_argument("--repository", metavar="OWNER/NAME",
                        help="with --issue: the repository (default: repository in responder.yml)")
    parser.add_argument("--relayed-event", metavar="EVENT",
                        help="with --issue: the event Woodpecker mode relayed (opened, edited, reopened, labeled, "
                             "closed or approve); it is rebuilt from the GitHub API instead of handling the issue "
                             "as it is now")
    parser.add_argument("--comment-id", metavar="ID",
                        help="with --relayed-event approve: the id of the `/responder approve` comment, read "
                             "through the API (empty: none)")
    parser.add_argument("--event-name", metavar="NAME",
                        help="issues or issue_comment (default: $GITHUB_EVENT_NAME, else inferred)")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the decision as JSON and write nothing")
    parser.add_argument("--offline", action="store_true",
                        help="make no GitHub API call: trust from author_association, state from the payload "
                             "(probes, the cluster and remedies still run; add --dry-run to change nothing)")
    parser.add_argument("--no-probe", dest="probe", action="store_false",
                        help="skip the HTTP probes of the investigation")
    parser.add_argument("--no-plan", dest="plan", action="store_false",
                        help="decide without running terraform (a feature request is then not planned)")
    parser.add_argument("--cluster-snapshot", metavar="FILE",
                        help="read the cluster from `kubectl get pods,deployments,replicasets,events,nodes,pvc,hpa,"
                             "jobs,cronjobs,ingresses,endpoints -A -o json` output instead of the live API (the "
                             "investigation docs show how to add Helm's and Argo CD's deploy history)")
    parser.set_defaults(run=run)


HANDLE_UNAUTHENTICATED = "Set GITHUB_TOKEN (or secrets.github_token in responder.yml), or run with --offline."


def run(args: argparse.Namespace, io: IO) -> int:
    from responder.adapters.notify import notifier_for
    from responder.config.loader import load_config
    from responder.flows.handle import handle
    from responder.flows.outage import IncidentTools
    from responder.flows.run import Options
    from responder.flows.summary import append_summary, render_summary

    config = load_config(args.config)
    factory = None if args.offline else github_factory(io.env, config, mask_stream=io.stdout,
                                                         unauthenticated_hint=HANDLE_UNAUTHENTICATED)
    event_name: str | None
    if args.issue is None and (args.relayed_event is not None or args.comment_id):
        raise InputError("--relayed-event and --comment-id go with --issue N")
    if args.issue is not None:
        payload, event_name = _current_issue_event(args, config, factory)
    else:
        event_path = args.event or io.env.get("GITHUB_EVENT_PATH")
        if not event_path:
            raise InputError("no event given", hint="Pass --event EVENT.json, or run inside GitHub Actions.")
        payload = read_event(event_path)
        event_name = args.event_name or io.env.get("GITHUB_EVENT_NAME") or None
    options = Options(
        dry_run=args.dry_run,
        offline=args.offline,
        probe=args.probe,
        plan=args.plan,
        event_name=event_name,
        cluster_snapshot=args.cluster_snapshot,
    )
    # The guarded-Terraform engine serves feature requests and remedies alike; --no-plan turns both off.
    tools = IncidentTools.for_run(config, io.env, args.cluster_snapshot, plan=options.plan, dry_run=options.dry_run)
    notifier = None if args.dry_run or args.offline else notifier_for(config, io.env, mask_stream=io.stdout)
    with issue_lock(payload, config, io.env, writes=not (args.dry_run or args.offline)):
        result = handle(payload, config, options, factory, tools, notifier)
    decision = result.decision
    if args.dry_run or args.offline:
        json.dump(decision.to_json(), io.stdout, indent=2, ensure_ascii=False)
        io.stdout.write("\n")
    log = logging.getLogger("responder")
    log.info("#%s %s: %s%s", decision.issue, decision.event, decision.outcome,
             f" ({decision.severity})" if decision.severity else "")
    log.info("GitHub requests: %d", result.github_requests)
    append_summary(io.env.get("GITHUB_STEP_SUMMARY"),
                   render_summary(decision, result.report, result.github_requests,
                                  dry_run=args.dry_run, offline=args.offline))
    return EXIT_OK


def read_event(path: str) -> Any:
    from responder.adapters.inputs import read_json_file

    return read_json_file(path, f"event file {path}")


ISSUE_LOCK_SECONDS = 300.0


@contextlib.contextmanager
def issue_lock(payload: Any, config: Any, env: Any, writes: bool) -> Iterator[None]:
    """One run at a time per issue on this machine (Woodpecker and the CLI have no concurrency group).

    The next run then reads the state the previous one wrote; runs on different machines that
    still race are merged on the following run (responder.adapters.github.merged_state).
    """
    issue = payload.get("issue") if isinstance(payload, dict) else None
    number = issue.get("number") if isinstance(issue, dict) else None
    if not writes or not isinstance(number, int) or isinstance(number, bool):
        yield
        return
    from responder.adapters.locks import StackLock, default_lock_dir

    lock = StackLock(default_lock_dir(env), config.repository or str(config.root.resolve()), f"#{number}",
                     what="handling issue")
    lock.acquire(ISSUE_LOCK_SECONDS, issue=number)  # StackBusy (exit 1, safe to retry) after that long
    try:
        yield
    finally:
        lock.release()


def _current_issue_event(args: argparse.Namespace, config: Any, factory: Any) -> tuple[Any, str]:
    """The event for --issue: the relayed one rebuilt from the API, else the issue as it is now."""
    from responder.model.events import REPOSITORY_PATTERN
    from responder.triage.relay import APPROVE_EVENT, comment_belongs_to, parse_relay, relayed_payload
    from responder.triage.replay import event_from_issue

    # Both relayed values are checked before anything is read: a bad one is a broken relay, not an event.
    relay = parse_relay(args.relayed_event, args.comment_id) if args.relayed_event is not None else None
    if relay is None and args.comment_id:
        raise InputError("--comment-id goes with --relayed-event approve")
    if factory is None:
        raise InputError("--issue reads the issue through the GitHub API, so it cannot run --offline")
    repository = args.repository or config.repository
    if not repository or not REPOSITORY_PATTERN.match(repository):
        raise InputError(f"--issue needs the repository as OWNER/NAME, got {repository!r}",
                         hint="Pass --repository OWNER/NAME or set repository: in responder.yml.")
    github = factory(repository)
    issue = github.get_issue(args.issue)
    if relay is None:
        return event_from_issue(issue, repository), "issues"
    comment = None
    if relay.event == APPROVE_EVENT:
        assert relay.comment_id is not None  # parse_relay requires it
        comment = github.get_issue_comment(relay.comment_id)
        if comment is None:
            logging.getLogger("responder").info("comment %d no longer exists: nothing to approve", relay.comment_id)
        elif not comment_belongs_to(comment, repository, args.issue):
            # Someone's approval on another issue must not vouch for this one.
            raise InputError(f"comment {relay.comment_id} is not on issue #{args.issue} of {repository}",
                             hint="The relayed COMMENT_ID must be the approval posted on the relayed issue.")
    return relayed_payload(relay, issue, repository, config, comment)


