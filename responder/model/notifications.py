"""A notification: what the on-call people hear about an incident, as data.

The decision says what to tell; the notifier adapter (Apprise) decides who
hears it from the `notify:` section of responder.yml, and sends it. Every
text field that can come from an issue is plain text, already neutralised
and capped by the code that builds the notification.
"""

from __future__ import annotations

from dataclasses import dataclass

# What a notification is about, in the words of `notify[].events`.
OPENED = "opened"
ESCALATED = "escalated"
UPDATE_DUE = "update-due"
UNACKNOWLEDGED = "unacknowledged"
RESOLVED = "resolved"
POSTMORTEM = "postmortem"
EVENTS = (OPENED, ESCALATED, UPDATE_DUE, UNACKNOWLEDGED, RESOLVED, POSTMORTEM)


@dataclass(frozen=True)
class Notification:
    event: str  # one of EVENTS
    issue: int
    url: str  # the issue's page
    title: str  # one line, plain text
    reason: str  # one line: why now
    severity: str | None = None  # SEV1..SEV4
    service: str | None = None  # the catalogue name
    runbook: str | None = None  # for escalations: where the steps are
    document: str | None = None  # for post-mortems: where the published draft is


@dataclass(frozen=True)
class Delivery:
    """What sending one notification did: how many targets took it, how many failed and why."""

    sent: int
    failed: int = 0
    problems: tuple[str, ...] = ()
