"""A ChangeEngine through the same protocol as the Terraform engine, for the decision paths that need one.

The real engine (guarded plan/apply, issue 3) is wired in by the lead; until
then the outage path's "fixed by Terraform" route is exercised with this
scripted engine, passed in exactly where the real one goes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from responder.adapters.process import ProcessFailed
from responder.model.changes import AppliedChange, ChangeRequest, PreparedChange


@dataclass
class ScriptedEngine:
    outcome: str = "ready"  # what prepare answers: ready | no-op | blocked
    reasons: tuple[str, ...] = ()
    apply_ok: bool = True
    apply_error: str = "Error: Kubernetes cluster unreachable"
    on_apply: Callable[[PreparedChange], None] | None = None
    prepare_error: str | None = None  # prepare raises this (terraform init or plan failed)
    prepared: list[tuple[ChangeRequest, int]] = field(default_factory=list)
    applied: list[PreparedChange] = field(default_factory=list)
    discarded: list[PreparedChange] = field(default_factory=list)
    closed: bool = False

    def prepare(self, request: ChangeRequest, *, issue: int) -> PreparedChange:
        self.prepared.append((request, issue))
        if self.prepare_error:
            raise ProcessFailed(self.prepare_error, returncode=1)
        return PreparedChange(
            request=request,
            stack=f"stacks/{request.service}",
            outcome=self.outcome,
            reasons=self.reasons or ((f"{request.kind} {request.value} is within the limits",)
                                     if self.outcome == "ready" else ()),
            plan_sha256="3f2a9c" + "0" * 58 if self.outcome == "ready" else None,
            verdict={"allowed": self.outcome == "ready", "reasons": list(self.reasons)},
            plan_file=f"/tmp/responder-{issue}.tfplan" if self.outcome == "ready" else None,
        )

    def apply(self, prepared: PreparedChange, *, issue: int) -> AppliedChange:
        self.applied.append(prepared)
        if not self.apply_ok:
            return AppliedChange(prepared, ok=False, error=self.apply_error)
        if self.on_apply is not None:
            self.on_apply(prepared)
        sha = "9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d"
        return AppliedChange(prepared, ok=True, commit=sha,
                             commit_url=f"https://github.com/acme-homelab/infra/commit/{sha}")

    def discard(self, prepared: PreparedChange) -> None:
        self.discarded.append(prepared)

    def close(self) -> None:
        self.closed = True
