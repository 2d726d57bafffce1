"""Who answers for an incident: the service's owners and the escalation tiers of responder.yml.

Pure. These logins are the only ones the responder's own text may @-mention (as `Mention`s);
every other name, and all issue text, stays plain text that pings nobody.
"""

from __future__ import annotations

from collections.abc import Iterable

from responder.config.loader import Config, Service
from responder.render.quoting import Mention

GITHUB_ASSIGNEE_LIMIT = 10  # GitHub keeps at most ten assignees on an issue


def first_responders(config: Config, service: Service | None) -> tuple[str, ...]:
    """Assigned when an incident is triaged: the service's owners, then the first escalation tier."""
    owners = service.owners if service is not None else ()
    return _unique((*owners, *config.escalation.tier(0)))


def mentioned(config: Config, logins: Iterable[str]) -> list[Mention]:
    """The logins the responder may ping, as Mentions; anyone not in responder.yml is left out."""
    allowed = config.mentionable
    return [Mention(login) for login in _unique(logins) if login in allowed]


def with_assignees(present: Iterable[str], wanted: Iterable[str]) -> tuple[str, ...]:
    """The assignee set after adding `wanted`, within GitHub's limit (the people already on it stay)."""
    return _unique((*present, *wanted))[:GITHUB_ASSIGNEE_LIMIT]


def _unique(logins: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(login for login in logins if login))
