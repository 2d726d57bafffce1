"""What an investigation found, as data.

Every stage (assessment, kubernetes, changes, blast-radius, escalation,
agent) records findings in this one shape, so the decision, the comment,
the post-mortem and the status page all read the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STATUSES = ("ok", "warn", "fail")


@dataclass(frozen=True)
class Finding:
    stage: str  # assessment | kubernetes | changes | blast-radius | escalation | agent
    check: str  # short machine name, e.g. "probe:nextcloud", "pod:CrashLoopBackOff"
    status: str  # ok | warn | fail
    detail: str  # one plain sentence for people
    evidence: str = ""  # raw text (log lines, event messages); untrusted: always fenced when shown
    link: str = ""  # where a person looks further (a query in Prometheus's graph UI); linked only when safe

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"stage": self.stage, "check": self.check, "status": self.status,
                               "detail": self.detail}
        if self.evidence:
            out["evidence"] = self.evidence
        if self.link:
            out["link"] = self.link
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Finding:
        return cls(str(raw.get("stage", "")), str(raw.get("check", "")), str(raw.get("status", "")),
                   str(raw.get("detail", "")), str(raw.get("evidence", "")), str(raw.get("link", "")))
