"""Run one GitHub event through the responder: the imperative shell.

screen (pure) -> trust and remembered state (GitHub reads) -> decide (pure)
-> execute (GitHub writes), unless this is a dry run.
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from typing import Any

from responder.adapters.github import GitHubClient
from responder.adapters.platform_files import read_platform
from responder.config.loader import Config
from responder.decision.actions import Decision
from responder.decision.executor import ExecutionContext, Report, execute
from responder.decision.incident_actions import INFRASTRUCTURE_ACTIONS
from responder.decision.ports import Notifier
from responder.errors import GitHubError, InputError
from responder.flows import outage as incident_flow
from responder.flows.closing import handle_closed
from responder.flows.outage import IncidentTools
from responder.flows.run import GitHubFactory, Options, Result
from responder.model.changes import AppliedChange
from responder.model.events import parse_event
from responder.model.issues import BotComment
from responder.model.trust import (
    TrustVerdict,
    from_association,
    from_error,
    from_permission,
    needs_permission_lookup,
)
from responder.model.vocabulary import KIND_PLATFORM
from responder.triage.intake import decide, screen, subject, wanted_change
from responder.triage.situation import Situation

log = logging.getLogger("responder")


def handle(payload: Any, config: Config, options: Options, github_factory: GitHubFactory | None,
           tools: IncidentTools | None = None, notifier: Notifier | None = None) -> Result:
    """One event, start to finish. `notifier` tells people outside GitHub (adapters/notify.notifier_for);
    None: responder.yml configures nobody, and a Notify in the decision is skipped and said so."""
    notifier = notifier or options.notifier
    event = parse_event(payload, options.event_name)
    if event.problem and event.name in ("issues", "issue_comment", "unknown"):
        # Nothing GitHub sends for these events looks like this: bad input, not an event to ignore.
        raise InputError(f"the event cannot be used: {event.problem}",
                         hint="Pass a GitHub `issues` or `issue_comment` webhook payload.")
    early = screen(event, config)
    if early is not None:
        log.info("ignored %s: %s", event.key, early.reasons[0])
        return Result(early, None, 0)
    assert event.issue is not None
    if event.action == "closed":
        # The post-mortem stage is handed the notifier with the options (its entry point's signature is fixed).
        return handle_closed(payload, event, config, replace(options, notifier=notifier), github_factory)

    github: GitHubClient | None = None
    if not options.offline:
        repository = event.repository or config.repository
        if not repository:
            raise InputError("the event names no repository and responder.yml sets none")
        if github_factory is None:
            raise InputError("no GitHub access configured", hint="Set GITHUB_TOKEN, or run with --offline.")
        github = github_factory(repository)

    login, association = subject(event)
    trust = check_trust(github, login, association, config.min_permission)
    bot_comment: BotComment | None = None
    if github is not None:
        bot_comment = github.find_bot_comment(event.issue.number, config.bot_login)
    situation = Situation(event=event, config=config, trust=trust,
                          prior=bot_comment.state if bot_comment else None, prior_known=github is not None)
    if tools is None:
        # One guarded-Terraform engine for the run, started only if a change is planned: feature
        # requests and remedies (OOMKilled -> memory, scaled to 0 -> replicas) both go through it.
        tools = IncidentTools.for_run(config, os.environ, options.cluster_snapshot, plan=options.plan,
                                      dry_run=options.dry_run)
    finished = False
    try:
        if situation.kind == KIND_PLATFORM:
            # A platform request is held to what the platform holds now: read before deciding.
            situation = replace(situation, inventory=read_platform(config))
        # Planning is gathering evidence: it happens before the decision, and is read-only.
        request = wanted_change(situation) if tools.changes is not None else None
        if request is not None:
            assert tools.changes is not None
            situation = replace(situation, change=tools.changes.prepare(request, issue=event.issue.number))
        # The outage path: evidence (probes, cluster, recent changes, a planned remedy) before the decision.
        situation = incident_flow.gather(situation, github, options.probe, tools, options.dry_run)
        decision = decide(situation)
        if options.dry_run:
            return Result(decision, None, github.requests if github else 0)
        context = ExecutionContext(issue=event.issue.number, github=github, bot_comment=bot_comment,
                                   changes=tools.changes, notifier=notifier, clock=tools.now)
        decision, report = carry_out(decision, situation, context, options.probe, tools)
        finished = True
        return Result(decision, report, github.requests if github else 0)
    finally:
        # Nothing is left once applied (and a dry run holds nothing); this reverts an unused plan's vars edit.
        if situation.change is not None and tools.changes is not None:
            tools.changes.discard(situation.change)
        if not finished:  # carry_out() already discarded a remedy it did not apply
            incident_flow.discard(situation, tools)
        if tools.changes is not None:
            tools.changes.close()


def carry_out(decision: Decision, situation: Situation, context: ExecutionContext, probe: bool,
              tools: IncidentTools) -> tuple[Decision, Report]:
    """Carry the decision out, the one way every event takes.

    What changes the infrastructure (an apply, a remedy) runs first, and its outcome (the commit,
    the error, the recovery seen or not) is decided on a second time, so the comment and labels,
    written last, tell what really happened. Everything else is one decision, executed once.
    """
    first = tuple(action for action in decision.actions if isinstance(action, INFRASTRUCTURE_ACTIONS))
    if not first:
        incident_flow.discard(situation, tools)
        return decision, execute(decision, context)
    if situation.investigation is not None:
        first_report, settled = incident_flow.remediate(replace(decision, actions=first), situation, context,
                                                         probe, tools)
    else:
        first_report = execute(replace(decision, actions=first), context)
        applied = next(result for result in first_report.results if isinstance(result, AppliedChange))
        log.info("apply of %s: %s", applied.prepared.summary, "ok" if applied.ok else applied.error)
        settled = replace(situation, applied=applied)
    final = decide(settled)
    report = execute(final, context)
    report.done[:0] = first_report.done
    report.results[:0] = first_report.results
    return final, report


def check_trust(github: GitHubClient | None, login: str, association: str, min_permission: str) -> TrustVerdict:
    """Any error or doubt counts as untrusted."""
    if github is None:
        return from_association(login, association, min_permission)
    if not needs_permission_lookup(association):
        verdict = from_association(login, association, min_permission)
        return TrustVerdict(False, login, verdict.basis, f"{verdict.detail}: not a collaborator")
    try:
        return from_permission(login, github.permission(login), min_permission)
    except GitHubError as exc:
        return from_error(login, exc.message)
