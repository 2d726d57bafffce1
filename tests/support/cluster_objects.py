"""Kubernetes objects shaped exactly as `kubectl get ... -o json` prints them, and the failure snapshots.

The snapshots in examples/cluster/ are generated from here, so that every
failure mode shares one realistic small cluster (three nodes, the example
catalogue's workloads) and differs only where the failure is:

    .venv/bin/python -m tests.support.cluster_objects   # rewrites examples/cluster/*.json

tests/responder/model/test_cluster.py checks the committed files match.
Field names, nesting, condition types, reasons and messages follow what
Kubernetes 1.31 (kubelet, scheduler, deployment controller, containerd)
writes.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
SNAPSHOTS = ROOT / "examples" / "cluster"
NOW = datetime(2026, 11, 23, 14, 10, 0, tzinfo=UTC)  # when every snapshot was "taken"
NODES = ("k8s-node1", "k8s-node2", "k8s-node3")


def ts(minutes_ago: float) -> str:
    return (NOW - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def uid(*parts: str) -> str:
    digest = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def suffix(*parts: str, length: int = 5) -> str:
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    number = int(hashlib.sha256("/".join(parts).encode()).hexdigest(), 16)
    out = ""
    for _ in range(length):
        number, index = divmod(number, len(alphabet))
        out += alphabet[index]
    return out


def resource_version(*parts: str) -> str:
    return str(int(hashlib.sha256("/".join(parts).encode()).hexdigest()[:7], 16) % 90_000_000 + 10_000_000)


# ---------------------------------------------------------------- workloads


@dataclass
class Workload:
    """One service's Deployment, as the example catalogue describes it."""

    namespace: str
    name: str
    labels: dict[str, str]
    image: str
    port: int
    replicas: int = 1
    memory_limit: str = "512Mi"
    memory_request: str = "256Mi"
    cpu_request: str = "100m"
    readiness_path: str = "/healthz"
    env_from: list[dict[str, Any]] = field(default_factory=list)
    volumes: list[dict[str, Any]] = field(default_factory=list)
    node_selector: dict[str, str] = field(default_factory=dict)
    revision: int = 3
    age_days: int = 41
    # Apps holding a ReadWriteOnce volume stop the old pod before starting the new one.
    strategy: str = "RollingUpdate"
    host: str | None = None  # the Ingress host in front of it (the catalogue's URL)
    deployed_by: str = "helm"  # helm: release Secrets in its namespace | argocd: an Argo CD Application

    @property
    def template_hash(self) -> str:
        return suffix(self.namespace, self.name, self.image, str(self.revision), length=10).replace("z", "8")[:10]

    @property
    def rs_name(self) -> str:
        return f"{self.name}-{self.template_hash}"

    def pod_name(self, index: int) -> str:
        return f"{self.rs_name}-{suffix(self.rs_name, str(index))}"


WORKLOADS: dict[str, Workload] = {
    "nextcloud": Workload(
        "nextcloud", "nextcloud", {"app.kubernetes.io/name": "nextcloud", "app.kubernetes.io/instance": "nextcloud"},
        "docker.io/library/nextcloud:30.0.2-apache", 80, replicas=2, memory_limit="1Gi", memory_request="512Mi",
        readiness_path="/status.php", host="cloud.acme-homelab.org",
        env_from=[{"configMapRef": {"name": "nextcloud-config"}}, {"secretRef": {"name": "nextcloud-db"}}],
        volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "nextcloud-data"}}],
    ),
    "immich": Workload(
        "immich", "immich-server", {"app.kubernetes.io/name": "immich-server", "app.kubernetes.io/instance": "immich"},
        "ghcr.io/immich-app/immich-server:v1.121.0", 2283, memory_limit="4Gi", memory_request="1Gi",
        cpu_request="500m", readiness_path="/api/server/ping", host="photos.acme-homelab.org",
        strategy="Recreate",
        env_from=[{"secretRef": {"name": "immich-db"}}],
        volumes=[{"name": "library", "persistentVolumeClaim": {"claimName": "immich-library"}}],
    ),
    "grafana": Workload(
        "monitoring", "grafana", {"app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": "grafana"},
        "docker.io/grafana/grafana:11.3.1", 3000, memory_limit="512Mi", readiness_path="/api/health",
        strategy="Recreate", host="grafana.acme-homelab.org", deployed_by="argocd",
    ),
    "home-assistant": Workload(
        "home-assistant", "home-assistant", {"app": "home-assistant"},
        "ghcr.io/home-assistant/home-assistant:2024.11.3", 8123, memory_limit="2Gi", memory_request="1Gi",
        readiness_path="/manifest.json", host="home.acme-homelab.org",
        strategy="Recreate",
        volumes=[{"name": "config", "persistentVolumeClaim": {"claimName": "home-assistant-config"}}],
    ),
    "woodpecker": Workload(
        "woodpecker", "woodpecker-server", {"app.kubernetes.io/name": "woodpecker-server"},
        "docker.io/woodpeckerci/woodpecker-server:v2.7.3", 8000, memory_limit="256Mi", memory_request="128Mi",
        host="ci.acme-homelab.org",
    ),
    "mail": Workload(
        "mailserver", "mailserver", {"app": "mailserver"},
        "ghcr.io/docker-mailserver/docker-mailserver:14.0.0", 25, memory_limit="1Gi", memory_request="512Mi",
        readiness_path="/health",
        env_from=[{"secretRef": {"name": "mailserver-credentials"}}],
    ),
}


def node(name: str, *, ready: str = "True", ready_reason: str = "KubeletReady",
         ready_message: str = "kubelet is posting ready status", pressure: str | None = None,
         unschedulable: bool = False, taints: list[dict[str, str]] | None = None, minutes_ago: float = 0.5) -> dict:
    index = NODES.index(name) if name in NODES else 9
    heartbeat = ts(minutes_ago)
    conditions = []
    for kind, reason, message in (
        ("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        ("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    ):
        status = "False"
        if pressure == kind:
            status = "True"
            reason, message = {
                "MemoryPressure": ("KubeletHasInsufficientMemory", "kubelet has insufficient memory available"),
                "DiskPressure": ("KubeletHasDiskPressure", "kubelet has disk pressure"),
                "PIDPressure": ("KubeletHasInsufficientPID", "kubelet has insufficient PID available"),
            }[kind]
        if ready == "Unknown":
            status, reason, message = "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status."
        conditions.append({"type": kind, "status": status, "lastHeartbeatTime": heartbeat,
                           "lastTransitionTime": ts(60 * 24 * 12 if status != "True" else 18),
                           "reason": reason, "message": message})
    conditions.append({"type": "Ready", "status": ready, "lastHeartbeatTime": heartbeat,
                       "lastTransitionTime": ts(60 * 24 * 12 if ready == "True" else 14),
                       "reason": ready_reason, "message": ready_message})
    spec: dict[str, Any] = {"podCIDR": f"10.42.{index}.0/24", "podCIDRs": [f"10.42.{index}.0/24"]}
    if unschedulable:
        spec["unschedulable"] = True
    if taints:
        spec["taints"] = taints
    elif ready == "Unknown":
        spec["taints"] = [
            {"effect": "NoSchedule", "key": "node.kubernetes.io/unreachable", "timeAdded": ts(14)},
            {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "timeAdded": ts(13)},
        ]
    labels = {
        "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
    }
    if name == "k8s-node1":
        labels["node-role.kubernetes.io/control-plane"] = ""
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "annotations": {
                "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///var/run/containerd/containerd.sock",
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
            "creationTimestamp": "2026-03-02T09:14:27Z",
            "labels": labels,
            "name": name,
            "resourceVersion": resource_version("node", name, ready, str(pressure)),
            "uid": uid("node", name),
        },
        "spec": spec,
        "status": {
            "addresses": [{"address": f"192.168.1.{21 + index}", "type": "InternalIP"},
                          {"address": name, "type": "Hostname"}],
            "allocatable": {"cpu": "8", "ephemeral-storage": "226751961853", "hugepages-1Gi": "0",
                            "hugepages-2Mi": "0", "memory": "32601472Ki", "pods": "110"},
            "capacity": {"cpu": "8", "ephemeral-storage": "246044636Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0",
                         "memory": "32703872Ki", "pods": "110"},
            "conditions": conditions,
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64", "bootID": uid("boot", name), "containerRuntimeVersion": "containerd://1.7.24",
                "kernelVersion": "6.1.0-28-amd64", "kubeProxyVersion": "v1.31.4", "kubeletVersion": "v1.31.4",
                "machineID": hashlib.md5(name.encode()).hexdigest(),  # noqa: S324 - a fake machine id
                "operatingSystem": "linux", "osImage": "Debian GNU/Linux 12 (bookworm)",
                "systemUUID": uid("system", name),
            },
        },
    }


def deployment(w: Workload, *, replicas: int | None = None, available: int | None = None,
               progressing: str = "NewReplicaSetAvailable", replica_failure: str | None = None,
               last_applied_replicas: int | None = None, image: str | None = None,
               unavailable_minutes_ago: float = 20) -> dict:
    desired = w.replicas if replicas is None else replicas
    ready = desired if available is None else available
    conditions = []
    available_status = "True" if ready >= desired else "False"
    conditions.append({
        "lastTransitionTime": ts(60 * 24 * 3 if available_status == "True" else unavailable_minutes_ago),
        "lastUpdateTime": ts(60 * 24 * 3 if available_status == "True" else unavailable_minutes_ago),
        "message": "Deployment has minimum availability." if available_status == "True"
        else "Deployment does not have minimum availability.",
        "reason": "MinimumReplicasAvailable" if available_status == "True" else "MinimumReplicasUnavailable",
        "status": available_status, "type": "Available",
    })
    progressing_condition = {
        "NewReplicaSetAvailable": ("True", f'ReplicaSet "{w.rs_name}" has successfully progressed.'),
        "ReplicaSetUpdated": ("True", f'ReplicaSet "{w.rs_name}" is progressing.'),
        "ProgressDeadlineExceeded": ("False", f'ReplicaSet "{w.rs_name}" has timed out progressing.'),
    }[progressing]
    conditions.append({
        "lastTransitionTime": ts(60 * 24 * 3 if progressing == "NewReplicaSetAvailable" else 12),
        "lastUpdateTime": ts(60 * 24 * 3 if progressing == "NewReplicaSetAvailable" else 12),
        "message": progressing_condition[1], "reason": progressing, "status": progressing_condition[0],
        "type": "Progressing",
    })
    if replica_failure:
        conditions.append({"lastTransitionTime": ts(11), "lastUpdateTime": ts(11), "message": replica_failure,
                           "reason": "FailedCreate", "status": "True", "type": "ReplicaFailure"})
    status: dict[str, Any] = {"conditions": conditions, "observedGeneration": w.revision + 2}
    if desired:
        status["replicas"] = desired
        status["updatedReplicas"] = desired
    if ready:
        status["readyReplicas"] = ready
        status["availableReplicas"] = ready
    if desired - ready > 0:
        status["unavailableReplicas"] = desired - ready
    annotations = {"deployment.kubernetes.io/revision": str(w.revision),
                   "meta.helm.sh/release-name": w.name, "meta.helm.sh/release-namespace": w.namespace}
    if last_applied_replicas is not None:
        annotations["kubectl.kubernetes.io/last-applied-configuration"] = json.dumps(
            {"apiVersion": "apps/v1", "kind": "Deployment",
             "metadata": {"name": w.name, "namespace": w.namespace},
             "spec": {"replicas": last_applied_replicas}}, separators=(",", ":")) + "\n"
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "annotations": annotations,
            "creationTimestamp": ts(60 * 24 * w.age_days),
            "generation": w.revision + 2,
            "labels": {**w.labels, "app.kubernetes.io/managed-by": "Helm"},
            "name": w.name,
            "namespace": w.namespace,
            "resourceVersion": resource_version("deploy", w.name, str(desired), str(ready), progressing),
            "uid": uid("deploy", w.namespace, w.name),
        },
        "spec": {
            "progressDeadlineSeconds": 600,
            "replicas": desired,
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": dict(w.labels)},
            "strategy": ({"type": "Recreate"} if w.strategy == "Recreate" else
                         {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"}),
            "template": {
                "metadata": {"creationTimestamp": None, "labels": dict(w.labels)},
                "spec": _pod_spec(w, image=image),
            },
        },
        "status": status,
    }


def replicaset(w: Workload, *, revision: int | None = None, replicas: int | None = None, ready: int | None = None,
               minutes_ago: float | None = None, image: str | None = None, failure: str | None = None,
               desired_annotation: int | None = None) -> dict:
    rev = w.revision if revision is None else revision
    current = rev == w.revision
    name = w.rs_name if current else f"{w.name}-{suffix(w.name, str(rev), length=10)}"
    count = (w.replicas if current else 0) if replicas is None else replicas
    ready_count = count if ready is None else ready
    created = ts(minutes_ago if minutes_ago is not None else 60 * 24 * (w.age_days - rev))
    status: dict[str, Any] = {"observedGeneration": 2 if current else 3, "replicas": count}
    if count:
        status["fullyLabeledReplicas"] = count
    if ready_count:
        status["readyReplicas"] = ready_count
        status["availableReplicas"] = ready_count
    if failure:
        status["conditions"] = [{"lastTransitionTime": ts(11), "message": failure, "reason": "FailedCreate",
                                 "status": "True", "type": "ReplicaFailure"}]
    labels = {**w.labels, "pod-template-hash": name.rsplit("-", 1)[1]}
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "annotations": {
                "deployment.kubernetes.io/desired-replicas": str(w.replicas if desired_annotation is None
                                                                 else desired_annotation),
                "deployment.kubernetes.io/max-replicas": str(w.replicas + 1),
                "deployment.kubernetes.io/revision": str(rev),
                "meta.helm.sh/release-name": w.name, "meta.helm.sh/release-namespace": w.namespace,
            },
            "creationTimestamp": created,
            "generation": 2 if current else 3,
            "labels": labels,
            "name": name,
            "namespace": w.namespace,
            "ownerReferences": [{"apiVersion": "apps/v1", "blockOwnerDeletion": True, "controller": True,
                                 "kind": "Deployment", "name": w.name, "uid": uid("deploy", w.namespace, w.name)}],
            "resourceVersion": resource_version("rs", name, str(count), str(ready_count)),
            "uid": uid("rs", w.namespace, name),
        },
        "spec": {
            "replicas": count,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"creationTimestamp": None, "labels": labels},
                         "spec": _pod_spec(w, image=image)},
        },
        "status": status,
    }


def _pod_spec(w: Workload, image: str | None = None) -> dict:
    container: dict[str, Any] = {
        "image": image or w.image,
        "imagePullPolicy": "IfNotPresent",
        "livenessProbe": {"failureThreshold": 3, "httpGet": {"path": w.readiness_path, "port": w.port,
                                                             "scheme": "HTTP"},
                          "initialDelaySeconds": 30, "periodSeconds": 10, "successThreshold": 1,
                          "timeoutSeconds": 5},
        "name": w.name,
        "ports": [{"containerPort": w.port, "name": "http", "protocol": "TCP"}],
        "readinessProbe": {"failureThreshold": 3, "httpGet": {"path": w.readiness_path, "port": w.port,
                                                              "scheme": "HTTP"},
                           "periodSeconds": 10, "successThreshold": 1, "timeoutSeconds": 3},
        "resources": {"limits": {"memory": w.memory_limit},
                      "requests": {"cpu": w.cpu_request, "memory": w.memory_request}},
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    }
    if w.env_from:
        container["envFrom"] = copy.deepcopy(w.env_from)
    if w.volumes:
        container["volumeMounts"] = [{"mountPath": f"/var/lib/{v['name']}", "name": v["name"]} for v in w.volumes]
    spec: dict[str, Any] = {
        "containers": [container],
        "dnsPolicy": "ClusterFirst",
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "securityContext": {"fsGroup": 33} if w.name == "nextcloud" else {},
        "serviceAccount": w.name,
        "serviceAccountName": w.name,
        "terminationGracePeriodSeconds": 30,
    }
    if w.volumes:
        spec["volumes"] = copy.deepcopy(w.volumes)
    if w.node_selector:
        spec["nodeSelector"] = dict(w.node_selector)
    return spec


def pod(w: Workload, index: int = 0, *, node_name: str | None = None, state: dict | None = None,
        last_state: dict | None = None, ready: bool = True, restarts: int = 0, phase: str = "Running",
        scheduled: dict | None = None, started_minutes_ago: float | None = None, image: str | None = None,
        rs_name: str | None = None) -> dict:
    name = f"{rs_name}-{suffix(rs_name, str(index))}" if rs_name else w.pod_name(index)
    owner = rs_name or w.rs_name
    node_name = node_name or NODES[(index + len(w.name)) % 3]
    started = ts(started_minutes_ago if started_minutes_ago is not None else 60 * 24 * 2 + index * 7)
    spec = _pod_spec(w, image=image)
    image_ref = spec["containers"][0]["image"]
    spec.update({
        "enableServiceLinks": True,
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 0,
        "tolerations": [
            {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists",
             "tolerationSeconds": 300},
            {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists",
             "tolerationSeconds": 300},
        ],
    })
    spec["containers"][0]["volumeMounts"] = [
        *spec["containers"][0].get("volumeMounts", []),
        {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": f"kube-api-access-{suffix(name)}",
         "readOnly": True},
    ]
    spec["volumes"] = [*spec.get("volumes", []), {
        "name": f"kube-api-access-{suffix(name)}",
        "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
            {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                                        "path": "namespace"}]}},
        ]},
    }]
    metadata = {
        "creationTimestamp": started,
        "generateName": f"{owner}-",
        "labels": {**w.labels, "pod-template-hash": owner.rsplit("-", 1)[1]},
        "name": name,
        "namespace": w.namespace,
        "ownerReferences": [{"apiVersion": "apps/v1", "blockOwnerDeletion": True, "controller": True,
                             "kind": "ReplicaSet", "name": owner, "uid": uid("rs", w.namespace, owner)}],
        "resourceVersion": resource_version("pod", name, phase, str(restarts)),
        "uid": uid("pod", w.namespace, name),
    }
    if scheduled is not None:
        # Never scheduled: no node, no IPs, no container statuses.
        return {
            "apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec,
            "status": {"conditions": [{"lastProbeTime": None, "lastTransitionTime": started, **scheduled,
                                       "status": "False", "type": "PodScheduled"}],
                       "phase": "Pending", "qosClass": "Burstable"},
        }
    spec["nodeName"] = node_name
    ip = f"10.42.{NODES.index(node_name) if node_name in NODES else 9}.{(sum(map(ord, name)) % 200) + 20}"
    container_status: dict[str, Any] = {
        "containerID": f"containerd://{hashlib.sha256(name.encode()).hexdigest()}",
        "image": image_ref,
        "imageID": f"{image_ref.rsplit(':', 1)[0]}@sha256:{hashlib.sha256(image_ref.encode()).hexdigest()}",
        "lastState": last_state or {},
        "name": w.name,
        "ready": ready,
        "restartCount": restarts,
        "started": bool(state is None or "running" in state),
        "state": state or {"running": {"startedAt": started}},
        "volumeMounts": [{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                          "name": f"kube-api-access-{suffix(name)}", "readOnly": True,
                          "recursiveReadOnly": "Disabled"}],
    }
    if "waiting" in container_status["state"] and restarts == 0:
        # A container that never ran has no container id and no resolved image yet.
        del container_status["containerID"]
        container_status["imageID"] = ""
    ready_text = "True" if ready else "False"
    conditions = [
        {"lastProbeTime": None, "lastTransitionTime": started, "status": "True", "type": "PodReadyToStartContainers"},
        {"lastProbeTime": None, "lastTransitionTime": started, "status": "True", "type": "Initialized"},
        {"lastProbeTime": None, "lastTransitionTime": started if ready else ts(9), "status": ready_text,
         "type": "Ready", **({} if ready else {"reason": "ContainersNotReady",
                                               "message": f"containers with unready status: [{w.name}]"})},
        {"lastProbeTime": None, "lastTransitionTime": started if ready else ts(9), "status": ready_text,
         "type": "ContainersReady", **({} if ready else {"reason": "ContainersNotReady",
                                                         "message": f"containers with unready status: [{w.name}]"})},
        {"lastProbeTime": None, "lastTransitionTime": started, "status": "True", "type": "PodScheduled"},
    ]
    node_ip = f"192.168.1.{21 + (NODES.index(node_name) if node_name in NODES else 9)}"
    return {
        "apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec,
        "status": {
            "conditions": conditions,
            "containerStatuses": [container_status],
            "hostIP": node_ip, "hostIPs": [{"ip": node_ip}],
            "phase": phase, "podIP": ip, "podIPs": [{"ip": ip}],
            "qosClass": "Burstable", "startTime": started,
        },
    }


def event(w: Workload, involved: dict, reason: str, message: str, *, kind: str = "Warning", count: int = 1,
          first_minutes_ago: float = 12, last_minutes_ago: float = 1, component: str = "kubelet",
          host: str | None = None) -> dict:
    name = f"{involved['name']}.{hashlib.sha256((reason + message).encode()).hexdigest()[:16]}"
    source: dict[str, str] = {"component": component}
    if host:
        source["host"] = host
    return {
        "apiVersion": "v1",
        "count": count,
        "eventTime": None,
        "firstTimestamp": ts(first_minutes_ago),
        "involvedObject": {
            "apiVersion": involved["apiVersion"], "kind": involved["kind"], "name": involved["name"],
            "namespace": w.namespace, "resourceVersion": involved["resourceVersion"], "uid": involved["uid"],
            **({"fieldPath": involved["fieldPath"]} if "fieldPath" in involved else {}),
        },
        "kind": "Event",
        "lastTimestamp": ts(last_minutes_ago),
        "message": message,
        "metadata": {"creationTimestamp": ts(first_minutes_ago), "name": name, "namespace": w.namespace,
                     "resourceVersion": resource_version("event", name), "uid": uid("event", name)},
        "reason": reason,
        "reportingComponent": component if component != "kubelet" else "kubelet",
        "reportingInstance": host or "",
        "source": source,
        "type": kind,
    }


def about(obj: dict, container: str | None = None) -> dict:
    ref = {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "name": obj["metadata"]["name"],
           "resourceVersion": obj["metadata"]["resourceVersion"], "uid": obj["metadata"]["uid"]}
    if container:
        ref["fieldPath"] = f"spec.containers{{{container}}}"
    return ref


# ---------------------------------------------------------------- around the pods: storage, routing, scaling, jobs


def pvc(w: Workload, claim: str, *, phase: str = "Bound", storage_class: str = "nfs-client",
        size: str = "100Gi") -> dict:
    volume = f"pvc-{uid('pv', w.namespace, claim)}"
    spec: dict[str, Any] = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}},
                            "storageClassName": storage_class, "volumeMode": "Filesystem"}
    status: dict[str, Any] = {"phase": phase}
    annotations = {"volume.beta.kubernetes.io/storage-provisioner": "cluster.local/nfs-subdir-external-provisioner",
                   "volume.kubernetes.io/storage-provisioner": "cluster.local/nfs-subdir-external-provisioner"}
    if phase in ("Bound", "Lost"):
        spec["volumeName"] = volume
        annotations.update({"pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes"})
    if phase == "Bound":
        status.update({"accessModes": ["ReadWriteOnce"], "capacity": {"storage": size}})
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {
            "annotations": annotations,
            "creationTimestamp": ts(60 * 24 * w.age_days),
            "finalizers": ["kubernetes.io/pvc-protection"],
            "labels": dict(w.labels),
            "name": claim,
            "namespace": w.namespace,
            "resourceVersion": resource_version("pvc", w.namespace, claim, phase),
            "uid": uid("pvc", claim),
        },
        "spec": spec,
        "status": status,
    }


def endpoints(w: Workload, pods: list[dict], *, service: str | None = None) -> dict:
    """What the endpoints controller writes for the workload's Service: ready pods as addresses, the
    others as notReadyAddresses; no subsets at all when no pod matches the Service's selector."""
    ready: list[dict] = []
    not_ready: list[dict] = []
    for p in pods:
        ip = (p.get("status") or {}).get("podIP")
        if not ip or p["status"].get("phase") != "Running":
            continue
        address = {"ip": ip, "nodeName": p["spec"]["nodeName"],
                   "targetRef": {"kind": "Pod", "name": p["metadata"]["name"], "namespace": w.namespace,
                                 "uid": p["metadata"]["uid"]}}
        is_ready = all(c.get("ready") for c in p["status"].get("containerStatuses") or ())
        (ready if is_ready else not_ready).append(address)
    name = service or w.name
    subsets = []
    if ready or not_ready:
        subset: dict[str, Any] = {"ports": [{"name": "http", "port": w.port, "protocol": "TCP"}]}
        if ready:
            subset["addresses"] = ready
        if not_ready:
            subset["notReadyAddresses"] = not_ready
        subsets.append(subset)
    out: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {
            "annotations": {"endpoints.kubernetes.io/last-change-trigger-time": ts(9)},
            "creationTimestamp": ts(60 * 24 * w.age_days),
            "labels": {**w.labels, "app.kubernetes.io/managed-by": "Helm"},
            "name": name,
            "namespace": w.namespace,
            "resourceVersion": resource_version("ep", w.namespace, name, str(len(ready)), str(len(not_ready))),
            "uid": uid("ep", w.namespace, name),
        },
    }
    if subsets:
        out["subsets"] = subsets
    return out


def ingress(w: Workload, *, service: str | None = None) -> dict:
    assert w.host is not None
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "annotations": {"cert-manager.io/cluster-issuer": "letsencrypt",
                            "traefik.ingress.kubernetes.io/router.entrypoints": "websecure"},
            "creationTimestamp": ts(60 * 24 * w.age_days),
            "generation": 1,
            "labels": {**w.labels, "app.kubernetes.io/managed-by": "Helm"},
            "name": w.name,
            "namespace": w.namespace,
            "resourceVersion": resource_version("ing", w.namespace, w.name),
            "uid": uid("ing", w.namespace, w.name),
        },
        "spec": {
            "ingressClassName": "traefik",
            "rules": [{"host": w.host, "http": {"paths": [{
                "backend": {"service": {"name": service or w.name, "port": {"name": "http"}}},
                "path": "/", "pathType": "Prefix"}]}}],
            "tls": [{"hosts": [w.host], "secretName": f"{w.name}-tls"}],
        },
        "status": {"loadBalancer": {"ingress": [{"ip": "192.168.1.240"}]}},
    }


def hpa(w: Workload, *, minimum: int, maximum: int, current: int, cpu: int, target: int = 70) -> dict:
    at_max = current >= maximum and cpu > target
    conditions = [
        {"lastTransitionTime": ts(60 * 24 * 3), "message": "recommended size matches current size",
         "reason": "ReadyForNewScale", "status": "True", "type": "AbleToScale"},
        {"lastTransitionTime": ts(60 * 24 * 3),
         "message": "the HPA was able to successfully calculate a replica count from cpu resource utilization "
                    "(percentage of request)", "reason": "ValidMetricFound", "status": "True",
         "type": "ScalingActive"},
        {"lastTransitionTime": ts(34 if at_max else 60 * 24 * 3),
         "message": "the desired replica count is more than the maximum replica count" if at_max
         else "the desired count is within the acceptable range",
         "reason": "TooManyReplicas" if at_max else "DesiredWithinRange", "status": "True" if at_max else "False",
         "type": "ScalingLimited"},
    ]
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {
            "creationTimestamp": ts(60 * 24 * w.age_days),
            "labels": {**w.labels, "app.kubernetes.io/managed-by": "Helm"},
            "name": w.name,
            "namespace": w.namespace,
            "resourceVersion": resource_version("hpa", w.namespace, w.name, str(current), str(cpu)),
            "uid": uid("hpa", w.namespace, w.name),
        },
        "spec": {
            "maxReplicas": maximum,
            "metrics": [{"resource": {"name": "cpu", "target": {"averageUtilization": target, "type": "Utilization"}},
                         "type": "Resource"}],
            "minReplicas": minimum,
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": w.name},
        },
        "status": {
            "conditions": conditions,
            "currentMetrics": [{"resource": {"current": {"averageUtilization": cpu,
                                                         "averageValue": f"{cpu * 5 // 10}m"}, "name": "cpu"},
                                "type": "Resource"}],
            "currentReplicas": current,
            "desiredReplicas": current,
            "lastScaleTime": ts(34 if at_max else 60 * 24 * 2),
        },
    }


CRON_LABELS = {"app.kubernetes.io/name": "nextcloud-cron", "app.kubernetes.io/instance": "nextcloud"}


def cronjob(w: Workload, name: str, *, last_schedule_minutes_ago: float, last_success_minutes_ago: float,
            active: list[dict] | None = None) -> dict:
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {
            "creationTimestamp": ts(60 * 24 * w.age_days),
            "generation": 1,
            "labels": {**CRON_LABELS, "app.kubernetes.io/managed-by": "Helm"},
            "name": name,
            "namespace": w.namespace,
            "resourceVersion": resource_version("cj", name, str(last_schedule_minutes_ago)),
            "uid": uid("cj", w.namespace, name),
        },
        "spec": {
            "concurrencyPolicy": "Forbid",
            "failedJobsHistoryLimit": 1,
            "jobTemplate": {"metadata": {"creationTimestamp": None}, "spec": {
                "backoffLimit": 6,
                "template": {"metadata": {"creationTimestamp": None, "labels": dict(CRON_LABELS)},
                             "spec": {"containers": [{"command": ["php", "-f", "/var/www/html/cron.php"],
                                                      "image": w.image, "imagePullPolicy": "IfNotPresent",
                                                      "name": "cron"}],
                                      "restartPolicy": "Never"}}}},
            "schedule": "*/5 * * * *",
            "successfulJobsHistoryLimit": 3,
            "suspend": False,
        },
        "status": {"lastScheduleTime": ts(last_schedule_minutes_ago),
                   "lastSuccessfulTime": ts(last_success_minutes_ago), **({"active": active} if active else {})},
    }


def job(w: Workload, cron: dict, minutes_ago: float, *, failed: int = 0) -> dict:
    scheduled = NOW - timedelta(minutes=minutes_ago)
    name = f"{cron['metadata']['name']}-{int(scheduled.timestamp() // 60)}"
    start = ts(minutes_ago)
    status: dict[str, Any] = {"startTime": start, "terminating": 0, "uncountedTerminatedPods": {}, "ready": 0}
    if failed:
        status.update({"failed": failed, "conditions": [
            {"lastProbeTime": ts(minutes_ago - 3), "lastTransitionTime": ts(minutes_ago - 3),
             "message": "Job has reached the specified backoff limit", "reason": "BackoffLimitExceeded",
             "status": "True", "type": "FailureTarget"},
            {"lastProbeTime": ts(minutes_ago - 3), "lastTransitionTime": ts(minutes_ago - 3),
             "message": "Job has reached the specified backoff limit", "reason": "BackoffLimitExceeded",
             "status": "True", "type": "Failed"}]})
    else:
        status.update({"succeeded": 1, "completionTime": ts(minutes_ago - 0.5), "conditions": [
            {"lastProbeTime": ts(minutes_ago - 0.5), "lastTransitionTime": ts(minutes_ago - 0.5),
             "message": "Reached expected number of succeeded pods", "reason": "CompletionsReached",
             "status": "True", "type": "SuccessCriteriaMet"},
            {"lastProbeTime": ts(minutes_ago - 0.5), "lastTransitionTime": ts(minutes_ago - 0.5),
             "message": "Reached expected number of succeeded pods", "reason": "CompletionsReached",
             "status": "True", "type": "Complete"}]})
    template = copy.deepcopy(cron["spec"]["jobTemplate"]["spec"])
    template["template"]["metadata"]["labels"] = {**CRON_LABELS, "batch.kubernetes.io/job-name": name,
                                                  "job-name": name}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "annotations": {"batch.kubernetes.io/cronjob-scheduled-timestamp": start},
            "creationTimestamp": start,
            "generation": 1,
            "labels": {**CRON_LABELS, "batch.kubernetes.io/controller-uid": uid("job", name), "job-name": name},
            "name": name,
            "namespace": w.namespace,
            "ownerReferences": [{"apiVersion": "batch/v1", "blockOwnerDeletion": True, "controller": True,
                                 "kind": "CronJob", "name": cron["metadata"]["name"],
                                 "uid": cron["metadata"]["uid"]}],
            "resourceVersion": resource_version("job", name, str(failed)),
            "uid": uid("job", name),
        },
        "spec": {**template, "completionMode": "NonIndexed", "completions": 1, "parallelism": 1, "suspend": False},
        "status": status,
    }


# ---------------------------------------------------------------- deploy history: Helm releases, Argo CD


def helm_release(w: Workload, revision: int, *, status: str, minutes_ago: float) -> dict:
    """A Helm 3 release Secret as `kubectl get` shows it, without its data: the example snapshots hold
    no Secret data at all, as the responder would never read it by default."""
    name = f"sh.helm.release.v1.{w.name}.v{revision}"
    modified = int((NOW - timedelta(minutes=minutes_ago)).timestamp())
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "creationTimestamp": ts(minutes_ago),
            "labels": {"modifiedAt": str(modified), "name": w.name, "owner": "helm", "status": status,
                       "version": str(revision)},
            "name": name,
            "namespace": w.namespace,
            "resourceVersion": resource_version("helm", w.namespace, name, status),
            "uid": uid("helm", w.namespace, name),
        },
        "type": "helm.sh/release.v1",
    }


ARGO_REPO = "https://github.com/acme-homelab/infra.git"


def argo_application(w: Workload, history: list[tuple[str, float, str]], *, health: str = "Healthy",
                     health_message: str = "") -> dict:
    """An Argo CD Application for the workload; `history` is (git revision, minutes ago, image), oldest first."""
    entries = []
    for index, (revision, minutes_ago, _image) in enumerate(history):
        entries.append({"deployStartedAt": ts(minutes_ago + 0.2), "deployedAt": ts(minutes_ago), "id": index,
                        "initiatedBy": {"automated": True}, "revision": revision,
                        "source": {"path": f"apps/{w.name}", "repoURL": ARGO_REPO, "targetRevision": "main"}})
    revision, minutes_ago, image = history[-1]
    resource_health = {"status": health, **({"message": health_message} if health_message else {})}
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {
            "creationTimestamp": ts(60 * 24 * w.age_days),
            "finalizers": ["resources-finalizer.argocd.argoproj.io"],
            "generation": 40 + len(history),
            "name": w.name,
            "namespace": "argocd",
            "resourceVersion": resource_version("app", w.name, revision, health),
            "uid": uid("app", w.name),
        },
        "spec": {
            "destination": {"namespace": w.namespace, "server": "https://kubernetes.default.svc"},
            "project": "default",
            "source": {"path": f"apps/{w.name}", "repoURL": ARGO_REPO, "targetRevision": "main"},
            "syncPolicy": {"automated": {"prune": True, "selfHeal": True}},
        },
        "status": {
            "health": {"status": health},
            "history": entries,
            "operationState": {
                "finishedAt": ts(minutes_ago), "message": "successfully synced (all tasks run)",
                "operation": {"initiatedBy": {"automated": True}, "sync": {"revision": revision}},
                "phase": "Succeeded", "startedAt": ts(minutes_ago + 0.2),
                "syncResult": {"revision": revision,
                               "source": {"path": f"apps/{w.name}", "repoURL": ARGO_REPO, "targetRevision": "main"}},
            },
            "reconciledAt": ts(1),
            "resources": [
                {"group": "apps", "health": resource_health, "kind": "Deployment", "name": w.name,
                 "namespace": w.namespace, "status": "Synced", "version": "v1"},
                {"health": {"status": "Healthy"}, "kind": "Service", "name": w.name, "namespace": w.namespace,
                 "status": "Synced", "version": "v1"},
            ],
            "sourceType": "Directory",
            "summary": {"externalURLs": [f"https://{w.host}/"] if w.host else [], "images": [image]},
            "sync": {"comparedTo": {"destination": {"namespace": w.namespace,
                                                    "server": "https://kubernetes.default.svc"},
                                    "source": {"path": f"apps/{w.name}", "repoURL": ARGO_REPO,
                                               "targetRevision": "main"}},
                     "revision": revision, "status": "Synced"},
        },
    }


def git_sha(*parts: str) -> str:
    return hashlib.sha1("/".join(parts).encode()).hexdigest()  # noqa: S324 - a made-up commit id



# ---------------------------------------------------------------- snapshots


@dataclass
class Scenario:
    """One failure mode: which workload breaks, and how."""

    name: str
    description: str
    service: str  # the catalogue service the failure is in
    build: Callable[[Cluster], None]


class Cluster:
    def __init__(self) -> None:
        self.nodes = {name: node(name) for name in NODES}
        self.parts: dict[str, dict[str, list[dict]]] = {}
        self.endpoints: dict[str, dict | None] = {}  # a workload's Endpoints, when not the pods' own
        for key, w in WORKLOADS.items():
            self.parts[key] = {
                "deployments": [deployment(w)],
                "replicasets": [replicaset(w)],
                "pods": [pod(w, i) for i in range(w.replicas)],
                "events": [],
                "pvcs": [pvc(w, v["persistentVolumeClaim"]["claimName"]) for v in w.volumes],
                "hpas": [],
                "jobs": [],
                "cronjobs": [],
                "ingresses": [ingress(w)] if w.host else [],
                "releases": [],
                "applications": [],
            }
            if w.deployed_by == "helm":
                self.parts[key]["releases"] = [
                    helm_release(w, rev, status="deployed" if rev == w.revision else "superseded",
                                 minutes_ago=60 * 24 * (w.age_days - rev))
                    for rev in (w.revision - 1, w.revision)]
            else:
                self.parts[key]["applications"] = [argo_application(w, [
                    (git_sha(w.name, str(rev)), 60 * 24 * (w.age_days - rev), w.image)
                    for rev in (w.revision - 1, w.revision)])]
        nextcloud = WORKLOADS["nextcloud"]
        self.parts["nextcloud"]["hpas"] = [hpa(nextcloud, minimum=2, maximum=4, current=2, cpu=35)]
        cron = cronjob(nextcloud, "nextcloud-cron", last_schedule_minutes_ago=3, last_success_minutes_ago=2.5)
        self.parts["nextcloud"]["cronjobs"] = [cron]
        self.parts["nextcloud"]["jobs"] = [job(nextcloud, cron, 3)]

    def set(self, key: str, **parts: list[dict]) -> None:
        self.parts[key].update(parts)

    def add_events(self, key: str, *events: dict) -> None:
        self.parts[key]["events"].extend(events)

    def deploy(self, key: str, minutes_ago: float, image: str, *, status: str = "deployed",
               revision: str | None = None) -> None:
        """Record a new deploy of the workload where its tool keeps history: a Helm revision, or an
        Argo CD sync of a new git revision."""
        w = WORKLOADS[key]
        if w.deployed_by == "helm":
            releases = self.parts[key]["releases"]
            latest = max(int(r["metadata"]["labels"]["version"]) for r in releases)
            for release in releases:
                if release["metadata"]["labels"]["status"] == "deployed":
                    release["metadata"]["labels"]["status"] = "superseded"
            releases.append(helm_release(w, latest + 1, status=status, minutes_ago=minutes_ago))
            return
        app = self.parts[key]["applications"][0]
        history = [(entry["revision"], (NOW - _parse(entry["deployedAt"])).total_seconds() / 60,
                    app["status"]["summary"]["images"][0]) for entry in app["status"]["history"]]
        history.append((revision or git_sha(w.name, "deploy", str(minutes_ago)), minutes_ago, image))
        self.parts[key]["applications"] = [argo_application(w, history, health="Degraded" if status != "deployed"
                                                            else "Healthy")]

    def as_list(self) -> dict:
        items: list[dict] = []
        for key, w in WORKLOADS.items():
            parts = self.parts[key]
            for kind in ("pods", "replicasets", "deployments", "events", "pvcs", "hpas", "jobs", "cronjobs",
                         "ingresses", "releases", "applications"):
                items.extend(parts[kind])
            own = self.endpoints.get(key, endpoints(w, parts["pods"]))
            if own is not None and (w.host or parts["pods"]):
                items.append(own)
        items.extend(self.nodes.values())
        # kubectl prints the kinds in the order asked for; Helm's Secrets and Argo CD's Applications are
        # read by a second command and appended (see examples/cluster/README.md).
        order = {"Pod": 0, "Deployment": 1, "ReplicaSet": 2, "Event": 3, "Node": 4, "PersistentVolumeClaim": 5,
                 "HorizontalPodAutoscaler": 6, "Job": 7, "CronJob": 8, "Ingress": 9, "Endpoints": 10, "Secret": 11,
                 "Application": 12}
        items.sort(key=lambda item: order[item["kind"]])
        return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


def _parse(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _crash(key: str, exit_code: int, reason: str, message: str = "", *, restarts: int = 9) -> Callable[[Cluster], None]:
    def build(cluster: Cluster) -> None:
        w = WORKLOADS[key]
        back_off = "5m0s" if restarts > 5 else "40s"
        pods = []
        for index in range(w.replicas):
            terminated = {"containerID": f"containerd://{hashlib.sha256(f'{key}{index}'.encode()).hexdigest()}",
                          "exitCode": exit_code, "finishedAt": ts(2 + index), "reason": reason,
                          "startedAt": ts(2.5 + index)}
            if message:
                terminated["message"] = message
            pods.append(pod(w, index, ready=False, restarts=restarts + index, state={"waiting": {
                "message": f"back-off {back_off} restarting failed container={w.name} pod={w.pod_name(index)}"
                           f"_{w.namespace}({uid('pod', w.namespace, w.pod_name(index))})",
                "reason": "CrashLoopBackOff"}}, last_state={"terminated": terminated}))
        events = []
        for p in pods:
            events.append(event(w, about(p, w.name), "BackOff", "Back-off restarting failed container "
                                f"{w.name} in pod {p['metadata']['name']}_{w.namespace}"
                                f"({p['metadata']['uid']})", count=restarts * 4, first_minutes_ago=38,
                                last_minutes_ago=1, host=p["spec"]["nodeName"]))
            if exit_code == 143:
                events.append(event(w, about(p, w.name), "Unhealthy",
                                    f"Liveness probe failed: Get \"http://{p['status']['podIP']}:{w.port}"
                                    f"{w.readiness_path}\": context deadline exceeded (Client.Timeout exceeded "
                                    "while awaiting headers)", count=restarts * 3, first_minutes_ago=38,
                                    last_minutes_ago=2.2, host=p["spec"]["nodeName"]))
                events.append(event(w, about(p, w.name), "Killing",
                                    f"Container {w.name} failed liveness probe, will be restarted", kind="Normal",
                                    count=restarts, first_minutes_ago=38, last_minutes_ago=2.1,
                                    host=p["spec"]["nodeName"]))
        cluster.set(key, pods=pods, deployments=[deployment(w, available=0)],
                    replicasets=[replicaset(w, ready=0)])
        cluster.add_events(key, *events)

    return build


def _image_pull(key: str, image: str, waiting_reason: str, pull_error: str) -> Callable[[Cluster], None]:
    def build(cluster: Cluster) -> None:
        w = WORKLOADS[key]
        # A new revision with the bad image. These workloads use the Recreate strategy, so the old pod
        # was stopped first and nothing serves.
        new_rev = w.revision + 1
        new_rs = replicaset(w, revision=new_rev, replicas=w.replicas, ready=0, minutes_ago=16, image=image,
                            desired_annotation=w.replicas)
        rs_name = new_rs["metadata"]["name"]
        message = {"ImagePullBackOff": f'Back-off pulling image "{image}"',
                   "ErrImagePull": pull_error,
                   "InvalidImageName": f'Failed to apply default image tag "{image}": couldn\'t parse image '
                                       f'reference "{image}": invalid reference format'}[waiting_reason]
        pods = [pod(w, i, ready=False, image=image, rs_name=rs_name, started_minutes_ago=16,
                    state={"waiting": {"message": message, "reason": waiting_reason}}) for i in range(w.replicas)]
        events = []
        for p in pods:
            host = p["spec"]["nodeName"]
            if waiting_reason == "InvalidImageName":
                events.append(event(w, about(p, w.name), "InspectFailed", message, count=71, first_minutes_ago=16,
                                    host=host))
                events.append(event(w, about(p, w.name), "Failed", "Error: InvalidImageName", count=71,
                                    first_minutes_ago=16, host=host))
                continue
            events.append(event(w, about(p, w.name), "Pulling", f'Pulling image "{image}"', kind="Normal",
                                count=6, first_minutes_ago=16, last_minutes_ago=3, host=host))
            events.append(event(w, about(p, w.name), "Failed", pull_error, count=6, first_minutes_ago=16,
                                last_minutes_ago=3, host=host))
            events.append(event(w, about(p, w.name), "Failed", "Error: ErrImagePull", count=6,
                                first_minutes_ago=16, last_minutes_ago=3, host=host))
            events.append(event(w, about(p, w.name), "BackOff", f'Back-off pulling image "{image}"', kind="Normal",
                                count=63, first_minutes_ago=15.5, last_minutes_ago=0.5, host=host))
            events.append(event(w, about(p, w.name), "Failed", "Error: ImagePullBackOff", count=63,
                                first_minutes_ago=15.5, last_minutes_ago=0.5, host=host))
        # Recreate: the old pods were stopped when the rollout began, and availability went with them.
        cluster.set(key, pods=pods,
                    deployments=[deployment(w, available=0, progressing="ReplicaSetUpdated", image=image,
                                            unavailable_minutes_ago=16)],
                    replicasets=[replicaset(w, replicas=0),
                                 new_rs])
        created = event(w, about(new_rs), "SuccessfulCreate", f"Created pod: {pods[0]['metadata']['name']}",
                        kind="Normal", first_minutes_ago=16, last_minutes_ago=16, component="replicaset-controller")
        cluster.add_events(key, created, *events)
        # Helm (without --wait) records the revision as deployed; Argo CD sees the new pods fail.
        cluster.deploy(key, 16.2, image, status="deployed" if w.deployed_by == "helm" else "degraded")

    return build


def _pending(key: str, message: str, *, extra: Callable[[Cluster], None] | None = None) -> Callable[[Cluster], None]:
    def build(cluster: Cluster) -> None:
        w = WORKLOADS[key]
        pods = [pod(w, i, scheduled={"reason": "Unschedulable", "message": message}, started_minutes_ago=22)
                for i in range(w.replicas)]
        events = [event(w, about(p), "FailedScheduling", message, count=14, first_minutes_ago=22,
                        last_minutes_ago=2, component="default-scheduler") for p in pods]
        cluster.set(key, pods=pods, deployments=[deployment(w, available=0)],
                    replicasets=[replicaset(w, ready=0)])
        cluster.add_events(key, *events)
        if extra:
            extra(cluster)

    return build


def _config_missing(key: str, kind: str, name: str) -> Callable[[Cluster], None]:
    def build(cluster: Cluster) -> None:
        w = WORKLOADS[key]
        message = f'{kind} "{name}" not found'
        pods = [pod(w, i, ready=False, started_minutes_ago=9, state={"waiting": {
            "message": message, "reason": "CreateContainerConfigError"}}) for i in range(w.replicas)]
        events = [event(w, about(p, w.name), "Failed", f"Error: {message}", count=43, first_minutes_ago=9,
                        last_minutes_ago=0.3, host=p["spec"]["nodeName"]) for p in pods]
        cluster.set(key, pods=pods, deployments=[deployment(w, available=0)],
                    replicasets=[replicaset(w, ready=0)])
        cluster.add_events(key, *events)

    return build


def _not_ready(cluster: Cluster) -> None:
    w = WORKLOADS["grafana"]
    p = pod(w, 0, ready=False, started_minutes_ago=47)
    cluster.set("grafana", pods=[p], deployments=[deployment(w, available=0)],
                replicasets=[replicaset(w, ready=0)])
    # Argo CD synced a configuration change (same image) just before the pod started.
    cluster.deploy("grafana", 47.5, w.image, status="degraded", revision=git_sha("grafana", "datasources"))
    cluster.add_events("grafana", event(
        w, about(p, w.name), "Unhealthy",
        "Readiness probe failed: HTTP probe failed with statuscode: 503", count=262, first_minutes_ago=44,
        last_minutes_ago=0.2, host=p["spec"]["nodeName"]))


def _scaled_to_zero(cluster: Cluster) -> None:
    w = WORKLOADS["home-assistant"]
    cluster.set("home-assistant", pods=[],
                deployments=[deployment(w, replicas=0, available=0, last_applied_replicas=1)],
                replicasets=[replicaset(w, revision=w.revision - 1),
                             replicaset(w, replicas=0, ready=0, desired_annotation=0)])
    rs = cluster.parts["home-assistant"]["replicasets"][1]
    cluster.add_events("home-assistant",
                       event(w, about(cluster.parts["home-assistant"]["deployments"][0]), "ScalingReplicaSet",
                             f"Scaled down replica set {rs['metadata']['name']} to 0 from 1", kind="Normal",
                             first_minutes_ago=26, last_minutes_ago=26, component="deployment-controller"),
                       event(w, about(rs), "SuccessfulDelete", f"Deleted pod: {w.pod_name(0)}", kind="Normal",
                             first_minutes_ago=26, last_minutes_ago=26, component="replicaset-controller"))


def _rollout_stuck(cluster: Cluster) -> None:
    w = WORKLOADS["immich"]
    new_rev = w.revision + 1
    new_rs = replicaset(w, revision=new_rev, replicas=1, ready=0, minutes_ago=31, desired_annotation=1)
    rs_name = new_rs["metadata"]["name"]
    new_pod = pod(w, 0, ready=False, rs_name=rs_name, started_minutes_ago=31)
    old_rs = replicaset(w, replicas=0, ready=0, desired_annotation=1)
    dep = deployment(w, available=0, progressing="ProgressDeadlineExceeded")
    dep["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = str(new_rev)
    dep["status"]["conditions"][1]["message"] = f'ReplicaSet "{rs_name}" has timed out progressing.'
    cluster.set("immich", pods=[new_pod], deployments=[dep],
                replicasets=[old_rs, new_rs])
    # helm upgrade --wait gave up on it after its timeout.
    cluster.deploy("immich", 31.2, w.image, status="failed")
    cluster.add_events("immich",
                       event(w, about(dep), "ScalingReplicaSet", f"Scaled up replica set {rs_name} to 1",
                             kind="Normal", first_minutes_ago=31, last_minutes_ago=31,
                             component="deployment-controller"),
                       event(w, about(dep), "ScalingReplicaSet",
                             f"Scaled down replica set {old_rs['metadata']['name']} to 0 from 1", kind="Normal",
                             first_minutes_ago=30, last_minutes_ago=30, component="deployment-controller"),
                       event(w, about(new_pod, w.name), "Unhealthy",
                             f"Readiness probe failed: Get \"http://{new_pod['status']['podIP']}:{w.port}"
                             f"{w.readiness_path}\": dial tcp {new_pod['status']['podIP']}:{w.port}: connect: "
                             "connection refused", count=181, first_minutes_ago=30, last_minutes_ago=0.2,
                             host=new_pod["spec"]["nodeName"]))


def _restarts_climbing(cluster: Cluster) -> None:
    w = WORKLOADS["nextcloud"]
    pods = [pod(w, 0, restarts=7, started_minutes_ago=60 * 5, last_state={"terminated": {
        "containerID": "containerd://" + hashlib.sha256(b"nc-restart").hexdigest(), "exitCode": 1,
        "finishedAt": ts(18), "reason": "Error", "startedAt": ts(49)}},
        state={"running": {"startedAt": ts(18)}}), pod(w, 1)]
    cluster.set("nextcloud", pods=pods)
    cluster.add_events("nextcloud", event(w, about(pods[0], w.name), "BackOff",
                                          f"Back-off restarting failed container {w.name} in pod "
                                          f"{pods[0]['metadata']['name']}_{w.namespace}({pods[0]['metadata']['uid']})",
                                          count=7, first_minutes_ago=290, last_minutes_ago=18,
                                          host=pods[0]["spec"]["nodeName"]))


def _node_not_ready(cluster: Cluster) -> None:
    cluster.nodes["k8s-node2"] = node("k8s-node2", ready="Unknown", ready_reason="NodeStatusUnknown",
                                      ready_message="Kubelet stopped posting node status.", minutes_ago=14.5)
    w = WORKLOADS["nextcloud"]
    # Pods on an unreachable node keep their last status, with Ready=False set by the node controller.
    pods = [pod(w, 0, node_name="k8s-node2", ready=False), pod(w, 1, node_name="k8s-node3")]
    for condition in pods[0]["status"]["conditions"]:
        if condition["type"] == "Ready":
            condition.pop("reason", None), condition.pop("message", None)
            condition["lastTransitionTime"] = ts(14)
    cluster.set("nextcloud", pods=pods, deployments=[deployment(w, available=1)])
    cluster.add_events("nextcloud", event(w, about(pods[0]), "NodeNotReady", "Node is not ready", count=1,
                                          first_minutes_ago=14, last_minutes_ago=14, component="node-controller"))


def _pressure(kind: str) -> Callable[[Cluster], None]:
    def build(cluster: Cluster) -> None:
        taint_key = {"MemoryPressure": "node.kubernetes.io/memory-pressure",
                     "DiskPressure": "node.kubernetes.io/disk-pressure",
                     "PIDPressure": "node.kubernetes.io/pid-pressure"}[kind]
        cluster.nodes["k8s-node3"] = node("k8s-node3", pressure=kind, taints=[
            {"effect": "NoSchedule", "key": taint_key, "timeAdded": ts(18)}])
        w = WORKLOADS["immich"]
        p = pod(w, 0, node_name="k8s-node3")
        cluster.set("immich", pods=[p])

    return build


def _quota(cluster: Cluster) -> None:
    w = WORKLOADS["grafana"]
    message = ('pods "grafana-5c9d8f7b6d-" is forbidden: exceeded quota: monitoring-compute, requested: '
               "limits.memory=512Mi, used: limits.memory=3840Mi, limited: limits.memory=4Gi")
    failure = f"Error creating: {message}"
    rs = replicaset(w, ready=0, replicas=1, failure=failure)
    rs["status"]["replicas"] = 0
    cluster.set("grafana", pods=[], deployments=[deployment(w, available=0, replica_failure=message)],
                replicasets=[rs])
    cluster.add_events("grafana", event(w, about(rs), "FailedCreate", failure, count=17, first_minutes_ago=11,
                                        last_minutes_ago=0.8, component="replicaset-controller"))


def _pvc_pending(cluster: Cluster) -> None:
    w = WORKLOADS["immich"]
    cluster.set("immich", pvcs=[pvc(w, "immich-library", phase="Pending", storage_class="nfs-fast")])
    cluster.add_events("immich", {
        **event(w, {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": "immich-library",
                    "resourceVersion": "48121907", "uid": uid("pvc", "immich-library")},
                "ProvisioningFailed", 'storageclass.storage.k8s.io "nfs-fast" not found', count=89,
                first_minutes_ago=22, last_minutes_ago=0.5, component="persistentvolume-controller"),
    })



def _evicted(cluster: Cluster) -> None:
    """The kubelet of k8s-node2 ran low on memory 25 minutes ago and evicted both Nextcloud pods; their
    replacements run elsewhere. Evicted pods stay listed (phase Failed, reason Evicted) until collected."""
    w = WORKLOADS["nextcloud"]
    message = ("The node was low on resource: memory. Threshold quantity: 100Mi, available: 92160Ki. Container "
               "nextcloud was using 1572864Ki, request is 512Mi, has larger consumption of memory. ")
    evicted = []
    for index in (0, 1):
        p = pod(w, index, node_name="k8s-node2", ready=False, phase="Failed", started_minutes_ago=60 * 24 * 2,
                state={"terminated": {"exitCode": 137, "finishedAt": ts(25), "reason": "Error",
                                      "startedAt": ts(60 * 24 * 2)}})
        p["status"]["reason"] = "Evicted"
        p["status"]["message"] = message
        p["status"]["conditions"].insert(0, {"lastProbeTime": None, "lastTransitionTime": ts(25),
                                             "message": message.strip(), "reason": "TerminationByKubelet",
                                             "status": "True", "type": "DisruptionTarget"})
        del p["status"]["podIP"], p["status"]["podIPs"]
        evicted.append(p)
    replacements = [pod(w, index, node_name=("k8s-node3", "k8s-node1")[index - 2], started_minutes_ago=24)
                    for index in (2, 3)]
    cluster.set("nextcloud", pods=[*evicted, *replacements])
    cluster.add_events("nextcloud", *[event(w, about(p), "Evicted", message.strip(), first_minutes_ago=25,
                                            last_minutes_ago=25, host="k8s-node2") for p in evicted])


def _pvc_lost(cluster: Cluster) -> None:
    """Home Assistant's config volume was deleted underneath its claim; the restarted pod cannot be placed."""
    w = WORKLOADS["home-assistant"]
    claim = pvc(w, "home-assistant-config", phase="Lost")
    volume = claim["spec"]["volumeName"]
    message = (f'0/3 nodes are available: persistentvolumeclaim "home-assistant-config" bound to non-existent '
               f'persistentvolume "{volume}". preemption: 0/3 nodes are available: 3 Preemption is not helpful '
               "for scheduling.")
    p = pod(w, 0, scheduled={"reason": "Unschedulable", "message": message}, started_minutes_ago=12)
    cluster.set("home-assistant", pods=[p], pvcs=[claim], deployments=[deployment(w, available=0)],
                replicasets=[replicaset(w, ready=0)])
    cluster.add_events("home-assistant",
                       event(w, {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": "home-assistant-config",
                                 "resourceVersion": claim["metadata"]["resourceVersion"],
                                 "uid": claim["metadata"]["uid"]},
                             "ClaimLost", "Bound claim has lost reference to PersistentVolume. Data on the volume is "
                             "lost!", first_minutes_ago=13, last_minutes_ago=13,
                             component="persistentvolume-controller"),
                       event(w, about(p), "FailedScheduling", message, count=9, first_minutes_ago=12,
                             last_minutes_ago=1, component="default-scheduler"))


def _hpa_at_max(cluster: Cluster) -> None:
    """Nextcloud scaled out to its autoscaler's maximum of 4 and CPU is still far over target."""
    w = WORKLOADS["nextcloud"]
    scaler = hpa(w, minimum=2, maximum=4, current=4, cpu=96)
    cluster.set("nextcloud", pods=[pod(w, index, started_minutes_ago=34 if index > 1 else None)
                                   for index in range(4)],
                deployments=[deployment(w, replicas=4)], replicasets=[replicaset(w, replicas=4)], hpas=[scaler])
    cluster.add_events("nextcloud", event(w, {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                                              "name": w.name, "resourceVersion": scaler["metadata"]["resourceVersion"],
                                              "uid": scaler["metadata"]["uid"]},
                                          "SuccessfulRescale", "New size: 4; reason: cpu resource utilization "
                                          "(percentage of request) above target", kind="Normal",
                                          first_minutes_ago=34, last_minutes_ago=34,
                                          component="horizontal-pod-autoscaler"))


def _cronjob_failed(cluster: Cluster) -> None:
    """Nextcloud's background jobs (cron.php) fail: the latest Job hit its backoff limit; the last success
    was 3 hours ago. The web pods are fine."""
    w = WORKLOADS["nextcloud"]
    cron = cronjob(w, "nextcloud-cron", last_schedule_minutes_ago=10, last_success_minutes_ago=180)
    done = job(w, cron, 181)
    failed = job(w, cron, 10, failed=7)
    name = failed["metadata"]["name"]
    job_pod = pod(w, 0, rs_name=name, ready=False, phase="Failed", started_minutes_ago=8,
                  state={"terminated": {"exitCode": 1, "finishedAt": ts(7.5), "reason": "Error",
                                        "startedAt": ts(8)}})
    job_pod["metadata"]["labels"] = {**CRON_LABELS, "batch.kubernetes.io/job-name": name, "job-name": name}
    job_pod["metadata"]["ownerReferences"] = [{"apiVersion": "batch/v1", "blockOwnerDeletion": True,
                                               "controller": True, "kind": "Job", "name": name,
                                               "uid": failed["metadata"]["uid"]}]
    job_pod["spec"]["containers"][0]["name"] = "cron"
    job_pod["spec"]["restartPolicy"] = "Never"
    job_pod["status"]["containerStatuses"][0]["name"] = "cron"
    cluster.set("nextcloud", cronjobs=[cron], jobs=[done, failed],
                pods=[*cluster.parts["nextcloud"]["pods"], job_pod])
    cluster.add_events("nextcloud", event(w, about(failed), "BackoffLimitExceeded",
                                          "Job has reached the specified backoff limit", first_minutes_ago=7,
                                          last_minutes_ago=7, component="job-controller"))


def _ingress_no_endpoints(cluster: Cluster) -> None:
    """Grafana's pods are ready, but its Service's selector no longer matches them (a chart changed the
    labels): the Service has no endpoints, and the ingress has nowhere to send requests."""
    w = WORKLOADS["grafana"]
    cluster.endpoints["grafana"] = endpoints(w, [])


def _rollout_crashloop(cluster: Cluster) -> None:
    """A rolling update of Nextcloud to a new image: the one new pod crashes at start (exit 1) while the
    two pods of the previous revision still serve; the rollout hit its progress deadline."""
    w = WORKLOADS["nextcloud"]
    image = "docker.io/library/nextcloud:30.0.3-apache"
    new_rev = w.revision + 1
    new_rs = replicaset(w, revision=new_rev, replicas=1, ready=0, minutes_ago=14, image=image, desired_annotation=2)
    rs_name = new_rs["metadata"]["name"]
    old_rs = replicaset(w)
    terminated = {"containerID": "containerd://" + hashlib.sha256(b"nc-new").hexdigest(), "exitCode": 1,
                  "finishedAt": ts(1.5), "reason": "Error", "startedAt": ts(1.6)}
    new_pod = pod(w, 0, ready=False, restarts=7, image=image, rs_name=rs_name, started_minutes_ago=14,
                  state={"waiting": {"message": f"back-off 5m0s restarting failed container={w.name} pod="
                                                f"{rs_name}", "reason": "CrashLoopBackOff"}},
                  last_state={"terminated": terminated})
    dep = deployment(w, available=2, progressing="ProgressDeadlineExceeded", image=image)
    dep["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = str(new_rev)
    dep["status"]["conditions"][1]["message"] = f'ReplicaSet "{rs_name}" has timed out progressing.'
    dep["status"].update({"replicas": 3, "updatedReplicas": 1, "unavailableReplicas": 1})
    cluster.set("nextcloud", pods=[*cluster.parts["nextcloud"]["pods"], new_pod], deployments=[dep],
                replicasets=[old_rs, new_rs])
    cluster.deploy("nextcloud", 14.2, image)
    cluster.add_events("nextcloud",
                       event(w, about(dep), "ScalingReplicaSet", f"Scaled up replica set {rs_name} to 1",
                             kind="Normal", first_minutes_ago=14, last_minutes_ago=14,
                             component="deployment-controller"),
                       event(w, about(new_pod, w.name), "BackOff", f"Back-off restarting failed container {w.name} "
                             f"in pod {new_pod['metadata']['name']}_{w.namespace}({new_pod['metadata']['uid']})",
                             count=28, first_minutes_ago=13, last_minutes_ago=1, host=new_pod["spec"]["nodeName"]))


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("healthy", "Every workload running and ready; all nodes Ready.", "nextcloud", lambda cluster: None),
    Scenario("oomkilled", "Nextcloud: both pods OOMKilled (exit 137) and in CrashLoopBackOff at a 1Gi limit.",
             "nextcloud", _crash("nextcloud", 137, "OOMKilled")),
    Scenario("crashloop-exit-0", "Grafana exits 0 right after starting and is restarted in a loop.",
             "grafana", _crash("grafana", 0, "Completed")),
    Scenario("crashloop-exit-1", "Immich exits 1 (an application error at start-up) in a loop.",
             "immich", _crash("immich", 1, "Error")),
    Scenario("crashloop-exit-139", "Home Assistant segfaults (SIGSEGV, exit 139) in a loop.",
             "home-assistant", _crash("home-assistant", 139, "Error")),
    Scenario("crashloop-exit-143", "Woodpecker fails its liveness probe and is stopped with SIGTERM (143).",
             "woodpecker", _crash("woodpecker", 143, "Error")),
    Scenario("image-pull-backoff", "Immich was rolled out with an image tag that does not exist.",
             "immich", _image_pull(
                 "immich", "ghcr.io/immich-app/immich-server:v1.999.0", "ImagePullBackOff",
                 'Failed to pull image "ghcr.io/immich-app/immich-server:v1.999.0": rpc error: code = NotFound '
                 'desc = failed to pull and unpack image "ghcr.io/immich-app/immich-server:v1.999.0": failed to '
                 'resolve reference "ghcr.io/immich-app/immich-server:v1.999.0": '
                 "ghcr.io/immich-app/immich-server:v1.999.0: not found")),
    Scenario("err-image-pull-auth", "Home Assistant moved to a private registry without a pull secret.",
             "home-assistant", _image_pull(
                 "home-assistant", "registry.acme-homelab.org/home-assistant:2024.11.3", "ErrImagePull",
                 'Failed to pull image "registry.acme-homelab.org/home-assistant:2024.11.3": failed to pull and '
                 'unpack image "registry.acme-homelab.org/home-assistant:2024.11.3": failed to resolve reference '
                 '"registry.acme-homelab.org/home-assistant:2024.11.3": pull access denied, repository does not '
                 "exist or may require authorization: authorization failed: no basic auth credentials")),
    Scenario("invalid-image-name", "Grafana's image reference ends in a colon with no tag.",
             "grafana", _image_pull("grafana", "docker.io/grafana/grafana:", "InvalidImageName", "")),
    Scenario("pending-insufficient-cpu", "Immich requests more CPU than any node has free.",
             "immich", _pending("immich", "0/3 nodes are available: 1 node(s) had untolerated taint "
                                "{node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 "
                                "nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption "
                                "victims found for incoming pod.")),
    Scenario("pending-insufficient-memory", "Nextcloud requests more memory than any node has free.",
             "nextcloud", _pending("nextcloud", "0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 "
                                   "nodes are available: 3 No preemption victims found for incoming pod.")),
    Scenario("pending-taints", "Home Assistant needs a node whose taints it does not tolerate.",
             "home-assistant", _pending("home-assistant", "0/3 nodes are available: 1 node(s) had untolerated "
                                        "taint {node-role.kubernetes.io/control-plane: }, 2 node(s) had untolerated "
                                        "taint {dedicated: zigbee}. preemption: 0/3 nodes are available: 3 "
                                        "Preemption is not helpful for scheduling.")),
    Scenario("pending-unbound-pvc", "Immich's library PersistentVolumeClaim is not bound (storage class gone).",
             "immich", _pending("immich", "0/3 nodes are available: pod has unbound immediate "
                                "PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not "
                                "helpful for scheduling.", extra=_pvc_pending)),
    Scenario("quota-exceeded", "Grafana's new pod is refused: the namespace's ResourceQuota is used up.",
             "grafana", _quota),
    Scenario("config-missing-configmap", "Nextcloud cannot start: its ConfigMap nextcloud-config was deleted.",
             "nextcloud", _config_missing("nextcloud", "configmap", "nextcloud-config")),
    Scenario("config-missing-secret", "Mail cannot start: its Secret mailserver-credentials does not exist.",
             "mail", _config_missing("mail", "secret", "mailserver-credentials")),
    Scenario("not-ready", "Grafana is running but its readiness probe answers 503.", "grafana", _not_ready),
    Scenario("scaled-to-zero", "Home Assistant was scaled to 0 replicas.", "home-assistant", _scaled_to_zero),
    Scenario("rollout-stuck", "Immich's new revision never became ready; the rollout hit its deadline.",
             "immich", _rollout_stuck),
    Scenario("restarts-climbing", "Nextcloud serves, but one pod restarted 7 times (exit 1) in 5 hours.",
             "nextcloud", _restarts_climbing),
    Scenario("node-not-ready", "Node k8s-node2 stopped reporting; a Nextcloud pod was on it.",
             "nextcloud", _node_not_ready),
    Scenario("node-memory-pressure", "Node k8s-node3, which runs Immich, is under memory pressure.",
             "immich", _pressure("MemoryPressure")),
    Scenario("node-disk-pressure", "Node k8s-node3, which runs Immich, is under disk pressure.",
             "immich", _pressure("DiskPressure")),
    Scenario("node-pid-pressure", "Node k8s-node3, which runs Immich, is running out of process ids.",
             "immich", _pressure("PIDPressure")),
    Scenario("evicted", "Both Nextcloud pods were evicted from k8s-node2 (low on memory); replacements run.",
             "nextcloud", _evicted),
    Scenario("pvc-lost", "Home Assistant's PersistentVolumeClaim lost its volume; the new pod cannot start.",
             "home-assistant", _pvc_lost),
    Scenario("hpa-at-max", "Nextcloud's autoscaler is at its maximum of 4 replicas with CPU at 96% of a 70% target.",
             "nextcloud", _hpa_at_max),
    Scenario("cronjob-failed", "Nextcloud's background CronJob fails (backoff limit); the web pods are fine.",
             "nextcloud", _cronjob_failed),
    Scenario("ingress-no-endpoints", "Grafana's pods are ready, but its ingress's Service has no endpoints.",
             "grafana", _ingress_no_endpoints),
    Scenario("rollout-crashloop", "Nextcloud's new image crashes at start; the previous revision still serves.",
             "nextcloud", _rollout_crashloop),
)


def snapshot(name: str) -> dict:
    scenario = next(s for s in SCENARIOS if s.name == name)
    cluster = Cluster()
    scenario.build(cluster)
    return cluster.as_list()


def render(name: str) -> str:
    return json.dumps(snapshot(name), indent=4, ensure_ascii=False) + "\n"


def write_all(directory: Path = SNAPSHOTS) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for scenario in SCENARIOS:
        path = directory / f"{scenario.name}.json"
        path.write_text(render(scenario.name), encoding="utf-8")
        written.append(path)
    index = ["# Cluster snapshots", "",
             "Each file is what `kubectl get pods,deployments,replicasets,events,nodes,pvc,hpa,jobs,cronjobs,"
             "ingresses,endpoints -A -o json`",
             "prints for the example cluster (three nodes, the workloads of `examples/responder.yml`) with one "
             "failure mode,",
             "followed by the deploy history: Helm's release Secrets, metadata only (`kubectl get secrets -A -l "
             "owner=helm`",
             "with `data` removed), and Argo CD's Applications (`kubectl get applications.argoproj.io -A`). The "
             "investigation docs",
             "show the one command that writes such a file.",
             "Replay a report against one with `responder handle --cluster-snapshot examples/cluster/FILE.json`.",
             "", "| File | Service | What is wrong |", "|---|---|---|"]
    index += [f"| `{s.name}.json` | {s.service} | {s.description} |" for s in SCENARIOS]
    (directory / "README.md").write_text("\n".join(index) + "\n", encoding="utf-8")
    return written


if __name__ == "__main__":
    for written_path in write_all():
        print(written_path.relative_to(ROOT))
