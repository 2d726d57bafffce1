"""Actions of the incident path: remedies and updates of another issue.

They are data like every other action (a dry run prints them) and run
through the one executor. Remedies touch the cluster or Terraform, never
GitHub; the executor hands their outcome back in `Report.results`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from responder.decision.actions import Action
from responder.decision.change_actions import ApplyChange


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


# What changes the infrastructure: carried out before anything else, and its outcome decides the rest.
INFRASTRUCTURE_ACTIONS = (RolloutRestart, ApplyChange)


@dataclass(frozen=True)
class UpdateOtherIssue(Action):
    """Change the responder's comment and labels on another issue (the original of a duplicate)."""

    type: ClassVar[str] = "update_other_issue"
    number: int
    comment_id: int | None  # None: post a new responder comment there
    body: str
    add_labels: tuple[str, ...] = ()
    remove_labels: tuple[str, ...] = ()
    comment_url: str = ""  # where the comment being edited is (reported back; not part of the decision)

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "issue": self.number, "comment_id": self.comment_id, "body": self.body,
                "add_labels": list(self.add_labels), "remove_labels": list(self.remove_labels)}

    def describe(self) -> str:
        extra = f" and relabel ({', '.join(self.add_labels)})" if self.add_labels else ""
        return f"update #{self.number}{extra}"


@dataclass(frozen=True)
class RestartOutcome:
    restarted_at: str
