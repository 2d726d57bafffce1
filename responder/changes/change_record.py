"""What the responder did to the infrastructure for an issue, kept in the issue's state.

The `terraform` section of the state marker holds one record per requested
change: the plan hash that was checked, the verdict, and whether it was
applied and committed. A re-run finds the record and never applies the same
change twice; a failed apply is never retried. Comments about a change are
rendered from its record alone, so a re-run renders the same comment.

Layout of `state.sections["terraform"]`:

    {"changes": [{"service", "kind", "requested", "commit_type", "stack", "status",
                  "summary", "before", "after", "vars_file", "plan_sha256", "plan_summary",
                  "blocked_by", "reasons", "verdict", "commit", "commit_url", "pushed",
                  "apply_summary", "error"}, ...]}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from responder.changes.plan_document import UNKNOWN
from responder.model.changes import AppliedChange, ChangeRequest, PreparedChange
from responder.model.state import IssueState

SECTION = "terraform"
KEEP = 20  # records per issue; older ones are dropped
# A change in one of these states is never prepared again for the same request.
TERMINAL = ("applied", "unrecorded", "apply-failed")
CHANGES_KEPT = 10  # resource changes of a verdict kept in the state
ATTRIBUTES_KEPT = 6


@dataclass(frozen=True)
class ChangeRecord:
    service: str
    kind: str
    requested: str  # the value as requested
    commit_type: str
    stack: str
    # planned: checked and ready, not applied yet | applied: applied, committed and pushed |
    # unrecorded: applied, but the commit or push failed | apply-failed | blocked | no-op
    status: str
    summary: str = ""
    before: str | None = None
    after: str | None = None
    vars_file: str | None = None
    plan_sha256: str | None = None
    plan_summary: str = ""
    blocked_by: str = ""
    reasons: tuple[str, ...] = ()
    verdict: Mapping[str, Any] = field(default_factory=dict)
    commit: str | None = None
    commit_url: str | None = None
    pushed: bool = False
    apply_summary: str = ""
    error: str | None = None

    def matches(self, request: ChangeRequest) -> bool:
        return (self.service, self.kind, self.requested, self.commit_type) == (
            request.service, request.kind, request.value.strip(), request.commit_type)

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            if value in (None, "", (), {}, False) and spec.name not in ("service", "kind", "status"):
                continue
            out[spec.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> ChangeRecord | None:
        names = {spec.name for spec in fields(cls)}
        values = {key: value for key, value in raw.items() if key in names}
        if not all(isinstance(values.get(key), str) for key in ("service", "kind", "status")):
            return None
        values.setdefault("requested", "")
        values.setdefault("commit_type", "feat")
        values.setdefault("stack", "")
        values["reasons"] = tuple(str(r) for r in values.get("reasons") or ())
        if not isinstance(values.get("verdict") or {}, Mapping):
            values["verdict"] = {}
        try:
            return cls(**values)
        except TypeError:
            return None


def record_for(prepared: PreparedChange, applied: AppliedChange | None = None) -> ChangeRecord:
    request = prepared.request
    status = {"ready": "planned", "no-op": "no-op"}.get(prepared.outcome, "blocked")
    record = ChangeRecord(
        service=request.service,
        kind=request.kind,
        requested=request.value.strip(),
        commit_type=request.commit_type,
        stack=prepared.stack,
        status=status,
        summary=prepared.summary,
        before=prepared.before,
        after=prepared.after,
        vars_file=prepared.vars_file,
        plan_sha256=prepared.plan_sha256,
        plan_summary=prepared.plan_summary,
        blocked_by=prepared.blocked_by,
        reasons=tuple(prepared.reasons),
        verdict=compact_verdict(prepared.verdict),
    )
    if applied is None:
        return record
    status = "apply-failed" if not applied.ok else "applied" if applied.recorded else "unrecorded"
    return replace(record, status=status, commit=applied.commit, commit_url=applied.commit_url,
                   pushed=applied.pushed, apply_summary=applied.summary, error=applied.error)


def compact_verdict(verdict: Mapping[str, Any]) -> dict[str, Any]:
    """The verdict as kept in the state: bounded, whatever the size of the plan."""
    if not verdict:
        return {}
    changes = list(verdict.get("changes") or ())
    kept = []
    for change in changes[:CHANGES_KEPT]:
        entry = {key: change[key] for key in ("address", "action") if key in change}
        # Values only known after the apply say nothing a person can check: left out.
        attributes = [a for a in change.get("attributes") or () if a.get("after") != UNKNOWN][:ATTRIBUTES_KEPT]
        if attributes:
            entry["attributes"] = attributes
        kept.append(entry)
    out: dict[str, Any] = {key: verdict[key] for key in ("allowed", "outcome", "reasons", "notes", "counts")
                           if key in verdict}
    out["changes"] = kept
    if len(changes) > CHANGES_KEPT:
        out["more_changes"] = len(changes) - CHANGES_KEPT
    return out


def records(state: IssueState | None) -> tuple[ChangeRecord, ...]:
    if state is None:
        return ()
    section = state.sections.get(SECTION)
    if not isinstance(section, Mapping):
        return ()
    found = []
    for raw in section.get("changes") or ():
        record = ChangeRecord.from_json(raw) if isinstance(raw, Mapping) else None
        if record is not None:
            found.append(record)
    return tuple(found)


def find(state: IssueState | None, request: ChangeRequest) -> ChangeRecord | None:
    """The latest record of this exact request, if any."""
    for record in reversed(records(state)):
        if record.matches(request):
            return record
    return None


def with_record(state: IssueState | None, record: ChangeRecord) -> dict[str, Any]:
    """The state's sections with this record added (replacing an earlier one for the same request)."""
    sections = dict(state.sections) if state is not None else {}
    kept = [r for r in records(state) if (r.service, r.kind, r.requested, r.commit_type) != (
        record.service, record.kind, record.requested, record.commit_type)]
    kept.append(record)
    sections[SECTION] = {"changes": [r.to_json() for r in kept[-KEEP:]]}
    return sections
