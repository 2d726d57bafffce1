"""The guardrail policy and its verdict over a Terraform plan.

Pure: the policy is the `guardrails` section of responder.yml
(`responder.config.guardrails.Policy`), the plan comes from
`plan_document.parse_plan`, and the verdict is data: allowed or refused,
with the reasons. The default policy refuses any delete or
replace, anything it does not understand, protected stacks and resource
types, and more than `max_changes` changed resources.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

import msgspec

from responder.changes.plan_document import OutputChange, PlanDocument, ResourceChange
from responder.changes.repository_paths import RepositoryPath
from responder.config.guardrails import Policy

# Counted by action; "import" and "move" count imports and moved blocks besides their action.
COUNTED = ("create", "update", "delete", "replace", "no_op", "read", "forget", "import", "move")
# A chart reference's version and archive suffix: postgresql-12.1.0.tgz -> postgresql.
_CHART_VERSION = re.compile(r"(-v?[0-9]+\.[0-9]+\.[0-9]+[^/]*)?(\.tgz|\.tar\.gz)?$")
ADDRESSES_IN_A_REASON = 5
_WILDCARD = re.compile(r"[*?\[]")


class ResourceRules:
    """The policy's rules about resources (types, Helm charts, manifest kinds), over one plan's changes."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        # (type glob, chart glob or None, the entry): the default list has 85 entries, and compiling each
        # one up front took longer than judging a small plan.
        self._type_rules: list[tuple[str, str | None, str]] = []
        for entry in policy.protected_resource_types:
            kind, _, chart = entry.partition(":")
            self._type_rules.append((kind, chart.lower() if chart else None, entry))
        self._type_matches: dict[tuple[str, tuple[str, ...]], str | None] = {}  # plans repeat a handful of types

    def protected_type(self, change: ResourceChange) -> str | None:
        """The protected_resource_types entry this change's type (or Helm chart) matches, if any.

        A moved resource is matched by the type it had before too.
        """
        for kind in change.types:
            key = (kind, change.charts)
            if key not in self._type_matches:
                self._type_matches[key] = self._match_type(kind, change.charts)
            if self._type_matches[key] is not None:
                return self._type_matches[key]
        return None

    def protected_kind(self, change: ResourceChange) -> str | None:
        """The protected_manifest_kinds entry a Kubernetes manifest's kind matches, if any."""
        for kind in change.manifest_kinds:
            for pattern in self.policy.protected_manifest_kinds:
                if fnmatchcase(kind.lower(), pattern.lower()):
                    return pattern
        return None

    def unseen(self, change: ResourceChange) -> str | None:
        """Why the policy cannot judge this change: what it installs is only known after apply."""
        if "chart" in change.hidden and any(chart is not None and _glob(kind, rule)
                                            for kind in change.types for rule, chart, _ in self._type_rules):
            return "chart"
        if "manifest.kind" in change.hidden and self.policy.protected_manifest_kinds:
            return "manifest kind"
        return None

    def _match_type(self, kind: str, charts: tuple[str, ...]) -> str | None:
        names = {name for chart in charts for name in _chart_names(chart)}
        for type_pattern, chart_pattern, entry in self._type_rules:
            if not _glob(kind, type_pattern):
                continue
            if chart_pattern is None or any(_glob(name, chart_pattern) for name in names):
                return entry
        return None


def _glob(text: str, pattern: str) -> bool:
    """fnmatch's case-sensitive match, without compiling a pattern that has no wildcard."""
    return fnmatchcase(text, pattern) if _WILDCARD.search(pattern) else text == pattern


def _chart_names(chart: str) -> tuple[str, ...]:
    """Every name a chart reference goes by, lower-cased: "oci://ghcr.io/acme/charts/postgresql",
    "bitnami/postgresql" and "https://…/postgresql-12.1.0.tgz" are all "postgresql" too."""
    full = chart.lower().rstrip("/")
    last = full.rsplit("/", 1)[-1]
    return tuple(dict.fromkeys((full, last, _CHART_VERSION.sub("", last) or last)))


# ---------------------------------------------------------------- the verdict


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    outcome: str  # ready | no-op | blocked
    reasons: tuple[str, ...]  # why blocked; when allowed, the checks that passed
    counts: Mapping[str, int]
    changes: tuple[ResourceChange, ...] = ()  # resources the plan changes (no-ops and reads left out)
    drift: tuple[ResourceChange, ...] = ()
    outputs: tuple[OutputChange, ...] = ()
    notes: tuple[str, ...] = ()  # worth knowing, not blocking (drift)
    stack: str | None = None
    terraform_version: str = ""
    format_version: str = ""

    def shown(self) -> dict[str, Any]:
        """The verdict's JSON members, its changes and outputs as msgspec Structs (which encode as they are
        shown): the guard prints a 10,000-change verdict without building a dict for each change."""
        return {
            "allowed": self.allowed,
            "outcome": self.outcome,
            "stack": self.stack,
            "reasons": self.reasons,
            "notes": self.notes,
            "counts": self.counts,
            "changes": [change.shown() for change in self.changes],
            "drift": [change.shown() for change in self.drift],
            "outputs": self.outputs,
            "terraform_version": self.terraform_version,
            "format_version": self.format_version,
        }

    def to_json(self) -> dict[str, Any]:
        """The verdict as JSON values: exactly what `shown` encodes to (lists, not tuples)."""
        members: dict[str, Any] = msgspec.json.decode(msgspec.json.encode(self.shown()))
        return members


def evaluate(plan: PlanDocument, policy: Policy, stack: str | RepositoryPath | None = None,
             may_create: tuple[str, ...] = ()) -> Verdict:
    """The verdict over a plan. `may_create` names protected resource types (or Kubernetes manifest kinds)
    this one change may create, though never change or delete: a platform request's new namespace in the
    platform's own stack. Every other rule holds for them as for anything else."""
    shown = stack.shown if isinstance(stack, RepositoryPath) else stack
    rules = ResourceRules(policy)
    counts = dict.fromkeys(COUNTED, 0)
    by_action: dict[str, list[ResourceChange]] = {}
    for resource in plan.resources:  # one pass: a plan can have tens of thousands
        by_action.setdefault(resource.action, []).append(resource)
        if resource.importing or resource.previous_address is not None:
            counts["import"] += resource.importing
            counts["move"] += resource.moved
    unknown = by_action.get("unknown", [])
    for action, resources in by_action.items():
        if action != "unknown":
            counts[action.replace("-", "_")] += len(resources)
    changed = [resource for resource in plan.resources if resource.changes_something]

    blocked: list[str] = []
    if stack is not None and (pattern := policy.protected_stack(stack)):
        blocked.append(f"stack {shown} is protected (guardrails.protected_stacks: {pattern}): "
                       "changes there always need a person")
    if plan.errored:
        blocked.append("terraform reported errors while planning: the plan is incomplete")
    if plan.complete is False:
        blocked.append("the plan is incomplete (terraform deferred some changes to a later plan)")
    elif plan.complete is None and plan.applyable is not None:
        # Terraform writes `complete` next to `applyable` (1.8 and newer): one without the other was edited.
        blocked.append("the plan does not say whether it is complete, though terraform always does next to "
                       "applyable: it cannot be judged as it is")
    if plan.deferred:
        blocked.append(f"terraform deferred {_count(len(plan.deferred), 'change')} to a later plan "
                       f"({', '.join(sorted(set(plan.deferred_reasons)))}), so this plan is not all that would "
                       f"happen: {_addresses(plan.deferred)}")
    if changed and plan.applyable is False:
        blocked.append("terraform says this plan cannot be applied")
    for action, words in (("delete", "delete"), ("replace", "replace (destroy and re-create)"),
                          ("forget", "remove from the state without destroying")):
        if hits := by_action.get(action):  # each changes something
            blocked.append(f"the plan would {words} {_count(len(hits), 'resource')}: {_addresses(hits)}")
    if unknown:
        blocked.append(f"the plan has actions this responder does not know ({_actions(unknown)}): "
                       f"{_addresses(unknown)}")
    created = [r for r in changed if _may_create(r, may_create)]
    protected = [(r, p) for r in changed if r not in created and (p := rules.protected_type(r))]
    if protected:
        blocked.append(f"the plan changes {_count(len(protected), 'resource')} of a protected type "
                       f"(guardrails.protected_resource_types): "
                       + _join(f"{r.address} ({p})" for r, p in protected))
    kinds = [(r, p) for r in changed if r not in created and (p := rules.protected_kind(r))]
    if kinds:
        blocked.append(f"the plan changes {_count(len(kinds), 'Kubernetes manifest')} of a protected kind "
                       f"(guardrails.protected_manifest_kinds): " + _join(f"{r.address} ({p})" for r, p in kinds))
    unseen = [(r, what) for r in changed if (what := rules.unseen(r))]
    if unseen:
        blocked.append(f"what {_count(len(unseen), 'resource')} would install is only known after apply, so "
                       "the guardrails cannot check it: " + _join(f"{r.address} (its {what})" for r, what in unseen))
    if len(changed) > policy.max_changes:
        blocked.append(f"the plan changes {len(changed)} resources, more than guardrails.max_changes "
                       f"({policy.max_changes})")

    touched = {r.address for r in changed}
    drift = tuple(r for r in plan.drift if r.action not in ("no-op", "read"))
    untouched = [r for r in drift if r.address not in touched]
    notes = []
    imported, moved = [r for r in changed if r.importing], [r for r in changed if r.moved]
    if imported:
        notes.append(f"the plan imports {_count(len(imported), 'existing object')} into the state: "
                     f"{_addresses(imported)}")
    if moved:
        notes.append(f"the plan moves {_count(len(moved), 'resource')} to a new address: "
                     + _join(f"{r.previous_address} to {r.address}" for r in moved))
    allowed = [r for r in created if rules.protected_type(r) or rules.protected_kind(r)]
    if allowed:
        notes.append(f"the plan creates {_count(len(allowed), 'resource')} of a protected type this request may "
                     f"create (and never change or delete): {_addresses(allowed)}")
    if plan.masked_short_values:
        notes.append("values were masked: the plan has very short sensitive values, and every value that contains "
                     "one reads (sensitive), so some ordinary values read (sensitive) too")
    if untouched:
        notes.append(f"{_count(len(untouched), 'resource')} changed outside Terraform and "
                     f"{'is' if len(untouched) == 1 else 'are'} not part of this change: {_addresses(untouched)}")
    if blocked:
        outcome, reasons = "blocked", blocked
    elif not changed:
        outcome, reasons = "no-op", ["the plan changes nothing: there is nothing to apply"]
    else:
        outcome = "ready"
        reasons = [
            "no resource would be deleted or replaced",
            f"{_count(len(changed), 'resource')} would change (at most {policy.max_changes})",
            "no resource of a protected type is touched",
        ]
        if any(r.manifest_kinds for r in changed):
            reasons.append("no Kubernetes manifest of a protected kind is touched")
        if stack is not None:
            reasons.append(f"stack {shown} is not protected")
    return Verdict(
        allowed=outcome == "ready",
        outcome=outcome,
        reasons=tuple(reasons),
        counts=counts,
        changes=tuple(changed),
        drift=drift,
        outputs=plan.outputs,
        notes=tuple(notes),
        stack=shown,
        terraform_version=plan.terraform_version,
        format_version=plan.format_version,
    )


def _may_create(change: ResourceChange, allowed: tuple[str, ...]) -> bool:
    """A create of a type (or manifest kind) the change may create; anything else about it is judged as usual."""
    if not allowed or change.action != "create":
        return False
    kinds = {kind.lower() for kind in allowed}
    named = [kind for kind in (*change.types, *change.manifest_kinds) if kind != "kubernetes_manifest"]
    return bool(named) and all(kind.lower() in kinds for kind in named)


def stack_verdict(stack: str | RepositoryPath, policy: Policy) -> Verdict | None:
    """The verdict for a protected stack, decided before any plan runs; None when it is not protected."""
    pattern = policy.protected_stack(stack)
    if pattern is None:
        return None
    shown = stack.shown if isinstance(stack, RepositoryPath) else stack
    return Verdict(
        allowed=False,
        outcome="blocked",
        reasons=(f"stack {shown} is protected (guardrails.protected_stacks: {pattern}): "
                 "changes there always need a person",),
        counts=dict.fromkeys(COUNTED, 0),
        stack=shown,
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _addresses(resources: Iterable[ResourceChange]) -> str:
    return _join(r.address for r in resources)


def _actions(resources: Iterable[ResourceChange]) -> str:
    return ", ".join(sorted({"+".join(r.actions) for r in resources}))


def _join(items: Iterable[str]) -> str:
    listed = list(items)
    shown = ", ".join(listed[:ADDRESSES_IN_A_REASON])
    more = len(listed) - ADDRESSES_IN_A_REASON
    return shown + (f" and {more} more" if more > 0 else "")
