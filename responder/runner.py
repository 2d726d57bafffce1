"""Run one GitHub event through the responder: the imperative shell.

screen (pure) -> trust and remembered state (GitHub reads) -> decide (pure)
-> execute (GitHub writes), unless this is a dry run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from responder.change_actions import ENGINE, ApplyChange
from responder.changes import AppliedChange, ChangeEngine
from responder.config import Config
from responder.decision import Decision
from responder.errors import GitHubError, InputError
from responder.events import parse_event
from responder.executor import ExecutionContext, Report, execute
from responder.github import BotComment, GitHubClient
from responder.intake import Situation, decide, screen, subject, wanted_change
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
    plan: bool = True  # plan requested changes with terraform before deciding


@dataclass(frozen=True)
class Result:
    decision: Decision
    report: Report | None
    github_requests: int


GitHubFactory = Callable[[str], GitHubClient]
EngineFactory = Callable[[Config, Options], ChangeEngine]


def handle(payload: Any, config: Config, options: Options, github_factory: GitHubFactory | None,
           engine_factory: EngineFactory | None = None) -> Result:
    event = parse_event(payload, options.event_name)
    early = screen(event, config)
    if early is not None:
        log.info("ignored %s: %s", event.key, early.reasons[0])
        return Result(early, None, 0)
    assert event.issue is not None
    if event.action == "closed":
        from responder.closing import handle_closed

        return handle_closed(payload, event, config, options, github_factory)

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
    engine: ChangeEngine | None = None
    try:
        # Planning is gathering evidence: it happens before the decision, and is read-only.
        request = wanted_change(situation) if options.plan else None
        if request is not None:
            engine = (engine_factory or default_engine)(config, options)
            situation = replace(situation, change=engine.prepare(request, issue=event.issue.number))
        decision = decide(situation)
        requests_so_far = github.requests if github else 0
        if options.dry_run:
            return Result(decision, None, requests_so_far)
        context = ExecutionContext(issue=event.issue.number, github=github, bot_comment=bot_comment,
                                   adapters={ENGINE: engine} if engine is not None else {})
        decision, report = _execute(decision, situation, context)
        return Result(decision, report, github.requests if github else 0)
    finally:
        if engine is not None:
            if situation.change is not None:
                engine.discard(situation.change)  # nothing left once applied; reverts a dry run's edit
            close = getattr(engine, "close", None)
            if close is not None:
                close()


def _execute(decision: Decision, situation: Situation, context: ExecutionContext) -> tuple[Decision, Report]:
    """Carry the decision out. A checked plan is applied first; what the apply did (the commit,
    or the error) then decides the rest, so the comment, written last, tells what really happened."""
    applying = tuple(action for action in decision.actions if isinstance(action, ApplyChange))
    if not applying:
        return decision, execute(decision, context)
    first = execute(replace(decision, actions=applying), context)
    applied = next(result for result in first.results if isinstance(result, AppliedChange))
    log.info("apply of %s: %s", applied.prepared.summary, "ok" if applied.ok else applied.error)
    final = decide(replace(situation, applied=applied))
    report = execute(final, context)
    report.done[:0] = first.done
    report.results[:0] = first.results
    return final, report


def default_engine(config: Config, options: Options) -> ChangeEngine:
    import os

    from responder.change_engine import TerraformChangeEngine

    return TerraformChangeEngine(config, env=os.environ, dry_run=options.dry_run)


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
