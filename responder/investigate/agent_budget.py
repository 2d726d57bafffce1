"""What an issue's agent jobs have been granted so far, kept in its state: the budget belongs to the issue."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from responder.config.agent import AgentSettings

STATE_SECTION = "agent"


@dataclass(frozen=True)
class AgentUsage:
    """What the agent has been granted for one issue so far, across every run (reopens included).

    Each job is charged its whole grant: the service may spend up to it, and what it reports
    spending is not something the responder can verify.
    """

    jobs: int = 0
    granted_usd: float = 0.0

    @classmethod
    def from_sections(cls, sections: Mapping[str, Any]) -> AgentUsage:
        raw = sections.get(STATE_SECTION)
        if not isinstance(raw, Mapping):
            return cls()
        jobs, granted = raw.get("jobs"), raw.get("granted_usd")
        return cls(jobs if isinstance(jobs, int) and jobs >= 0 else 0,
                   float(granted) if isinstance(granted, int | float) and granted >= 0 else 0.0)

    def left(self, settings: AgentSettings) -> float:
        """What the next job of this issue may be granted: the per-issue budget minus what was granted."""
        return max(0.0, round(settings.budget("issue") - self.granted_usd, 2))

    def after_job(self, granted: float) -> AgentUsage:
        return AgentUsage(self.jobs + 1, round(self.granted_usd + granted, 2))

    def to_json(self) -> dict[str, Any]:
        return {"jobs": self.jobs, "granted_usd": self.granted_usd}


MIN_JOB_USD = 0.01  # below this, a job cannot do anything useful: the budget is used up
