"""The guardrail policy and its verdict over a Terraform plan.

Pure: the policy comes from the `guardrails` section of responder.yml, the
plan from `plan_document.parse_plan`, and the verdict is data: allowed or
refused, with the reasons. The default policy refuses any delete or
replace, anything it does not understand, protected stacks and resource
types, and more than `max_changes` changed resources.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase, translate
from functools import cached_property
from pathlib import PurePosixPath
from typing import Any

from responder.changes.plan_document import OutputChange, PlanDocument, ResourceChange
from responder.changes.repository_paths import RepositoryPath

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
    "helm_release:*sealed-secrets*", "helm_release:*external-secrets*", "helm_release:*cockroach*",
    "helm_release:*cassandra*", "helm_release:*scylla*", "helm_release:*clickhouse*", "helm_release:*couchdb*",
    "helm_release:*elasticsearch*", "helm_release:*opensearch*", "helm_release:*etcd*", "helm_release:*influxdb*",
    "helm_release:*neo4j*", "helm_release:*percona*", "helm_release:*timescale*", "helm_release:*valkey*",
    "helm_release:*keydb*", "helm_release:*mssql*",
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
# Kinds a kubernetes_manifest must not create, change or delete (globs, case-insensitive): the
# kubernetes provider's one resource type for any object.
DEFAULT_PROTECTED_MANIFEST_KINDS = ("Secret", "PersistentVolumeClaim", "PersistentVolume", "Namespace")
DEFAULT_MAX_CHANGES = 5
# Counted by action; "import" and "move" count imports and moved blocks besides their action.
COUNTED = ("create", "update", "delete", "replace", "no_op", "read", "forget", "import", "move")
# A chart reference's version and archive suffix: postgresql-12.1.0.tgz -> postgresql.
_CHART_VERSION = re.compile(r"(-v?[0-9]+\.[0-9]+\.[0-9]+[^/]*)?(\.tgz|\.tar\.gz)?$")
ADDRESSES_IN_A_REASON = 5


@dataclass(frozen=True)
class Policy:
    protected_stacks: tuple[str, ...] = DEFAULT_PROTECTED_STACKS
    protected_resource_types: tuple[str, ...] = DEFAULT_PROTECTED_RESOURCE_TYPES
    protected_manifest_kinds: tuple[str, ...] = DEFAULT_PROTECTED_MANIFEST_KINDS
    protected_services: tuple[str, ...] = ()
    max_changes: int = DEFAULT_MAX_CHANGES

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> Policy:
        """From the (schema-validated) `guardrails` section; absent keys keep the defaults."""
        return cls(
            protected_stacks=tuple(section.get("protected_stacks", DEFAULT_PROTECTED_STACKS)),
            protected_resource_types=tuple(section.get("protected_resource_types",
                                                       DEFAULT_PROTECTED_RESOURCE_TYPES)),
            protected_manifest_kinds=tuple(section.get("protected_manifest_kinds",
                                                       DEFAULT_PROTECTED_MANIFEST_KINDS)),
            protected_services=tuple(section.get("protected_services", ())),
            max_changes=int(section.get("max_changes", DEFAULT_MAX_CHANGES)),
        )

    def protected_stack(self, stack: str | RepositoryPath) -> str | None:
        """The protected name matching any directory of the stack's path, if one does.

        A located path is matched by every name it goes by: as written, and where its
        symbolic links really lead.
        """
        names = stack.names if isinstance(stack, RepositoryPath) else (stack,)
        for name in names:
            for part in PurePosixPath(name.replace("\\", "/")).parts:
                for pattern in self.protected_stacks:
                    if fnmatchcase(part.lower(), pattern.lower()):
                        return pattern
        return None

    def protected_service(self, name: str, namespaces: Iterable[str | None] = ()) -> str | None:
        """Why a service is protected by itself, whatever its stack, in words; None when it is not.

        Listed in protected_services, or named like a protected stack, or running in a namespace
        named like one: the vault service in namespace vault is vault, whichever stack deploys it.
        """
        for pattern in self.protected_services:
            if fnmatchcase(name.lower(), pattern.lower()):
                return f"guardrails.protected_services: {pattern}"
        for pattern in self.protected_stacks:
            if fnmatchcase(name.lower(), pattern.lower()):
                return f"its name matches guardrails.protected_stacks: {pattern}"
        for namespace in dict.fromkeys(ns for ns in namespaces if ns):
            for pattern in self.protected_stacks:
                if fnmatchcase(namespace.lower(), pattern.lower()):
                    return f"its namespace {namespace} matches guardrails.protected_stacks: {pattern}"
        return None

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
            for pattern in self.protected_manifest_kinds:
                if fnmatchcase(kind.lower(), pattern.lower()):
                    return pattern
        return None

    def unseen(self, change: ResourceChange) -> str | None:
        """Why the policy cannot judge this change: what it installs is only known after apply."""
        if "chart" in change.hidden and any(chart is not None and rule.match(kind)
                                            for kind in change.types for rule, chart, _ in self._type_rules):
            return "chart"
        if "manifest.kind" in change.hidden and self.protected_manifest_kinds:
            return "manifest kind"
        return None

    def _match_type(self, kind: str, charts: tuple[str, ...]) -> str | None:
        names = {name for chart in charts for name in _chart_names(chart)}
        for type_pattern, chart_pattern, entry in self._type_rules:
            if not type_pattern.match(kind):
                continue
            if chart_pattern is None or any(chart_pattern.match(name) for name in names):
                return entry
        return None

    @cached_property
    def _type_rules(self) -> list[tuple[re.Pattern[str], re.Pattern[str] | None, str]]:
        rules = []
        for entry in self.protected_resource_types:
            kind, _, chart = entry.partition(":")
            rules.append((re.compile(translate(kind)), re.compile(translate(chart.lower())) if chart else None,
                          entry))
        return rules

    @cached_property
    def _type_matches(self) -> dict[tuple[str, tuple[str, ...]], str | None]:
        return {}  # plans repeat a handful of types thousands of times


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


def evaluate(plan: PlanDocument, policy: Policy, stack: str | RepositoryPath | None = None) -> Verdict:
    shown = stack.shown if isinstance(stack, RepositoryPath) else stack
    counts = dict.fromkeys(COUNTED, 0)
    changed: list[ResourceChange] = []
    unknown: list[ResourceChange] = []
    for resource in plan.resources:
        if resource.action == "unknown":
            unknown.append(resource)
        else:
            counts[resource.action.replace("-", "_")] += 1
        counts["import"] += resource.importing
        counts["move"] += resource.moved
        if resource.changes_something:
            changed.append(resource)

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
    kinds = [(r, p) for r in changed if (p := policy.protected_kind(r))]
    if kinds:
        blocked.append(f"the plan changes {_count(len(kinds), 'Kubernetes manifest')} of a protected kind "
                       f"(guardrails.protected_manifest_kinds): " + _join(f"{r.address} ({p})" for r, p in kinds))
    unseen = [(r, what) for r in changed if (what := policy.unseen(r))]
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
