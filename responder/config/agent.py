"""The `agent` section of responder.yml: the optional agent service and its budgets, capped in code.

The loaded config holds the result as `config.agent` (None when no agent service is configured).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ISSUE_BUDGET_CAP_USD = 10.0  # the seeds' cap per issue


POSTMORTEM_BUDGET_CAP_USD = 5.0  # the seeds' cap per post-mortem


@dataclass(frozen=True)
class AgentSettings:
    url: str
    agent: str = "issue-responder"
    postmortem_agent: str = "post-mortem"
    max_budget_usd: float = ISSUE_BUDGET_CAP_USD
    postmortem_budget_usd: float = POSTMORTEM_BUDGET_CAP_USD
    timeout_seconds: int = 600
    poll_seconds: float = 5.0

    def budget(self, purpose: str) -> float:
        if purpose == "postmortem":
            return min(self.postmortem_budget_usd, POSTMORTEM_BUDGET_CAP_USD)
        return min(self.max_budget_usd, ISSUE_BUDGET_CAP_USD)

    def agent_for(self, purpose: str) -> str:
        return self.postmortem_agent if purpose == "postmortem" else self.agent


def settings_from_section(section: Mapping[str, Any]) -> AgentSettings | None:
    """The validated `agent` section; None when no agent service is configured."""
    url = section.get("url")
    if not url:
        return None
    defaults = AgentSettings(url=str(url))
    return AgentSettings(
        url=str(url).rstrip("/"),
        agent=str(section.get("agent", defaults.agent)),
        postmortem_agent=str(section.get("postmortem_agent", defaults.postmortem_agent)),
        max_budget_usd=float(section.get("max_budget_usd", defaults.max_budget_usd)),
        postmortem_budget_usd=float(section.get("postmortem_budget_usd", defaults.postmortem_budget_usd)),
        timeout_seconds=int(section.get("timeout_seconds", defaults.timeout_seconds)),
        poll_seconds=float(section.get("poll_seconds", defaults.poll_seconds)),
    )
