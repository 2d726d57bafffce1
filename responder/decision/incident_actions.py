"""Actions of the incident path: remedies and updates of another issue.

They are data like every other action (a dry run prints them) and run
through the one executor. Remedies touch the cluster or Terraform, never
GitHub; their handlers hand their outcome back in `Report.results`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from responder.decision.actions import Action
from responder.decision.change_actions import ApplyChange
from responder.decision.executor import ExecutionContext, Report, handles


@dataclass(frozen=True)
class RolloutRestart(Action):
    """`kubectl rollout restart`: the one direct cluster write."""

    type: ClassVar[str] = "rollout_restart"
    writes_github: ClassVar[bool] = False
    namespace: str
    deployment: str

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "namespace": self.namespace, "deployment": self.deployment}

    def describe(self) -> str:
        return f"rollout restart of deployment/{self.deployment} in {self.namespace}"


REMEDY_ACTIONS = (RolloutRestart, ApplyChange)


@dataclass(frozen=True)
class UpdateOtherIssue(Action):
    """Change the responder's comment and labels on another issue (the original of a duplicate)."""

    type: ClassVar[str] = "update_other_issue"
    number: int
    comment_id: int | None  # None: post a new responder comment there
    body: str
    add_labels: tuple[str, ...] = ()
    remove_labels: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "issue": self.number, "comment_id": self.comment_id, "body": self.body,
                "add_labels": list(self.add_labels), "remove_labels": list(self.remove_labels)}

    def describe(self) -> str:
        extra = f" and relabel ({', '.join(self.add_labels)})" if self.add_labels else ""
        return f"update #{self.number}{extra}"


@dataclass(frozen=True)
class RestartOutcome:
    restarted_at: str


@handles(RolloutRestart)
def _rollout_restart(action: RolloutRestart, context: ExecutionContext, report: Report) -> None:
    cluster = context.adapters.get("cluster")
    if cluster is None:
        raise RuntimeError("no cluster adapter for a rollout restart")
    now = context.adapters.get("now") or (lambda: datetime.now(UTC))
    stamp = cluster.restart_rollout(action.namespace, action.deployment, now())
    report.results.append(RestartOutcome(stamp))
    report.done.append(action.describe())


@handles(UpdateOtherIssue)
def _update_other(action: UpdateOtherIssue, context: ExecutionContext, report: Report) -> None:
    github = context.github
    assert github is not None
    for label in action.remove_labels:
        github.remove_label(action.number, label)
    if action.add_labels:
        github.add_labels(action.number, action.add_labels)
    if action.comment_id is None:
        github.create_comment(action.number, action.body)
    else:
        github.edit_comment(action.comment_id, action.body, action.number)
    report.done.append(action.describe())
