"""Run one GitHub event through the responder: the imperative shell.

screen (pure) -> trust and remembered state (GitHub reads) -> decide (pure)
-> execute (GitHub writes), unless this is a dry run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from responder import incident_flow
from responder.config import Config
from responder.decision import Decision
from responder.errors import GitHubError, InputError
from responder.events import parse_event
from responder.executor import ExecutionContext, Report, execute
from responder.github import BotComment, GitHubClient
from responder.incident_flow import IncidentTools
from responder.intake import Situation, decide, screen, subject
from responder.trust import (
    TrustVerdict,
    from_association,
    from_error,
    from_permission,
    needs_permission_lookup,
)

log = logging.getLogger("responder")


@dataclass(frozen=True)
class Options:
    dry_run: bool = False
    offline: bool = False
    probe: bool = True
    event_name: str | None = None
    cluster_snapshot: str | None = None  # replay against `kubectl get ... -o json` output instead of a live cluster


@dataclass(frozen=True)
class Result:
    decision: Decision
    report: Report | None
    github_requests: int


GitHubFactory = Callable[[str], GitHubClient]


def handle(payload: Any, config: Config, options: Options, github_factory: GitHubFactory | None,
           tools: IncidentTools | None = None) -> Result:
    event = parse_event(payload, options.event_name)
    early = screen(event, config)
    if early is not None:
        log.info("ignored %s: %s", event.key, early.reasons[0])
        return Result(early, None, 0)
    assert event.issue is not None

    github: GitHubClient | None = None
    if not options.offline:
        repository = event.repository or config.repository
        if not repository:
            raise InputError("the event names no repository and responder.yml sets none")
        if github_factory is None:
            raise InputError("no GitHub access configured", hint="Run with --offline.")
        github = github_factory(repository)

    login, association = subject(event)
    trust = check_trust(github, login, association, config.min_permission)
    bot_comment: BotComment | None = None
    if github is not None:
        bot_comment = github.find_bot_comment(event.issue.number, config.bot_login)
    situation = Situation(
        event=event,
        config=config,
        trust=trust,
        prior=bot_comment.state if bot_comment else None,
        prior_known=github is not None,
    )
    # The outage path: evidence before the decision, the remedy (and a second decision) after it.
    tools = tools or IncidentTools.for_run(config, {}, options.cluster_snapshot)
    situation = incident_flow.gather(situation, github, options.probe, tools)
    decision = decide(situation)
    requests_so_far = github.requests if github else 0
    if options.dry_run:
        incident_flow.discard(situation, tools)
        return Result(decision, None, requests_so_far)
    context = ExecutionContext(issue=event.issue.number, github=github, bot_comment=bot_comment)
    decision = incident_flow.remediate(decision, situation, context, options.probe, tools)
    report = execute(decision, context)
    return Result(decision, report, github.requests if github else 0)


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
