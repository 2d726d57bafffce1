"""The remedy catalogue: each diagnosis gets one safe remedy with its reason code, or the reasons it has none."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from responder.config.guardrails import Policy
from responder.config.investigation import InvestigationSettings
from responder.config.loader import Config, Service, TerraformTarget
from responder.investigate.diagnosis import diagnose
from responder.investigate.remedies import RemedyChoice, choose, format_memory, parse_memory
from responder.model.cluster import parse_list
from tests.support.cluster_objects import NOW, SCENARIOS, SNAPSHOTS

SERVICE_OF = {s.name: s.service for s in SCENARIOS}


def choice(config: Config, snapshot: str, *, service: Service | None = None, writable: bool = True,
           settings: InvestigationSettings | None = None, guardrails: Policy | None = None) -> RemedyChoice:
    service = service or config.service(SERVICE_OF[snapshot])
    assert service is not None and service.kubernetes is not None
    view = parse_list(json.loads((SNAPSHOTS / f"{snapshot}.json").read_text()), snapshot)
    found = diagnose(view, service.kubernetes, NOW)
    return choose(found, service, settings or InvestigationSettings(), cluster_writable=writable,
                  guardrails=guardrails or Policy())


# snapshot -> the remedy's reason code, or the words of why a person is needed
EXPECTED = {
    "healthy": (None, "nothing in the cluster needs a remedy"),
    "oomkilled": ("raise-memory-limit", "OOMKilled at 1Gi → raise-memory-limit: raise the memory limit of nextcloud "
                                        "from 1Gi to 2Gi"),
    "crashloop-exit-0": (None, "a crash loop needs its logs read"),
    "crashloop-exit-1": (None, "exited with code 1, an application error"),
    "crashloop-exit-139": (None, "a crash loop needs its logs read"),
    "crashloop-exit-143": (None, "SIGTERM"),
    "image-pull-backoff": (None, "the image tag does not exist in the registry: the image reference or the pull "
                                 "secret has to be fixed in the stack"),
    "err-image-pull-auth": (None, "the image pull secret is missing or wrong"),
    "invalid-image-name": (None, "the image reference has to be fixed in the stack"),
    "pending-insufficient-cpu": (None, "scheduling needs capacity"),
    "pending-insufficient-memory": (None, "scheduling needs capacity"),
    "pending-taints": (None, "scheduling needs capacity, tolerations or storage"),
    "pending-unbound-pvc": (None, "PersistentVolumeClaim"),
    "quota-exceeded": (None, "raising a ResourceQuota or freeing capacity is a person's decision"),
    "config-missing-configmap": (None, "the missing ConfigMap or Secret has to be created or restored"),
    "config-missing-secret": (None, "Secret mailserver-credentials"),
    "not-ready": ("rollout-restart", "pods are running but not ready with no config error → rollout-restart: "
                                     "rollout restart of deployment/grafana in namespace monitoring"),
    "scaled-to-zero": ("restore-replicas", "scaled to 0 → restore-replicas: restore home-assistant to 1 replica "
                                           "(it had 1 before)"),
    "rollout-stuck": ("rollout-restart", "the rollout is stuck with no config error → rollout-restart"),
    "restarts-climbing": (None, "nothing in the cluster needs a remedy"),
    "node-not-ready": (None, "nodes are never repaired automatically"),
    "node-memory-pressure": (None, "a node is under resource pressure"),
    "node-disk-pressure": (None, "a node is under resource pressure"),
    "node-pid-pressure": (None, "a node is under resource pressure"),
    "evicted": (None, "nothing in the cluster needs a remedy"),
    "pvc-lost": (None, "a lost volume puts data at risk: restoring it is always a person's job"),
    "hpa-at-max": (None, "raising the autoscaler's maximum or the cluster's capacity is a person's decision"),
    "cronjob-failed": (None, "nothing in the cluster needs a remedy"),
    "ingress-no-endpoints": (None, "the Service's selector, port or the ingress's backend has to be fixed"),
    "rollout-crashloop": (None, "a crash loop needs its logs read"),
}


def test_every_snapshot_has_an_expected_remedy() -> None:
    assert sorted(EXPECTED) == sorted(SERVICE_OF)


@pytest.mark.parametrize("snapshot", sorted(EXPECTED))
def test_each_diagnosis_has_one_remedy_or_a_reason(example_config: Config, snapshot: str) -> None:
    code, words = EXPECTED[snapshot]
    result = choice(example_config, snapshot)
    assert (result.remedy.code if result.remedy else None) == code
    assert any(words in reason for reason in result.reasons), result.reasons


def test_oomkilled_doubles_the_limit_through_terraform_as_a_fix(example_config: Config) -> None:
    remedy = choice(example_config, "oomkilled").remedy
    assert remedy is not None and remedy.change is not None
    assert (remedy.change.service, remedy.change.kind, remedy.change.value, remedy.change.commit_type) == (
        "nextcloud", "memory_limit", "2Gi", "fix")


def with_limits(config: Config, name: str, **limits: object) -> Service:
    service = config.service(name)
    assert service is not None and service.terraform is not None
    return replace(service, terraform=replace(service.terraform, limits=limits))


@pytest.mark.parametrize(("limits", "value", "words"), [
    ({"memory_max": "1536Mi"}, "1536Mi", "to 1536Mi (the configured ceiling)"),
    ({"memory_max": "1Gi"}, None, "already at the configured ceiling 1Gi"),
    ({}, None, "no memory ceiling (terraform.limits.memory_max) is configured"),
])
def test_the_memory_limit_never_goes_above_the_ceiling(example_config: Config, limits: dict[str, object],
                                                       value: str | None, words: str) -> None:
    result = choice(example_config, "oomkilled", service=with_limits(example_config, "nextcloud", **limits))
    assert (result.remedy.change.value if result.remedy and result.remedy.change else None) == value
    assert any(words in reason for reason in result.reasons)


def test_a_terraform_remedy_needs_a_vars_file(example_config: Config) -> None:
    service = example_config.service("nextcloud")
    assert service is not None
    bare = replace(service, terraform=TerraformTarget(stack="stacks/nextcloud", vars_file=None))
    result = choice(example_config, "oomkilled", service=bare)
    assert result.remedy is None
    assert result.reasons == ("nextcloud has no terraform.vars_file in responder.yml, so its memory limit cannot be "
                              "raised through Terraform",)


def test_replicas_are_restored_within_the_configured_bounds(example_config: Config) -> None:
    service = with_limits(example_config, "home-assistant", replicas=[2, 3])
    remedy = choice(example_config, "scaled-to-zero", service=service).remedy
    assert remedy is not None and remedy.change is not None and remedy.change.value == "2"


@pytest.mark.parametrize(("settings", "writable", "words"), [
    (InvestigationSettings(rollout_restart=False), True, "rollout restarts are switched off "
                                                         "(investigation.rollout_restart: false)"),
    (InvestigationSettings(rollout_restart_exclude=("grafana",)), True,
     "grafana is protected (investigation.rollout_restart_exclude)"),
    (InvestigationSettings(), False, "the cluster was read from a snapshot, which cannot be changed"),
])
def test_a_rollout_restart_only_where_allowed(example_config: Config, settings: InvestigationSettings,
                                              writable: bool, words: str) -> None:
    result = choice(example_config, "not-ready", settings=settings, writable=writable)
    assert result.remedy is None
    assert words in result.reasons[0]


def test_protected_stacks_are_never_restarted(example_config: Config) -> None:
    service = example_config.service("grafana")
    assert service is not None and service.terraform is not None
    as_traefik = replace(service, terraform=replace(service.terraform, stack="stacks/traefik"))
    result = choice(example_config, "not-ready", service=as_traefik)
    assert result.remedy is None
    assert result.reasons == ("pods are running but not ready, but grafana is protected (its stack stacks/traefik "
                              "matches guardrails.protected_stacks: traefik): it is never restarted automatically",)


def kubernetes_only(config: Config, name: str) -> Service:
    """grafana's pods, under another name and with no Terraform stack to protect it."""
    service = config.service("grafana")
    assert service is not None
    return replace(service, name=name, terraform=None)


@pytest.mark.parametrize(("name", "guardrails", "why"), [
    ("vault", Policy(), "its name matches guardrails.protected_stacks: vault"),
    ("Authentik", Policy(), "its name matches guardrails.protected_stacks: authentik"),
    ("grafana", Policy(protected_stacks=("vault", "monitoring")),
     "its namespace monitoring matches guardrails.protected_stacks: monitoring"),
    ("grafana", Policy.from_section({"protected_services": ["graf*"]}), "guardrails.protected_services: graf*"),
])
def test_a_protected_service_without_a_stack_is_never_restarted(example_config: Config, name: str,
                                                                guardrails: Policy, why: str) -> None:
    # Before, only the Terraform stack protected a service: one with a kubernetes section alone was restarted.
    result = choice(example_config, "not-ready", service=kubernetes_only(example_config, name), guardrails=guardrails)
    assert result.remedy is None
    assert result.reasons == (f"pods are running but not ready, but {name} is protected ({why}): it is never "
                              "restarted automatically",)


def test_an_unprotected_service_without_a_stack_is_restarted(example_config: Config) -> None:
    result = choice(example_config, "not-ready", service=kubernetes_only(example_config, "dashboards"))
    assert result.remedy is not None and result.remedy.code == "rollout-restart"


@pytest.mark.parametrize(("text", "size"), [
    ("1Gi", 2**30), ("512Mi", 2**29), ("1.5Gi", 3 * 2**29), ("1G", 10**9), ("2048", 2048), (1073741824, 2**30),
    ("lots", None), (None, None), ("", None),
])
def test_memory_quantities(text: object, size: int | None) -> None:
    assert parse_memory(text) == size


@pytest.mark.parametrize(("size", "text"), [(2**31, "2Gi"), (3 * 2**29, "1536Mi"), (1000, "1000"), (2**40, "1Ti")])
def test_memory_is_written_in_the_largest_whole_unit(size: int, text: str) -> None:
    assert format_memory(size) == text
