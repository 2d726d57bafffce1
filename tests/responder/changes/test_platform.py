"""Platform requests held to the limits and to what exists: one edit, or a refusal naming the rule."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from responder.changes.guardrails import evaluate
from responder.changes.plan_document import parse_plan
from responder.changes.platform import (
    NAMESPACE_TYPES,
    PlatformCheck,
    check,
    edit_refusal,
    read_inventory,
)
from responder.config.guardrails import Policy
from responder.config.loader import Config
from responder.model.changes import ABSENT, FileEdit
from responder.model.platform import DnsRecord, Inventory, Namespace, PlatformAsk, request_kind
from responder.model.quantities import parse_cpu, parse_memory

INVENTORY = Inventory(
    namespaces={"team-data": Namespace("team-data", {"cpu": "4", "memory": "8Gi", "pods": 30},
                                       {"vbarzin": "edit", "dana": "view"})},
    records=(DnsRecord("wiki.apps.acme-homelab.org", "CNAME", "ingress.acme-homelab.org"),))


def ask(kind: str, **fields: Any) -> PlatformAsk:
    found = request_kind(kind)
    assert found is not None
    return PlatformAsk(kind=found, requester="alice", reason="for the data team", **fields)


def checked(example_config: Config, kind: str, **fields: Any) -> PlatformCheck:
    return check(ask(kind, **fields), example_config, INVENTORY)


def test_a_new_namespace_gets_the_default_quota_and_its_requester_as_top_member(example_config: Config) -> None:
    result = checked(example_config, "new-namespace", namespace="team-a", cpu=parse_cpu("1"))
    assert result.ok
    assert result.edit == FileEdit(
        file="stacks/platform/platform.auto.tfvars.json", stack="stacks/platform", path=("namespaces", "team-a"),
        value={"quota": {"cpu": "1", "memory": "4Gi", "pods": 20}, "members": {"alice": "edit"}}, expected=ABSENT,
        summary="namespace team-a with quota cpu 1", may_create=NAMESPACE_TYPES)
    assert "alice (who asked) holds edit, so someone can manage access" in result.reasons


def test_members_given_the_top_role_need_no_one_else(example_config: Config) -> None:
    result = checked(example_config, "new-namespace", namespace="team-a", members=("dana", "lee"))
    assert result.edit is not None and result.edit.value["members"] == {"dana": "edit", "lee": "edit"}
    viewers = checked(example_config, "new-namespace", namespace="team-a", members=("lee",), role="view")
    assert viewers.edit is not None and viewers.edit.value["members"] == {"lee": "view", "alice": "edit"}


def test_a_quota_change_merges_into_the_current_quota(example_config: Config) -> None:
    result = checked(example_config, "quota", namespace="team-data", memory=parse_memory("12Gi"), pods=40)
    assert result.ok and result.edit is not None
    assert (result.edit.path, result.edit.value, result.edit.expected) == (
        ("namespaces", "team-data", "quota"), {"cpu": "4", "memory": "12Gi", "pods": 40},
        {"cpu": "4", "memory": "8Gi", "pods": 30})
    assert result.edit.summary == "change namespace team-data quota: memory from 8Gi to 12Gi, pods from 30 to 40"
    assert result.edit.may_create == ()  # only a new namespace may create one


def test_a_grant_and_a_revoke_edit_the_members_in_place(example_config: Config) -> None:
    grant = checked(example_config, "grant", namespace="team-data", members=("lee",), role="view")
    assert grant.edit is not None and grant.edit.value == {"vbarzin": "edit", "dana": "view", "lee": "view"}
    assert grant.edit.expected == {"vbarzin": "edit", "dana": "view"}
    revoke = checked(example_config, "revoke", namespace="team-data", members=("dana",))
    assert revoke.edit is not None and revoke.edit.value == {"vbarzin": "edit"}


def test_a_record_is_appended_after_the_existing_ones(example_config: Config) -> None:
    result = checked(example_config, "dns-record", record=DnsRecord("grafana.apps.acme-homelab.org", "A", "192.0.2.9"))
    assert result.edit is not None
    assert (result.edit.file, result.edit.path, result.edit.expected) == (
        "stacks/dns/dns.auto.tfvars.json", ("records", 1), ABSENT)


def test_a_monitor_is_a_new_service_at_the_end_of_the_catalogue(example_config: Config) -> None:
    result = checked(example_config, "monitor", url="https://team.apps.acme-homelab.org/", service_name="team",
                     title="Team site", tier="standard")
    assert result.edit == FileEdit(
        file="responder.yml", stack=None, path=("services", len(example_config.services)),
        value={"name": "team", "title": "Team site", "tier": "standard", "url": "https://team.apps.acme-homelab.org/"},
        expected=ABSENT, summary="monitor https://team.apps.acme-homelab.org/ as team")


@pytest.mark.parametrize(("kind", "fields", "problem", "reason"), [
    ("new-namespace", {"namespace": "vault"}, "out-of-bounds", "namespace vault is reserved"),
    ("grant", {"namespace": "kube-system", "members": ("dana",), "role": "view"}, "out-of-bounds",
     "namespace kube-system is reserved"),
    ("new-namespace", {"namespace": "ab"}, "out-of-bounds",
     "namespace name ab does not match the pattern ^[a-z][a-z0-9-]{2,30}$ (platform.namespaces.name_pattern)"),
    ("new-namespace", {"namespace": "team-data"}, "conflict", "namespace team-data already exists"),
    ("new-namespace", {"namespace": "team-a", "memory": parse_memory("17Gi")}, "out-of-bounds",
     "memory quota 17Gi is above the maximum of 16Gi (platform.namespaces.quota_max.memory: allowed up to 16Gi)"),
    ("new-namespace", {"namespace": "team-a", "pods": 51}, "out-of-bounds",
     "a pod limit of 51 is above the maximum of 50 (platform.namespaces.quota_max.pods: allowed 1 to 50)"),
    ("new-namespace", {"namespace": "team-a", "role": "admin"}, "out-of-bounds",
     "role admin is never granted by self-service"),
    ("quota", {"namespace": "team-b", "cpu": parse_cpu("1")}, "conflict",
     "namespace team-b is not one of the platform's namespaces"),
    ("quota", {"namespace": "team-data", "cpu": parse_cpu("9")}, "out-of-bounds", "cpu quota 9 is above the maximum"),
    ("grant", {"namespace": "team-data", "members": ("dana",), "role": "Cluster-Admin"}, "out-of-bounds",
     "role Cluster-Admin is never granted by self-service"),
    ("grant", {"namespace": "team-data", "members": ("dana",), "role": "maintainer"}, "out-of-bounds",
     "role maintainer is not grantable by self-service (platform.namespaces.roles: view, edit)"),
    ("grant", {"namespace": "team-data", "members": ("vbarzin",), "role": "view"}, "conflict",
     "namespace team-data would have nobody holding edit"),
    ("revoke", {"namespace": "team-data", "members": ("lee",)}, "conflict",
     "lee is not a member of namespace team-data: there is no access to revoke"),
    ("dns-record", {"record": DnsRecord("apps.acme-homelab.org", "A", "192.0.2.1")}, "out-of-bounds",
     "apps.acme-homelab.org is a zone's apex"),
    ("dns-record", {"record": DnsRecord("evil-apps.acme-homelab.org", "A", "192.0.2.1")}, "out-of-bounds",
     "evil-apps.acme-homelab.org is outside the zones"),
    ("dns-record", {"record": DnsRecord("wiki.apps.acme-homelab.org", "A", "192.0.2.1")}, "conflict",
     "wiki.apps.acme-homelab.org already has a record (CNAME ingress.acme-homelab.org)"),
    ("monitor", {"url": "https://x.org/", "service_name": "nextcloud", "title": "Cloud"}, "conflict",
     "the catalogue already has a service named nextcloud (Nextcloud)"),
    ("monitor", {"url": "https://x.org/", "service_name": "cloud", "title": "nextcloud"}, "conflict",
     "the catalogue already has a service titled Nextcloud (nextcloud): titles must differ"),
    ("monitor", {"url": "https://cloud.acme-homelab.org/status.php", "service_name": "cloud", "title": "Cloud"},
     "conflict", "https://cloud.acme-homelab.org/status.php is already monitored as nextcloud"),
    ("monitor", {"url": "https://x.org/", "service_name": "x", "title": "X", "tier": "critical"}, "out-of-bounds",
     "tier critical is not self-service (platform.monitors.tiers: standard, low)"),
])
def test_requests_out_of_bounds_or_at_odds_with_the_platform_are_refused(
        example_config: Config, kind: str, fields: dict[str, Any], problem: str, reason: str) -> None:
    result = checked(example_config, kind, **fields)
    assert (result.ok, result.problem, result.edit) == (False, problem, None)
    assert result.reasons[0].startswith(reason), result.reasons


def test_a_part_that_is_not_configured_or_unreadable_is_refused(example_config: Config) -> None:
    record = DnsRecord("a.apps.acme-homelab.org", "A", "192.0.2.1")
    assert example_config.platform is not None
    no_dns = replace(example_config, platform=replace(example_config.platform, dns=None))
    assert check(ask("dns-record", record=record), no_dns, INVENTORY).reasons == (
        "DNS records are not self-service here (responder.yml configures no platform.dns)",)
    broken = Inventory(problems={"namespaces": "the namespaces' vars file is not a JSON object"})
    result = check(ask("new-namespace", namespace="team-a"), example_config, broken)
    assert (result.problem, result.reasons) == ("not-configured", ("the namespaces' vars file is not a JSON object",))


def test_the_inventory_reads_both_vars_files() -> None:
    inventory = read_inventory('{"namespaces": {"a": {"quota": {"cpu": "1"}, "members": {"x": "view"}}}}',
                               '{"records": [{"name": "W.Apps.Example.org.", "type": "cname", "value": "y.org"}]}')
    assert inventory.namespaces == {"a": Namespace("a", {"cpu": "1"}, {"x": "view"})}
    assert inventory.records == (DnsRecord("w.apps.example.org", "CNAME", "y.org"),)
    assert read_inventory('{"namespaces": []}', "nope").problems == {
        "namespaces": "the namespaces' vars file sets 'namespaces' to something other than a map",
        "dns": "the DNS records' vars file is not a JSON object"}


def test_the_engine_makes_only_edits_of_the_platforms_own_files(example_config: Config) -> None:
    edit = FileEdit(file="stacks/nextcloud/nextcloud.auto.tfvars.json", stack="stacks/nextcloud", path=("x",),
                    value=1)
    assert edit_refusal(edit, example_config) == (
        "stacks/nextcloud/nextcloud.auto.tfvars.json is not a file platform requests may change (the platform's "
        "vars files in their stacks, or the catalogue in responder.yml)")
    assert edit_refusal(replace(edit, file="responder.yml", stack=None, path=("guardrails",)), example_config) == \
        "responder.yml is changed only by adding a service to its catalogue"
    assert edit_refusal(replace(edit, file="stacks/dns/dns.auto.tfvars.json", stack="stacks/platform"),
                        example_config) is not None  # a vars file only in the stack that reads it
    assert edit_refusal(replace(edit, file="stacks/platform/platform.auto.tfvars.json", stack="stacks/platform"),
                        example_config) is None


# ---------------------------------------------------------------- the guardrails' one allowance


def namespace_plan(kind: str, action: str = "create") -> str:
    """A real plan's shape for one Kubernetes namespace, created or changed (terraform's JSON, format 1.2)."""
    import json

    before = None if action == "create" else {"metadata": [{"name": "team-a"}]}
    after = {"metadata": [{"name": "team-a", "labels": {"team": "a"}}]}
    actions = {"create": ["create"], "update": ["update"], "replace": ["delete", "create"], "delete": ["delete"]}
    return json.dumps({
        "format_version": "1.2", "terraform_version": "1.11.4", "applyable": True, "complete": True, "errored": False,
        "resource_changes": [{
            "address": f'{kind}.team["team-a"]', "mode": "managed", "type": kind, "name": "team", "index": "team-a",
            "provider_name": "registry.terraform.io/hashicorp/kubernetes",
            "change": {"actions": actions[action], "before": before,
                       "after": None if action == "delete" else after, "after_unknown": {},
                       "before_sensitive": {} if before else False,
                       "after_sensitive": False if action == "delete" else {}},
        }],
    })


@pytest.mark.parametrize("kind", ["kubernetes_namespace_v1", "kubernetes_namespace"])
def test_a_new_namespace_may_be_created_by_its_own_request_only(kind: str) -> None:
    plan = parse_plan(namespace_plan(kind))
    assert evaluate(plan, Policy(), "stacks/platform").reasons == (
        f"the plan changes 1 resource of a protected type (guardrails.protected_resource_types): "
        f'{kind}.team["team-a"] ({kind})',)
    allowed = evaluate(plan, Policy(), "stacks/platform", NAMESPACE_TYPES)
    assert allowed.allowed is True
    assert allowed.notes == (f"the plan creates 1 resource of a protected type this request may create (and never "
                             f'change or delete): {kind}.team["team-a"]',)


@pytest.mark.parametrize("action", ["update", "replace", "delete"])
def test_a_namespace_is_never_changed_replaced_or_deleted_even_by_a_platform_request(action: str) -> None:
    verdict = evaluate(parse_plan(namespace_plan("kubernetes_namespace_v1", action)), Policy(), "stacks/platform",
                       NAMESPACE_TYPES)
    assert verdict.outcome == "blocked"
    assert any("protected type" in reason for reason in verdict.reasons)
