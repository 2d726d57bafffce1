"""The Kubernetes adapter: the only module that reads or changes the cluster.

Two readers satisfy `ClusterReader`, and both hand back the same thing: a
`kind: List` of raw objects parsed by `cluster.parse_list`, so a snapshot
and the live API go through one code path.

- `SnapshotCluster`: the JSON List `kubectl get pods,deployments,replicasets,events,nodes,pvc,hpa,jobs,
  cronjobs,ingresses,endpoints -A -o json` prints (with Helm's release Secrets, metadata only, and Argo CD's
  Applications appended when the deploy history is wanted).
- `LiveCluster`: the API server. The official `kubernetes` client loads the
  credentials (kubeconfig contexts, exec and OIDC plugins with token
  refresh, the in-cluster service account); the few REST calls themselves
  go through `requests`, so each one is counted and timed like GitHub's,
  and tests answer them at the HTTP boundary.

The workload's kinds (pods, deployments, replicasets, events, nodes) must be
readable. The kinds around it (claims, autoscalers, jobs, ingresses,
endpoints) and the deploy history (Helm's release Secrets, Argo CD's
Applications) are read when the account may: a refusal or an absent API is
recorded in the view's `unread`, and the findings say what could not be
looked at. Helm's Secrets are asked for as metadata only
(`PartialObjectMetadataList`), so their data never leaves the API server,
unless investigation.helm_release_data asks for it.

The one write is a rollout restart, done exactly as `kubectl rollout
restart` does it: a strategic-merge patch of the pod template's
`kubectl.kubernetes.io/restartedAt` annotation.

The kubernetes package is imported lazily, and only when a kubeconfig or a
service account is actually used.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from responder.config.investigation import InvestigationSettings
from responder.config.loader import KubernetesTarget
from responder.errors import ResponderError
from responder.model.cluster import (
    ARGO_APPLICATIONS,
    HELM_RELEASES,
    NOT_IN_SNAPSHOT,
    NOT_INSTALLED,
    ClusterView,
    as_list,
    event_time,
    parse_list,
    parse_time,
)
from responder.model.timestamps import iso_utc
from responder.render.redaction import process_redactor

log = logging.getLogger("responder.adapters.kube")

SERVICE_ACCOUNT = Path("/var/run/secrets/kubernetes.io/serviceaccount")
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
PAGE_SIZE = 500


class KubeError(ResponderError):
    """The cluster could not be read or changed."""


class _Absent(Exception):
    """The API server does not serve this kind (its CRD is not installed)."""


class ClusterReader(Protocol):
    source: str  # for people: "snapshot examples/cluster/oomkilled.json", "live API https://... (context prod)"
    writable: bool  # False for a snapshot
    requests: int

    def read(self, target: KubernetesTarget, *, workload_only: bool = False) -> ClusterView:
        """The service's namespace (and the nodes); `workload_only`: the pods' kinds alone, for the quick
        re-reads that confirm a recovery."""

    def previous_logs(self, namespace: str, pod: str, container: str, tail: int) -> str | None: ...

    def restart_rollout(self, namespace: str, deployment: str, at: datetime) -> str: ...


# ---------------------------------------------------------------- snapshot


@dataclass(frozen=True)
class ReadOptions:
    """What a read takes in besides the workload (from the investigation settings)."""

    helm: bool = True  # Helm's release Secrets, metadata only
    release_data: bool = False  # and their `release` key (investigation.helm_release_data)
    argocd: bool = True  # Argo CD's Applications

    @classmethod
    def from_settings(cls, settings: InvestigationSettings) -> ReadOptions:
        return cls(helm=settings.helm_history, release_data=settings.helm_release_data, argocd=settings.argocd)


class SnapshotCluster:
    """A file written by kubectl. Read once; never changed."""

    writable = False

    def __init__(self, path: Path | str, options: ReadOptions = ReadOptions()) -> None:
        self.path = Path(path)
        self.source = f"snapshot {self.path.name}"
        self.requests = 0
        from responder.adapters.inputs import read_json_file

        data = read_json_file(self.path, f"cluster snapshot {self.path}")
        # A file without Helm's Secrets or Argo CD's Applications was written without them: say so, rather
        # than report that nothing was deployed.
        kinds = {item.get("kind") for item in data.get("items") or () if isinstance(item, Mapping)} \
            if isinstance(data, Mapping) else set()
        absent = {words: NOT_IN_SNAPSHOT for words, kind, wanted in (
            (HELM_RELEASES, "Secret", options.helm), (ARGO_APPLICATIONS, "Application", options.argocd))
            if wanted and kind not in kinds}
        view = parse_list(data, self.source, release_data=options.release_data, unread=absent)
        if not options.helm:
            view = replace(view, releases=())
        if not options.argocd:
            view = replace(view, applications=())
        # A snapshot is judged at the moment it was taken, not at replay time.
        self._view = replace(view, observed_at=latest_timestamp(view))

    def read(self, target: KubernetesTarget, *, workload_only: bool = False) -> ClusterView:
        return self._view

    def previous_logs(self, namespace: str, pod: str, container: str, tail: int) -> str | None:
        return None  # kubectl get does not include logs

    def restart_rollout(self, namespace: str, deployment: str, at: datetime) -> str:
        raise KubeError(f"{self.source} is a file: a rollout restart needs the live cluster")


def latest_timestamp(view: ClusterView) -> datetime | None:
    """The newest time recorded in a snapshot: when it was taken, near enough."""
    times = [event_time(event) for event in view.events]
    for node in view.nodes:
        for condition in (node.get("status") or {}).get("conditions") or ():
            times.append(parse_time(condition.get("lastHeartbeatTime")) or datetime.min.replace(tzinfo=UTC))
    for pod in view.pods:
        for status in (pod.get("status") or {}).get("containerStatuses") or ():
            for state in ((status.get("state") or {}).get("running") or {},
                          (status.get("lastState") or {}).get("terminated") or {}):
                for key in ("startedAt", "finishedAt"):
                    value = parse_time(state.get(key))
                    if value is not None:
                        times.append(value)
    real = [t for t in times if t.year > 1]
    return max(real) if real else None


# ---------------------------------------------------------------- live API


@dataclass(frozen=True)
class Credentials:
    host: str
    headers: Mapping[str, str]
    verify: bool | str  # CA bundle path, True for the system store, False when TLS checks are off
    cert: tuple[str, str] | None = None
    proxy: str | None = None
    context: str | None = None


# The kinds around the workload: (kind, apiVersion, path under the namespace, what people call them).
_AROUND = (
    ("PersistentVolumeClaim", "v1", "/api/v1/namespaces/{ns}/persistentvolumeclaims", "PersistentVolumeClaims"),
    ("HorizontalPodAutoscaler", "autoscaling/v2", "/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers",
     "HorizontalPodAutoscalers"),
    ("Job", "batch/v1", "/apis/batch/v1/namespaces/{ns}/jobs", "Jobs"),
    ("CronJob", "batch/v1", "/apis/batch/v1/namespaces/{ns}/cronjobs", "CronJobs"),
    ("Ingress", "networking.k8s.io/v1", "/apis/networking.k8s.io/v1/namespaces/{ns}/ingresses", "Ingresses"),
    ("Endpoints", "v1", "/api/v1/namespaces/{ns}/endpoints", "Endpoints"),
)
# Only the objects' metadata: the API server leaves `data` out, so Secret values never reach the responder.
METADATA_ONLY = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"


class LiveCluster:
    writable = True

    def __init__(self, credentials: Credentials, *, timeout: float = 10.0, session: Any = None,
                 options: ReadOptions = ReadOptions()) -> None:
        import requests

        self._credentials = credentials
        self._timeout = timeout
        self._session = session or requests.Session()
        self._session.headers.update({"Accept": "application/json", "User-Agent": "issueops-responder/0.1",
                                      **credentials.headers})
        self._session.verify = credentials.verify
        if credentials.cert:
            self._session.cert = credentials.cert
        if credentials.proxy:
            self._session.proxies = {"https": credentials.proxy, "http": credentials.proxy}
        self.requests = 0
        self.options = options
        context = f" (context {credentials.context})" if credentials.context else ""
        self.source = f"live API {credentials.host}{context}"

    def read(self, target: KubernetesTarget, *, workload_only: bool = False) -> ClusterView:
        namespace = quote(target.namespace, safe="")
        pod_params = {"labelSelector": target.selector} if target.selector else {}
        lists: list[tuple[str, str, list[Mapping[str, Any]]]] = [
            ("Pod", "v1", self._list(f"/api/v1/namespaces/{namespace}/pods", pod_params)),
            ("Deployment", "apps/v1", self._list(f"/apis/apps/v1/namespaces/{namespace}/deployments")),
            ("ReplicaSet", "apps/v1", self._list(f"/apis/apps/v1/namespaces/{namespace}/replicasets")),
            ("Event", "v1", self._list(f"/api/v1/namespaces/{namespace}/events")),
            ("Node", "v1", self._list("/api/v1/nodes")),
        ]
        unread: dict[str, str] = {}
        if not workload_only:
            for kind, api_version, path, words in _AROUND:
                self._optional(lists, unread, kind, api_version, words, path.format(ns=namespace))
            if self.options.helm:
                accept = None if self.options.release_data else METADATA_ONLY
                self._optional(lists, unread, "Secret", "v1", HELM_RELEASES,
                               f"/api/v1/namespaces/{namespace}/secrets", {"labelSelector": "owner=helm"}, accept)
            if self.options.argocd:
                self._optional(lists, unread, "Application", "argoproj.io/v1alpha1", ARGO_APPLICATIONS,
                               "/apis/argoproj.io/v1alpha1/applications")
        return parse_list(as_list(lists), self.source, release_data=self.options.release_data, unread=unread)

    def _optional(self, lists: list[tuple[str, str, list[Mapping[str, Any]]]], unread: dict[str, str], kind: str,
                  api_version: str, words: str, path: str, params: Mapping[str, str] | None = None,
                  accept: str | None = None) -> None:
        """A kind the investigation can do without: a refusal or an absent API is recorded, not raised."""
        try:
            lists.append((kind, api_version, self._list(path, params, accept=accept, absent_ok=True)))
        except _Absent:
            unread[words] = NOT_INSTALLED
        except KubeError as exc:
            unread[words] = exc.message

    def previous_logs(self, namespace: str, pod: str, container: str, tail: int) -> str | None:
        path = f"/api/v1/namespaces/{quote(namespace, safe='')}/pods/{quote(pod, safe='')}/log"
        params = {"container": container, "previous": "true", "tailLines": str(tail)}
        # 400: the container has not terminated yet, so there is no previous log.
        response = self._request("GET", path, params=params, allow=(400, 404))
        if response.status_code in (400, 404):
            return None
        return response.text

    def restart_rollout(self, namespace: str, deployment: str, at: datetime) -> str:
        stamp = iso_utc(at)
        patch = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}
        path = f"/apis/apps/v1/namespaces/{quote(namespace, safe='')}/deployments/{quote(deployment, safe='')}"
        self._request("PATCH", path, body=json.dumps(patch),
                      headers={"Content-Type": "application/strategic-merge-patch+json"})
        return stamp

    def _list(self, path: str, params: Mapping[str, str] | None = None, *, accept: str | None = None,
              absent_ok: bool = False) -> list[Mapping[str, Any]]:
        items: list[Mapping[str, Any]] = []
        query = {"limit": str(PAGE_SIZE), **(params or {})}
        headers = {"Accept": accept} if accept else None
        while True:
            response = self._request("GET", path, params=query, headers=headers, allow=(404,) if absent_ok else ())
            if response.status_code == 404:
                raise _Absent(path)
            data = response.json()
            items.extend(data.get("items") or ())
            token = (data.get("metadata") or {}).get("continue")
            if not token:
                return items
            query = {**query, "continue": token}

    def _request(self, verb: str, path: str, *, params: Mapping[str, str] | None = None, body: str | None = None,
                 headers: Mapping[str, str] | None = None, allow: tuple[int, ...] = ()) -> Any:
        import requests

        url = self._credentials.host.rstrip("/") + path
        self.requests += 1
        try:
            response = self._session.request(verb, url, params=params, data=body, headers=dict(headers or {}),
                                             timeout=self._timeout)
        except requests.Timeout:
            raise KubeError(f"Kubernetes {verb} {path}: no answer within {self._timeout:g} s") from None
        except requests.RequestException as exc:
            raise KubeError(process_redactor(f"Kubernetes API {self._credentials.host} cannot be reached: "
                                             f"{type(exc).__name__}")) from None
        if response.status_code < 400 or response.status_code in allow:
            return response
        message = f"Kubernetes {verb} {path}: {response.status_code} {_status_message(response)}"
        raise KubeError(process_redactor(message), hint=_hint(response.status_code))


def _status_message(response: Any) -> str:
    """The message of a `kind: Status` error answer, or the start of the body."""
    try:
        data = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(data, Mapping):
        return str(data.get("message") or data.get("reason") or "")[:300]
    return ""


def _hint(status: int) -> str | None:
    if status == 401:
        return "The cluster refused the credentials: refresh the kubeconfig or the service account token."
    if status == 403:
        return ("The responder's account lacks a permission: it needs get/list on pods, pods/log, events, "
                "replicasets, deployments and nodes, and patch on deployments for rollout restarts (the "
                "investigation docs list the optional ones).")
    return None


# ---------------------------------------------------------------- credentials


def credentials_from_kubeconfig(path: str, context: str | None = None) -> Credentials:
    """Load a kubeconfig (KUBECONFIG may list several files) with the official client."""
    from kubernetes import config as kube_config
    from kubernetes.client import Configuration
    from kubernetes.config.config_exception import ConfigException

    configuration = Configuration()
    try:
        kube_config.load_kube_config(config_file=path, context=context, client_configuration=configuration,
                                     persist_config=False)
    except (ConfigException, OSError, ValueError, TypeError) as exc:
        raise KubeError(f"kubeconfig {path}: {exc}") from None
    return _credentials(configuration, context)


def credentials_from_kubeconfig_text(text: str, context: str | None = None) -> Credentials:
    """Load a kubeconfig held as a secret (responder.yml `secrets.kubeconfig`), never writing it to disk."""
    from kubernetes import config as kube_config
    from kubernetes.client import Configuration
    from kubernetes.config.config_exception import ConfigException

    from responder.config import yaml_codec

    try:
        document = yaml_codec.load(text)
    except yaml_codec.YAMLError:
        raise KubeError("the kubeconfig secret is not YAML") from None
    if not isinstance(document, dict):
        raise KubeError("the kubeconfig secret is not a kubeconfig (expected a mapping with clusters and users)")
    configuration = Configuration()
    try:
        kube_config.load_kube_config_from_dict(document, context=context, client_configuration=configuration,
                                               persist_config=False)
    except (ConfigException, OSError, ValueError, TypeError, KeyError) as exc:
        raise KubeError(f"the kubeconfig secret: {exc}") from None
    return _credentials(configuration, context)


def credentials_in_cluster(env: Mapping[str, str], account: Path = SERVICE_ACCOUNT) -> Credentials:
    """The pod's service account, as the official client reads it."""
    from kubernetes.client import Configuration
    from kubernetes.config.config_exception import ConfigException
    from kubernetes.config.incluster_config import InClusterConfigLoader

    configuration = Configuration()
    try:
        InClusterConfigLoader(str(account / "token"), str(account / "ca.crt"),
                              environ=dict(env)).load_and_set(configuration)
    except (ConfigException, OSError) as exc:
        raise KubeError(f"in-cluster service account: {exc}") from None
    return _credentials(configuration, None)


def _credentials(configuration: Any, context: str | None) -> Credentials:
    headers: dict[str, str] = {}
    bearer = (configuration.auth_settings().get("BearerToken") or {}).get("value")
    if bearer:
        headers["Authorization"] = bearer
        process_redactor.add(bearer.split(" ", 1)[-1])
    elif configuration.username:
        headers["Authorization"] = configuration.get_basic_auth_token()
        process_redactor.add(configuration.password)
    verify: bool | str = bool(configuration.verify_ssl)
    if verify and configuration.ssl_ca_cert:
        verify = str(configuration.ssl_ca_cert)
    cert = (str(configuration.cert_file), str(configuration.key_file)) \
        if configuration.cert_file and configuration.key_file else None
    return Credentials(host=str(configuration.host), headers=headers, verify=verify, cert=cert,
                       proxy=configuration.proxy or None, context=context)


# ---------------------------------------------------------------- choosing a reader


@dataclass(frozen=True)
class ClusterAccess:
    reader: ClusterReader | None
    problem: str | None = None  # why there is no reader, for the findings


def open_cluster(settings: InvestigationSettings, env: Mapping[str, str], snapshot: str | None = None,
                 *, account: Path = SERVICE_ACCOUNT, kubeconfig_secret: Callable[[], str | None] = lambda: None,
                 ) -> ClusterAccess:
    """The reader to use: a snapshot if given, else in-cluster, else the kubeconfig secret, else a
    kubeconfig file, else none (with why).

    A bad snapshot is bad input (InputError). A live cluster that cannot be
    configured is a finding, not a failure: the investigation goes on
    without it and says so.
    """
    options = ReadOptions.from_settings(settings)
    if snapshot:
        return ClusterAccess(SnapshotCluster(snapshot, options))
    if not settings.kubernetes:
        return ClusterAccess(None, "reading the cluster is switched off (investigation.kubernetes.enabled: false)")
    try:
        if env.get("KUBERNETES_SERVICE_HOST") and (account / "token").is_file():
            return ClusterAccess(LiveCluster(credentials_in_cluster(env, account), timeout=settings.kube_timeout,
                                                 options=options))
        secret = kubeconfig_secret()
        if secret:
            credentials = credentials_from_kubeconfig_text(secret, settings.kube_context)
            return ClusterAccess(LiveCluster(credentials, timeout=settings.kube_timeout, options=options))
        kubeconfig = env.get("KUBECONFIG")
        if not kubeconfig and env.get("HOME") and (Path(env["HOME"]) / ".kube" / "config").is_file():
            kubeconfig = str(Path(env["HOME"]) / ".kube" / "config")
        if kubeconfig:
            credentials = credentials_from_kubeconfig(kubeconfig, settings.kube_context)
            return ClusterAccess(LiveCluster(credentials, timeout=settings.kube_timeout, options=options))
    except KubeError as exc:
        return ClusterAccess(None, exc.message)
    return ClusterAccess(None, "no cluster access: no --cluster-snapshot, no kubeconfig ($KUBECONFIG or "
                               "~/.kube/config), and not running inside a cluster")
