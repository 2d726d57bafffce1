"""A stateful stand-in for the Kubernetes API server at the HTTP boundary (responses).

It serves the objects of a snapshot from examples/cluster/ the way the API
server does: typed lists (`PodList`, `DeploymentList`...) whose items carry
no `kind`/`apiVersion`, `metadata.resourceVersion` and `continue` tokens
for paging, server-side label selectors, `kind: Status` errors, container
logs as text/plain, and strategic-merge patches of deployments. A test can
swap the world after a rollout restart (`on_restart`) to model recovery.
"""

from __future__ import annotations

import base64
import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import responses

from tests.conftest import ROOT

API = "https://k8s.acme-homelab.org:6443"
SNAPSHOTS = ROOT / "examples" / "cluster"

_LISTS = {
    "pods": ("Pod", "PodList", "v1"),
    "deployments": ("Deployment", "DeploymentList", "apps/v1"),
    "replicasets": ("ReplicaSet", "ReplicaSetList", "apps/v1"),
    "events": ("Event", "EventList", "v1"),
    "nodes": ("Node", "NodeList", "v1"),
    "persistentvolumeclaims": ("PersistentVolumeClaim", "PersistentVolumeClaimList", "v1"),
    "horizontalpodautoscalers": ("HorizontalPodAutoscaler", "HorizontalPodAutoscalerList", "autoscaling/v2"),
    "jobs": ("Job", "JobList", "batch/v1"),
    "cronjobs": ("CronJob", "CronJobList", "batch/v1"),
    "ingresses": ("Ingress", "IngressList", "networking.k8s.io/v1"),
    "endpoints": ("Endpoints", "EndpointsList", "v1"),
    "secrets": ("Secret", "SecretList", "v1"),
    "applications": ("Application", "ApplicationList", "argoproj.io/v1alpha1"),
}
_GROUPS = {"v1": '""', "apps/v1": '"apps"', "autoscaling/v2": '"autoscaling"', "batch/v1": '"batch"',
           "networking.k8s.io/v1": '"networking.k8s.io"', "argoproj.io/v1alpha1": '"argoproj.io"'}


def status(code: int, reason: str, message: str, kind: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                           "message": message, "reason": reason, "code": code}
    if kind:
        out["details"] = {"kind": kind}
    return out


class FakeKubernetes:
    def __init__(self, rsps: responses.RequestsMock, snapshot: str = "healthy", api: str = API) -> None:
        self.api = api
        self.objects: list[dict[str, Any]] = []
        self.logs: dict[tuple[str, str], str] = {}
        self.patches: list[tuple[str, str, dict[str, Any]]] = []
        self.log: list[tuple[str, str]] = []
        self.forbidden: set[str] = set()
        self.page_size: int | None = None  # force paging below the client's limit
        self.read_only = False  # refuse patches (an account with get/list but no patch)
        self.on_restart: Callable[[FakeKubernetes], None] | None = None
        self.argocd_installed = True  # False: the applications.argoproj.io API answers 404, as without the CRD
        self.accepts: list[tuple[str, str]] = []  # (path, Accept header) of every request
        self.load(snapshot)
        host = re.escape(api)
        rsps.add_callback("GET", re.compile(host + r"/api/v1/nodes(\?.*)?$"), callback=self._wrap(self._nodes))
        rsps.add_callback("GET", re.compile(host + r"/api/v1/namespaces/[^/]+/pods/[^/]+/log(\?.*)?$"),
                          callback=self._wrap(self._logs))
        rsps.add_callback("GET", re.compile(host + r"/api/v1/namespaces/[^/]+/(pods|events|persistentvolumeclaims|"
                                                   r"endpoints|secrets)(\?.*)?$"),
                          callback=self._wrap(self._namespaced))
        rsps.add_callback("GET", re.compile(host + r"/apis/(apps/v1|autoscaling/v2|batch/v1|networking\.k8s\.io/v1)/"
                                                   r"namespaces/[^/]+/(deployments|replicasets|horizontalpodautoscalers|"
                                                   r"jobs|cronjobs|ingresses)(\?.*)?$"),
                          callback=self._wrap(self._namespaced))
        rsps.add_callback("GET", re.compile(host + r"/apis/argoproj\.io/v1alpha1/applications(\?.*)?$"),
                          callback=self._wrap(self._applications))
        rsps.add_callback("PATCH", re.compile(host + r"/apis/apps/v1/namespaces/[^/]+/deployments/[^/?]+$"),
                          callback=self._wrap(self._patch))

    # ------------------------------------------------------------ setup

    def load(self, snapshot: str) -> None:
        """Replace the cluster's objects with a snapshot's (a name in examples/cluster/ or a path)."""
        path = Path(snapshot) if snapshot.endswith(".json") else SNAPSHOTS / f"{snapshot}.json"
        self.objects = json.loads(path.read_text(encoding="utf-8"))["items"]

    def forbid(self, resource: str) -> None:
        self.forbidden.add(resource)

    @property
    def requests(self) -> int:
        return len(self.log)

    # ------------------------------------------------------------ plumbing

    def _wrap(self, handler: Callable[[Any, str, dict[str, list[str]]], tuple[int, dict[str, str], Any]]) -> Any:
        def callback(request: Any) -> tuple[int, dict[str, str], str]:
            url = urlparse(request.url)
            self.log.append((request.method, url.path))
            self.accepts.append((url.path, request.headers.get("Accept", "")))
            query = parse_qs(url.query)
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or token != TOKEN:
                code, headers, body = 401, {}, status(401, "Unauthorized", "Unauthorized")
            else:
                code, headers, body = handler(request, unquote(url.path), query)
            if isinstance(body, str):
                return code, {"Content-Type": "text/plain", **headers}, body
            return code, {"Content-Type": "application/json", **headers}, json.dumps(body)

        return callback

    def _list(self, resource: str, namespace: str | None, query: dict[str, list[str]], accept: str = "") -> Any:
        kind, list_kind, api_version = _LISTS[resource]
        if resource in self.forbidden:
            where = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
            group = _GROUPS[api_version]
            return 403, {}, status(403, "Forbidden", f'{resource} is forbidden: User "system:serviceaccount:'
                                                     f'responder:responder" cannot list resource "{resource}" in API '
                                                     f"group {group}{where}", resource)
        items = [obj for obj in self.objects if obj["kind"] == kind
                 and (namespace is None or obj["metadata"].get("namespace") == namespace)]
        selector = query.get("labelSelector", [""])[0]
        if selector:
            wanted = dict(part.split("=", 1) for part in selector.split(","))
            items = [obj for obj in items
                     if all(obj["metadata"].get("labels", {}).get(k) == v for k, v in wanted.items())]
        # List items come without kind and apiVersion; only the list names them.
        items = [{k: v for k, v in copy.deepcopy(obj).items() if k not in ("kind", "apiVersion")} for obj in items]
        if "as=PartialObjectMetadataList" in accept:
            # The metadata-only answer: each item is a PartialObjectMetadata holding nothing but metadata.
            items = [{"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"]}
                     for obj in items]
            list_kind, api_version = "PartialObjectMetadataList", "meta.k8s.io/v1"
        limit = int(query.get("limit", ["0"])[0] or 0)
        size = min(x for x in (limit, self.page_size or 0) if x) if (limit or self.page_size) else 0
        start = int(base64.b64decode(query["continue"][0]).decode()) if "continue" in query else 0
        metadata: dict[str, Any] = {"resourceVersion": "48213377"}
        if size:
            if start + size < len(items):
                metadata["continue"] = base64.b64encode(str(start + size).encode()).decode()
                metadata["remainingItemCount"] = len(items) - start - size
            items = items[start:start + size]
        return 200, {}, {"kind": list_kind, "apiVersion": api_version, "metadata": metadata, "items": items}

    # ------------------------------------------------------------ endpoints

    def _nodes(self, request: Any, path: str, query: dict[str, list[str]]) -> Any:
        return self._list("nodes", None, query)

    def _namespaced(self, request: Any, path: str, query: dict[str, list[str]]) -> Any:
        parts = path.strip("/").split("/")
        namespace, resource = parts[-2], parts[-1]
        return self._list(resource, namespace, query, request.headers.get("Accept", ""))

    def _applications(self, request: Any, path: str, query: dict[str, list[str]]) -> Any:
        if not self.argocd_installed:
            return 404, {}, status(404, "NotFound", "the server could not find the requested resource")
        return self._list("applications", None, query)

    def _logs(self, request: Any, path: str, query: dict[str, list[str]]) -> Any:
        pod = path.strip("/").split("/")[5]
        container = query.get("container", [""])[0]
        text = self.logs.get((pod, container))
        if text is None:
            return 400, {}, status(400, "BadRequest", f'previous terminated container "{container}" in pod "{pod}" '
                                                      "not found")
        tail = int(query.get("tailLines", ["0"])[0] or 0)
        lines = text.splitlines(keepends=True)
        return 200, {}, "".join(lines[-tail:] if tail else lines)

    def _patch(self, request: Any, path: str, query: dict[str, list[str]]) -> Any:
        parts = path.strip("/").split("/")
        namespace, name = parts[4], parts[6]
        if request.headers.get("Content-Type") != "application/strategic-merge-patch+json":
            return 415, {}, status(415, "UnsupportedMediaType", "the body of the request was in an unknown format")
        if self.read_only:
            return 403, {}, status(403, "Forbidden", f'deployments.apps "{name}" is forbidden: User '
                                                     '"system:serviceaccount:responder:responder" cannot patch '
                                                     'resource "deployments" in API group "apps" in the namespace '
                                                     f'"{namespace}"', "deployments")
        patch = json.loads(request.body)
        for obj in self.objects:
            if obj["kind"] == "Deployment" and obj["metadata"]["name"] == name \
                    and obj["metadata"]["namespace"] == namespace:
                annotations = patch["spec"]["template"]["metadata"]["annotations"]
                template = obj["spec"]["template"]["metadata"]
                template.setdefault("annotations", {}).update(annotations)
                obj["metadata"]["generation"] += 1
                self.patches.append((namespace, name, patch))
                answer = copy.deepcopy(obj)
                if self.on_restart is not None:
                    self.on_restart(self)
                return 200, {}, answer
        return 404, {}, status(404, "NotFound", f'deployments.apps "{name}" not found', "deployments")


TOKEN = ("eyJhbGciOiJSUzI1NiIsImtpZCI6IkV4YW1wbGVLZXkifQ.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Iiwic3ViIjoic3l"
         "zdGVtOnNlcnZpY2VhY2NvdW50OnJlc3BvbmRlcjpyZXNwb25kZXIifQ.c2lnbmF0dXJlLW5vdC12YWxpZC1vbmx5LWEtZml4dHVyZQ")
