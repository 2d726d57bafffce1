"""The imperative shell of the outage path: gather evidence, run a remedy, confirm recovery.

runner.handle calls three functions around the pure decision:

- `gather` (before deciding): list open incidents (duplicates), probe the
  catalogue (certificates included) while Prometheus is asked for the
  service's thresholds, read the cluster, read recent commits, choose a remedy and,
  for a Terraform remedy, let the ChangeEngine prepare it (edit, plan,
  guardrail verdict);
- `remediate` (after deciding, not in a dry run): run the remedy actions
  through the executor, re-probe until the service is back or the
  recovery timeout passes, and decide again with the result;
- `discard` (dry runs, or a prepared change that will not be applied).

Every adapter comes in through `IncidentTools`, so tests hand in real
loopback services, a snapshot or a `responses`-backed API, and a fake
ChangeEngine through the same protocol.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from responder.adapters.kube import ClusterAccess, ClusterReader, KubeError, open_cluster
from responder.adapters.probes import Prober, ProbeRunner, ProbeTarget
from responder.adapters.progress import stage
from responder.adapters.prometheus import NOT_CONFIGURED, MetricsAccess, MetricsSource, PrometheusError, metrics_for
from responder.changes import tfvars
from responder.config.investigation import InvestigationSettings
from responder.config.loader import Config, Service
from responder.config.metrics import Threshold
from responder.decision.actions import Decision
from responder.decision.executor import ExecutionContext, Report, execute
from responder.decision.incident_actions import RestartOutcome
from responder.errors import ResponderError
from responder.forms import specs as forms
from responder.investigate import diagnosis as dx
from responder.investigate.blast_radius import assess as assess_blast
from responder.investigate.deploys import ReportStart, deploy_history, report_start
from responder.investigate.diagnosis import diagnose
from responder.investigate.evidence import Investigation, PodLog, RemedyResult, findings
from responder.investigate.metrics import HISTORY, STEP_SECONDS, MetricReading
from responder.investigate.remedies import choose
from responder.investigate.rollback import ROLLBACK, RollbackFacts
from responder.investigate.rollouts import recent_rollouts
from responder.model.changes import AppliedChange, ChangeEngine, LazyEngine
from responder.model.cluster import ClusterView
from responder.model.commits import PinnedValue
from responder.model.events import Issue
from responder.model.findings import Finding
from responder.model.probes import OK, ProbeResult
from responder.model.timestamps import iso_utc as _iso
from responder.triage.duplicates import find_original
from responder.triage.intake import effective_trust
from responder.triage.outage import SECTION, settled, wanted_change
from responder.triage.situation import Situation, report_facts

if TYPE_CHECKING:
    from responder.adapters.github import IncidentReader

log = logging.getLogger("responder.triage.outage")

# (config, issue, findings so far, service, what is left of the issue's agent budget) -> advisory findings
AskAgent = Callable[[Config, Issue, tuple[Finding, ...], str | None, float], tuple[Finding, ...]]

_LOG_PROBLEMS = (dx.CRASH_LOOP, dx.OOM_KILLED, dx.RESTARTS_CLIMBING)
MAX_LOGS = 2
_PINNED_HISTORY = 50  # commits of a vars file read back at most, looking for the image's previous value


@dataclass
class IncidentTools:
    """The adapters the outage path uses, injected so that tests and replays can choose them."""

    settings: InvestigationSettings
    prober: ProbeRunner = field(default_factory=Prober)
    open_cluster: Callable[[], ClusterAccess] = lambda: ClusterAccess(None, "no cluster configured")
    changes: ChangeEngine | None = None
    # The optional agent investigator (responder/agent.py); () when responder.yml configures none.
    ask_agent: AskAgent | None = None
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    # Prometheus for the metrics stage; by default none, and the evidence says so.
    open_metrics: Callable[[], MetricsAccess] = lambda: MetricsAccess(None, NOT_CONFIGURED)
    _access: ClusterAccess | None = None
    _metrics: MetricsAccess | None = None

    @classmethod
    def for_run(cls, config: Config, env: Mapping[str, str], snapshot: str | None = None, *, plan: bool = False,
                dry_run: bool = False, engine: Callable[[], ChangeEngine] | None = None) -> IncidentTools:
        """The real adapters. With `plan`, one guarded-Terraform engine for the run, started on first use
        (`engine` builds it; by default the TerraformChangeEngine over this checkout)."""
        settings = config.investigation
        changes: ChangeEngine | None = None
        if plan:
            def terraform_engine() -> ChangeEngine:
                from responder.flows.change_engine import TerraformChangeEngine

                # terraform runs with the process's own environment: PATH, and the provider credentials the
                # runner was given (terraform-env), which a command's narrower `env` need not carry.
                return TerraformChangeEngine(config, env=os.environ, dry_run=dry_run)

            changes = LazyEngine(engine or terraform_engine)

        def ask_agent(cfg: Config, issue: Issue, so_far: tuple[Finding, ...], service: str | None,
                      budget: float) -> tuple[Finding, ...]:
            from responder.adapters.agent import investigate

            return investigate(cfg, issue, so_far, purpose="issue", service_name=service, env=env,
                               budget_usd=budget)

        def kubeconfig_secret() -> str | None:
            from responder.adapters.secrets import SecretsError, resolver_for

            try:
                return resolver_for(config, env).optional("kubeconfig")
            except SecretsError as exc:  # configured but unreadable: the cluster is not checked, and we say why
                raise KubeError(f"the kubeconfig secret could not be read: {exc.message}") from None

        return cls(settings=settings, changes=changes, ask_agent=ask_agent,
                   open_cluster=lambda: open_cluster(settings, env, snapshot, kubeconfig_secret=kubeconfig_secret),
                   open_metrics=lambda: metrics_for(config, env))

    def metrics(self) -> MetricsAccess:
        """Opened on first use only (its token is read then), and once per run."""
        if self._metrics is None:
            self._metrics = self.open_metrics()
        return self._metrics

    def cluster(self) -> ClusterAccess:
        """Opened on first use only: a run that never needs the cluster never loads its client."""
        if self._access is None:
            self._access = self.open_cluster()
        return self._access


# ---------------------------------------------------------------- gather


def gather(situation: Situation, github: IncidentReader | None, probe: bool, tools: IncidentTools,
           dry_run: bool = False) -> Situation:
    """The situation with the investigation added, when this event is an outage report to act on."""
    event, config = situation.event, situation.config
    issue = event.issue
    assert issue is not None
    parsed = situation.parsed
    if situation.kind != forms.KIND_OUTAGE or parsed is None:
        return situation
    if not effective_trust(situation).granted:
        return situation
    if not parsed.valid:
        return situation
    if settled(situation) is not None:
        return situation
    _, service = report_facts(parsed, config)
    access = tools.cluster() if service is not None and service.kubernetes is not None else \
        ClusterAccess(None, "the service has no kubernetes section in responder.yml")
    if not probe and access.reader is None:
        # Nothing to look at: intake only, exactly as without an investigation stage.
        return situation
    settings = tools.settings
    now = tools.now()
    inv = Investigation(service=service.name if service else None, checked_at=_iso(now),
                        window_hours=settings.changes_window_hours, engine=tools.changes is not None)

    if github is not None and settings.duplicates and service is not None:
        incidents = tuple(github.open_incidents(config.labels["incident"], config.bot_login))
        original = find_original(service.name, issue.number, incidents, config)
        inv = replace(inv, incidents=incidents, original=original)
        if original is not None:
            return replace(situation, investigation=inv)

    # Prometheus answers while the probes wait on the slowest service: the stage adds no time of its own.
    pending = _start_metrics(config, service, tools, now)
    inv = _assessment(inv, config, probe, tools)
    inv = _finish_metrics(inv, pending)
    if service is not None:
        before = (situation.prior.sections.get(SECTION) or {}).get("remedy") if situation.prior else None
        rolled_back_at = str(before.get("at")) if isinstance(before, Mapping) and before.get("code") == ROLLBACK \
            else None
        inv = look_closer(inv, config, service, tools, now, access,
                          start=report_start(parsed.text("when"), issue.created_at), rolled_back_at=rolled_back_at)
    inv = _agent(inv, situation, parsed.choice("error_type"), tools, dry_run)
    situation = replace(situation, investigation=inv)
    request = wanted_change(situation, parsed)
    if request is not None and tools.changes is not None:
        log.info("preparing %s=%s for %s", request.kind, request.value, request.service)
        try:
            prepared = tools.changes.prepare(request, issue=issue.number)
        except ResponderError as exc:
            # The engine could not even plan: that is evidence for a person, not a crash of the run.
            return replace(situation, investigation=replace(inv, prepare_problem=exc.message))
        situation = replace(situation, investigation=replace(inv, prepared=prepared))
    return situation


def look_closer(inv: Investigation, config: Config, service: Service, tools: IncidentTools, now: datetime,
                access: ClusterAccess | None = None, *, start: ReportStart | None = None,
                rolled_back_at: str | None = None) -> Investigation:
    """The stages after the probes, for one service: its workload in the cluster, the recent commits to its
    stack, its deploy history, and the remedy that would fit. `responder watch` adds them to what its round
    probed. `start`: when the outage began (the report says); `rolled_back_at`: when this incident already
    had a rollback, which runs once."""
    if access is None:
        access = tools.cluster() if service.kubernetes is not None else \
            ClusterAccess(None, "the service has no kubernetes section in responder.yml")
    if not inv.metrics and inv.metrics_problem is None:
        inv = _finish_metrics(inv, _start_metrics(config, service, tools, now))
    inv, view = _kubernetes(inv, service, access, tools.settings, now)
    inv = _commits(inv, config, service, tools.settings, now)
    found = inv.diagnosis
    if view is None or found is None:
        return inv
    at = view.observed_at or now
    inv = replace(inv, start=start, deploys=deploy_history(
        view, found.namespace, found.deployment, service.name, at,
        timedelta(hours=tools.settings.changes_window_hours), inv.commits or ()))
    rollback = RollbackFacts(view, inv.rollouts, *_pinned_image(config, service, inv), tried_at=rolled_back_at)
    remedy = choose(found, service, tools.settings, cluster_writable=inv.cluster_writable,
                    guardrails=config.guardrails.policy, rollback=rollback)
    return replace(inv, remedy=remedy)


# ---------------------------------------------------------------- metrics


def read_thresholds(source: MetricsSource, service: Service, at: datetime, *,
                    history: bool = True) -> tuple[MetricReading, ...]:
    """Each threshold of the service at `at`, all at once; with `history`, the hour before it too (skipped
    for a threshold whose value could not be read: Prometheus would not answer that either)."""
    thresholds = service.metrics.thresholds
    if not thresholds:
        return ()

    def read(threshold: Threshold) -> MetricReading:
        reading = MetricReading(service.name, threshold, at)
        try:
            reading = replace(reading, samples=source.instant(threshold.query, at))
        except PrometheusError as exc:
            return replace(reading, problem=exc.message)
        if history:
            try:
                reading = replace(reading, history=source.range(threshold.query, at - HISTORY, at, STEP_SECONDS))
            except PrometheusError as exc:
                reading = replace(reading, history_problem=exc.message)
        return reading

    with ThreadPoolExecutor(max_workers=len(thresholds)) as pool:
        return tuple(pool.map(read, thresholds))


def _start_metrics(config: Config, service: Service | None, tools: IncidentTools,
                   now: datetime) -> Future[Investigation] | MetricsAccess | None:
    """The metrics stage of the reported service, started in the background; or why it cannot run (the
    evidence says so); None when there is nothing to ask (no service, no Prometheus, no thresholds)."""
    if service is None or config.metrics.prometheus is None or not service.metrics:
        return None
    access = tools.metrics()
    if access.source is None:
        return access
    source = access.source
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(lambda: Investigation(service=service.name, checked_at=_iso(now),
                                               metrics=read_thresholds(source, service, now)))
    pool.shutdown(wait=False)
    return future


def _finish_metrics(inv: Investigation, pending: Future[Investigation] | MetricsAccess | None) -> Investigation:
    if pending is None:
        return inv
    if isinstance(pending, MetricsAccess):
        return replace(inv, metrics_problem=pending.problem)
    return replace(inv, metrics=pending.result().metrics)


def _agent(inv: Investigation, situation: Situation, error_type: str | None, tools: IncidentTools,
           dry_run: bool) -> Investigation:
    """Ask the optional agent service, after our own checks, with their findings as context.

    Its answer only adds findings: the remedy was chosen from our own evidence
    above, and only the guarded path applies anything. The budget belongs to the
    issue: what earlier runs were granted (kept in its state) is taken off.
    """
    from responder.investigate.agent_budget import MIN_JOB_USD, AgentUsage

    config, issue = situation.config, situation.event.issue
    assert issue is not None
    settings = config.agent
    if tools.ask_agent is None or settings is None:
        return inv
    if dry_run:
        skipped = Finding("agent", "agent:skipped", "warn",
                          "The agent service was not asked: a dry run spends no agent budget.")
        return replace(inv, agent=(skipped,))
    usage = AgentUsage.from_sections(situation.prior.sections if situation.prior else {})
    left = usage.left(settings)
    if left < MIN_JOB_USD:
        spent = Finding("agent", "agent:budget", "warn",
                        f"The agent was not asked: this issue's agent budget of ${settings.budget('issue'):.2f} "
                        f"is used up ({usage.jobs} job{'s' if usage.jobs != 1 else ''} so far).")
        return replace(inv, agent=(spent,))
    so_far = findings(inv, config, error_type)
    return replace(inv, agent=tools.ask_agent(config, issue, so_far, inv.service, left), agent_granted_usd=left)


def _assessment(inv: Investigation, config: Config, probe: bool, tools: IncidentTools) -> Investigation:
    if not probe:
        return inv
    targets = [target for target in (ProbeTarget.for_service(s) for s in config.services) if target is not None]
    with stage(log, "probed", "services", len(targets)):
        probes = tools.prober.probe_all(targets)
    return replace(inv, probed=True, probes=probes, blast=assess_blast(config.services, probes, inv.service))


def _kubernetes(inv: Investigation, service: Service, access: ClusterAccess, settings: InvestigationSettings,
                now: datetime) -> tuple[Investigation, ClusterView | None]:
    reader = access.reader
    target = service.kubernetes
    if reader is None or target is None:
        return replace(inv, cluster_problem=access.problem), None
    try:
        view = reader.read(target)
    except KubeError as exc:
        return replace(inv, cluster_source=reader.source, cluster_problem=exc.message), None
    at = view.observed_at or now
    found = diagnose(view, target, at, restarts_climbing=settings.restarts_climbing, host=_host(service))
    logs = _logs(reader, found, settings) if settings.log_lines else ()
    rollouts = recent_rollouts(view, target.namespace, found.deployment, at,
                               timedelta(hours=settings.changes_window_hours))
    return replace(inv, cluster_source=reader.source, cluster_writable=reader.writable, diagnosis=found,
                   logs=logs, rollouts=rollouts, cluster_unread=dict(view.unread)), view


def _host(service: Service) -> str | None:
    return urlparse(service.url).hostname if service.url else None


def _pinned_image(config: Config, service: Service, inv: Investigation) -> tuple[tuple[PinnedValue, ...] | None,
                                                                                  str | None]:
    """The image variable through the vars file's git history, newest first, read only as far back as its
    previous value, and only after a rollout that changed the image (a rollback could not apply otherwise)."""
    target = service.terraform
    if target is None or not target.vars_file or not any(r.image_changed for r in inv.rollouts[:1]):
        return None, None
    from responder.adapters.git import GitError, GitRepo

    path = f"{target.stack.rstrip('/')}/{target.vars_file}"
    repo = GitRepo(config.root, timeout=20)
    values: list[PinnedValue] = []
    try:
        if not repo.is_repository():
            return None, f"{config.root} is not a git checkout"
        for commit, text in repo.file_versions(path, limit=_PINNED_HISTORY):
            try:
                value = tfvars.read_value(text, target.image_var) if text is not None else None
            except tfvars.VarsFileError:
                value = None
            values.append(PinnedValue(commit, None if value is None else str(value)))
            if len({pinned.value for pinned in values}) > 1:
                break
    except GitError as exc:
        return None, exc.message
    return tuple(values), None


def _logs(reader: ClusterReader, found: dx.Diagnosis, settings: InvestigationSettings) -> tuple[PodLog, ...]:
    out: list[PodLog] = []
    for problem in found.problems:
        if problem.code not in _LOG_PROBLEMS or not problem.pod or not problem.container or len(out) >= MAX_LOGS:
            continue
        try:
            text = reader.previous_logs(found.namespace, problem.pod, problem.container, settings.log_lines)
        except KubeError as exc:
            log.warning("logs of %s: %s", problem.pod, exc.message)
            continue
        if text:
            out.append(PodLog(problem.pod, problem.container, text))
    return tuple(out)


def _commits(inv: Investigation, config: Config, service: Service, settings: InvestigationSettings,
             now: datetime) -> Investigation:
    if service.terraform is None:
        return inv
    from responder.adapters.git import GitError, GitRepo

    stack = service.terraform.stack
    repo = GitRepo(config.root, timeout=20)
    since = _iso(now - timedelta(hours=settings.changes_window_hours))
    try:
        if not repo.is_repository():
            return replace(inv, stack=stack, commits_problem=f"{config.root} is not a git checkout")
        return replace(inv, stack=stack, commits=repo.log([stack], since=since, limit=20))
    except GitError as exc:
        return replace(inv, stack=stack, commits_problem=exc.message)


# ---------------------------------------------------------------- remedy and recovery


def remediate(remedies: Decision, situation: Situation, context: ExecutionContext, probe: bool,
              tools: IncidentTools) -> tuple[Report, Situation]:
    """Run the remedies, confirm recovery, and return what they did and the situation to decide on."""
    inv = situation.investigation
    assert inv is not None
    service = situation.config.service(inv.service or "")
    assert service is not None
    access = tools.cluster()
    if context.cluster is None and access.reader is not None:
        context.cluster = access.reader
    started = _iso(tools.now())
    report = Report()
    try:
        report = execute(remedies, context)
    except (ResponderError, RuntimeError) as exc:
        message = exc.message if isinstance(exc, ResponderError) else str(exc)
        result = RemedyResult(False, False, f"the remedy failed: {message}", started)
    else:
        applied = next((r for r in report.results if isinstance(r, AppliedChange)), None)
        restart = next((r for r in report.results if isinstance(r, RestartOutcome)), None)
        if applied is not None and not applied.ok:
            result = RemedyResult(False, False, f"the Terraform apply failed: {applied.error or 'no detail'}",
                                  started, applied=applied)
        else:
            recovered, probes, checks, detail = confirm_recovery(service, probe, access.reader, tools)
            result = RemedyResult(True, recovered, detail, _iso(tools.now()), applied=applied,
                                  restarted_at=restart.restarted_at if restart else None, probes=probes,
                                  checks=checks)
    log.info("remedy: ok=%s recovered=%s: %s", result.ok, result.recovered, result.detail)
    return report, replace(situation, investigation=replace(inv, result=result))


def confirm_recovery(service: Service, probe: bool, reader: ClusterReader | None,
                     tools: IncidentTools) -> tuple[bool, tuple[ProbeResult, ...], int, str]:
    """Re-probe (and re-read a live cluster) until the service is back or the recovery timeout passes."""
    settings = tools.settings
    target = ProbeTarget.for_service(service) if probe else None
    live = reader if reader is not None and reader.writable and service.kubernetes is not None else None
    if target is None and live is None:
        return False, (), 0, ("recovery could not be confirmed: there is no probe (no URL, or --no-probe) and no "
                              "live cluster to look at")
    deadline = tools.clock() + settings.recovery_timeout
    checks = 0
    while True:
        checks += 1
        result = tools.prober.probe(target) if target is not None else None
        pods = _pods_healthy(live, service, tools) if live is not None else None
        answered = result is None or result.state == OK
        if answered and pods in (None, True):
            what = f"{service.name} answers ({result.detail})" if result else f"{service.name}'s pods are ready"
            return True, (result,) if result else (), checks, f"recovery confirmed after {checks} check(s): {what}."
        if tools.clock() + settings.recovery_interval > deadline:
            state = f"{result.state}, {result.detail}" if result else "its pods are still not ready"
            if result and result.state == OK and pods is False:
                state = "it answers, but its pods are still not ready"
            return False, (result,) if result else (), checks, (
                f"{service.name} was still not healthy {settings.recovery_timeout:g} s after the remedy ({state}).")
        tools.sleep(settings.recovery_interval)


def _pods_healthy(reader: ClusterReader, service: Service, tools: IncidentTools) -> bool:
    assert service.kubernetes is not None
    try:
        view = reader.read(service.kubernetes, workload_only=True)
    except KubeError:
        return False
    found = diagnose(view, service.kubernetes, view.observed_at or tools.now(),
                     restarts_climbing=tools.settings.restarts_climbing, host=_host(service))
    return found.healthy


def discard(situation: Situation, tools: IncidentTools) -> None:
    """Undo a prepared change that will not be applied (a dry run, or an outcome without it)."""
    inv = situation.investigation
    if inv is not None and inv.prepared is not None and inv.prepared.allowed and tools.changes is not None:
        tools.changes.discard(inv.prepared)
