"""The catalogue of changes the responder can carry out through Terraform.

The feature-request form offers exactly these, plus "Something else".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

SOMETHING_ELSE = "Something else"


@dataclass(frozen=True)
class ChangeKind:
    key: str  # also the key in the service's *.auto.tfvars.json
    option: str  # the text in the form's dropdown
    value_hint: str


CHANGE_KINDS: tuple[ChangeKind, ...] = (
    ChangeKind("replicas", "Replica count", "a whole number, e.g. 3"),
    ChangeKind("memory_limit", "Memory limit", "a quantity, e.g. 1Gi"),
    ChangeKind("memory_request", "Memory request", "a quantity, e.g. 512Mi"),
    ChangeKind("cpu_limit", "CPU limit", "cores or millicores, e.g. 2 or 500m"),
    ChangeKind("cpu_request", "CPU request", "cores or millicores, e.g. 250m"),
    ChangeKind("image_tag", "Image tag", "a tag, e.g. 1.27.3"),
)


def change_kind_for_option(option: str) -> ChangeKind | None:
    for kind in CHANGE_KINDS:
        if kind.option == option:
            return kind
    return None


@dataclass(frozen=True)
class ChangeRequest:
    """One change to a service's Terraform vars, from a feature request or a remedy.

    Pure data: the guarded Terraform flow decides whether and how it runs.
    """

    service: str  # a service name from the catalogue
    kind: str  # a ChangeKind.key
    value: str  # the requested value as text: "3", "1Gi", "500m", "1.27.3"
    reason: str  # why, in plain words, for the comment and the commit
    commit_type: str = "feat"  # feat: a request carried out | fix: an incident remedy


@dataclass(frozen=True)
class PreparedChange:
    """A change edited into the vars file and planned, with the guardrail verdict.

    `plan_sha256` is the hash of the plan file the verdict was computed on:
    apply refuses any other plan.
    """

    request: ChangeRequest
    stack: str  # stack directory, relative to the repository root
    outcome: str  # ready (allowed, something to apply) | no-op | blocked
    reasons: tuple[str, ...]
    plan_sha256: str | None = None
    verdict: Mapping[str, Any] = field(default_factory=dict)  # {allowed, reasons, counts, changes, drift}
    plan_file: str | None = None

    @property
    def allowed(self) -> bool:
        return self.outcome == "ready"


@dataclass(frozen=True)
class AppliedChange:
    prepared: PreparedChange
    ok: bool
    commit: str | None = None  # sha of the commit recording the change
    commit_url: str | None = None
    error: str | None = None  # what went wrong, sensitive values masked


class ChangeEngine(Protocol):
    """The guarded Terraform flow, as the decision code sees it.

    prepare: edit the vars file, plan, evaluate the guardrails (reverting the
    edit when blocked). apply: apply exactly the prepared plan, then commit
    and push. discard: undo a prepared change that will not be applied
    (dry runs). None of them raise for a policy refusal: that is data.
    """

    def prepare(self, request: ChangeRequest, *, issue: int) -> PreparedChange: ...

    def apply(self, prepared: PreparedChange, *, issue: int) -> AppliedChange: ...

    def discard(self, prepared: PreparedChange) -> None: ...
