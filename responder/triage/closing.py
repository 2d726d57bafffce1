"""Which closed issues need a post-mortem: the pure screen (responder/flows/closing.py hands them over)."""

from __future__ import annotations

from responder.config.loader import Config
from responder.model.events import IssueEvent
from responder.model.severity_levels import Severity


def screen_closed(event: IssueEvent, config: Config) -> str | None:
    """Why a closed issue needs no post-mortem, or None when it does.

    Only people with triage access (and the responder) can label an issue,
    so an incident label and a severity label are enough trust to draft one.
    """
    issue = event.issue
    assert issue is not None
    settings = config.postmortem
    if not settings.enabled:
        return "post-mortems are switched off (postmortem.enabled: false)"
    labels = set(issue.labels)
    if config.labels["incident"] not in labels:
        return "the closed issue is not an incident"
    wanted = settings.severities
    levels = [str(level) for level in Severity if config.labels.severity(level) in labels]
    if not any(level in wanted for level in levels):
        shown = levels[0] if levels else "no severity"
        return f"the closed incident is {shown}; post-mortems are written for {', '.join(wanted)}"
    return None
