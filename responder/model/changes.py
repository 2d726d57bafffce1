"""The catalogue of changes the responder can carry out through Terraform.

The feature-request form offers exactly these, plus "Something else".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


class _Absent:
    """Nothing at a path of a file (unlike JSON's null)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class FileEdit:
    """What a platform request changes: one JSON path of one file, set to a new value.

    The file is a stack's vars file (the namespaces map, the DNS records list) or, with no stack,
    the service catalogue in responder.yml (a new monitor: no Terraform at all). `expected` is
    what the path held when the request was assessed: the edit is refused if it moved since, so
    a new namespace is always a create and a grant never overwrites someone else's change.
    """

    file: str  # relative to the repository root
    stack: str | None  # the Terraform stack reading the file; None: the catalogue, committed without Terraform
    path: tuple[str | int, ...]  # keys, and list positions (the length of a list appends to it)
    value: Any  # JSON-shaped
    expected: Any = ABSENT
    summary: str = ""  # for people and the commit: "namespace team-a with quota cpu 2, memory 4Gi"
    # Protected resource types (guardrails.protected_resource_types) this edit may create, never change
    # or delete: the namespaces of the platform's own stack.
    may_create: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChangeRequest:
    """One change to a service's Terraform vars, from a feature request or a remedy, or one edit of a
    file a platform request names (`edit`).

    Pure data: the guarded Terraform flow decides whether and how it runs.
    """

    service: str  # a service name from the catalogue (for a platform request: "platform:namespaces", ...)
    kind: str  # a ChangeKind.key (for a platform request: its kind, e.g. "new-namespace")
    value: str  # the requested value as text: "3", "1Gi", "500m", "1.27.3"; what a platform request asks, in one line
    reason: str  # why, in plain words, for the comment and the commit
    commit_type: str = "feat"  # feat: a request carried out | fix: an incident remedy
    variable: str | None = None  # the vars file's key when it is not the kind's own (services[].terraform.image_var)
    replaces: str | None = None  # the value the change expects to find; any other value is a conflict
    rollback: bool = False  # a return to an earlier value: "roll back <service> from <new> to <old>"

    @property
    def key(self) -> str:
        """The variable edited in the vars file."""
        return self.variable or self.kind
    edit: FileEdit | None = None  # set for a platform request: the file, path and value it changes


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
    # Why it is blocked, for the escalation's assessment (see BLOCKED_BY); "" when not blocked.
    blocked_by: str = ""
    vars_file: str | None = None  # relative to the repository root
    before: str | None = None  # the value in the vars file before the change, as text
    after: str | None = None  # the value written, as text
    summary: str = ""  # what the change does, for people and the commit: "raise nextcloud replicas from 2 to 3"
    plan_summary: str = ""  # terraform's line: "Plan: 0 to add, 1 to change, 0 to destroy."

    @property
    def allowed(self) -> bool:
        return self.outcome == "ready"


# Why a prepared change is blocked: each gets its own assessment in the escalation.
BLOCKED_BY = (
    "unsupported",  # not a change the responder makes
    "not-configured",  # no stack, vars file, variable or bound for it in responder.yml
    "invalid",  # the value cannot be read
    "out-of-bounds",  # outside services[].terraform.limits
    "conflict",  # a request above its limit, or a limit below its request
    "protected-stack",  # guardrails.protected_stacks, decided before any plan
    "guardrails",  # the plan's verdict
    "pending-changes",  # the stack had changes to apply before this one was made
    "stack-busy",  # another run holds the stack
    "lock-unsafe",  # the stack lock's directory or file could be changed by another user
    "state-locked",  # terraform's state lock is held
    "checkout",  # the repository is not a clean, current git checkout
    "terraform-error",  # terraform failed to init or plan
    "bad-plan",  # the plan JSON could not be read: never allowed
)


@dataclass(frozen=True)
class AppliedChange:
    prepared: PreparedChange
    ok: bool  # terraform applied the checked plan
    commit: str | None = None  # sha of the commit recording the change
    commit_url: str | None = None
    error: str | None = None  # what went wrong, sensitive values masked
    pushed: bool = False  # the commit reached the remote
    summary: str = ""  # terraform's line: "Apply complete! Resources: 0 added, 1 changed, 0 destroyed."

    @property
    def recorded(self) -> bool:
        """Applied, committed and (when pushing is on) pushed: nothing left for a person."""
        return self.ok and self.commit is not None and self.error is None


class ChangeEngine(Protocol):
    """The guarded Terraform flow, as the decision code sees it.

    prepare: edit the vars file, plan, evaluate the guardrails (reverting the
    edit when blocked; a dry run plans the edit from a private copy and
    writes and locks nothing). apply: apply exactly the prepared plan, then
    commit and push. discard: undo a prepared change that will not be
    applied. close: release what is still held at the end of the run.
    None of them raise for a policy refusal: that is data.
    """

    def prepare(self, request: ChangeRequest, *, issue: int) -> PreparedChange: ...

    def apply(self, prepared: PreparedChange, *, issue: int) -> AppliedChange: ...

    def discard(self, prepared: PreparedChange) -> None: ...

    def close(self) -> None:
        """Release what the run still holds (stack locks, plan files) at its end."""


class LazyEngine:
    """A ChangeEngine that builds the real one on first use, so runs that change nothing never start it."""

    def __init__(self, factory: Callable[[], ChangeEngine]) -> None:
        self._factory = factory
        self._engine: ChangeEngine | None = None

    def _real(self) -> ChangeEngine:
        if self._engine is None:
            self._engine = self._factory()
        return self._engine

    def prepare(self, request: ChangeRequest, *, issue: int) -> PreparedChange:
        return self._real().prepare(request, issue=issue)

    def apply(self, prepared: PreparedChange, *, issue: int) -> AppliedChange:
        return self._real().apply(prepared, issue=issue)

    def discard(self, prepared: PreparedChange) -> None:
        if self._engine is not None:
            self._engine.discard(prepared)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
