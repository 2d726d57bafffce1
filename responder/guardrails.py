"""The guardrail policy and its verdict over a Terraform plan (`terraform show -json`).

Pure: the policy comes from the `guardrails` section of responder.yml, the
plan from terraform, and the verdict is data. A plan that cannot be read
(corrupt, truncated, not a plan, an unknown format version) is bad input
and never "allowed". Values Terraform marks sensitive never leave this
module: they are replaced by "(sensitive)" and handed to the redactor.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from itertools import islice
from pathlib import PurePosixPath
from typing import Any

from responder.errors import InputError

DEFAULT_PROTECTED_STACKS = ("vault", "dbaas", "traefik", "authentik", "kyverno")
# Persistent volumes and claims, databases, secrets, namespaces and storage buckets. Globs on the
# resource type; "helm_release:CHART" matches a Helm release by its chart, since the helm provider
# has one resource type for everything it installs.
DEFAULT_PROTECTED_RESOURCE_TYPES = (
    "kubernetes_persistent_volume", "kubernetes_persistent_volume_v1",
    "kubernetes_persistent_volume_claim", "kubernetes_persistent_volume_claim_v1",
    "kubernetes_secret", "kubernetes_secret_v1", "kubernetes_namespace", "kubernetes_namespace_v1",
    "helm_release:*postgres*", "helm_release:cloudnative-pg", "helm_release:*mysql*", "helm_release:*mariadb*",
    "helm_release:*mongodb*", "helm_release:*redis*", "helm_release:*minio*", "helm_release:vault",
    "helm_release:*sealed-secrets*", "helm_release:*external-secrets*",
    "aws_db_*", "aws_rds_*", "aws_dynamodb_table", "aws_docdb_*", "aws_neptune_*", "aws_redshift_cluster",
    "aws_elasticache_*", "aws_s3_bucket", "aws_s3_bucket_*", "aws_ebs_volume", "aws_efs_file_system",
    "aws_secretsmanager_secret", "aws_secretsmanager_secret_version", "aws_ssm_parameter", "aws_kms_key",
    "google_sql_*", "google_spanner_*", "google_bigtable_*", "google_bigquery_dataset", "google_bigquery_table",
    "google_firestore_database", "google_storage_bucket", "google_storage_bucket_object", "google_compute_disk",
    "google_compute_region_disk", "google_filestore_instance", "google_secret_manager_secret",
    "google_secret_manager_secret_version", "google_kms_*", "google_project",
    "azurerm_mssql_*", "azurerm_postgresql_*", "azurerm_mysql_*", "azurerm_mariadb_*", "azurerm_cosmosdb_*",
    "azurerm_storage_account", "azurerm_storage_container", "azurerm_storage_share", "azurerm_storage_blob",
    "azurerm_managed_disk", "azurerm_key_vault", "azurerm_key_vault_secret", "azurerm_key_vault_key",
    "azurerm_resource_group",
)
DEFAULT_MAX_CHANGES = 5
SUPPORTED_FORMAT_MAJOR = "1"
SENSITIVE = "(sensitive)"
UNKNOWN = "(known after apply)"
# Bounds on what the verdict repeats of a plan, so a huge plan gives a readable verdict.
ATTRIBUTES_PER_CHANGE = 12
VALUE_CHARS = 80
ADDRESSES_IN_A_REASON = 5
MASK_MIN_CHARS = 8  # as the redactor: shorter values would hide ordinary numbers and words

# What an `actions` list means. Anything else is unknown, and unknown is refused.
_ACTIONS = {
    ("no-op",): "no-op",
    ("create",): "create",
    ("read",): "read",
    ("update",): "update",
    ("delete",): "delete",
    ("delete", "create"): "replace",
    ("create", "delete"): "replace",
    ("forget",): "forget",
}
COUNTED = ("create", "update", "delete", "replace", "no_op", "read", "forget")


class PlanError(InputError):
    """The plan JSON cannot be read as a Terraform plan: bad input, never allowed."""


@dataclass(frozen=True)
class Policy:
    protected_stacks: tuple[str, ...] = DEFAULT_PROTECTED_STACKS
    protected_resource_types: tuple[str, ...] = DEFAULT_PROTECTED_RESOURCE_TYPES
    max_changes: int = DEFAULT_MAX_CHANGES

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> Policy:
        """From the (schema-validated) `guardrails` section; absent keys keep the defaults."""
        return cls(
            protected_stacks=tuple(section.get("protected_stacks", DEFAULT_PROTECTED_STACKS)),
            protected_resource_types=tuple(section.get("protected_resource_types",
                                                       DEFAULT_PROTECTED_RESOURCE_TYPES)),
            max_changes=int(section.get("max_changes", DEFAULT_MAX_CHANGES)),
        )

    def protected_stack(self, stack: str) -> str | None:
        """The protected name matching any directory of the stack's path, if one does."""
        for part in PurePosixPath(stack.replace("\\", "/")).parts:
            for pattern in self.protected_stacks:
                if fnmatchcase(part.lower(), pattern.lower()):
                    return pattern
        return None

    def protected_type(self, change: ResourceChange) -> str | None:
        for pattern in self.protected_resource_types:
            kind, _, chart = pattern.partition(":")
            if not fnmatchcase(change.type, kind):
                continue
            if not chart:
                return pattern
            if any(fnmatchcase(name.lower(), chart.lower()) for name in change.charts):
                return pattern
        return None


# ---------------------------------------------------------------- the plan, read


@dataclass(frozen=True)
class AttributeChange:
    path: str  # input.replicas
    before: str  # rendered JSON, "(sensitive)" or "(known after apply)"
    after: str


@dataclass(frozen=True)
class ResourceChange:
    address: str
    type: str
    mode: str
    actions: tuple[str, ...]
    action: str  # create | update | delete | replace | no-op | read | forget | unknown
    attributes: tuple[AttributeChange, ...] = ()
    replace_paths: tuple[str, ...] = ()
    charts: tuple[str, ...] = ()  # helm_release only: the chart before and after

    @property
    def changes_something(self) -> bool:
        return self.action not in ("no-op", "read")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"address": self.address, "type": self.type, "action": self.action,
                               "actions": list(self.actions)}
        if self.attributes:
            out["attributes"] = [{"path": a.path, "before": a.before, "after": a.after} for a in self.attributes]
        if self.replace_paths:
            out["replace_paths"] = list(self.replace_paths)
        return out


@dataclass(frozen=True)
class OutputChange:
    name: str
    action: str
    sensitive: bool

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "action": self.action, "sensitive": self.sensitive}


@dataclass(frozen=True)
class PlanDocument:
    format_version: str
    terraform_version: str
    resources: tuple[ResourceChange, ...]  # every entry of resource_changes, no-ops included
    drift: tuple[ResourceChange, ...] = ()
    outputs: tuple[OutputChange, ...] = ()
    errored: bool = False
    complete: bool = True
    applyable: bool | None = None
    # Values Terraform marks sensitive, for the redactor; never rendered.
    sensitive_values: frozenset[str] = field(default_factory=frozenset, repr=False)


def parse_plan(data: bytes | str) -> PlanDocument:
    """Read `terraform show -json PLAN` output; raises PlanError for anything that is not a readable plan."""
    try:
        raw = json.loads(data)
    except ValueError as exc:
        raise PlanError(f"the plan is not valid JSON (corrupt or truncated?): {exc}") from None
    if not isinstance(raw, dict):
        raise PlanError("the plan JSON is not an object")
    version = raw.get("format_version")
    if not isinstance(version, str) or not version:
        raise PlanError("the plan JSON has no format_version: is it `terraform show -json PLANFILE` output?")
    if version.split(".")[0] != SUPPORTED_FORMAT_MAJOR:
        raise PlanError(f"plan format_version {version} is not supported (this responder reads 1.x)")
    if "planned_values" not in raw and "resource_changes" not in raw:
        raise PlanError("the JSON is not a plan (no planned_values or resource_changes): a state file?")
    changes, drifted = _list(raw, "resource_changes"), _list(raw, "resource_drift")
    output_changes = _mapping(raw, "output_changes")
    # Every sensitive value first, so no rendered value can carry one (see _Renderer).
    secrets: set[str] = set()
    for entry in (*changes, *drifted):
        change = entry.get("change") if isinstance(entry, dict) else None
        if isinstance(change, dict):
            _collect_sensitive(change.get("before"), change.get("before_sensitive", False), secrets)
            _collect_sensitive(change.get("after"), change.get("after_sensitive", False), secrets)
    for entry in output_changes.values():
        if isinstance(entry, dict):
            _collect_sensitive(entry.get("before"), entry.get("before_sensitive", False), secrets)
            _collect_sensitive(entry.get("after"), entry.get("after_sensitive", False), secrets)
    _sensitive_variables(raw, secrets)
    _sensitive_state_outputs(raw, secrets)
    render = _Renderer(secrets)
    resources = tuple(_resource(entry, f"resource_changes[{i}]", render) for i, entry in enumerate(changes))
    drift = tuple(_resource(entry, f"resource_drift[{i}]", render) for i, entry in enumerate(drifted))
    outputs = tuple(_output(name, entry) for name, entry in output_changes.items())
    for key in ("errored", "complete", "applyable"):
        if key in raw and not isinstance(raw[key], bool):
            raise PlanError(f"the plan's {key} is not true or false")
    return PlanDocument(
        format_version=version,
        terraform_version=str(raw.get("terraform_version") or "unknown"),
        resources=resources,
        drift=drift,
        outputs=outputs,
        errored=raw.get("errored", False),
        complete=raw.get("complete", True),
        applyable=raw.get("applyable"),
        sensitive_values=frozenset(secrets),
    )


def _list(raw: Mapping[str, Any], key: str) -> list[Any]:
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise PlanError(f"the plan's {key} is not a list")
    return value


def _mapping(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PlanError(f"the plan's {key} is not an object")
    return value


class _Renderer:
    """A value as short JSON text, or "(sensitive)" when it holds a sensitive value anywhere.

    Some resources copy a sensitive input into an unmarked attribute (terraform_data's output
    does, and terraform then prints it in clear), so masks alone are not enough. The check runs
    on the full text, before truncation. Values shorter than the redactor's minimum are left
    alone, or every "2" in a plan would vanish.
    """

    def __init__(self, secrets: set[str]) -> None:
        self.secrets = [secret for secret in secrets if len(secret) >= MASK_MIN_CHARS]

    def __call__(self, value: Any) -> str:
        if value is None:
            return "null"
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        if any(secret in text for secret in self.secrets):
            return SENSITIVE
        return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


def _resource(entry: Any, where: str, render: _Renderer) -> ResourceChange:
    if not isinstance(entry, dict):
        raise PlanError(f"{where} is not an object")
    address, kind = entry.get("address"), entry.get("type")
    change = entry.get("change")
    if not isinstance(address, str) or not isinstance(kind, str) or not isinstance(change, dict):
        raise PlanError(f"{where} lacks address, type or change")
    actions = change.get("actions")
    if not isinstance(actions, list) or not actions or not all(isinstance(a, str) for a in actions):
        raise PlanError(f"{where}.change.actions is not a list of actions")
    before, after = change.get("before"), change.get("after")
    masks = (change.get("before_sensitive", False), change.get("after_sensitive", False))
    action = _ACTIONS.get(tuple(actions), "unknown")
    attributes: tuple[AttributeChange, ...] = ()
    if action not in ("no-op", "read"):
        attributes = tuple(islice(_attribute_changes(render, before, after, masks[0], masks[1],
                                                     change.get("after_unknown", False)), ATTRIBUTES_PER_CHANGE))
    replace_paths = tuple(".".join(str(p) for p in path) if isinstance(path, list) else str(path)
                          for path in change.get("replace_paths") or ())
    charts: tuple[str, ...] = ()
    if kind == "helm_release":
        charts = tuple({str(side["chart"]) for side in (before, after)
                        if isinstance(side, dict) and isinstance(side.get("chart"), str)})
    return ResourceChange(
        address=address,
        type=kind,
        mode=str(entry.get("mode") or "managed"),
        actions=tuple(actions),
        action=action,
        attributes=attributes,
        replace_paths=replace_paths,
        charts=charts,
    )


def _output(name: str, entry: Any) -> OutputChange:
    if not isinstance(entry, dict) or not isinstance(entry.get("actions"), list):
        raise PlanError(f"output_changes.{name} lacks actions")
    sensitive = bool(entry.get("before_sensitive")) or bool(entry.get("after_sensitive"))
    return OutputChange(name, _ACTIONS.get(tuple(entry["actions"]), "unknown"), sensitive)


def _sensitive_variables(raw: Mapping[str, Any], secrets: set[str]) -> None:
    # The plan repeats every variable's value in clear; the configuration says which are sensitive.
    declared = ((raw.get("configuration") or {}).get("root_module") or {}).get("variables") or {}
    values = raw.get("variables") or {}
    if not isinstance(declared, dict) or not isinstance(values, dict):
        return
    for name, spec in declared.items():
        if isinstance(spec, dict) and spec.get("sensitive") and isinstance(values.get(name), dict):
            _collect_sensitive(values[name].get("value"), True, secrets)


def _sensitive_state_outputs(raw: Mapping[str, Any], secrets: set[str]) -> None:
    outputs = (((raw.get("prior_state") or {}).get("values") or {}).get("outputs")) or {}
    if isinstance(outputs, dict):
        for entry in outputs.values():
            if isinstance(entry, dict) and entry.get("sensitive"):
                _collect_sensitive(entry.get("value"), True, secrets)


def _collect_sensitive(value: Any, mask: Any, secrets: set[str]) -> None:
    if mask is True:
        for leaf in _leaves(value):
            secrets.add(leaf)
    elif isinstance(mask, dict) and isinstance(value, dict):
        for key, sub in mask.items():
            _collect_sensitive(value.get(key), sub, secrets)
    elif isinstance(mask, list) and isinstance(value, list):
        for sub_value, sub_mask in zip(value, mask, strict=False):
            _collect_sensitive(sub_value, sub_mask, secrets)


def _leaves(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for sub in value.values():
            yield from _leaves(sub)
    elif isinstance(value, list):
        for sub in value:
            yield from _leaves(sub)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


def _attribute_changes(render: _Renderer, before: Any, after: Any, before_mask: Any, after_mask: Any, unknown: Any,
                       path: str = "") -> Iterator[AttributeChange]:
    hidden = _any_true(before_mask) or _any_true(after_mask)
    if unknown is True:
        yield AttributeChange(path or "(resource)", SENSITIVE if hidden else render(before), UNKNOWN)
        return
    objects = isinstance(before, dict | None) and isinstance(after, dict | None) and (before, after) != (None, None)
    if objects and before_mask is not True and after_mask is not True:
        before, after = before or {}, after or {}
        for key in _keys(before, after):
            yield from _attribute_changes(
                render, before.get(key), after.get(key), _sub(before_mask, key), _sub(after_mask, key),
                _sub(unknown, key), f"{path}.{key}" if path else key)
        return
    if before == after and not _any_true(unknown):
        return
    if hidden:
        yield AttributeChange(path or "(resource)", SENSITIVE, SENSITIVE)
    else:
        yield AttributeChange(path or "(resource)", render(before),
                              UNKNOWN if _any_true(unknown) else render(after))


def _keys(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    keys = dict.fromkeys(after)
    keys.update(dict.fromkeys(before))
    return list(keys)


def _sub(mask: Any, key: str) -> Any:
    return mask.get(key, False) if isinstance(mask, dict) else mask


def _any_true(mask: Any) -> bool:
    if mask is True:
        return True
    if isinstance(mask, dict):
        return any(_any_true(sub) for sub in mask.values())
    if isinstance(mask, list):
        return any(_any_true(sub) for sub in mask)
    return False


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

    def to_json(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "outcome": self.outcome,
            "stack": self.stack,
            "reasons": list(self.reasons),
            "notes": list(self.notes),
            "counts": dict(self.counts),
            "changes": [change.to_json() for change in self.changes],
            "drift": [change.to_json() for change in self.drift],
            "outputs": [output.to_json() for output in self.outputs],
            "terraform_version": self.terraform_version,
            "format_version": self.format_version,
        }


def evaluate(plan: PlanDocument, policy: Policy, stack: str | None = None) -> Verdict:
    counts = dict.fromkeys(COUNTED, 0)
    changed: list[ResourceChange] = []
    unknown: list[ResourceChange] = []
    for resource in plan.resources:
        if resource.action == "unknown":
            unknown.append(resource)
        else:
            counts[resource.action.replace("-", "_")] += 1
        if resource.changes_something:
            changed.append(resource)

    blocked: list[str] = []
    if stack is not None and (pattern := policy.protected_stack(stack)):
        blocked.append(f"stack {stack} is protected (guardrails.protected_stacks: {pattern}): "
                       "changes there always need a person")
    if plan.errored:
        blocked.append("terraform reported errors while planning: the plan is incomplete")
    if not plan.complete:
        blocked.append("the plan is incomplete (terraform deferred some changes to a later plan)")
    if changed and plan.applyable is False:
        blocked.append("terraform says this plan cannot be applied")
    by_action = {"delete": "delete", "replace": "replace (destroy and re-create)",
                 "forget": "remove from the state without destroying"}
    for action, words in by_action.items():
        hits = [r for r in changed if r.action == action]
        if hits:
            blocked.append(f"the plan would {words} {_count(len(hits), 'resource')}: {_addresses(hits)}")
    if unknown:
        blocked.append(f"the plan has actions this responder does not know ({_actions(unknown)}): "
                       f"{_addresses(unknown)}")
    protected = [(r, p) for r in changed if (p := policy.protected_type(r))]
    if protected:
        blocked.append(f"the plan changes {_count(len(protected), 'resource')} of a protected type "
                       f"(guardrails.protected_resource_types): "
                       + _join(f"{r.address} ({p})" for r, p in protected))
    if len(changed) > policy.max_changes:
        blocked.append(f"the plan changes {len(changed)} resources, more than guardrails.max_changes "
                       f"({policy.max_changes})")

    touched = {r.address for r in changed}
    drift = tuple(r for r in plan.drift if r.action not in ("no-op", "read"))
    untouched = [r for r in drift if r.address not in touched]
    notes = []
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
        if stack is not None:
            reasons.append(f"stack {stack} is not protected")
    return Verdict(
        allowed=outcome == "ready",
        outcome=outcome,
        reasons=tuple(reasons),
        counts=counts,
        changes=tuple(changed),
        drift=drift,
        outputs=plan.outputs,
        notes=tuple(notes),
        stack=stack,
        terraform_version=plan.terraform_version,
        format_version=plan.format_version,
    )


def stack_verdict(stack: str, policy: Policy) -> Verdict | None:
    """The verdict for a protected stack, decided before any plan runs; None when it is not protected."""
    pattern = policy.protected_stack(stack)
    if pattern is None:
        return None
    return Verdict(
        allowed=False,
        outcome="blocked",
        reasons=(f"stack {stack} is protected (guardrails.protected_stacks: {pattern}): "
                 "changes there always need a person",),
        counts=dict.fromkeys(COUNTED, 0),
        stack=stack,
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
