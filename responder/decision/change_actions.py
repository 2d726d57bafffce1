"""The action that applies a checked Terraform plan.

It writes to the infrastructure, not to GitHub, so it runs offline too.
The decision holds the prepared change; the executor hands it to the
change engine and reports what came back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from responder.decision.actions import Action
from responder.model.changes import PreparedChange


@dataclass(frozen=True)
class ApplyChange(Action):
    type: ClassVar[str] = "apply_change"
    writes_github: ClassVar[bool] = False
    prepared: PreparedChange

    def to_json(self) -> dict[str, Any]:
        request = self.prepared.request
        return {
            "type": self.type,
            "service": request.service,
            "kind": request.kind,
            "value": self.prepared.after if self.prepared.after is not None else request.value,
            "commit_type": request.commit_type,
            "stack": self.prepared.stack,
            "plan_sha256": self.prepared.plan_sha256,
        }

    def describe(self) -> str:
        return f"apply the checked plan sha256:{(self.prepared.plan_sha256 or '')[:12]} ({self.prepared.summary})"
