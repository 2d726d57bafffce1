"""The action that applies a checked Terraform plan, and its executor handler.

It writes to the infrastructure, not to GitHub, so it runs offline too.
The decision holds the prepared change; the handler hands it to the
ChangeEngine in the execution context and reports what came back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from responder.decision.actions import Action
from responder.decision.executor import ExecutionContext, Report, handles
from responder.model.changes import PreparedChange

ENGINE = "changes"  # the ExecutionContext.adapters key of the ChangeEngine


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


@handles(ApplyChange)
def _apply_change(action: ApplyChange, context: ExecutionContext, report: Report) -> None:
    engine = context.adapters[ENGINE]
    applied = engine.apply(action.prepared, issue=context.issue)
    report.results.append(applied)
    if applied.ok:
        report.done.append(f"applied {action.prepared.summary}" + (f"; commit {applied.commit[:12]}"
                                                                   if applied.commit else ""))
    else:
        report.done.append(f"apply of {action.prepared.summary} failed")
