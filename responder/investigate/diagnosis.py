"""What is wrong with a service in Kubernetes, read from raw objects.

Pure: a ClusterView (plain dicts, exactly as the API or kubectl returned
them), the service's namespace/selector/deployment and the time in, a
Diagnosis out. Each problem carries a reason code that the remedy
catalogue and the escalation text key on, a plain sentence, and the raw
event or status messages as evidence (untrusted text: always fenced when
shown).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from responder.config.loader import KubernetesTarget
from responder.model.cluster import (
    ClusterView,
    Obj,
    annotations_of,
    created_at,
    event_time,
    name_of,
    owners_of,
    parse_time,
    selects,
)

FAIL = "fail"
WARN = "warn"

# Reason codes. The remedy catalogue and the escalation hints key on them.
CRASH_LOOP = "crash-loop"
OOM_KILLED = "oom-killed"
IMAGE_PULL = "image-pull"
INVALID_IMAGE = "invalid-image-name"
CONFIG_MISSING = "config-missing"
CONTAINER_ERROR = "container-error"
NOT_READY = "not-ready"
PENDING = "pending"  # with a reason: insufficient-cpu, insufficient-memory, taints, node-selector, unbound-pvc
QUOTA_EXCEEDED = "quota-exceeded"
CREATE_FORBIDDEN = "pod-create-forbidden"
STUCK_CREATING = "stuck-creating"
SCALED_TO_ZERO = "scaled-to-zero"
NO_AVAILABLE = "no-available-replicas"
FEWER_AVAILABLE = "fewer-available-replicas"
ROLLOUT_STUCK = "rollout-stuck"
RESTARTS_CLIMBING = "restarts-climbing"
NODE_NOT_READY = "node-not-ready"
NODE_PRESSURE = "node-pressure"
NODE_CORDONED = "node-cordoned"
NOTHING_FOUND = "nothing-found"
EVICTED = "evicted"
PVC_PENDING = "pvc-pending"
PVC_LOST = "pvc-lost"
HPA_AT_MAX = "hpa-at-max"
JOB_FAILED = "job-failed"
INGRESS_NO_ENDPOINTS = "ingress-no-endpoints"

# Codes that name a cause, not only a symptom: with one of these, the
# incident has a root cause (the sweep escalates incidents without one).
ROOT_CAUSES = frozenset({
    CRASH_LOOP, OOM_KILLED, IMAGE_PULL, INVALID_IMAGE, CONFIG_MISSING, CONTAINER_ERROR, NOT_READY, PENDING,
    QUOTA_EXCEEDED, CREATE_FORBIDDEN, SCALED_TO_ZERO, ROLLOUT_STUCK, NODE_NOT_READY, NODE_PRESSURE,
    EVICTED, PVC_PENDING, PVC_LOST, HPA_AT_MAX, JOB_FAILED, INGRESS_NO_ENDPOINTS,
})

# The order in which problems explain an outage, most telling first. A
# missing ConfigMap explains a crash loop; a crash loop explains 0 ready pods.
# A lost volume or an unbound claim explains a Pending pod.
PRIORITY = (
    NODE_NOT_READY, PVC_LOST, CONFIG_MISSING, INVALID_IMAGE, IMAGE_PULL, QUOTA_EXCEEDED, CREATE_FORBIDDEN,
    PVC_PENDING, PENDING, EVICTED, OOM_KILLED, CRASH_LOOP, CONTAINER_ERROR, STUCK_CREATING, SCALED_TO_ZERO,
    ROLLOUT_STUCK, NOT_READY, NO_AVAILABLE, INGRESS_NO_ENDPOINTS, HPA_AT_MAX, JOB_FAILED, NOTHING_FOUND,
    NODE_PRESSURE, FEWER_AVAILABLE, RESTARTS_CLIMBING, NODE_CORDONED,
)

_SIGNALS = {6: "SIGABRT", 9: "SIGKILL", 11: "SIGSEGV", 15: "SIGTERM"}
_EXIT_CODES = {
    0: "exited with code 0: the process ended on its own, but a long-running container must not; "
       "check its command and its liveness probe",
    1: "exited with code 1, an application error: the previous container's logs say why",
    2: "exited with code 2: usually a wrong command-line argument or a shell error",
    126: "exited with code 126: the command exists but cannot be executed (permissions or architecture)",
    127: "exited with code 127: the command was not found in the image",
    134: "was aborted (SIGABRT, exit code 134): the application aborted itself after an internal error",
    137: "was killed with SIGKILL (exit code 137): the out-of-memory killer or a failing liveness probe "
         "stopped it",
    139: "crashed with a segmentation fault (SIGSEGV, exit code 139): a bug in native code, or an image built "
         "for another CPU",
    143: "was stopped with SIGTERM (exit code 143): Kubernetes asked it to stop, usually after failing liveness "
         "probes, and it exited with an error",
}


def explain_exit(code: int | None, reason: str | None = None) -> str:
    """What a container's exit code means, in plain words."""
    if reason == "OOMKilled":
        return "was killed for using more memory than its limit (OOMKilled, exit code 137)"
    if code is None:
        return "stopped without an exit code"
    if code in _EXIT_CODES:
        return _EXIT_CODES[code]
    if code > 128:
        signal = _SIGNALS.get(code - 128, f"signal {code - 128}")
        return f"was stopped by {signal} (exit code {code})"
    return f"exited with code {code}, an application error: the previous container's logs say why"


@dataclass(frozen=True)
class Problem:
    code: str
    status: str  # fail | warn
    subject: str  # pod/NAME, deployment/NAME, node/NAME
    detail: str  # one plain sentence
    container: str | None = None
    evidence: str = ""  # raw event or status messages (untrusted)
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def pod(self) -> str | None:
        return self.subject.split("/", 1)[1] if self.subject.startswith("pod/") else None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "status": self.status, "subject": self.subject,
                               "detail": self.detail}
        if self.container:
            out["container"] = self.container
        if self.data:
            out["data"] = dict(self.data)
        return out


@dataclass(frozen=True)
class PodSummary:
    name: str
    phase: str
    ready: int
    containers: int
    restarts: int
    node: str | None
    state: str  # Running, CrashLoopBackOff, Pending, ...


@dataclass(frozen=True)
class Diagnosis:
    namespace: str
    deployment: str
    selector: str | None
    source: str
    found_deployment: bool
    desired: int | None
    available: int | None
    pods: tuple[PodSummary, ...]
    problems: tuple[Problem, ...]  # most telling first

    @property
    def failing(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.status == FAIL)

    @property
    def healthy(self) -> bool:
        return not self.failing

    @property
    def primary(self) -> Problem | None:
        return self.failing[0] if self.failing else None

    @property
    def root_cause(self) -> Problem | None:
        for problem in self.failing:
            if problem.code in ROOT_CAUSES:
                return problem
        return None

    def codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.code for p in self.failing))

    @property
    def nodes_not_ready(self) -> tuple[str, ...]:
        return tuple(p.subject.split("/", 1)[1] for p in self.problems if p.code == NODE_NOT_READY)


# ---------------------------------------------------------------- diagnose


def diagnose(view: ClusterView, target: KubernetesTarget, now: datetime, *, restarts_climbing: int = 3,
             host: str | None = None) -> Diagnosis:
    """`host` is the service's public host name: only the ingress rules for it are checked (all of the
    namespace's without one, or when no ingress there serves it)."""
    namespace = target.namespace
    deployment = view.deployment(namespace, target.deployment)
    pods = _service_pods(view, target, deployment)
    if deployment is None:
        # The configured name may be off (it defaults to the service name): the Deployment that owns
        # the selected pods is the one that matters.
        deployment = _owning_deployment(view, pods)
    # A service that is a CronJob or a Job (backups, reports) has no Deployment: the job is its workload.
    job_workload = deployment is None and not pods and (
        view.named("cronjobs", namespace, target.deployment) is not None
        or view.named("jobs", namespace, target.deployment) is not None)
    problems: list[Problem] = []
    for pod in pods:
        problems.extend(_pod_problems(view, pod, now, restarts_climbing))
    if deployment is not None:
        problems.extend(_deployment_problems(view, deployment))
    elif not pods and not job_workload:
        problems.append(Problem(
            NOTHING_FOUND, FAIL, f"deployment/{target.deployment}",
            f"No Deployment {target.deployment} and no pods"
            + (f" matching {target.selector}" if target.selector else "")
            + f" in namespace {namespace}.",
        ))
    serving = any(_pod_ready(pod) for pod in pods if not _evicted(pod))
    if not serving:
        # Evictions with nothing left serving are the outage, not its history.
        problems = [replace(p, status=FAIL) if p.code == EVICTED else p for p in problems]
    problems.extend(_claim_problems(view, namespace, pods, deployment))
    problems.extend(_autoscaler_problems(view, deployment))
    problems.extend(_job_problems(view, namespace, target.deployment if job_workload else None, now))
    if serving:
        # Pods that are not ready explain an ingress with no endpoints; pods that are ready do not.
        problems.extend(_ingress_problems(view, namespace, host))
    hosts = {str((pod.get("spec") or {}).get("nodeName") or "") for pod in pods if not _evicted(pod)} - {""}
    problems.extend(_node_problems(view, hosts))
    desired = available = None
    if deployment is not None:
        desired = _int((deployment.get("spec") or {}).get("replicas"), 1)
        available = _int((deployment.get("status") or {}).get("availableReplicas"), 0)
    return Diagnosis(
        namespace=namespace,
        deployment=name_of(deployment) if deployment is not None else target.deployment,
        selector=target.selector,
        source=view.source,
        found_deployment=deployment is not None,
        desired=desired,
        available=available,
        pods=tuple(_summary(pod) for pod in pods),
        problems=tuple(_ordered(_merge_duplicates(problems))),
    )


def _service_pods(view: ClusterView, target: KubernetesTarget, deployment: Obj | None) -> list[Obj]:
    namespace = target.namespace
    candidates = [pod for pod in view.pods if (pod.get("metadata") or {}).get("namespace") == namespace]
    if target.selector:
        chosen = [pod for pod in candidates
                  if selects(target.selector, (pod.get("metadata") or {}).get("labels") or {})]
    elif deployment is not None:
        owned = {name_of(rs) for rs in view.replicasets
                 if (rs.get("metadata") or {}).get("namespace") == namespace
                 and ("Deployment", name_of(deployment)) in owners_of(rs)}
        chosen = [pod for pod in candidates if any(kind == "ReplicaSet" and name in owned
                                                   for kind, name in owners_of(pod))]
    else:
        chosen = []
    # Finished pods (jobs) and pods already on their way out say nothing about the service now.
    return [pod for pod in chosen
            if (pod.get("status") or {}).get("phase") not in ("Succeeded",)
            and not (pod.get("metadata") or {}).get("deletionTimestamp")]


def _owning_deployment(view: ClusterView, pods: Sequence[Obj]) -> Obj | None:
    replicasets = {name for pod in pods for kind, name in owners_of(pod) if kind == "ReplicaSet"}
    namespaces = {str((pod.get("metadata") or {}).get("namespace") or "") for pod in pods}
    for rs in view.replicasets:
        if name_of(rs) in replicasets and (rs.get("metadata") or {}).get("namespace") in namespaces:
            for kind, name in owners_of(rs):
                if kind == "Deployment":
                    return view.deployment(str(rs["metadata"]["namespace"]), name)
    return None


def _summary(pod: Obj) -> PodSummary:
    status = pod.get("status") or {}
    statuses = list(status.get("containerStatuses") or ())
    ready = sum(1 for s in statuses if s.get("ready"))
    restarts = sum(_int(s.get("restartCount"), 0) for s in statuses)
    containers = len((pod.get("spec") or {}).get("containers") or ()) or len(statuses)
    state = str(status.get("phase") or "Unknown")
    if _evicted(pod):
        return PodSummary(name_of(pod), state, 0, containers, restarts, (pod.get("spec") or {}).get("nodeName"),
                          "Evicted")
    for container in [*(status.get("initContainerStatuses") or ()), *statuses]:
        waiting = (container.get("state") or {}).get("waiting")
        if waiting and waiting.get("reason"):
            state = str(waiting["reason"])
            break
    else:
        if state == "Running" and ready < containers:
            state = "Running, not ready"
    return PodSummary(name_of(pod), str(status.get("phase") or "Unknown"), ready, containers, restarts,
                      (pod.get("spec") or {}).get("nodeName"), state)


# ---------------------------------------------------------------- pods


def _pod_problems(view: ClusterView, pod: Obj, now: datetime, restarts_climbing: int) -> list[Problem]:
    name = name_of(pod)
    namespace = str((pod.get("metadata") or {}).get("namespace") or "")
    subject = f"pod/{name}"
    status = pod.get("status") or {}
    events = view.events_for("Pod", name, namespace)
    problems: list[Problem] = []
    if _evicted(pod):
        return [_eviction(subject, pod, now, events)]
    if status.get("phase") == "Pending" and not status.get("containerStatuses"):
        scheduled = _condition(status, "PodScheduled")
        if scheduled is not None and scheduled.get("status") == "False":
            problems.append(_pending(subject, scheduled, events))
            return problems
    specs = {c.get("name"): c for c in (pod.get("spec") or {}).get("containers") or ()}
    init_specs = {c.get("name"): c for c in (pod.get("spec") or {}).get("initContainers") or ()}
    node_name = str((pod.get("spec") or {}).get("nodeName") or "")
    node = view.node(node_name) if node_name else None
    node_ready = _condition((node or {}).get("status") or {}, "Ready") if node else None
    node_down = node_name if node is not None and (node_ready or {}).get("status") != "True" else None
    ready = _condition(status, "Ready")
    not_ready_since = parse_time((ready or {}).get("lastTransitionTime")) if ready else None
    for container_status in status.get("initContainerStatuses") or ():
        problems.extend(_container_problems(subject, container_status, init_specs, events, now, restarts_climbing,
                                            init=True))
    for container_status in status.get("containerStatuses") or ():
        problems.extend(_container_problems(subject, container_status, specs, events, now, restarts_climbing,
                                            node_down=node_down, not_ready_since=not_ready_since))
    if not problems and status.get("phase") == "Pending":
        age = now - (created_at(pod) or now)
        mount = [e for e in events if e.get("reason") in ("FailedMount", "FailedAttachVolume")]
        missing = _missing_config("\n".join(str(e.get("message") or "") for e in mount))
        if missing is not None:
            problems.append(_config_missing(subject, None, missing, _event_lines(mount)))
        elif age > timedelta(minutes=5):
            problems.append(Problem(
                STUCK_CREATING, FAIL, subject,
                f"The pod has been starting for {_minutes(age)} without running.",
                evidence=_event_lines(events[-5:]),
            ))
    return problems


def _container_problems(subject: str, container: Obj, specs: Mapping[Any, Obj], events: Sequence[Obj],
                        now: datetime, restarts_climbing: int, init: bool = False, node_down: str | None = None,
                        not_ready_since: datetime | None = None) -> list[Problem]:
    name = str(container.get("name") or "")
    what = f"init container {name}" if init else f"container {name}"
    state = container.get("state") or {}
    waiting = state.get("waiting") or {}
    running = state.get("running")
    terminated_now = state.get("terminated") or {}
    last = (container.get("lastState") or {}).get("terminated") or {}
    restarts = _int(container.get("restartCount"), 0)
    reason = str(waiting.get("reason") or "")
    message = str(waiting.get("message") or "")
    spec = specs.get(name) or {}
    memory_limit = ((spec.get("resources") or {}).get("limits") or {}).get("memory")
    out: list[Problem] = []

    if reason in ("ImagePullBackOff", "ErrImagePull", "ErrImageNeverPull", "ImageInspectError"):
        image = str(container.get("image") or spec.get("image") or "")
        pulls = [e for e in events if e.get("reason") in ("Failed", "BackOff", "ErrImageNeverPull")
                 and ("image" in str(e.get("message") or "").lower())]
        evidence = "\n".join(filter(None, [f"{reason}: {message}" if message else reason, _event_lines(pulls[-4:])]))
        cause = _pull_cause(evidence)
        out.append(Problem(
            IMAGE_PULL, FAIL, subject,
            f"The {what} cannot pull its image {image} ({reason}): {cause}.",
            container=name, evidence=evidence, data={"reason": reason, "image": image, "cause": cause},
        ))
    elif reason == "InvalidImageName":
        image = str(container.get("image") or spec.get("image") or "")
        out.append(Problem(
            INVALID_IMAGE, FAIL, subject,
            f"The {what} names an image that is not a valid reference: {image}.",
            container=name, evidence=f"{reason}: {message}".strip(": "), data={"reason": reason, "image": image},
        ))
    elif reason == "CreateContainerConfigError":
        missing = _missing_config(message)
        mounts = [e for e in events if e.get("reason") == "Failed"]
        evidence = "\n".join(filter(None, [f"{reason}: {message}", _event_lines(mounts[-3:])]))
        if missing is not None:
            out.append(_config_missing(subject, name, missing, evidence))
        else:
            out.append(Problem(CONFIG_MISSING, FAIL, subject,
                               f"The {what} cannot be created from its configuration: {message or reason}.",
                               container=name, evidence=evidence, data={"reason": reason}))
    elif reason in ("CreateContainerError", "RunContainerError", "ContainerCannotRun", "StartError"):
        out.append(Problem(CONTAINER_ERROR, FAIL, subject, f"The {what} cannot be started ({reason}).",
                           container=name, evidence=f"{reason}: {message}".strip(": "), data={"reason": reason}))
    elif reason == "CrashLoopBackOff" or (terminated_now and not init and restarts > 0):
        ended = last or terminated_now
        exit_code = _int_or_none(ended.get("exitCode"))
        ended_reason = str(ended.get("reason") or "")
        oom = ended_reason == "OOMKilled"
        explanation = explain_exit(exit_code, ended_reason)
        backoff = [e for e in events if e.get("reason") in ("BackOff", "Killing", "Unhealthy")]
        evidence = "\n".join(filter(None, [
            f"{reason}: {message}" if reason else "",
            f"last terminated: reason={ended_reason or '?'} exitCode={exit_code} "
            f"startedAt={ended.get('startedAt')} finishedAt={ended.get('finishedAt')}",
            str(ended.get("message") or ""),
            _event_lines(backoff[-4:]),
        ]))
        data: dict[str, Any] = {"exit_code": exit_code, "reason": ended_reason, "restarts": restarts,
                                "memory_limit": memory_limit}
        if oom:
            limit = f" of {memory_limit}" if memory_limit else ""
            out.append(Problem(
                OOM_KILLED, FAIL, subject,
                f"The {what} was killed for using more than its memory limit{limit} (OOMKilled, exit code 137), "
                f"and has restarted {restarts} times.",
                container=name, evidence=evidence, data=data,
            ))
        else:
            out.append(Problem(
                CRASH_LOOP, FAIL, subject,
                f"The {what} is crash-looping ({restarts} restarts): it {explanation}.",
                container=name, evidence=evidence, data=data,
            ))
    elif running is not None and not container.get("ready") and not init:
        probes = [e for e in events if e.get("reason") == "Unhealthy"]
        readiness = [e for e in probes if "readiness" in str(e.get("message") or "").lower()]
        evidence = _event_lines((readiness or probes)[-4:])
        since_time = not_ready_since or parse_time(running.get("startedAt"))
        since = f" for {_minutes(now - since_time)}" if since_time and now - since_time > timedelta(minutes=1) else ""
        if node_down:
            detail = f"The {what} is not ready{since}: its node {node_down} is NotReady."
        else:
            detail = f"The {what} is running but not ready{since}: its readiness probe is failing."
        out.append(Problem(NOT_READY, FAIL, subject, detail, container=name,
                           evidence=evidence or _event_lines(events[-3:]),
                           data={"probe_events": len(readiness), "node_not_ready": node_down}))
    if last and out == [] and restarts >= restarts_climbing:
        finished = parse_time(last.get("finishedAt"))
        if finished is not None and now - finished <= timedelta(hours=1):
            exit_code = _int_or_none(last.get("exitCode"))
            ended_reason = str(last.get("reason") or "")
            out.append(Problem(
                RESTARTS_CLIMBING, WARN, subject,
                f"The {what} is running, but has restarted {restarts} times; the last restart was "
                f"{_minutes(now - finished)} ago: it {explain_exit(exit_code, ended_reason)}.",
                container=name,
                evidence=f"last terminated: reason={ended_reason or '?'} exitCode={exit_code} "
                         f"finishedAt={last.get('finishedAt')}",
                data={"exit_code": exit_code, "reason": ended_reason, "restarts": restarts,
                      "memory_limit": memory_limit},
            ))
    return out


_CONFIG_RE = re.compile(
    r"(?P<kind>configmap|secret)s?\s+\"(?P<name>[^\"]+)\"\s+not found"
    r"|couldn't find key (?P<key>\S+) in (?P<kind2>ConfigMap|Secret) (?P<ns>[^/\s]+)/(?P<name2>\S+)",
    re.IGNORECASE,
)


def _missing_config(message: str) -> dict[str, str] | None:
    match = _CONFIG_RE.search(message)
    if not match:
        return None
    if match["name"]:
        kind = "ConfigMap" if match["kind"].lower() == "configmap" else "Secret"
        return {"kind": kind, "name": match["name"]}
    kind = "ConfigMap" if match["kind2"].lower() == "configmap" else "Secret"
    return {"kind": kind, "name": match["name2"], "key": match["key"]}


def _config_missing(subject: str, container: str | None, missing: Mapping[str, str], evidence: str) -> Problem:
    what = f"container {container}" if container else "pod"
    if "key" in missing:
        detail = (f"The {what} cannot start: the key {missing['key']} is missing from "
                  f"{missing['kind']} {missing['name']}.")
    else:
        detail = f"The {what} cannot start: the {missing['kind']} {missing['name']} it needs does not exist."
    return Problem(CONFIG_MISSING, FAIL, subject, detail, container=container, evidence=evidence, data=dict(missing))


def _pull_cause(text: str) -> str:
    lower = text.lower()
    if any(word in lower for word in ("unauthorized", "authorization failed", "pull access denied", "401",
                                      "403 forbidden", "denied: ", "authentication required")):
        return "the registry refused access: the image pull secret is missing or wrong"
    if any(word in lower for word in ("not found", "manifest unknown", "no such image")):
        return "the image tag does not exist in the registry"
    if any(word in lower for word in ("i/o timeout", "no such host", "connection refused", "tls handshake")):
        return "the registry cannot be reached from the node"
    if "toomanyrequests" in lower or "rate limit" in lower:
        return "the registry's pull rate limit was hit"
    return "the registry did not deliver the image"


_PENDING_REASONS = (
    ("unbound-pvc", re.compile(r"unbound immediate PersistentVolumeClaims|persistentvolumeclaim \S+ not found|"
                               r"pod has unbound|bound to non-existent persistentvolume", re.IGNORECASE),
     "a PersistentVolumeClaim it needs is not bound to a volume"),
    ("insufficient-memory", re.compile(r"Insufficient memory", re.IGNORECASE),
     "no node has enough free memory for its requests"),
    ("insufficient-cpu", re.compile(r"Insufficient cpu", re.IGNORECASE),
     "no node has enough free CPU for its requests"),
    ("taints", re.compile(r"untolerated taint|had taint|had volume node affinity conflict", re.IGNORECASE),
     "the nodes that could run it carry taints it does not tolerate"),
    ("node-selector", re.compile(r"didn't match (?:Pod's )?node (?:affinity/)?selector|node affinity", re.IGNORECASE),
     "no node matches its nodeSelector or node affinity"),
)


_NODE_COUNTS = re.compile(r"(?:^|,\s*)(?P<count>\d+) (?P<what>[^,]+)")


def _pending(subject: str, scheduled: Obj, events: Sequence[Obj]) -> Problem:
    failed = [e for e in events if e.get("reason") == "FailedScheduling"]
    message = str(scheduled.get("message") or (failed[-1].get("message") if failed else "") or "")
    # "0/3 nodes are available: 1 node(s) had untolerated taint {...}, 2 Insufficient cpu. preemption: ..."
    # The reason most nodes give is the one that matters; a tainted control plane is always listed.
    summary = message.split(". preemption:")[0].split("are available:", 1)[-1]
    counted: dict[str, int] = {}
    for match in _NODE_COUNTS.finditer(summary):
        for key, pattern, _ in _PENDING_REASONS:
            if pattern.search(match["what"]):
                counted[key] = counted.get(key, 0) + int(match["count"])
    for key, pattern, _ in _PENDING_REASONS:
        if key not in counted and pattern.search(message):
            counted[key] = 0
    words_for = {key: words for key, _, words in _PENDING_REASONS}
    ordered = sorted(counted, key=lambda key: -counted[key])
    reason_key = ordered[0] if ordered else "unschedulable"
    words = "; ".join(words_for[key] for key in ordered) or "the scheduler found no node for it"
    reasons = [(key, words_for[key]) for key in ordered]
    evidence = "\n".join(filter(None, [
        f"PodScheduled=False {scheduled.get('reason') or ''}: {scheduled.get('message') or ''}".strip(),
        _event_lines(failed[-2:]),
    ]))
    return Problem(PENDING, FAIL, subject, f"The pod is Pending and cannot be scheduled: {words}.",
                   evidence=evidence, data={"reason": reason_key, "reasons": [k for k, _ in reasons]})


# ---------------------------------------------------------------- deployments


def _deployment_problems(view: ClusterView, deployment: Obj) -> list[Problem]:
    name = name_of(deployment)
    subject = f"deployment/{name}"
    spec = deployment.get("spec") or {}
    status = deployment.get("status") or {}
    desired = _int(spec.get("replicas"), 1)
    available = _int(status.get("availableReplicas"), 0)
    out: list[Problem] = []
    failure = _condition(status, "ReplicaFailure")
    rs_failures = _replicaset_failures(view, deployment)
    failure_text = "\n".join(filter(None, [
        str(failure.get("message") or "") if failure and failure.get("status") == "True" else "",
        *rs_failures,
    ]))
    if "exceeded quota" in failure_text:
        quota = re.search(r"exceeded quota: ([\w.-]+)", failure_text)
        out.append(Problem(
            QUOTA_EXCEEDED, FAIL, subject,
            f"New pods cannot be created: the namespace's ResourceQuota {quota[1] if quota else ''} is exceeded."
            .replace("  ", " "),
            evidence=failure_text, data={"quota": quota[1] if quota else None},
        ))
    elif "forbidden" in failure_text.lower():
        out.append(Problem(CREATE_FORBIDDEN, FAIL, subject,
                           "New pods cannot be created: the API server refuses them (an admission policy).",
                           evidence=failure_text))
    if spec.get("paused"):
        out.append(Problem(ROLLOUT_STUCK, WARN, subject, "The deployment's rollout is paused.",
                           data={"paused": True}))
    if desired == 0:
        out.append(Problem(
            SCALED_TO_ZERO, FAIL, subject, "The deployment is scaled to 0 replicas: nothing is running.",
            data={"restore_to": _replicas_before_scale_down(view, deployment)},
        ))
        return out
    progressing = _condition(status, "Progressing")
    if progressing is not None and progressing.get("status") == "False" \
            and progressing.get("reason") == "ProgressDeadlineExceeded":
        out.append(Problem(
            ROLLOUT_STUCK, FAIL, subject,
            f"The rollout is not progressing: {progressing.get('message') or 'the progress deadline passed'}",
            evidence=f"Progressing=False ProgressDeadlineExceeded: {progressing.get('message') or ''}",
            data={"revision": annotations_of(deployment).get("deployment.kubernetes.io/revision")},
        ))
    if available == 0:
        out.append(Problem(NO_AVAILABLE, FAIL, subject,
                           f"The deployment has 0 of {desired} replicas available.",
                           data={"desired": desired, "available": 0}))
    elif available < desired:
        out.append(Problem(FEWER_AVAILABLE, WARN, subject,
                           f"The deployment has {available} of {desired} replicas available.",
                           data={"desired": desired, "available": available}))
    return out


def _replicaset_failures(view: ClusterView, deployment: Obj) -> list[str]:
    namespace = str((deployment.get("metadata") or {}).get("namespace") or "")
    name = name_of(deployment)
    out = []
    for rs in view.replicasets:
        if (rs.get("metadata") or {}).get("namespace") != namespace or ("Deployment", name) not in owners_of(rs):
            continue
        failure = _condition(rs.get("status") or {}, "ReplicaFailure")
        if failure is not None and failure.get("status") == "True":
            out.append(str(failure.get("message") or ""))
        for event in view.events_for("ReplicaSet", name_of(rs), namespace)[-2:]:
            if event.get("reason") == "FailedCreate":
                out.append(str(event.get("message") or ""))
    return list(dict.fromkeys(out))


def _replicas_before_scale_down(view: ClusterView, deployment: Obj) -> int | None:
    """How many replicas the deployment had before it went to 0, if anything recorded it."""
    import json

    applied = annotations_of(deployment).get("kubectl.kubernetes.io/last-applied-configuration")
    if applied:
        try:
            replicas = (json.loads(applied).get("spec") or {}).get("replicas")
        except (ValueError, AttributeError):
            replicas = None
        if isinstance(replicas, int) and replicas > 0:
            return replicas
    namespace = str((deployment.get("metadata") or {}).get("namespace") or "")
    name = name_of(deployment)
    # Each ReplicaSet remembers the deployment's replica count when it last owned the rollout.
    counts = []
    for rs in view.replicasets:
        if (rs.get("metadata") or {}).get("namespace") == namespace and ("Deployment", name) in owners_of(rs):
            value = annotations_of(rs).get("deployment.kubernetes.io/desired-replicas")
            if value and value.isdigit() and int(value) > 0:
                counts.append((created_at(rs), int(value)))
    counts.sort(key=lambda item: item[0] or datetime.min.replace(tzinfo=UTC))
    return counts[-1][1] if counts else None



# ---------------------------------------------------------------- evictions

_LOW_ON = re.compile(r"low on resource: (?P<resource>[\w-]+)", re.IGNORECASE)
_USING = re.compile(r"Container (?P<container>\S+) was using (?P<using>\S+), request is (?P<request>[^,]+)")


def _evicted(pod: Obj) -> bool:
    status = pod.get("status") or {}
    return status.get("phase") == "Failed" and status.get("reason") == "Evicted"


def _pod_ready(pod: Obj) -> bool:
    ready = _condition(pod.get("status") or {}, "Ready")
    return ready is not None and ready.get("status") == "True"


def _eviction(subject: str, pod: Obj, now: datetime, events: Sequence[Obj]) -> Problem:
    """An evicted pod, with the kubelet's reason. A warning while other pods serve (diagnose raises it
    to a failure when nothing does)."""
    status = pod.get("status") or {}
    message = str(status.get("message") or "").strip()
    node = str((pod.get("spec") or {}).get("nodeName") or "")
    target = _condition(status, "DisruptionTarget")
    at = parse_time((target or {}).get("lastTransitionTime")) or (event_time(events[-1]) if events else None)
    when = f" {_minutes(now - at)} ago" if at is not None else ""
    low = _LOW_ON.search(message)
    using = _USING.search(message)
    if low:
        cause = f"the node was low on {low['resource']}"
        if using:
            cause += (f"; container {using['container']} was using {using['using']} against a request of "
                      f"{using['request'].strip()}")
    else:
        cause = message.rstrip(".") or "no reason was recorded"
    where = f" from node {node}" if node else ""
    evictions = [e for e in events if e.get("reason") == "Evicted"]
    evidence = "\n".join(filter(None, [f"Evicted: {message}" if message else "Evicted", _event_lines(evictions[-2:])]))
    return Problem(EVICTED, WARN, subject, f"The pod was evicted{where}{when}: {cause}.", evidence=evidence,
                   data={"node": node or None, "resource": low["resource"] if low else None,
                         "container": using["container"] if using else None})


# ---------------------------------------------------------------- volumes, autoscaling, jobs, ingress


def _claims(pods: Sequence[Obj], deployment: Obj | None) -> list[str]:
    specs = [pod.get("spec") or {} for pod in pods]
    if deployment is not None:
        specs.append(((deployment.get("spec") or {}).get("template") or {}).get("spec") or {})
    names = [str((volume.get("persistentVolumeClaim") or {}).get("claimName") or "")
             for spec in specs for volume in spec.get("volumes") or () if isinstance(volume, Mapping)]
    return list(dict.fromkeys(name for name in names if name))


def _claim_problems(view: ClusterView, namespace: str, pods: Sequence[Obj], deployment: Obj | None) -> list[Problem]:
    """A claim the service mounts that is Pending (no volume yet) or Lost (its volume is gone)."""
    if not view.pvcs:
        return []  # not read: nothing to say either way
    out = []
    for claim_name in _claims(pods, deployment):
        claim = view.named("pvcs", namespace, claim_name)
        if claim is None:
            continue
        phase = str((claim.get("status") or {}).get("phase") or "")
        events = view.events_for("PersistentVolumeClaim", claim_name, namespace)
        spec = claim.get("spec") or {}
        storage_class = spec.get("storageClassName")
        volume = spec.get("volumeName")
        evidence = "\n".join(filter(None, [f"phase={phase} storageClassName={storage_class} volumeName={volume}",
                                           _event_lines(events[-3:])]))
        if phase == "Lost":
            out.append(Problem(
                PVC_LOST, FAIL, f"pvc/{claim_name}",
                f"The PersistentVolumeClaim {claim_name} is Lost: its PersistentVolume {volume or ''} is gone, and "
                "the data on it may be lost.".replace("  ", " "),
                evidence=evidence, data={"claim": claim_name, "volume": volume, "data_at_risk": True},
            ))
        elif phase == "Pending":
            why = next((str(e.get("message") or "") for e in reversed(events)
                        if e.get("reason") in ("ProvisioningFailed", "FailedBinding")), "")
            cause = f": {why}" if why else (f" (storage class {storage_class})" if storage_class else "")
            out.append(Problem(
                PVC_PENDING, FAIL, f"pvc/{claim_name}",
                f"The PersistentVolumeClaim {claim_name} is Pending: no volume is bound to it{cause}.",
                evidence=evidence, data={"claim": claim_name, "storage_class": storage_class},
            ))
    return out


def _autoscaler_problems(view: ClusterView, deployment: Obj | None) -> list[Problem]:
    """An autoscaler of the deployment at its maximum while a resource is still over its target."""
    if deployment is None:
        return []
    namespace, name = str((deployment.get("metadata") or {}).get("namespace") or ""), name_of(deployment)
    out = []
    for hpa in view.hpas:
        spec, status = hpa.get("spec") or {}, hpa.get("status") or {}
        ref = spec.get("scaleTargetRef") or {}
        if (hpa.get("metadata") or {}).get("namespace") != namespace or ref.get("kind") != "Deployment" \
                or ref.get("name") != name:
            continue
        maximum = _int_or_none(spec.get("maxReplicas"))
        current = _int_or_none(status.get("currentReplicas"))
        if maximum is None or current is None or current < maximum:
            continue
        over = []
        for metric in spec.get("metrics") or ():
            resource = metric.get("resource") or {} if isinstance(metric, Mapping) else {}
            target = _int_or_none((resource.get("target") or {}).get("averageUtilization"))
            value = _current_utilization(status, str(resource.get("name") or ""))
            if metric.get("type") == "Resource" and target is not None and value is not None and value > target:
                over.append((str(resource["name"]), value, target))
        if not over:
            continue
        words = "; ".join(f"{'CPU' if what == 'cpu' else what} is at {value}% of requests against a {target}% "
                          f"target" for what, value, target in over)
        limited = _condition(status, "ScalingLimited")
        evidence = "\n".join(filter(None, [
            f"currentReplicas={current} maxReplicas={maximum} minReplicas={spec.get('minReplicas')}",
            f"ScalingLimited={limited.get('status')} {limited.get('reason') or ''}: {limited.get('message') or ''}"
            if limited else "",
            _event_lines(view.events_for("HorizontalPodAutoscaler", name_of(hpa), namespace)[-2:]),
        ]))
        out.append(Problem(
            HPA_AT_MAX, FAIL, f"hpa/{name_of(hpa)}",
            f"The autoscaler {name_of(hpa)} is at its maximum of {maximum} replicas and {words}: it cannot add the "
            "capacity the load asks for.",
            evidence=evidence, data={"max": maximum, "current": current,
                                     "over": [{"resource": w, "value": v, "target": t} for w, v, t in over]},
        ))
    return out


def _current_utilization(status: Obj, resource: str) -> int | None:
    for metric in status.get("currentMetrics") or ():
        current = (metric.get("resource") or {}) if isinstance(metric, Mapping) else {}
        if current.get("name") == resource:
            return _int_or_none((current.get("current") or {}).get("averageUtilization"))
    return None


_JOB_WINDOW = timedelta(hours=24)  # a failed one-off Job older than this is history, not news


def _job_problems(view: ClusterView, namespace: str, workload: str | None, now: datetime) -> list[Problem]:
    """The latest run of each CronJob in the namespace, and one-off Jobs of the last day, that failed.
    A failure for the service's own workload (a service that is a job) is a failure; others, a warning."""
    jobs = [job for job in view.jobs if (job.get("metadata") or {}).get("namespace") == namespace]
    latest: dict[str, Obj] = {}
    standalone = []
    for job in jobs:
        owner = next((name for kind, name in owners_of(job) if kind == "CronJob"), None)
        if owner is None:
            standalone.append(job)
        elif _job_finished(job) and (owner not in latest or _job_start(job) > _job_start(latest[owner])):
            latest[owner] = job
    out = []
    for cron_name, job in sorted(latest.items()):
        failed = _condition(job.get("status") or {}, "Failed")
        if failed is None or failed.get("status") != "True":
            continue
        cron = view.named("cronjobs", namespace, cron_name)
        success = parse_time(((cron or {}).get("status") or {}).get("lastSuccessfulTime"))
        last_ok = f"; the last success was {_minutes(now - success)} ago" if success else "; it has never succeeded"
        mine = workload == cron_name
        out.append(_job_failure(view, job, f"cronjob/{cron_name}", f"CronJob {cron_name}: its latest Job",
                                last_ok, now, FAIL if mine else WARN))
    for job in standalone:
        failed = _condition(job.get("status") or {}, "Failed")
        if failed is None or failed.get("status") != "True":
            continue
        at = parse_time(failed.get("lastTransitionTime"))
        if workload != name_of(job) and (at is None or now - at > _JOB_WINDOW):
            continue
        out.append(_job_failure(view, job, f"job/{name_of(job)}", "The Job", "", now,
                                FAIL if workload == name_of(job) else WARN))
    return out


def _job_finished(job: Obj) -> bool:
    return any(_condition(job.get("status") or {}, kind) is not None and
               (_condition(job.get("status") or {}, kind) or {}).get("status") == "True"
               for kind in ("Complete", "Failed"))


def _job_start(job: Obj) -> datetime:
    return parse_time((job.get("status") or {}).get("startTime")) or created_at(job) or datetime.min.replace(tzinfo=UTC)


def _job_failure(view: ClusterView, job: Obj, subject: str, lead: str, tail: str, now: datetime,
                 status: str) -> Problem:
    name, namespace = name_of(job), str((job.get("metadata") or {}).get("namespace") or "")
    failed = _condition(job.get("status") or {}, "Failed") or {}
    at = parse_time(failed.get("lastTransitionTime"))
    when = f" {_minutes(now - at)} ago" if at is not None else ""
    reason = str(failed.get("reason") or "Failed")
    evidence = "\n".join(filter(None, [
        f"Failed=True {reason}: {failed.get('message') or ''}",
        f"failed pods: {(job.get('status') or {}).get('failed', 0)}, backoffLimit: "
        f"{(job.get('spec') or {}).get('backoffLimit')}",
        _event_lines(view.events_for("Job", name, namespace)[-2:]),
    ]))
    # Its pods' exit codes are left out: the live read lists only the service's own pods.
    return Problem(JOB_FAILED, status, subject, f"{lead} {name} failed{when} ({reason}){tail}.",
                   evidence=evidence, data={"job": name, "reason": reason})


def _ingress_problems(view: ClusterView, namespace: str, host: str | None) -> list[Problem]:
    """Ingress rules (for the service's host) whose backend Service has no ready endpoints. Checked only
    while the service's pods are ready, so the cause is the routing: a selector or port that no longer
    matches, or a Service that is gone."""
    if not view.endpoints and not view.ingresses:
        return []
    mine = [ing for ing in view.ingresses if (ing.get("metadata") or {}).get("namespace") == namespace]
    served = {rule.get("host") for ing in mine for rule in (ing.get("spec") or {}).get("rules") or ()}
    if host and host not in served:
        host = None  # the URL probed is not one an ingress here serves (an internal address): check them all
    out = []
    for ing in mine:
        spec = ing.get("spec") or {}
        routes: list[tuple[str, str]] = []
        for rule in spec.get("rules") or ():
            if host and rule.get("host") not in (host, None):
                continue
            for path in (rule.get("http") or {}).get("paths") or ():
                backend = ((path.get("backend") or {}).get("service") or {}).get("name")
                if backend:
                    routes.append((f"{rule.get('host') or '*'}{path.get('path') or '/'}", str(backend)))
        default = ((spec.get("defaultBackend") or {}).get("service") or {}).get("name")
        if default and not routes:
            routes.append(("(default backend)", str(default)))
        for route, service in dict.fromkeys(routes):
            endpoints = view.named("endpoints", namespace, service)
            if endpoints is not None and any(subset.get("addresses") for subset in endpoints.get("subsets") or ()):
                continue
            if endpoints is None:
                why = "has no Endpoints object: the Service does not exist, or it has no selector"
            else:
                waiting = sum(len(subset.get("notReadyAddresses") or ()) for subset in endpoints.get("subsets") or ())
                why = (f"has no ready endpoints ({waiting} not ready)" if waiting else
                       "has no endpoints at all, while the service's pods are ready: its selector or port matches "
                       "none of them")
            out.append(Problem(
                INGRESS_NO_ENDPOINTS, FAIL, f"ingress/{name_of(ing)}",
                f"Ingress {name_of(ing)} routes {route} to Service {service}, which {why}.",
                evidence=f"ingress {name_of(ing)}: {route} -> service {service}\n"
                         f"endpoints {service}: {_endpoint_text(endpoints)}",
                data={"ingress": name_of(ing), "service": service, "route": route},
            ))
    return out


def _endpoint_text(endpoints: Obj | None) -> str:
    if endpoints is None:
        return "(none)"
    subsets = endpoints.get("subsets") or ()
    if not subsets:
        return "<none> (no subsets)"
    ready = sum(len(s.get("addresses") or ()) for s in subsets)
    waiting = sum(len(s.get("notReadyAddresses") or ()) for s in subsets)
    return f"{ready} ready, {waiting} not ready"


# ---------------------------------------------------------------- nodes

_PRESSURES = {"MemoryPressure": "memory", "DiskPressure": "disk", "PIDPressure": "PID"}


def _node_problems(view: ClusterView, hosts: set[str]) -> list[Problem]:
    out = []
    for node in view.nodes:
        name = name_of(node)
        status = node.get("status") or {}
        ready = _condition(status, "Ready")
        hosting = name in hosts
        where = " It runs pods of this service." if hosting else ""
        if ready is None or ready.get("status") != "True":
            state = "Unknown" if ready is None else ready.get("status")
            reason = (ready or {}).get("reason") or "no Ready condition"
            out.append(Problem(
                NODE_NOT_READY, FAIL, f"node/{name}",
                f"Node {name} is NotReady ({reason}).{where}",
                evidence=f"Ready={state} {reason}: {(ready or {}).get('message') or ''}".strip(),
                data={"hosts_service": hosting},
            ))
            continue
        for kind, words in _PRESSURES.items():
            condition = _condition(status, kind)
            if condition is not None and condition.get("status") == "True":
                out.append(Problem(
                    NODE_PRESSURE, FAIL if hosting else WARN, f"node/{name}",
                    f"Node {name} is under {words} pressure: the kubelet may evict pods.{where}",
                    evidence=f"{kind}=True {condition.get('reason') or ''}: {condition.get('message') or ''}",
                    data={"pressure": words, "hosts_service": hosting},
                ))
        if (node.get("spec") or {}).get("unschedulable"):
            out.append(Problem(NODE_CORDONED, WARN, f"node/{name}",
                               f"Node {name} is cordoned: no new pods are scheduled on it.{where}",
                               data={"hosts_service": hosting}))
    return out


# ---------------------------------------------------------------- small parts


def _condition(status: Obj, kind: str) -> Obj | None:
    for condition in status.get("conditions") or ():
        if isinstance(condition, Mapping) and condition.get("type") == kind:
            return condition
    return None


def _event_lines(events: Sequence[Obj]) -> str:
    lines = []
    for event in events:
        when = event_time(event).strftime("%H:%M:%SZ")
        count = event.get("count") or ((event.get("series") or {}).get("count"))
        times = f" (x{count})" if isinstance(count, int) and count > 1 else ""
        lines.append(f"{when} {event.get('type') or ''} {event.get('reason') or ''}{times}: "
                     f"{event.get('message') or ''}".strip())
    return "\n".join(lines)


def _merge_duplicates(problems: list[Problem]) -> list[Problem]:
    """One entry per (code, container) across replicas: three crash-looping pods are one problem."""
    seen: dict[tuple[str, str | None, str], Problem] = {}
    counts: dict[tuple[str, str | None, str], int] = {}
    for problem in problems:
        scope = problem.subject.split("/", 1)[0]
        key = (problem.code, problem.container, problem.subject if scope != "pod" else "pod")
        if key in seen:
            counts[key] += 1
            continue
        seen[key] = problem
        counts[key] = 1
    out = []
    for key, problem in seen.items():
        if counts[key] > 1:
            problem = Problem(problem.code, problem.status, problem.subject,
                              f"{problem.detail.rstrip('.')} ({counts[key]} pods alike).",
                              problem.container, problem.evidence, {**problem.data, "pods": counts[key]})
        out.append(problem)
    return out


def _ordered(problems: list[Problem]) -> list[Problem]:
    rank = {code: index for index, code in enumerate(PRIORITY)}
    return sorted(problems, key=lambda p: (p.status != FAIL, rank.get(p.code, len(PRIORITY))))


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _minutes(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "less than a minute"
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"
