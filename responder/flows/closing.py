"""Closing a SEV1/SEV2 incident hands it to the post-mortem stage.

The responder never imports the post-mortem stage (postmortem builds on responder, never the
reverse). The stage plugs in through an entry point, as mkdocs plugins do: the group
`issueops_responder.closed_incident` names a function `(payload, event, config, options,
github_factory) -> Result`. The post-mortem stage of this distribution registers one in
pyproject.toml; without one, closed incidents are ignored with that reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from responder.config.loader import Config
from responder.decision.actions import ignored
from responder.flows.run import GitHubFactory, Options, Result
from responder.model.events import IssueEvent

ENTRY_POINT_GROUP = "issueops_responder.closed_incident"

ClosedHandler = Callable[[Any, IssueEvent, Config, Options, "GitHubFactory | None"], Result]


def closed_incident_handler() -> ClosedHandler | None:
    """The installed post-mortem stage, if any (the first entry point of the group, by name)."""
    # Imported here: importlib.metadata costs a tenth of an offline decision's start-up, for closings only.
    from importlib import metadata

    found = sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda point: point.name)
    return cast(ClosedHandler, found[0].load()) if found else None


def handle_closed(payload: Any, event: IssueEvent, config: Config, options: Options,
                  github_factory: GitHubFactory | None) -> Result:
    assert event.issue is not None
    handler = closed_incident_handler()
    if handler is None:
        reason = f"no post-mortem stage is installed (entry point group {ENTRY_POINT_GROUP})"
        return Result(ignored(event.key, event.issue.number, reason), None, 0)
    return handler(payload, event, config, options, github_factory)
