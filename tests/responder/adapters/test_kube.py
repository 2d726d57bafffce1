"""The Kubernetes adapter: snapshots, and the live API answered with `responses` at the REST boundary."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
import responses
import yaml

from responder.adapters.kube import (
    RESTARTED_AT,
    KubeError,
    LiveCluster,
    ReadOptions,
    SnapshotCluster,
    credentials_from_kubeconfig,
    credentials_in_cluster,
    open_cluster,
)
from responder.config.investigation import InvestigationSettings
from responder.config.loader import Config
from responder.errors import InputError
from responder.investigate.diagnosis import diagnose
from responder.render.redaction import process_redactor
from tests.conftest import FIXTURES
from tests.support.cluster_objects import NOW, SCENARIOS, SNAPSHOTS
from tests.support.kubernetes_api import API, TOKEN, FakeKubernetes

KUBECONFIG = FIXTURES / "kubernetes" / "kubeconfig.yaml"


@pytest.fixture
def kube() -> Iterator[FakeKubernetes]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield FakeKubernetes(rsps)


def live() -> LiveCluster:
    return LiveCluster(credentials_from_kubeconfig(str(KUBECONFIG)), timeout=2)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_the_live_api_and_the_snapshot_give_the_same_diagnosis(example_config: Config, kube: FakeKubernetes,
                                                               scenario: object) -> None:
    name, service_name = scenario.name, scenario.service  # type: ignore[attr-defined]
    kube.load(name)
    service = example_config.service(service_name)
    assert service is not None and service.kubernetes is not None
    from_api = diagnose(live().read(service.kubernetes), service.kubernetes, NOW)
    from_file = diagnose(SnapshotCluster(SNAPSHOTS / f"{name}.json").read(service.kubernetes), service.kubernetes, NOW)
    assert from_api.problems == from_file.problems
    assert from_api.pods == from_file.pods
    assert (from_api.desired, from_api.available) == (from_file.desired, from_file.available)
    assert from_api.source == "live API https://k8s.acme-homelab.org:6443"


def test_a_live_read_is_scoped_to_the_namespace_and_selector(example_config: Config, kube: FakeKubernetes) -> None:
    service = example_config.service("nextcloud")
    assert service is not None and service.kubernetes is not None
    view = live().read(service.kubernetes)
    assert kube.log == [
        ("GET", "/api/v1/namespaces/nextcloud/pods"),
        ("GET", "/apis/apps/v1/namespaces/nextcloud/deployments"),
        ("GET", "/apis/apps/v1/namespaces/nextcloud/replicasets"),
        ("GET", "/api/v1/namespaces/nextcloud/events"),
        ("GET", "/api/v1/nodes"),
        ("GET", "/api/v1/namespaces/nextcloud/persistentvolumeclaims"),
        ("GET", "/apis/autoscaling/v2/namespaces/nextcloud/horizontalpodautoscalers"),
        ("GET", "/apis/batch/v1/namespaces/nextcloud/jobs"),
        ("GET", "/apis/batch/v1/namespaces/nextcloud/cronjobs"),
        ("GET", "/apis/networking.k8s.io/v1/namespaces/nextcloud/ingresses"),
        ("GET", "/api/v1/namespaces/nextcloud/endpoints"),
        ("GET", "/api/v1/namespaces/nextcloud/secrets"),
        ("GET", "/apis/argoproj.io/v1alpha1/applications"),
    ]
    assert {pod["metadata"]["namespace"] for pod in view.pods} == {"nextcloud"}
    assert all(pod["kind"] == "Pod" and pod["apiVersion"] == "v1" for pod in view.pods)
    assert (len(view.pvcs), len(view.hpas), len(view.cronjobs), len(view.ingresses), len(view.endpoints)) == (
        1, 1, 1, 1, 1)
    assert [r["metadata"]["labels"]["version"] for r in view.releases] == ["2", "3"]
    assert view.unread == {}


def test_a_recovery_check_reads_only_the_workload(example_config: Config, kube: FakeKubernetes) -> None:
    service = example_config.service("nextcloud")
    assert service is not None and service.kubernetes is not None
    live().read(service.kubernetes, workload_only=True)
    assert len(kube.log) == 5


def _with_release_data(kube: FakeKubernetes) -> None:
    for obj in kube.objects:
        if obj["kind"] == "Secret":
            obj["data"] = {"release": "SDRzSUFBQUFBQUFBLzZ0V0tzbFB6a3Rz"}


def test_helm_secrets_are_asked_for_as_metadata_only(example_config: Config, kube: FakeKubernetes) -> None:
    _with_release_data(kube)
    service = example_config.service("immich")
    assert service is not None and service.kubernetes is not None
    view = live().read(service.kubernetes)
    accept = dict(kube.accepts)["/api/v1/namespaces/immich/secrets"]
    assert accept.startswith("application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1")
    assert view.releases and all("data" not in release for release in view.releases)


def test_release_data_is_read_only_when_configured(example_config: Config, kube: FakeKubernetes) -> None:
    _with_release_data(kube)
    service = example_config.service("immich")
    assert service is not None and service.kubernetes is not None
    cluster = LiveCluster(credentials_from_kubeconfig(str(KUBECONFIG)), timeout=2,
                          options=ReadOptions(release_data=True))
    view = cluster.read(service.kubernetes)
    assert "PartialObjectMetadata" not in dict(kube.accepts)["/api/v1/namespaces/immich/secrets"]
    assert all(release["data"] == {"release": "SDRzSUFBQUFBQUFBLzZ0V0tzbFB6a3Rz"} for release in view.releases)


def test_what_the_account_may_not_read_is_recorded_not_raised(example_config: Config, kube: FakeKubernetes) -> None:
    kube.forbid("secrets")
    kube.forbid("horizontalpodautoscalers")
    kube.argocd_installed = False
    service = example_config.service("nextcloud")
    assert service is not None and service.kubernetes is not None
    view = live().read(service.kubernetes)
    assert view.unread == {
        "HorizontalPodAutoscalers": 'Kubernetes GET /apis/autoscaling/v2/namespaces/nextcloud/horizontalpodautoscalers:'
                                    ' 403 horizontalpodautoscalers is forbidden: User "system:serviceaccount:responder:'
                                    'responder" cannot list resource "horizontalpodautoscalers" in API group '
                                    '"autoscaling" in the namespace "nextcloud"',
        "Helm releases": 'Kubernetes GET /api/v1/namespaces/nextcloud/secrets: 403 secrets is forbidden: User '
                         '"system:serviceaccount:responder:responder" cannot list resource "secrets" in API group "" '
                         'in the namespace "nextcloud"',
        "Argo CD Applications": "not installed",
    }
    assert view.pods and not view.releases and not view.hpas


def test_deploy_history_can_be_switched_off(example_config: Config, kube: FakeKubernetes) -> None:
    service = example_config.service("nextcloud")
    assert service is not None and service.kubernetes is not None
    cluster = LiveCluster(credentials_from_kubeconfig(str(KUBECONFIG)), timeout=2,
                          options=ReadOptions(helm=False, argocd=False))
    cluster.read(service.kubernetes)
    assert len(kube.log) == 11 and ("GET", "/api/v1/namespaces/nextcloud/secrets") not in kube.log


def test_long_lists_are_followed_through_continue_tokens(example_config: Config, kube: FakeKubernetes) -> None:
    kube.page_size = 1
    service = example_config.service("nextcloud")
    assert service is not None and service.kubernetes is not None
    view = live().read(service.kubernetes)
    assert len(view.pods) == 2 and len(view.nodes) == 3
    assert kube.log.count(("GET", "/api/v1/nodes")) == 3


def test_a_refused_list_is_a_clear_error_naming_the_permission(example_config: Config, kube: FakeKubernetes) -> None:
    kube.forbid("pods")
    service = example_config.service("nextcloud")
    assert service is not None and service.kubernetes is not None
    with pytest.raises(KubeError) as caught:
        live().read(service.kubernetes)
    assert caught.value.message == (
        'Kubernetes GET /api/v1/namespaces/nextcloud/pods: 403 pods is forbidden: User "system:serviceaccount:'
        'responder:responder" cannot list resource "pods" in API group "" in the namespace "nextcloud"')
    assert caught.value.hint is not None and "get/list on pods" in caught.value.hint


def test_an_unreachable_api_server_is_a_clear_error() -> None:
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, f"{API}/api/v1/nodes", body=requests.ConnectionError("refused"))
        cluster = live()
        with pytest.raises(KubeError, match=r"Kubernetes API https://k8s\.acme-homelab\.org:6443 cannot be reached"):
            cluster._list("/api/v1/nodes")


def test_previous_logs_are_read_with_a_tail(kube: FakeKubernetes) -> None:
    kube.logs[("nextcloud-abc", "nextcloud")] = "".join(f"line {n}\n" for n in range(100))
    text = live().previous_logs("nextcloud", "nextcloud-abc", "nextcloud", 3)
    assert text == "line 97\nline 98\nline 99\n"
    assert live().previous_logs("nextcloud", "nextcloud-abc", "sidecar", 3) is None  # 400: no previous container


def test_a_rollout_restart_patches_the_template_annotation_like_kubectl(kube: FakeKubernetes) -> None:
    stamp = live().restart_rollout("nextcloud", "nextcloud", datetime(2026, 11, 23, 14, 12, 5, tzinfo=UTC))
    assert stamp == "2026-11-23T14:12:05Z"
    assert kube.patches == [("nextcloud", "nextcloud", {
        "spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: "2026-11-23T14:12:05Z"}}}}})]
    deployment = next(o for o in kube.objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "nextcloud")
    assert deployment["spec"]["template"]["metadata"]["annotations"][RESTARTED_AT] == "2026-11-23T14:12:05Z"


def test_a_snapshot_cannot_be_changed() -> None:
    snapshot = SnapshotCluster(SNAPSHOTS / "rollout-stuck.json")
    assert not snapshot.writable
    with pytest.raises(KubeError, match="a rollout restart needs the live cluster"):
        snapshot.restart_rollout("immich", "immich-server", NOW)


def test_a_snapshot_is_judged_at_the_time_it_was_taken() -> None:
    view = SnapshotCluster(SNAPSHOTS / "oomkilled.json").read(None)  # type: ignore[arg-type]
    assert view.observed_at is not None and abs((view.observed_at - NOW).total_seconds()) < 120


@pytest.mark.parametrize(("content", "message"), [
    (None, "no such file"),
    ("{not json", "not valid JSON"),
    ('{"kind": "PodList", "items": []}', "expected the JSON List that kubectl prints"),
])
def test_a_bad_snapshot_is_bad_input(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "cluster.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(InputError, match=message):
        SnapshotCluster(path)


def test_the_kubeconfig_context_and_token_are_used_and_the_token_is_redacted() -> None:
    credentials = credentials_from_kubeconfig(str(KUBECONFIG), "responder@acme-staging")
    assert credentials.host == "https://k8s-staging.acme-homelab.org:6443"
    assert credentials.headers["Authorization"] == f"Bearer {TOKEN}"
    assert isinstance(credentials.verify, str) and Path(credentials.verify).read_text().startswith(
        "-----BEGIN CERTIFICATE-----")
    assert TOKEN not in process_redactor(f"token {TOKEN} leaked")


def test_a_broken_kubeconfig_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    broken = tmp_path / "config"
    broken.write_text("apiVersion: v1\nkind: Config\ncurrent-context: nowhere\ncontexts: []\n")
    access = open_cluster(InvestigationSettings(), {"KUBECONFIG": str(broken)})
    assert access.reader is None
    assert access.problem is not None and access.problem.startswith(f"kubeconfig {broken}:")


def test_in_cluster_the_service_account_is_used(tmp_path: Path) -> None:
    (tmp_path / "token").write_text(TOKEN)
    ca = yaml.safe_load(KUBECONFIG.read_text())["clusters"][0]["cluster"]["certificate-authority-data"]
    (tmp_path / "ca.crt").write_bytes(base64.b64decode(ca))
    env = {"KUBERNETES_SERVICE_HOST": "10.43.0.1", "KUBERNETES_SERVICE_PORT": "443"}
    credentials = credentials_in_cluster(env, tmp_path)
    assert credentials.host == "https://10.43.0.1:443"
    assert credentials.headers["Authorization"].lower() == f"bearer {TOKEN}".lower()
    assert credentials.verify == str(tmp_path / "ca.crt")
    access = open_cluster(InvestigationSettings(), env, account=tmp_path)
    assert access.reader is not None and access.reader.source == "live API https://10.43.0.1:443"


def test_which_reader_is_chosen(tmp_path: Path) -> None:
    settings = InvestigationSettings()
    snapshot = open_cluster(settings, {"KUBECONFIG": str(KUBECONFIG)}, str(SNAPSHOTS / "healthy.json"))
    assert snapshot.reader is not None and snapshot.reader.source == "snapshot healthy.json"
    kubeconfig = open_cluster(settings, {"KUBECONFIG": str(KUBECONFIG)}, account=tmp_path)
    assert kubeconfig.reader is not None and kubeconfig.reader.writable
    assert kubeconfig.reader.source == "live API https://k8s.acme-homelab.org:6443"
    home = tmp_path / "home"
    (home / ".kube").mkdir(parents=True)
    (home / ".kube" / "config").write_text(KUBECONFIG.read_text())
    from_home = open_cluster(settings, {"HOME": str(home)}, account=tmp_path)
    assert from_home.reader is not None
    off = open_cluster(InvestigationSettings(kubernetes=False), {"KUBECONFIG": str(KUBECONFIG)})
    assert off.reader is None and off.problem is not None and "switched off" in off.problem
    nothing = open_cluster(settings, {}, account=tmp_path)
    assert nothing.reader is None and nothing.problem is not None and nothing.problem.startswith("no cluster access")


def test_the_fixture_payloads_are_kubernetes_status_objects() -> None:
    for name in ("forbidden-pods.json", "unauthorized.json"):
        data = json.loads((FIXTURES / "kubernetes" / name).read_text())
        assert data["kind"] == "Status" and data["status"] == "Failure" and isinstance(data["code"], int)


def test_a_kubeconfig_secret_comes_before_the_kubeconfig_file(tmp_path: Path) -> None:
    staging = yaml.safe_load(KUBECONFIG.read_text())
    staging["current-context"] = "responder@acme-staging"
    secret = yaml.safe_dump(staging)
    access = open_cluster(InvestigationSettings(), {"KUBECONFIG": str(KUBECONFIG)}, account=tmp_path,
                          kubeconfig_secret=lambda: secret)
    assert access.reader is not None and access.reader.source == "live API https://k8s-staging.acme-homelab.org:6443"
    assert not list(tmp_path.rglob("*config*"))  # the secret was never written out


@pytest.mark.parametrize(("secret", "problem"), [
    ("clusters: [unclosed", "the kubeconfig secret is not YAML"),
    ("just a token", "is not a kubeconfig"),
    ("apiVersion: v1\nkind: Config\ncurrent-context: nowhere\ncontexts: []\n", "the kubeconfig secret:"),
])
def test_a_broken_kubeconfig_secret_is_a_finding_not_a_crash(tmp_path: Path, secret: str, problem: str) -> None:
    access = open_cluster(InvestigationSettings(), {}, account=tmp_path, kubeconfig_secret=lambda: secret)
    assert access.reader is None and access.problem is not None and problem in access.problem


def test_the_kubeconfig_secret_is_read_through_the_secrets_references(example_config: Config, tmp_path: Path) -> None:
    from dataclasses import replace as replace_config

    from responder.config.secrets import settings_from_section
    from responder.flows.outage import IncidentTools

    config = replace_config(example_config, secrets=settings_from_section({"kubeconfig": "env:CLUSTER_KUBECONFIG"}))
    tools = IncidentTools.for_run(config, {"CLUSTER_KUBECONFIG": KUBECONFIG.read_text()})
    access = tools.cluster()
    assert access.reader is not None and access.reader.source == "live API https://k8s.acme-homelab.org:6443"
    missing = IncidentTools.for_run(config, {}).cluster()
    assert missing.reader is None and missing.problem is not None
    assert missing.problem.startswith("the kubeconfig secret could not be read: kubeconfig:")


def test_a_snapshot_without_the_deploy_history_says_so(tmp_path: Path) -> None:
    data = json.loads((SNAPSHOTS / "image-pull-backoff.json").read_text())
    data["items"] = [item for item in data["items"] if item["kind"] not in ("Secret", "Application")]
    path = tmp_path / "cluster.json"
    path.write_text(json.dumps(data))
    view = SnapshotCluster(path).read(None)  # type: ignore[arg-type]
    assert view.unread == {"Helm releases": "not in the snapshot", "Argo CD Applications": "not in the snapshot"}
    assert SnapshotCluster(SNAPSHOTS / "image-pull-backoff.json").read(None).unread == {}  # type: ignore[arg-type]
