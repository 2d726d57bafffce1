"""The remedy catalogue: from a diagnosis to one safe action, or to why there is none.

Pure. Each remedy has a reason code (what the comment, the journal and the
post-mortem call it) and answers exactly one diagnosis:

| reason code          | answers                       | how                                             |
|----------------------|-------------------------------|-------------------------------------------------|
| `raise-memory-limit` | OOMKilled                     | Terraform: double the limit, capped by memory_max |
| `restore-replicas`   | scaled to 0                   | Terraform: the replica count it had before        |
| `rollout-restart`    | stuck rollout / not ready     | the one direct cluster write; config can forbid it |
| `rollback`           | a rollout whose new pods fail | Terraform: the tag the vars file held before (rollback.py) |

Anything else, anything ambiguous (two unrelated problems at once) and any
remedy whose preconditions do not hold gets no remedy, with the reasons a
person needs: the responder only acts when it is sure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from responder.config.guardrails import Policy
from responder.config.investigation import InvestigationSettings
from responder.config.loader import Service
from responder.investigate import diagnosis as dx
from responder.investigate.rollback import ROLLBACK, RollbackFacts
from responder.investigate.rollback import check as check_rollback
from responder.model.changes import ChangeRequest

RAISE_MEMORY = "raise-memory-limit"
RESTORE_REPLICAS = "restore-replicas"
ROLLOUT_RESTART = "rollout-restart"

# Symptoms that follow from a cause without being one.
_SYMPTOMS = frozenset({dx.NO_AVAILABLE, dx.FEWER_AVAILABLE, dx.RESTARTS_CLIMBING, dx.NODE_CORDONED})
_RESTARTABLE = frozenset({dx.ROLLOUT_STUCK, dx.NOT_READY})

# Why a person is needed, per diagnosis: what they must decide or fix.
_NEEDS_A_PERSON = {
    dx.CRASH_LOOP: "a crash loop needs its logs read and the application or its configuration fixed",
    dx.IMAGE_PULL: "the image reference or the pull secret has to be fixed in the stack",
    dx.INVALID_IMAGE: "the image reference has to be fixed in the stack",
    dx.CONFIG_MISSING: "the missing ConfigMap or Secret has to be created or restored",
    dx.CONTAINER_ERROR: "the container cannot be created; its spec needs a person",
    dx.PENDING: "scheduling needs capacity, tolerations or storage that only a person can decide on",
    dx.QUOTA_EXCEEDED: "raising a ResourceQuota or freeing capacity is a person's decision",
    dx.CREATE_FORBIDDEN: "an admission policy refuses the pods; changing policy is a person's decision",
    dx.STUCK_CREATING: "the pod has been starting for a long time; its events need a person",
    dx.NODE_NOT_READY: "a node is down; nodes are never repaired automatically",
    dx.NODE_PRESSURE: "a node is under resource pressure; freeing it is a person's decision",
    dx.NOTHING_FOUND: "no Deployment or pods were found where responder.yml says the service runs",
    dx.EVICTED: "the kubelet evicted the pods for lack of a node resource; requests, limits or node capacity "
                "need a person",
    dx.PVC_PENDING: "the claim needs a volume: a storage class or a provisioner only a person can fix",
    dx.PVC_LOST: "a lost volume puts data at risk: restoring it is always a person's job",
    dx.HPA_AT_MAX: "raising the autoscaler's maximum or the cluster's capacity is a person's decision",
    dx.JOB_FAILED: "a failed job needs its logs read and its cause fixed",
    dx.INGRESS_NO_ENDPOINTS: "the Service's selector, port or the ingress's backend has to be fixed in the stack",
}


@dataclass(frozen=True)
class Remedy:
    code: str  # raise-memory-limit | restore-replicas | rollout-restart | rollback
    answers: str  # the diagnosis reason code it answers
    summary: str  # "raise the memory limit of nextcloud from 1Gi to 2Gi"
    change: ChangeRequest | None = None  # set for Terraform-backed remedies
    namespace: str | None = None  # set for a rollout restart
    deployment: str | None = None

    @property
    def through_terraform(self) -> bool:
        return self.change is not None

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"code": self.code, "answers": self.answers, "summary": self.summary}
        if self.change is not None:
            out["change"] = {"service": self.change.service, "kind": self.change.kind, "value": self.change.value,
                             "commit_type": self.change.commit_type}
        if self.deployment:
            out["deployment"] = f"{self.namespace}/{self.deployment}"
        return out


@dataclass(frozen=True)
class RemedyChoice:
    remedy: Remedy | None
    reasons: tuple[str, ...]  # why this remedy; or, without one, why a person is needed


DEFAULT_GUARDRAILS = Policy()


def choose(diagnosis: dx.Diagnosis, service: Service, settings: InvestigationSettings, *,
           cluster_writable: bool, guardrails: Policy = DEFAULT_GUARDRAILS,
           rollback: RollbackFacts | None = None) -> RemedyChoice:
    """The remedy for a diagnosis, or why a person is needed.

    A rollout restart honours the same protected stacks (`guardrails.protected_stacks`)
    as Terraform applies, and protects services by themselves too (`protected_by`): losing
    those takes everything else down. When a bad rollout broke the service (`rollback`
    facts given), rolling it back comes first; when it cannot be, the reasons say why.
    """
    found = _choose(diagnosis, service, settings, cluster_writable, guardrails)
    if rollback is None:
        return found
    checked = check_rollback(diagnosis, service, settings, rollback,
                             protected=protected_by(service, diagnosis.namespace, guardrails))
    if not checked.applies:
        return found
    if checked.change is not None:
        return RemedyChoice(Remedy(ROLLBACK, checked.answers, checked.summary, change=checked.change),
                            checked.reasons)
    return RemedyChoice(found.remedy, (*found.reasons, *checked.reasons))


def _choose(diagnosis: dx.Diagnosis, service: Service, settings: InvestigationSettings, cluster_writable: bool,
            guardrails: Policy) -> RemedyChoice:
    failing = diagnosis.failing
    if not failing:
        return RemedyChoice(None, ("nothing in the cluster needs a remedy",))
    causes = [p for p in failing if p.code not in _SYMPTOMS]
    codes = {p.code for p in causes}
    if not causes:
        return RemedyChoice(None, (
            f"{diagnosis.deployment} has no available replicas, but no pod shows why; a person must look",))
    unknown = [p for p in causes if p.code not in {dx.OOM_KILLED, dx.SCALED_TO_ZERO, *_RESTARTABLE}]
    if unknown:
        return RemedyChoice(None, tuple(dict.fromkeys(
            f"{p.detail.rstrip('.')}: {_NEEDS_A_PERSON[p.code]}" if p.code in _NEEDS_A_PERSON else p.detail
            for p in unknown)))
    if len(codes) > 1 and not codes <= _RESTARTABLE:
        return RemedyChoice(None, ("several problems at once (" + ", ".join(sorted(codes)) + "): no single "
                                   "remedy is known to be safe",))
    if codes == {dx.OOM_KILLED}:
        return _raise_memory(causes[0], service)
    if codes == {dx.SCALED_TO_ZERO}:
        return _restore_replicas(causes[0], service)
    return _rollout_restart(diagnosis, causes[0], service, settings, cluster_writable, guardrails)


def _without_vars_file(service: Service, what: str) -> RemedyChoice | None:
    """No remedy through Terraform without a vars file for the responder to edit."""
    if service.terraform is None or not service.terraform.vars_file:
        return RemedyChoice(None, (f"{service.name} has no terraform.vars_file in responder.yml, so its {what} "
                                   "through Terraform",))
    return None


def _raise_memory(problem: dx.Problem, service: Service) -> RemedyChoice:
    missing = _without_vars_file(service, "memory limit cannot be raised")
    if missing is not None:
        return missing
    terraform = service.terraform
    assert terraform is not None
    current_text = problem.data.get("memory_limit")
    current = parse_memory(current_text)
    if current is None:
        return RemedyChoice(None, ("the container has no memory limit, so OOMKilled means the node itself ran out "
                                   "of memory; a person must look",))
    ceiling_text = terraform.limits.get("memory_max")
    ceiling = parse_memory(ceiling_text)
    if ceiling is None:
        return RemedyChoice(None, (f"no memory ceiling (terraform.limits.memory_max) is configured for "
                                   f"{service.name}, so the responder will not raise its limit on its own",))
    if current >= ceiling:
        return RemedyChoice(None, (f"the memory limit {current_text} is already at the configured ceiling "
                                   f"{ceiling_text}; raising it further is a person's decision",))
    doubled = current * 2
    new_text = str(ceiling_text) if doubled >= ceiling else format_memory(doubled)
    capped = " (the configured ceiling)" if doubled > ceiling else ""
    summary = f"raise the memory limit of {service.name} from {current_text} to {new_text}{capped}"
    reason = (f"{service.name} was OOMKilled at a {current_text} memory limit; doubling it, capped at "
              f"{ceiling_text}")
    change = ChangeRequest(service=service.name, kind="memory_limit", value=new_text, reason=reason,
                           commit_type="fix")
    return RemedyChoice(Remedy(RAISE_MEMORY, dx.OOM_KILLED, summary, change=change),
                        (f"OOMKilled at {current_text} → {RAISE_MEMORY}: {summary}",))


def _restore_replicas(problem: dx.Problem, service: Service) -> RemedyChoice:
    missing = _without_vars_file(service, "replicas cannot be restored")
    if missing is not None:
        return missing
    terraform = service.terraform
    assert terraform is not None
    bounds = terraform.limits.get("replicas")
    low, high = (int(bounds[0]), int(bounds[1])) if bounds else (1, None)
    before = problem.data.get("restore_to")
    target = before if isinstance(before, int) and before > 0 else max(1, low)
    target = max(target, low, 1)
    if high is not None:
        target = min(target, high)
    if target < 1:
        return RemedyChoice(None, ("terraform.limits.replicas allows no replica at all; a person must decide",))
    source = f"it had {before} before" if isinstance(before, int) and before > 0 else "the configured minimum"
    summary = f"restore {service.name} to {target} replica{'s' if target != 1 else ''} ({source})"
    change = ChangeRequest(service=service.name, kind="replicas", value=str(target),
                           reason=f"{service.name} was scaled to 0; restoring {target} ({source})", commit_type="fix")
    return RemedyChoice(Remedy(RESTORE_REPLICAS, dx.SCALED_TO_ZERO, summary, change=change),
                        (f"scaled to 0 → {RESTORE_REPLICAS}: {summary}",))


def _rollout_restart(diagnosis: dx.Diagnosis, problem: dx.Problem, service: Service,
                     settings: InvestigationSettings, cluster_writable: bool,
                     guardrails: Policy) -> RemedyChoice:
    what = "the rollout is stuck" if problem.code == dx.ROLLOUT_STUCK else "pods are running but not ready"
    if any(p.data.get("node_not_ready") for p in diagnosis.failing):
        return RemedyChoice(None, (f"{what} because a node is NotReady; a restart would not help",))
    if any(p.data.get("paused") for p in diagnosis.problems):
        return RemedyChoice(None, (f"{what}, but the rollout is paused on purpose; a person paused it",))
    if not settings.rollout_restart:
        return RemedyChoice(None, (f"{what}; a rollout restart would be the remedy, but rollout restarts are "
                                   "switched off (investigation.rollout_restart: false)",))
    if service.name in settings.rollout_restart_exclude:
        return RemedyChoice(None, (f"{what}, but {service.name} is protected (investigation.rollout_restart_exclude)"
                                   ": it is never restarted automatically",))
    why = protected_by(service, diagnosis.namespace, guardrails)
    if why is not None:
        return RemedyChoice(None, (f"{what}, but {service.name} is protected ({why}): it is never restarted "
                                   "automatically",))
    if not diagnosis.found_deployment:
        return RemedyChoice(None, (f"{what}, but there is no Deployment to restart",))
    if not cluster_writable:
        return RemedyChoice(None, (f"{what}; a rollout restart would be the remedy, but the cluster was read from "
                                   "a snapshot, which cannot be changed",))
    summary = f"rollout restart of deployment/{diagnosis.deployment} in namespace {diagnosis.namespace}"
    return RemedyChoice(
        Remedy(ROLLOUT_RESTART, problem.code, summary, namespace=diagnosis.namespace, deployment=diagnosis.deployment),
        (f"{what} with no config error → {ROLLOUT_RESTART}: {summary}",),
    )


def protected_by(service: Service, namespace: str | None, guardrails: Policy) -> str | None:
    """Why a service must never be restarted automatically, in words; None when it may be.

    By its stack, and by the service itself: a service configured with only a `kubernetes`
    section has no stack to protect it.
    """
    if service.terraform is not None and (pattern := guardrails.protected_stack(service.terraform.stack)):
        return f"its stack {service.terraform.stack} matches guardrails.protected_stacks: {pattern}"
    namespaces = (service.kubernetes.namespace if service.kubernetes else None, namespace)
    return guardrails.protected_service(service.name, namespaces)


# ---------------------------------------------------------------- memory quantities

_QUANTITY = re.compile(r"^\s*(?P<number>[0-9]+(?:\.[0-9]+)?)(?P<unit>Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|m)?\s*$")
_FACTORS = {
    None: 1, "m": 0.001, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18,
    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
}


def parse_memory(value: object) -> int | None:
    """A Kubernetes memory quantity in bytes ("1Gi", "512Mi", "1.5G", 1073741824), or None."""
    if value is None or isinstance(value, bool):
        return None
    match = _QUANTITY.match(str(value))
    if not match:
        return None
    return int(float(match["number"]) * _FACTORS[match["unit"]])


def format_memory(size: int) -> str:
    """Bytes in the largest binary unit that keeps it whole: 2147483648 -> 2Gi, 1610612736 -> 1536Mi."""
    for unit in ("Ei", "Pi", "Ti", "Gi", "Mi", "Ki"):
        factor = _FACTORS[unit]
        if size >= factor and size % factor == 0:
            return f"{size // factor}{unit}"
    return str(size)
