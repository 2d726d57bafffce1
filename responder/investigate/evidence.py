"""The staged investigation of an outage report, as data, and the findings it yields.

The stages follow the order an on-call engineer works in:

1. assessment   - probe the reported service and what it depends on;
   certificates - the https ones' certificates (read by the same probes);
   metrics      - its error rate and latency in Prometheus, against its thresholds;
2. kubernetes   - its pods, deployment, events and nodes;
3. changes      - rollouts and commits to its stack in the last hours;
4. blast-radius - what else is down, and whether one dependency explains it;
5. escalation   - signals that always need a person (security, data, unrelated failures).

`Investigation` holds what the shell gathered (incident_flow.py does the
I/O); everything here is pure: findings, the facts for the final severity,
and the commands a person would run next.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from responder.config.loader import Config, Service
from responder.config.metrics import TITLES as METRIC_TITLES
from responder.forms import specs as forms
from responder.investigate import diagnosis as dx
from responder.investigate.blast_radius import BlastRadius
from responder.investigate.deploys import DeployHistory, ReportStart
from responder.investigate.diagnosis import Diagnosis
from responder.investigate.metrics import MetricReading, breaches, describe_breach
from responder.investigate.metrics import findings as metric_findings
from responder.investigate.remedies import RemedyChoice
from responder.investigate.rollouts import Rollout, describe_commits
from responder.model.changes import AppliedChange, PreparedChange
from responder.model.cluster import ARGO_APPLICATIONS, HELM_RELEASES, NOT_INSTALLED
from responder.model.findings import Finding
from responder.model.probes import DEGRADED, DOWN, OK, ProbeResult

if TYPE_CHECKING:
    from responder.model.commits import Commit
    from responder.model.issues import IncidentIssue

STAGES = ("assessment", "tls", "metrics", "kubernetes", "changes", "blast-radius", "escalation", "agent")
STAGE_TITLES = {
    "assessment": "Assessment",
    "tls": "Certificates",
    "metrics": "Metrics",
    "kubernetes": "Kubernetes",
    "changes": "Recent changes",
    "blast-radius": "Blast radius",
    "escalation": "Escalation triggers",
    "agent": "Agent investigator (advice only: it never triggers a change)",
    "remedy": "Remedy",
}

# Error types a health check can confirm or rule out. A healthy probe says
# nothing about a broken feature, a login flow, data or a typo.
PROBE_VERIFIABLE = frozenset({forms.ERROR_WONT_LOAD, forms.ERROR_502, forms.ERROR_503, forms.ERROR_SLOW,
                              forms.ERROR_OTHER})
ALWAYS_ESCALATE = {
    forms.ERROR_SECURITY: "The report raises a security concern: security cases always go to a person.",
    forms.ERROR_DATA: "The report says data is missing, incorrect or lost: data cases always go to a person.",
}


@dataclass(frozen=True)
class PodLog:
    pod: str
    container: str
    text: str  # untrusted: fenced and redacted when shown


@dataclass(frozen=True)
class RemedyResult:
    """What happened when the remedy ran, and whether the service came back."""

    ok: bool  # the remedy itself succeeded
    recovered: bool  # and the re-probe (and re-read of the cluster, when live) confirm recovery
    detail: str
    at: str
    applied: AppliedChange | None = None
    restarted_at: str | None = None
    probes: tuple[ProbeResult, ...] = ()
    checks: int = 0  # how many times recovery was checked

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": self.ok, "recovered": self.recovered, "detail": self.detail, "at": self.at,
                               "checks": self.checks}
        if self.applied is not None:
            out["commit"] = self.applied.commit
            out["commit_url"] = self.applied.commit_url
        if self.restarted_at:
            out["restarted_at"] = self.restarted_at
        if self.probes:
            out["probes"] = [probe.to_json() for probe in self.probes]
        return out


@dataclass(frozen=True)
class Investigation:
    service: str | None
    checked_at: str  # ISO 8601 UTC, when the investigation ran
    probed: bool = False  # False with --no-probe
    probes: tuple[ProbeResult, ...] = ()
    cluster_source: str | None = None
    cluster_problem: str | None = None  # why the cluster could not be read
    cluster_writable: bool = False
    # Kinds the cluster read could not include, and why (the checks that needed them were skipped).
    cluster_unread: Mapping[str, str] = field(default_factory=dict)
    diagnosis: Diagnosis | None = None
    logs: tuple[PodLog, ...] = ()
    rollouts: tuple[Rollout, ...] = ()
    deploys: DeployHistory | None = None  # Helm revisions and Argo CD syncs; None: not looked at
    start: ReportStart | None = None  # when the outage began, as the report tells it
    commits: tuple[Commit, ...] | None = None  # None: not looked at
    commits_problem: str | None = None
    stack: str | None = None
    window_hours: float = 4.0
    blast: BlastRadius | None = None
    incidents: tuple[IncidentIssue, ...] | None = None  # open incidents; None: not listed (offline)
    original: IncidentIssue | None = None  # the open incident this report duplicates
    remedy: RemedyChoice | None = None
    engine: bool = False  # a ChangeEngine is configured
    prepared: PreparedChange | None = None
    prepare_problem: str | None = None  # why the engine could not prepare the change
    result: RemedyResult | None = None  # set after the remedy ran
    # What the optional agent service said (stage "agent"): advisory, never a reason to apply anything.
    agent: tuple[Finding, ...] = ()
    agent_granted_usd: float = 0.0  # what this run's agent job was granted (0: none was started)
    # The metrics stage: a reading per threshold of the service, or why Prometheus could not be asked.
    metrics: tuple[MetricReading, ...] = ()
    metrics_problem: str | None = None

    def probe(self, name: str | None) -> ProbeResult | None:
        for probe in self.probes:
            if probe.service == name:
                return probe
        return None

    @property
    def checked_anything(self) -> bool:
        return self.probed or self.diagnosis is not None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"service": self.service, "checked_at": self.checked_at, "probed": self.probed,
                               "probes": [probe.to_json() for probe in self.probes]}
        if self.cluster_source:
            out["cluster"] = self.cluster_source
        if self.cluster_problem:
            out["cluster_problem"] = self.cluster_problem
        if self.diagnosis is not None:
            out["diagnosis"] = {"namespace": self.diagnosis.namespace, "deployment": self.diagnosis.deployment,
                                "desired": self.diagnosis.desired, "available": self.diagnosis.available,
                                "problems": [p.to_json() for p in self.diagnosis.problems]}
        if self.cluster_unread:
            out["cluster_unread"] = dict(self.cluster_unread)
        if self.rollouts:
            out["rollouts"] = [r.describe() for r in self.rollouts]
        if self.start is not None:
            out["outage_start"] = {"at": self.start.at.strftime("%Y-%m-%dT%H:%M:%SZ"), "basis": self.start.basis}
        if self.deploys is not None:
            out["deploys"] = [d.to_json() for d in self.deploys.deploys]
        if self.blast is not None:
            out["blast_radius"] = self.blast.to_json()
        if self.original is not None:
            out["duplicate_of"] = self.original.number
        if self.remedy is not None:
            out["remedy"] = self.remedy.remedy.to_json() if self.remedy.remedy else None
            out["remedy_reasons"] = list(self.remedy.reasons)
        if self.prepared is not None:
            out["prepared"] = {"stack": self.prepared.stack, "outcome": self.prepared.outcome,
                               "reasons": list(self.prepared.reasons), "plan_sha256": self.prepared.plan_sha256}
        if self.result is not None:
            out["result"] = self.result.to_json()
        if self.metrics:
            out["metrics"] = [{"kind": r.threshold.kind, "query": r.threshold.query, "above": r.threshold.above,
                               "unit": r.threshold.unit, "values": [s.value for s in r.samples],
                               **({"problem": r.problem} if r.problem else {})} for r in self.metrics]
        if self.metrics_problem:
            out["metrics_problem"] = self.metrics_problem
        return out


# ---------------------------------------------------------------- facts


def services_down(inv: Investigation) -> tuple[str, ...]:
    return tuple(probe.service for probe in inv.probes if probe.state == DOWN)


def observed_state(inv: Investigation, reported_state: str, error_type: str | None) -> str:
    """The service's state for the severity rules: the probe's word where a probe can tell; a metric over its
    threshold makes an answering service degraded."""
    probe = inv.probe(inv.service)
    k8s_down = inv.diagnosis is not None and any(p.code in (dx.NO_AVAILABLE, dx.SCALED_TO_ZERO, dx.NOTHING_FOUND)
                                                 for p in inv.diagnosis.failing)
    breached = bool(metric_breaches(inv))
    if probe is None:
        return "down" if k8s_down else "degraded" if breached else reported_state
    if probe.state == DOWN or k8s_down:
        return "down"
    if probe.state == DEGRADED or breached:
        return "degraded"
    # The probe answers. It rules out "down", but not a broken feature or a login flow.
    return "ok" if error_type in PROBE_VERIFIABLE else reported_state


def metric_breaches(inv: Investigation) -> tuple[str, ...]:
    """The reported service's thresholds it is over, in a few words each ("error rate 8 % over 5 %")."""
    return tuple(describe_breach(verdict) for verdict in breaches(inv.metrics))


def unrelated_failures(inv: Investigation) -> tuple[str, ...]:
    return inv.blast.unrelated if inv.blast is not None else ()


# ---------------------------------------------------------------- findings


def findings(inv: Investigation, config: Config, error_type: str | None) -> tuple[Finding, ...]:
    service = config.service(inv.service) if inv.service else None
    out: list[Finding] = []
    out += _assessment(inv, service)
    out += _certificates(inv, service)
    out += _metrics(inv, service, config)
    out += _kubernetes(inv, service)
    out += _changes(inv, service)
    out += _blast_radius(inv)
    out += _escalation(inv, error_type)
    out += inv.agent
    return tuple(out)


def _assessment(inv: Investigation, service: Service | None) -> list[Finding]:
    if service is None:
        return [Finding("assessment", "service", "warn", "The report names no service from the catalogue, so there "
                                                         "is nothing specific to probe.")]
    if not inv.probed:
        return [Finding("assessment", "probes", "warn", "HTTP probes were skipped (--no-probe).")]
    out = []
    names = [service.name, *service.depends_on]
    for name in names:
        probe = inv.probe(name)
        if probe is None:
            if name == service.name:
                out.append(Finding("assessment", f"probe:{name}", "warn",
                                   f"{name} has no health-check URL in responder.yml, so it was not probed."))
            continue
        role = "" if name == service.name else " (a dependency)"
        status = {OK: "ok", DEGRADED: "warn", DOWN: "fail"}[probe.state]
        retried = " after a second try" if probe.attempts > 1 and probe.state != OK else ""
        recovered = ", after one failed try" if probe.attempts > 1 and probe.state == OK else ""
        evidence = "" if probe.state == OK else (f"GET {probe.url} → {probe.detail} ({probe.attempts} attempt"
                                                 f"{'s' if probe.attempts > 1 else ''}, {probe.checked_at})")
        out.append(Finding("assessment", f"probe:{name}", status,
                           f"{name}{role} is {probe.state}{retried}: {probe.detail}{recovered}.", evidence=evidence))
    return out


def _certificates(inv: Investigation, service: Service | None) -> list[Finding]:
    """The certificate of each probed https service among the reported one and its dependencies."""
    if service is None or not inv.probed:
        return []
    out = []
    for name in (service.name, *service.depends_on):
        probe = inv.probe(name)
        if probe is None or probe.tls is None:
            continue
        tls = probe.tls
        cert = tls.certificate
        evidence = "" if cert is None else "\n".join([
            f"checked for: {cert.host} ({probe.checked_at})",
            f"subject: {cert.subject}",
            f"names: {', '.join(cert.names) or 'none'}",
            f"issuer: {cert.issuer}",
            f"valid: {cert.not_before} to {cert.not_after}",
            "trusted: yes" if cert.trusted else f"trusted: no ({cert.trust_problem})",
        ])
        out.append(Finding("tls", f"tls:{name}", tls.status, f"{name}'s certificate {tls.detail}.",
                           evidence=evidence if tls.status != "ok" else ""))
    return out


def _metrics(inv: Investigation, service: Service | None, config: Config) -> list[Finding]:
    """The thresholds of the reported service; when Prometheus could not be asked, one line saying why."""
    if service is None:
        return []
    prometheus = config.metrics.prometheus
    if prometheus is None or inv.metrics_problem:
        why = inv.metrics_problem or "no Prometheus is configured (metrics.prometheus in responder.yml)"
        return [Finding("metrics", "metrics", "warn", f"Error rate and latency were not checked: {why}.")]
    if not service.metrics:
        return [Finding("metrics", "metrics", "warn",
                        f"{service.name} has no metrics thresholds in responder.yml (services[].metrics), so its "
                        "error rate and latency were not checked.")]
    if not inv.metrics:
        return [Finding("metrics", "metrics", "warn", "Error rate and latency were not checked in this run.")]
    return metric_findings(service.name, inv.metrics, prometheus.link_base)


def _kubernetes(inv: Investigation, service: Service | None) -> list[Finding]:
    if service is None:
        return []
    if service.kubernetes is None:
        return [Finding("kubernetes", "kubernetes", "warn",
                        f"{service.name} has no kubernetes section in responder.yml, so its pods were not checked.")]
    if inv.diagnosis is None:
        why = inv.cluster_problem or "the cluster was not read"
        return [Finding("kubernetes", "cluster", "warn", f"The cluster could not be checked: {why}.")]
    d = inv.diagnosis
    ready = sum(1 for pod in d.pods if pod.ready == pod.containers and pod.containers)
    replicas = f"{d.available} of {d.desired} replicas available" if d.desired is not None else "no Deployment found"
    pods = "; ".join(f"{pod.name} {pod.state}" + (f", {pod.restarts} restarts" if pod.restarts else "")
                     + (f" on {pod.node}" if pod.node else "") for pod in d.pods[:5])
    more = f" (and {len(d.pods) - 5} more)" if len(d.pods) > 5 else ""
    summary = (f"deployment/{d.deployment} in {d.namespace}: {replicas}; {ready} of {len(d.pods)} pods ready"
               f" ({d.source}).")
    out = [Finding("kubernetes", "workload", "ok" if d.healthy else "fail", summary,
                   evidence=(pods + more) if pods else "")]
    for problem in d.problems:
        out.append(Finding("kubernetes", f"{problem.subject.split('/', 1)[0]}:{problem.code}", problem.status,
                           problem.detail, evidence=problem.evidence))
    for log in inv.logs:
        out.append(Finding("kubernetes", f"logs:{log.pod}", "warn",
                           f"Last lines of the previous {log.container} container in {log.pod}.", evidence=log.text))
    for kind, why in inv.cluster_unread.items():
        if kind in (HELM_RELEASES, ARGO_APPLICATIONS) or why == NOT_INSTALLED:
            continue  # the deploy history says so, in the changes stage
        out.append(Finding("kubernetes", f"unread:{kind}", "warn",
                           f"{kind} could not be read, so the checks that need them were skipped.", evidence=why))
    return out


def _changes(inv: Investigation, service: Service | None) -> list[Finding]:
    if service is None:
        return []
    out = []
    hours = inv.window_hours
    if inv.diagnosis is not None:
        if inv.rollouts:
            for rollout in inv.rollouts:
                out.append(Finding("changes", "rollout", "warn", rollout.describe() + ".",
                                   evidence=f"ReplicaSet {rollout.replicaset} created {rollout.at}"))
        else:
            out.append(Finding("changes", "rollout", "ok",
                               f"No rollout of {inv.diagnosis.deployment} in the last {hours:g} h."))
        out += _deploys(inv, inv.diagnosis.deployment)
    if inv.stack:
        if inv.commits is None:
            out.append(Finding("changes", "commits", "warn",
                               f"Commits to {inv.stack} were not checked: {inv.commits_problem or 'no git checkout'}."))
        else:
            lines = "\n".join(f"{c.sha[:10]} {c.at} {c.author}: {c.subject}" for c in inv.commits[:10])
            detail = describe_commits(len(inv.commits), inv.stack, hours)
            if inv.commits:
                latest = inv.commits[0]
                detail = f"{detail[:-1]}; the latest: “{latest.subject}” by {latest.author} at {latest.at}."
            out.append(Finding("changes", "commits", "warn" if inv.commits else "ok", detail, evidence=lines))
    return out


def _deploys(inv: Investigation, deployment: str) -> list[Finding]:
    history = inv.deploys
    if history is None:
        return []
    out = []
    began = (f"The outage began at {inv.start.at:%Y-%m-%d %H:%M} UTC ({inv.start.basis})."
             if inv.start is not None else "")
    for deploy in history.deploys:
        evidence = "\n".join(filter(None, [began, *(f"{key}: {value}" for key, value in deploy.to_json().items()
                                                     if key not in ("changes",) and value not in (None, ""))]))
        out.append(Finding("changes", f"deploy:{deploy.tool}", "warn", deploy.describe(inv.start), evidence=evidence))
    notes = f" ({'; '.join(history.notes)})" if history.notes else ""
    if not history.deploys and history.looked:
        out.append(Finding("changes", "deploys", "ok",
                           f"No deploy of {deployment} in the last {inv.window_hours:g} h in "
                           + " or ".join(history.looked) + notes + "."))
    elif not history.looked and history.notes:
        out.append(Finding("changes", "deploys", "ok", f"No deploy history was read{notes}."))
    for problem in history.problems:
        out.append(Finding("changes", "deploys", "warn", f"{problem}; that deploy history was not checked."))
    return out


def _blast_radius(inv: Investigation) -> list[Finding]:
    blast = inv.blast
    if blast is None or not inv.probed:
        return []
    total = len(blast.probed)
    if not blast.down and not blast.degraded:
        return [Finding("blast-radius", "catalogue", "ok", f"All {total} probed services answer.")]
    out = []
    if blast.down:
        names = ", ".join(blast.down)
        if len(blast.down) == 1:
            detail = f"Only {names} is down; the other {total - 1} probed services answer."
            # The reported service alone: contained, good news about the rest. Another one: worth a look.
            out.append(Finding("blast-radius", "catalogue", "ok" if blast.down[0] == inv.service else "warn",
                               detail))
        elif blast.shared_cause:
            detail = (f"{len(blast.down)} services are down ({names}); they all depend on {blast.shared_cause}, "
                      "the likely shared cause.")
            out.append(Finding("blast-radius", "catalogue", "fail", detail))
        else:
            detail = f"{len(blast.down)} services are down with no shared dependency: {names}."
            out.append(Finding("blast-radius", "catalogue", "fail", detail))
    if blast.reported_dependencies_down and inv.service:
        deps = ", ".join(blast.reported_dependencies_down)
        verb = "is" if len(blast.reported_dependencies_down) == 1 else "are"
        out.append(Finding("blast-radius", "dependencies", "fail",
                           f"{inv.service} depends on {deps}, which {verb} down: fix that first."))
    if blast.degraded:
        out.append(Finding("blast-radius", "degraded", "warn", "Degraded: " + ", ".join(blast.degraded) + "."))
    return out


def _escalation(inv: Investigation, error_type: str | None) -> list[Finding]:
    out = []
    if error_type in ALWAYS_ESCALATE:
        out.append(Finding("escalation", "report", "fail", ALWAYS_ESCALATE[error_type]))
    unrelated = unrelated_failures(inv)
    if unrelated:
        out.append(Finding("escalation", "unrelated-failures", "fail",
                           "Several unrelated systems are failing at once (" + ", ".join(unrelated) + "): "
                           "that needs a person's overview."))
    if inv.diagnosis is not None and inv.diagnosis.nodes_not_ready:
        out.append(Finding("escalation", "nodes", "fail",
                           "Node not ready: " + ", ".join(inv.diagnosis.nodes_not_ready) + ". Nodes are never "
                           "repaired automatically."))
    if not out and inv.checked_anything:
        out.append(Finding("escalation", "signals", "ok", "No security, data or multi-system signal."))
    return out


# ---------------------------------------------------------------- next steps for a person


def next_commands(inv: Investigation, config: Config) -> tuple[str, ...]:
    """The commands a person would run next, given what was found."""
    service = config.service(inv.service) if inv.service else None
    if service is None:
        return ()
    out: list[str] = []
    d = inv.diagnosis
    target = service.kubernetes
    if target is not None:
        ns = target.namespace
        deployment = d.deployment if d is not None else target.deployment
        selector = f" -l {target.selector}" if target.selector else ""
        problems = d.problems if d is not None else ()
        for problem in problems:
            pod = problem.pod
            if problem.code in (dx.CRASH_LOOP, dx.OOM_KILLED, dx.RESTARTS_CLIMBING) and pod:
                container = f" -c {problem.container}" if problem.container else ""
                out.append(f"kubectl logs {pod} -n {ns}{container} --previous")
            if problem.code in (dx.IMAGE_PULL, dx.INVALID_IMAGE, dx.CONFIG_MISSING, dx.PENDING, dx.NOT_READY,
                                dx.CONTAINER_ERROR, dx.STUCK_CREATING) and pod:
                out.append(f"kubectl describe pod {pod} -n {ns}")
            if problem.code == dx.CONFIG_MISSING and problem.data.get("name"):
                kind = "configmap" if problem.data.get("kind") == "ConfigMap" else "secret"
                out.append(f"kubectl get {kind} {problem.data['name']} -n {ns}")
            if problem.code == dx.PENDING and problem.data.get("reason") == "unbound-pvc":
                out.append(f"kubectl get pvc -n {ns}")
            if problem.code == dx.QUOTA_EXCEEDED:
                out.append(f"kubectl describe resourcequota -n {ns}")
            if problem.code in (dx.NODE_NOT_READY, dx.NODE_PRESSURE):
                out.append(f"kubectl describe {problem.subject}")
            if problem.code in (dx.ROLLOUT_STUCK, dx.SCALED_TO_ZERO, dx.NO_AVAILABLE):
                out.append(f"kubectl rollout status deployment/{deployment} -n {ns}")
            if problem.code in (dx.PVC_PENDING, dx.PVC_LOST) and problem.data.get("claim"):
                out.append(f"kubectl describe pvc {problem.data['claim']} -n {ns}")
            if problem.code == dx.HPA_AT_MAX:
                out.append(f"kubectl describe {problem.subject} -n {ns}")
            if problem.code == dx.JOB_FAILED and problem.data.get("job"):
                out.append(f"kubectl logs job/{problem.data['job']} -n {ns}")
            if problem.code == dx.INGRESS_NO_ENDPOINTS:
                out.append(f"kubectl describe service {problem.data.get('service')} -n {ns}")
                out.append(f"kubectl get endpoints {problem.data.get('service')} -n {ns}")
            if problem.code == dx.EVICTED and problem.data.get("node"):
                out.append(f"kubectl describe node {problem.data['node']}")
        if inv.rollouts:
            # Never `kubectl rollout undo`: the stack would still pin the bad image and bring it back.
            out.append(f"kubectl rollout history deployment/{deployment} -n {ns}")
        for deploy in inv.deploys.deploys if inv.deploys else ():
            out.append(f"helm history {deploy.name} -n {ns}" if deploy.tool == "helm"
                       else f"argocd app history {deploy.name}")
        out.append(f"kubectl get pods -n {ns}{selector} -o wide")
        out.append(f"kubectl get events -n {ns} --sort-by=.lastTimestamp")
    probe = inv.probe(service.name)
    if service.url and probe is not None and probe.tls is not None and probe.tls.certificate is not None \
            and probe.tls.status != "ok":
        host, port = probe.tls.certificate.host, urlsplit(service.url).port or 443
        out.append(f"openssl s_client -connect {host}:{port} -servername {host} </dev/null 2>/dev/null "
                   "| openssl x509 -noout -subject -issuer -dates -ext subjectAltName")
    if service.url:
        out.append(f"curl -sS -o /dev/null -w '%{{http_code}} %{{time_total}}s\\n' {service.url}")
    if service.terraform is not None:
        out.append(f"git log --since='{inv.window_hours:g} hours ago' -- {service.terraform.stack}")
        if inv.rollouts and service.terraform.vars_file:
            # A rollback is a revert of the image variable in git, applied by Terraform.
            out.append(f"git log -p -- {service.terraform.stack.rstrip('/')}/{service.terraform.vars_file}")
    return tuple(dict.fromkeys(out))


def stage_groups(items: Sequence[Finding]) -> list[dict[str, Any]]:
    """Findings grouped by stage, in the stages' order, for the comment template."""
    groups = []
    for stage in (*STAGES, "remedy"):
        chosen = [f for f in items if f.stage == stage]
        if chosen:
            worst = "fail" if any(f.status == "fail" for f in chosen) else (
                "warn" if any(f.status == "warn" for f in chosen) else "ok")
            groups.append({"stage": stage, "title": STAGE_TITLES.get(stage, stage), "status": worst,
                           "findings": [{**f.to_json(), "evidence": f.evidence, "evidence_title": evidence_title(f),
                                            "link": f.link}
                                        for f in chosen]})
    return groups


def evidence_title(finding: Finding) -> str:
    """What the collapsible evidence of a finding is called in the comment."""
    kind, _, name = finding.check.partition(":")
    titles = {
        "probe": f"Probe of {name}",
        "tls": f"Certificate of {name}",
        "metric": f"{METRIC_TITLES.get(name, name)} over the last hour",
        "workload": "Pods",
        "pod": f"Pod status and events ({name})",
        "deployment": f"Deployment status and events ({name})",
        "node": f"Node conditions ({name})",
        "logs": f"Previous container log of {name}",
        "rollout": "Rollout",
        "deploy": "Deploy",
        "commits": "Commits",
        "unread": f"Why {name} could not be read",
    }
    return titles.get(kind, finding.check)
