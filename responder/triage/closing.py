"""Closing a SEV1/SEV2 incident hands it to the post-mortem stage.

The responder does not import the postmortem package (postmortem builds on
responder, never the reverse): the stage is named here and imported only
when an eligible incident is closed. Everything else about closed issues
stays ignored.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from responder.config.loader import Config
from responder.model.events import IssueEvent
from responder.model.severity_levels import Severity

if TYPE_CHECKING:
    from responder.flows.handle import GitHubFactory, Options, Result

STAGE = "postmortem.lifecycle"
DEFAULT_SEVERITIES = ("SEV1", "SEV2")

ClosedHandler = Callable[[Any, IssueEvent, Config, "Options", "GitHubFactory | None"], "Result"]


def screen_closed(event: IssueEvent, config: Config) -> str | None:
    """Why a closed issue needs no post-mortem, or None when it does.

    Only people with triage access (and the responder) can label an issue,
    so an incident label and a severity label are enough trust to draft one.
    """
    issue = event.issue
    assert issue is not None
    settings = config.section("postmortem")
    if settings.get("enabled", True) is False:
        return "post-mortems are switched off (postmortem.enabled: false)"
    labels = set(issue.labels)
    if config.labels["incident"] not in labels:
        return "the closed issue is not an incident"
    wanted = tuple(settings.get("severities") or DEFAULT_SEVERITIES)
    levels = [str(level) for level in Severity if config.labels.severity(level) in labels]
    if not any(level in wanted for level in levels):
        shown = levels[0] if levels else "no severity"
        return f"the closed incident is {shown}; post-mortems are written for {', '.join(wanted)}"
    return None


def handle_closed(payload: Any, event: IssueEvent, config: Config, options: Options,
                  github_factory: GitHubFactory | None) -> Result:
    stage = importlib.import_module(STAGE)
    handler = cast(ClosedHandler, stage.handle_closed)
    return handler(payload, event, config, options, github_factory)
