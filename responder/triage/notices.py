"""What people outside GitHub hear about an incident: the notifications a decision carries.

Pure. A notification is built here from the responder's own words (the level, the service, the
one-line reason) and the issue's title, which reaches it only as quoted, capped plain text
(render/quoting.plain_text). Which targets get it is the `notify` section's business
(config/notify.py); sending it is the notifier adapter's. What was already told is remembered in
the state section `notify`, so an edited report does not announce the incident twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from responder.config.loader import Config, Service
from responder.decision.notify_actions import Notify
from responder.model import notifications as events
from responder.model.notifications import Notification
from responder.render.quoting import plain_text
from responder.render.urls import safe_http_url
from responder.triage.situation import Plan, Situation, report_facts

SECTION = "notify"
TITLE_LIMIT = 120
REASON_LIMIT = 300


def notification(event: str, *, issue: int, url: str, title: str, reason: str, severity: str | None,
                 service: Service | None, runbook: bool = False) -> Notification:
    """One notification, every text field plain and capped; the runbook only where it helps (escalations)."""
    return Notification(
        event=event,
        issue=issue,
        url=safe_http_url(url) or "",
        title=plain_text(title, TITLE_LIMIT),
        reason=plain_text(reason, REASON_LIMIT),
        severity=severity,
        service=service.name if service else None,
        runbook=(safe_http_url(service.runbook) if runbook and service is not None else None),
    )


def wanted(config: Config, notice: Notification) -> bool:
    """Whether any `notify` target hears about it; a notification nobody gets is not part of the decision."""
    return any(target.wants(notice) for target in config.notify)


def with_notices(situation: Situation, plan: Plan) -> Plan:
    """The plan with the notification its outcome calls for, once per incident and kind of news.

    A new incident is `opened`; one that needs a person is `escalated` instead (the one message says
    both); one the responder fixed before anyone heard of it is `resolved`.
    """
    issue, parsed = situation.event.issue, situation.parsed
    if issue is None or parsed is None or plan.severity is None or not plan.summary:
        return plan
    if plan.outcome == "escalated":
        event = events.ESCALATED
    elif plan.outcome == "fixed" and not plan.template_context.get("pending"):
        event = events.RESOLVED
    elif plan.outcome in ("triaged", "fixed"):
        event = events.OPENED
    else:
        return plan
    sections: dict[str, Any] = dict(plan.state_changes.get("sections")
                                    or (situation.prior.sections if situation.prior else {}))
    told: Mapping[str, Any] = sections.get(SECTION) or {}
    if event in told:
        return plan
    _, service = report_facts(parsed, situation.config)
    notice = notification(event, issue=issue.number, url=issue.html_url, title=issue.title or "",
                          reason=plan.summary, severity=plan.severity, service=service,
                          runbook=event == events.ESCALATED)
    if not wanted(situation.config, notice):
        return plan
    # An escalation or a fix is also the news that the incident exists: it is not announced again.
    sections[SECTION] = {**told, event: situation.event.at, events.OPENED: told.get(events.OPENED,
                                                                                   situation.event.at)}
    return replace(plan, trailing_actions=(*plan.trailing_actions, Notify(notice)),
                   state_changes={**plan.state_changes, "sections": sections})
