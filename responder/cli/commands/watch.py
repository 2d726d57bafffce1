"""responder watch: one detection round: open incidents for services that are down, resolve them when they answer."""

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
        "watch",
        help="one detection round: open an incident for each service that is down, resolve it when it answers",
        description="Check every service (its health check, or its workload in the cluster when it has no URL), "
                    "confirm the failing ones (detection.confirm in responder.yml), and open an auto-detected "
                    "incident, triaged as `handle` would, for each one that is down and not yet reported; a "
                    "person's open report gets the evidence instead. An auto-detected incident whose service "
                    "answers again (detection.recover_after_runs rounds) gets its downtime and is closed; a "
                    "person's report is only told it looks recovered. Run it on a schedule, for example in the "
                    "status page's job.",
    )
    add_config_argument(parser)
    parser.add_argument("--dry-run", action="store_true",
                        help="print the round's decisions as JSON and write nothing (GitHub is still read)")
    parser.add_argument("--now", metavar="TIME",
                        help="stamp the round and its checks with this ISO 8601 time (replays; default: now)")
    parser.add_argument("--cluster-snapshot", metavar="FILE",
                        help="read the cluster from `kubectl get pods,deployments,replicasets,events,nodes,pvc,hpa,"
                             "jobs,cronjobs,ingresses,endpoints -A -o json` output instead of the live API")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, io: IO) -> int:
    import logging

    from responder.adapters.notify import notifier_for
    from responder.cli.wiring import github_factory
    from responder.config.loader import load_config
    from responder.flows.outage import IncidentTools
    from responder.flows.summary import append_summary
    from responder.flows.watch import run as watch
    from responder.model.events import REPOSITORY_PATTERN
    from responder.render.comments import render

    config = load_config(args.config)
    repository = io.env.get("GITHUB_REPOSITORY") or config.repository
    if not repository:
        raise InputError("no repository to watch", hint="Set `repository:` in responder.yml or GITHUB_REPOSITORY.")
    if not REPOSITORY_PATTERN.match(repository):
        raise InputError(f"the repository must be OWNER/NAME, got {repository!r}",
                         hint="Check GITHUB_REPOSITORY or `repository:` in responder.yml.")
    moment = moment_of(args.now)
    factory = github_factory(io.env, config, mask_stream=io.stdout, unauthenticated_hint=(
        "Set GITHUB_TOKEN. The watch round reads the open incidents from the GitHub API, --dry-run too."))
    github = factory(repository)
    tools = IncidentTools.for_run(config, io.env, args.cluster_snapshot, plan=False)
    if moment is not None:
        from responder.adapters.probes import Prober

        tools.now = lambda: moment
        tools.prober = Prober(now=lambda: moment)  # certificates are judged at that time too
    # Tells the on-call people (`notify:` in responder.yml) what the round opened and resolved.
    notifier = None if args.dry_run else notifier_for(config, io.env, mask_stream=io.stdout)
    report = watch(config, github, tools, dry_run=args.dry_run, notifier=notifier, github_factory=factory,
                   repository=repository)
    if args.dry_run:
        json.dump(report.to_json(), io.stdout, indent=2, ensure_ascii=False)
        io.stdout.write("\n")
    log = logging.getLogger("responder")
    log.info("watched %d service(s): %d confirmed, %d step(s), %d opened", report.checked, len(report.confirmed),
             len(report.plan.steps), len(report.opened))
    for problem in report.problems:
        log.warning("%s", problem)
    log.info("GitHub requests: %d", report.github_requests)
    append_summary(io.env.get("GITHUB_STEP_SUMMARY"),
                   render("watch-summary.md.j2", {"report": report, "dry_run": args.dry_run}) + "\n")
    return EXIT_OK

