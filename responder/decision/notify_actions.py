"""The action that tells people: a notification through the configured targets.

It leaves the machine, so a dry run or an offline run shows it and sends
nothing (like a GitHub write). A notification that fails never fails the
run: the executor counts it in the report instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from responder.decision.actions import Action
from responder.model.notifications import Notification


@dataclass(frozen=True)
class Notify(Action):
    type: ClassVar[str] = "notify"
    writes_github: ClassVar[bool] = True  # it leaves the machine: skipped offline
    notification: Notification

    def to_json(self) -> dict[str, Any]:
        n = self.notification
        return {"type": self.type, "event": n.event, "issue": n.issue, "severity": n.severity,
                "service": n.service, "reason": n.reason}

    def describe(self) -> str:
        n = self.notification
        return f"notify {n.event} of #{n.issue}" + (f" ({n.severity})" if n.severity else "")
