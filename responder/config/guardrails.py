"""The `guardrails` section of responder.yml: the policy every Terraform change is held to, and how
terraform and git are run.

Pure data, read once when the config is loaded. The policy's rules about names (which stacks and
services are protected) live here; its verdict over a plan is `responder.changes.guardrails.evaluate`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

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
DEFAULT_BINARY = "terraform"
DEFAULT_LOCK_TIMEOUT = "60s"
DEFAULT_TIMEOUT = "15m"


class Located(Protocol):
    """A path that may go by several names (changes.repository_paths.RepositoryPath is one)."""

    @property
    def names(self) -> tuple[str, ...]: ...


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

    def protected_stack(self, stack: str | Located) -> str | None:
        """The protected name matching any directory of the stack's path, if one does.

        A located path is matched by every name it goes by: as written, and where its
        symbolic links really lead.
        """
        names = (stack,) if isinstance(stack, str) else stack.names
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


@dataclass(frozen=True)
class GitSettings:
    """Where the commit recording each change goes (`guardrails.git`)."""

    remote: str = "origin"
    branch: str | None = None  # default: the checked-out branch
    push: bool = True


@dataclass(frozen=True)
class GuardrailSettings:
    """The whole `guardrails` section: the policy, and how terraform and git are run."""

    policy: Policy = Policy()
    binary: str = DEFAULT_BINARY
    lock_timeout: str = DEFAULT_LOCK_TIMEOUT  # terraform's -lock-timeout, and the wait for the stack lock
    timeout: str = DEFAULT_TIMEOUT  # any one terraform command
    refuse_pending_changes: bool = True
    lock_dir: Path | None = None  # resolved against the directory of responder.yml
    git: GitSettings = field(default_factory=GitSettings)


def build_guardrails(section: Mapping[str, Any], root: Path) -> GuardrailSettings:
    """From the (schema-validated) `guardrails` section; `root` is the directory holding responder.yml."""
    git = section.get("git") or {}
    lock_dir = section.get("lock_dir")
    return GuardrailSettings(
        policy=Policy.from_section(section),
        binary=str(section.get("binary") or DEFAULT_BINARY),
        lock_timeout=str(section.get("lock_timeout", DEFAULT_LOCK_TIMEOUT)),
        timeout=str(section.get("timeout", DEFAULT_TIMEOUT)),
        refuse_pending_changes=bool(section.get("refuse_pending_changes", True)),
        lock_dir=(root / lock_dir) if lock_dir else None,
        git=GitSettings(remote=str(git.get("remote", "origin")), branch=git.get("branch"),
                        push=bool(git.get("push", True))),
    )
