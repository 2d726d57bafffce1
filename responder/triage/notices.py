"""What people outside GitHub hear about an incident: the notifications a decision carries.

Pure. A notification is built (decision/notify_actions.notification) from the responder's own
words (the level, the service, the one-line reason) and the issue's title, which reaches it only
as quoted, capped plain text (render/quoting.plain_text). Which targets get it is the `notify` section's business
(config/notify.py); sending it is the notifier adapter's. What was already told is remembered in
the state section `notify`, so an edited report does not announce the incident twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from responder.decision.notify_actions import Notify, notification, wanted
from responder.model import notifications as events
from responder.triage.situation import Plan, Situation, report_facts

SECTION = "notify"


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
