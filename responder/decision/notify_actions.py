"""The action that tells people: a notification through the configured targets.

It leaves the machine, so a dry run or an offline run shows it and sends
nothing (like a GitHub write). A notification that fails never fails the
run: the executor counts it in the report instead. `notification` builds one
from the responder's words and the issue's title (as quoted, capped plain
text); `wanted` says whether any `notify` target would hear it, so a
decision carries only notifications someone gets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from responder.config.loader import Config, Service
from responder.decision.actions import Action
from responder.model.notifications import Notification
from responder.render.quoting import plain_text
from responder.render.urls import safe_http_url

TITLE_LIMIT = 120
REASON_LIMIT = 300


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


def notification(event: str, *, issue: int, url: str, title: str, reason: str, severity: str | None,
                 service: Service | None, runbook: bool = False, document: str | None = None) -> Notification:
    """One notification, every text field plain and capped; the runbook only where it helps (escalations)."""
    return Notification(
        event=event,
        issue=issue,
        url=safe_http_url(url) or "",
        title=plain_text(title, TITLE_LIMIT),
        reason=plain_text(reason, REASON_LIMIT),
        severity=severity,
        service=service.name if service else None,
        runbook=(safe_http_url(service.runbook) if runbook and service is not None else None),
        document=safe_http_url(document),
    )


def wanted(config: Config, notice: Notification) -> bool:
    """Whether any `notify` target hears about it; a notification nobody gets is not part of the decision."""
    return any(target.wants(notice) for target in config.notify)
