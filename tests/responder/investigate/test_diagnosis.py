"""Diagnosis over raw Kubernetes objects: every failure mode in examples/cluster/ gives the expected reason."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from responder.config.loader import Config, KubernetesTarget
from responder.investigate.diagnosis import Diagnosis, diagnose, explain_exit
from responder.model.cluster import parse_list
from tests.support.cluster_objects import NOW, SCENARIOS, SNAPSHOTS


def diagnosis_of(config: Config, snapshot: str, service: str, **kwargs: int) -> Diagnosis:
    view = parse_list(json.loads((SNAPSHOTS / f"{snapshot}.json").read_text()), snapshot)
    found = config.service(service)
    assert found is not None and found.kubernetes is not None
    return diagnose(view, found.kubernetes, NOW, **kwargs)


# snapshot, service, (code, status) of the most telling problem, words its detail must contain
EXPECTED = [
    ("oomkilled", "nextcloud", ("oom-killed", "fail"),
     "was killed for using more than its memory limit of 1Gi (OOMKilled, exit code 137), and has restarted 9 times "
     "(2 pods alike)."),
    ("crashloop-exit-0", "grafana", ("crash-loop", "fail"),
     "exited with code 0: the process ended on its own, but a long-running container must not"),
    ("crashloop-exit-1", "immich", ("crash-loop", "fail"), "exited with code 1, an application error"),
    ("crashloop-exit-139", "home-assistant", ("crash-loop", "fail"), "segmentation fault (SIGSEGV, exit code 139)"),
    ("crashloop-exit-143", "woodpecker", ("crash-loop", "fail"), "was stopped with SIGTERM (exit code 143)"),
    ("image-pull-backoff", "immich", ("image-pull", "fail"),
     "cannot pull its image ghcr.io/immich-app/immich-server:v1.999.0 (ImagePullBackOff): the image tag does not "
     "exist in the registry"),
    ("err-image-pull-auth", "home-assistant", ("image-pull", "fail"),
     "(ErrImagePull): the registry refused access: the image pull secret is missing or wrong"),
    ("invalid-image-name", "grafana", ("invalid-image-name", "fail"),
     "names an image that is not a valid reference: docker.io/grafana/grafana:."),
    ("pending-insufficient-cpu", "immich", ("pending", "fail"),
     "Pending and cannot be scheduled: no node has enough free CPU for its requests"),
    ("pending-insufficient-memory", "nextcloud", ("pending", "fail"), "no node has enough free memory"),
    ("pending-taints", "home-assistant", ("pending", "fail"), "carry taints it does not tolerate"),
    ("pending-unbound-pvc", "immich", ("pvc-pending", "fail"),
     'The PersistentVolumeClaim immich-library is Pending: no volume is bound to it: storageclass.storage.k8s.io '
     '"nfs-fast" not found.'),
    ("quota-exceeded", "grafana", ("quota-exceeded", "fail"), "the namespace's ResourceQuota monitoring-compute is "
                                                              "exceeded"),
    ("config-missing-configmap", "nextcloud", ("config-missing", "fail"),
     "the ConfigMap nextcloud-config it needs does not exist"),
    ("config-missing-secret", "mail", ("config-missing", "fail"),
     "the Secret mailserver-credentials it needs does not exist"),
    ("not-ready", "grafana", ("not-ready", "fail"),
     "is running but not ready for 9 min: its readiness probe is failing"),
    ("scaled-to-zero", "home-assistant", ("scaled-to-zero", "fail"), "scaled to 0 replicas"),
    ("rollout-stuck", "immich", ("rollout-stuck", "fail"),
     'The rollout is not progressing: ReplicaSet "immich-server-'),
    ("restarts-climbing", "nextcloud", ("restarts-climbing", "warn"),
     "has restarted 7 times; the last restart was 18 min ago: it exited with code 1"),
    ("node-not-ready", "nextcloud", ("node-not-ready", "fail"),
     "Node k8s-node2 is NotReady (NodeStatusUnknown). It runs pods of this service."),
    ("node-memory-pressure", "immich", ("node-pressure", "fail"), "Node k8s-node3 is under memory pressure"),
    ("node-disk-pressure", "immich", ("node-pressure", "fail"), "Node k8s-node3 is under disk pressure"),
    ("node-pid-pressure", "immich", ("node-pressure", "fail"), "Node k8s-node3 is under PID pressure"),
    ("evicted", "nextcloud", ("evicted", "warn"),
     "The pod was evicted from node k8s-node2 25 min ago: the node was low on memory; container nextcloud was "
     "using 1572864Ki against a request of 512Mi (2 pods alike)."),
    ("pvc-lost", "home-assistant", ("pvc-lost", "fail"),
     "The PersistentVolumeClaim home-assistant-config is Lost: its PersistentVolume pvc-"),
    ("hpa-at-max", "nextcloud", ("hpa-at-max", "fail"),
     "The autoscaler nextcloud is at its maximum of 4 replicas and CPU is at 96% of requests against a 70% target: "
     "it cannot add the capacity the load asks for."),
    ("cronjob-failed", "nextcloud", ("job-failed", "warn"),
     "CronJob nextcloud-cron: its latest Job nextcloud-cron-29924040 failed 7 min ago (BackoffLimitExceeded); the "
     "last success was 3 h 0 min ago."),
    ("ingress-no-endpoints", "grafana", ("ingress-no-endpoints", "fail"),
     "Ingress grafana routes grafana.acme-homelab.org/ to Service grafana, which has no endpoints at all, while the "
     "service's pods are ready: its selector or port matches none of them."),
    ("rollout-crashloop", "nextcloud", ("crash-loop", "fail"), "is crash-looping (7 restarts): it exited with code 1"),
]


def test_the_table_covers_every_snapshot() -> None:
    assert sorted(row[0] for row in EXPECTED) == sorted(s.name for s in SCENARIOS if s.name != "healthy")


@pytest.mark.parametrize(("snapshot", "service", "first", "words"), EXPECTED, ids=[row[0] for row in EXPECTED])
def test_each_failure_mode_is_named_with_its_reason(example_config: Config, snapshot: str, service: str,
                                                    first: tuple[str, str], words: str) -> None:
    found = diagnosis_of(example_config, snapshot, service)
    problem = found.problems[0]
    assert (problem.code, problem.status) == first
    assert words in problem.detail


def test_a_healthy_service_has_no_problem(example_config: Config) -> None:
    found = diagnosis_of(example_config, "healthy", "nextcloud")
    assert found.healthy and found.problems == ()
    assert (found.desired, found.available) == (2, 2)
    assert [pod.state for pod in found.pods] == ["Running", "Running"]


def test_pending_names_every_reason_the_scheduler_gave_most_nodes_first(example_config: Config) -> None:
    problem = diagnosis_of(example_config, "pending-insufficient-cpu", "immich").problems[0]
    # 2 nodes lack CPU, 1 is a tainted control plane: the CPU is what matters.
    assert problem.data["reasons"] == ["insufficient-cpu", "taints"]
    assert problem.data["reason"] == "insufficient-cpu"
    assert "FailedScheduling (x14): 0/3 nodes are available" in problem.evidence


def test_the_event_message_of_a_failed_pull_is_the_evidence(example_config: Config) -> None:
    problem = diagnosis_of(example_config, "image-pull-backoff", "immich").problems[0]
    assert 'Failed to pull image "ghcr.io/immich-app/immich-server:v1.999.0": rpc error: code = NotFound' in \
        problem.evidence


def test_a_missing_config_names_the_object(example_config: Config) -> None:
    problem = diagnosis_of(example_config, "config-missing-secret", "mail").problems[0]
    assert problem.data == {"kind": "Secret", "name": "mailserver-credentials"}
    assert problem.container == "mailserver"


def test_a_scaled_down_deployment_remembers_how_many_replicas_it_had(example_config: Config) -> None:
    problem = diagnosis_of(example_config, "scaled-to-zero", "home-assistant").problems[0]
    assert problem.data["restore_to"] == 1


def test_pods_on_a_node_that_is_not_ready_are_blamed_on_the_node(example_config: Config) -> None:
    found = diagnosis_of(example_config, "node-not-ready", "nextcloud")
    assert found.nodes_not_ready == ("k8s-node2",)
    not_ready = next(p for p in found.problems if p.code == "not-ready")
    assert not_ready.detail == "The container nextcloud is not ready for 14 min: its node k8s-node2 is NotReady."
    assert found.root_cause is not None and found.root_cause.code == "node-not-ready"


def test_restarts_only_count_as_climbing_above_the_threshold_and_within_the_hour(example_config: Config) -> None:
    assert diagnosis_of(example_config, "restarts-climbing", "nextcloud", restarts_climbing=8).problems == ()
    view = parse_list(json.loads((SNAPSHOTS / "restarts-climbing.json").read_text()), "s")
    target = example_config.service("nextcloud").kubernetes  # type: ignore[union-attr]
    assert target is not None
    assert diagnose(view, target, NOW + timedelta(hours=2)).problems == ()


def test_the_deployment_is_found_through_the_pods_when_its_name_differs(example_config: Config) -> None:
    # The catalogue says "woodpecker"; the Deployment is woodpecker-server (found through pod -> ReplicaSet).
    found = diagnosis_of(example_config, "crashloop-exit-143", "woodpecker")
    assert found.deployment == "woodpecker-server"
    assert found.found_deployment


def test_nothing_found_where_the_config_points(example_config: Config) -> None:
    view = parse_list(json.loads((SNAPSHOTS / "healthy.json").read_text()), "s")
    found = diagnose(view, KubernetesTarget("vault", "app=vault", "vault"), NOW)
    assert [p.code for p in found.problems] == ["nothing-found"]
    assert found.problems[0].detail == "No Deployment vault and no pods matching app=vault in namespace vault."


def test_selector_by_ownership_when_the_config_has_none(example_config: Config) -> None:
    service = example_config.service("nextcloud")
    assert service is not None and service.kubernetes is not None
    view = parse_list(json.loads((SNAPSHOTS / "oomkilled.json").read_text()), "s")
    found = diagnose(view, replace(service.kubernetes, selector=None), NOW)
    assert len(found.pods) == 2 and found.problems[0].code == "oom-killed"


@pytest.mark.parametrize(("code", "reason", "words"), [
    (0, "Completed", "exited with code 0: the process ended on its own"),
    (1, "Error", "exited with code 1, an application error"),
    (137, "Error", "was killed with SIGKILL (exit code 137)"),
    (137, "OOMKilled", "was killed for using more memory than its limit (OOMKilled, exit code 137)"),
    (139, "Error", "crashed with a segmentation fault (SIGSEGV, exit code 139)"),
    (143, "Error", "was stopped with SIGTERM (exit code 143)"),
    (130, "Error", "was stopped by signal 2 (exit code 130)"),
    (3, "Error", "exited with code 3, an application error"),
    (None, None, "stopped without an exit code"),
])
def test_exit_codes_are_explained(code: int | None, reason: str | None, words: str) -> None:
    assert words in explain_exit(code, reason)


def test_an_ingress_is_checked_only_for_the_services_host(example_config: Config) -> None:
    view = parse_list(json.loads((SNAPSHOTS / "ingress-no-endpoints.json").read_text()), "s")
    target = example_config.service("grafana").kubernetes  # type: ignore[union-attr]
    assert target is not None
    assert [p.code for p in diagnose(view, target, NOW, host="grafana.acme-homelab.org").problems] == [
        "ingress-no-endpoints"]
    data = json.loads((SNAPSHOTS / "ingress-no-endpoints.json").read_text())
    for item in data["items"]:
        if item["kind"] == "Ingress" and item["metadata"]["name"] == "grafana":
            other = json.loads(json.dumps(item))
            other["metadata"]["name"] = "prometheus"
            other["spec"]["rules"][0]["host"] = "prometheus.acme-homelab.org"
            other["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] = "prometheus"
    data["items"].append(other)
    two = parse_list(data, "s")
    assert [p.subject for p in diagnose(two, target, NOW, host="grafana.acme-homelab.org").problems] == [
        "ingress/grafana"]
    assert [p.subject for p in diagnose(two, target, NOW, host="prometheus.acme-homelab.org").problems] == [
        "ingress/prometheus"]
    # An address no ingress here serves (the probe goes in another way): every ingress of the namespace counts.
    assert len(diagnose(two, target, NOW, host="10.43.0.12").problems) == 2


def test_pods_that_are_not_ready_explain_an_ingress_without_endpoints(example_config: Config) -> None:
    # The readiness probe fails, so the endpoints are all "not ready": that is the pods' problem, said once.
    found = diagnosis_of(example_config, "not-ready", "grafana")
    assert "ingress-no-endpoints" not in [p.code for p in found.problems]


def test_evictions_with_nothing_left_serving_are_the_outage(example_config: Config) -> None:
    data = json.loads((SNAPSHOTS / "evicted.json").read_text())
    data["items"] = [item for item in data["items"] if not (
        item["kind"] == "Pod" and item["metadata"]["namespace"] == "nextcloud"
        and item["status"].get("reason") != "Evicted")]
    target = example_config.service("nextcloud").kubernetes  # type: ignore[union-attr]
    assert target is not None
    found = diagnose(parse_list(data, "s"), target, NOW)
    assert (found.problems[0].code, found.problems[0].status) == ("evicted", "fail")
    assert found.root_cause is not None and found.root_cause.code == "evicted"
    assert [pod.state for pod in found.pods] == ["Evicted", "Evicted"]


def test_a_service_that_is_a_cronjob_fails_with_its_job(example_config: Config) -> None:
    target = KubernetesTarget("nextcloud", None, "nextcloud-cron")
    failing = diagnose(parse_list(json.loads((SNAPSHOTS / "cronjob-failed.json").read_text()), "s"), target, NOW)
    assert [(p.code, p.status) for p in failing.problems] == [("job-failed", "fail")]
    assert failing.root_cause is not None
    fine = diagnose(parse_list(json.loads((SNAPSHOTS / "healthy.json").read_text()), "s"), target, NOW)
    assert fine.problems == ()


def test_a_snapshot_without_the_newer_kinds_is_diagnosed_as_before(example_config: Config) -> None:
    data = json.loads((SNAPSHOTS / "pending-unbound-pvc.json").read_text())
    data["items"] = [item for item in data["items"] if item["kind"] in ("Pod", "Deployment", "ReplicaSet", "Event",
                                                                        "Node")]
    target = example_config.service("immich").kubernetes  # type: ignore[union-attr]
    assert target is not None
    found = diagnose(parse_list(data, "s"), target, NOW)
    assert [p.code for p in found.problems] == ["pending", "no-available-replicas"]
