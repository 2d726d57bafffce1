"""`responder watch`: one detection round, the imperative shell.

    list the open incidents (one GitHub request)
 -> check every service at once: its health check (and certificate), or its workload when it has no URL;
    its thresholds in Prometheus, when it answers
 -> when one fails, read the open maintenance announcements (one request, and one per author whose
    trust the issue does not settle): a service whose trusted window is running and warned of an
    interruption opens no incident, and what depends on it is held behind it
 -> confirm only the failing services that nothing records as down yet, all at once, each
    check `detection.confirm.interval_seconds` after the one before
 -> plan the round (pure: responder/triage/detection.py)
 -> open the incidents: the issue, then the triage `responder handle` would have made for it
    (the same decide, the same remedy path), then the `opened` notification
 -> the other steps: evidence on people's reports, recovering rounds, resolving
 -> hand each resolved SEV1/SEV2 to the closed-incident flow (the post-mortem stage).

Why the round runs the closed-incident flow itself: GitHub starts no workflow for what the job's
token does, and `responder handle` ignores the responder's own events anyway, so closing the
issue alone would never draft the post-mortem.

The round's wall time is the slowest first check plus the confirmation window, whatever the
number of services. When nothing changed it costs one GitHub request.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from responder.adapters.kube import KubeError
from responder.adapters.probes import ProbeTarget
from responder.config.loader import Config, Service
from responder.decision.actions import Decision, OpenedIssue
from responder.decision.executor import ExecutionContext, Report, execute
from responder.decision.ports import Notifier
from responder.errors import ResponderError
from responder.flows import outage as incident_flow
from responder.flows.closing import handle_closed
from responder.flows.handle import carry_out, check_trust
from responder.flows.outage import IncidentTools
from responder.flows.run import GitHubFactory, Options
from responder.forms.maintenance import Announcement, announcement
from responder.investigate.blast_radius import assess as assess_blast
from responder.investigate.diagnosis import diagnose
from responder.investigate.evidence import Investigation
from responder.investigate.metrics import breaches, describe_breach
from responder.model.events import parse_event
from responder.model.probes import ProbeResult
from responder.model.timestamps import iso_utc
from responder.triage.closing import screen_closed
from responder.triage.detection import (
    Check,
    Opening,
    RoundPlan,
    Step,
    opening,
    plan_round,
    to_confirm,
    triaged_opening,
    watched,
    workload_check,
)

if TYPE_CHECKING:
    from responder.adapters.github import GitHubClient
    from responder.model.issues import IncidentIssue

log = logging.getLogger("responder.flows.watch")

MAX_WORKERS = 64


@dataclass
class WatchReport:
    plan: RoundPlan = field(default_factory=RoundPlan)
    openings: list[Opening] = field(default_factory=list)
    opened: list[int] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)  # what was carried out (or, in a dry run, shown)
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what failed without failing the round
    checked: int = 0
    confirmed: tuple[str, ...] = ()  # the services the round confirmed
    github_requests: int = 0
    notify_failures: int = 0
    check_seconds: float = 0.0  # the checks and the confirmation
    seconds: float = 0.0  # the whole round

    def to_json(self) -> dict[str, Any]:
        steps = [step.to_json() for step in self.plan.steps]
        for entry in steps:
            if entry["step"] in ("open", "triage"):
                match = next((o for o in self.openings if o.service == entry["service"]), None)
                if match is not None:
                    entry.update(match.to_json())
        return {"checked": self.checked, "confirmed": list(self.confirmed), "steps": steps,
                "unchecked": list(self.plan.unchecked),
                "warnings": {name: list(texts) for name, texts in self.plan.warnings.items()},
                "held": {name: list(causes) for name, causes in self.plan.held.items()},
                "maintenance": {name: notice.to_json() for name, notice in self.plan.maintenance.items()},
                "opened": self.opened, "done": self.done, "skipped": self.skipped, "problems": self.problems,
                "github_requests": self.github_requests, "notify_failures": self.notify_failures}

    def add(self, report: Report, prefix: str) -> None:
        self.done += [f"{prefix}{line}" for line in report.done]
        self.skipped += [f"{prefix}{line}" for line in report.skipped]
        self.notify_failures += report.notify_failures


def run(config: Config, github: GitHubClient, tools: IncidentTools, *, dry_run: bool = False,
        notifier: Notifier | None = None, github_factory: GitHubFactory | None = None,
        repository: str | None = None) -> WatchReport:
    """One round. `tools.now` is the round's time (and the time stamped on its checks), `tools.clock` and
    `tools.sleep` pace the confirmation; `github_factory` reaches GitHub for the closed-incident flow."""
    started = tools.clock()
    report = WatchReport()
    services = watched(config)
    if not services:
        report.plan = RoundPlan()
        return report
    incidents = github.open_incidents(config.labels["incident"], config.bot_login)
    checker = Checker(config, tools)
    checks = checker.check_all(services)
    report.checked = len(checks)
    first = {name: seen[0] for name, seen in checks.items()}
    report.confirmed = to_confirm(config, incidents, first)
    maintenance: dict[str, Announcement] = {}
    if report.confirmed:  # only a failure makes announced maintenance matter: nothing is read otherwise
        maintenance = _maintenance(config, github, tools.now(), report)
        report.confirmed = to_confirm(config, incidents, first, maintenance)
    if report.confirmed:
        checks = {**checks, **checker.confirm([s for s in services if s.name in report.confirmed], checks)}
    report.check_seconds = tools.clock() - started
    now = tools.now()
    report.plan = plan_round(config, incidents, checks, now, maintenance)
    report.problems += sorted(checker.problems)
    for name, notice in report.plan.maintenance.items():
        log.info("%s: fails during maintenance #%d (%s, until %s): no incident", name, notice.number,
                 notice.impact.lower(), notice.until)
    for step in report.plan.steps:
        log.info("%s: %s (%s)", step.service, step.kind, step.why)
    for name, texts in report.plan.warnings.items():
        log.warning("%s: %s", name, "; ".join(texts))
    repository = repository or github.repository
    for step in report.plan.of_kind("open", "triage"):
        service = config.service(step.service)
        assert service is not None
        inv = _investigation(config, service, checks, incidents, tools, now)
        planned = opening(service, step.checks, inv, config, now, repository)
        report.openings.append(planned)
        if not dry_run:
            _open(planned, config, github, tools, notifier, repository, report, existing=step.incident)
    for step in report.plan.steps:
        if step.decision is None:
            continue
        report.decisions.append(step.decision)
        if not dry_run:
            _carry(step, config, github, notifier, github_factory, repository, report)
    report.github_requests = github.requests
    report.seconds = tools.clock() - started
    return report


def _maintenance(config: Config, github: GitHubClient, now: datetime, report: WatchReport) -> dict[str, Announcement]:
    """Service -> the trusted maintenance announcement that expects it to fail now. Issue forms apply the
    maintenance label for anyone, so an announcement counts only from an author the status page would
    publish it from. When the announcements cannot be read, none counts: the round opens the incidents it
    would open anyway."""
    try:
        issues = github.list_issues(labels=(config.labels["maintenance"],), state="open")
    except ResponderError as exc:
        report.problems.append(f"maintenance announcements could not be read: {exc.message}")
        return {}
    trusted: dict[str, bool] = {}
    found: dict[str, Announcement] = {}
    for issue in sorted(issues, key=lambda issue: int(issue.get("number") or 0)):
        login = str((issue.get("user") or {}).get("login") or "")
        association = str(issue.get("author_association") or "").upper()
        # As the status page decides (statuspage.trusted_associations, never the responder's own account),
        # then the responder's rule, so what the page shows as maintenance is what the round holds.
        if not config.statuspage.may_vouch_for(login, association, config.bot_login):
            continue
        if login not in trusted:
            trusted[login] = check_trust(github, login, association, config.min_permission).trusted
        if not trusted[login]:
            continue
        notice = announcement(int(issue["number"]), issue.get("body"), config)
        if notice.expects_failures(now):
            for name in notice.services:
                found.setdefault(name, notice)
    return found


# ---------------------------------------------------------------- checks


class Checker:
    """Checks services at once: the health check where there is a URL, else the workload in the cluster."""

    def __init__(self, config: Config, tools: IncidentTools) -> None:
        self.config = config
        self.tools = tools
        self.began: dict[str, float] = {}  # when each service's first check began (tools.clock)
        self.problems: set[str] = set()  # what could not be looked at, once each (Prometheus down: one line)

    def check(self, service: Service) -> Check | None:
        target = ProbeTarget.for_service(service)
        if target is not None:
            probe = self.tools.prober.probe(target)
            check = replace(Check.of_probe(probe), at=iso_utc(self.tools.now()))
            return check if check.failed else check.with_breaches(self._breaches(service))
        if service.kubernetes is None:
            return None
        reader = self.tools.cluster().reader
        if reader is None:
            return None
        now = self.tools.now()
        try:
            view = reader.read(service.kubernetes)
        except KubeError as exc:
            log.warning("%s: the cluster could not be read: %s", service.name, exc.message)
            return None
        found = diagnose(view, service.kubernetes, view.observed_at or now,
                         restarts_climbing=self.tools.settings.restarts_climbing)
        return workload_check(service.name, found, iso_utc(now))

    def _breaches(self, service: Service) -> tuple[str, ...]:
        """The service's thresholds it is over right now (instant queries only: the hour before is evidence,
        read when an incident is opened)."""
        if self.config.metrics.prometheus is None or not service.metrics:
            return ()
        access = self.tools.metrics()
        if access.source is None:
            self.problems.add(f"metrics were not checked: {access.problem}")
            return ()
        readings = incident_flow.read_thresholds(access.source, service, self.tools.now(), history=False)
        for reading in readings:
            if reading.problem:
                self.problems.add(f"{service.name}: the {reading.threshold.title.lower()} could not be read: "
                                  f"{reading.problem}")
        return tuple(describe_breach(verdict) for verdict in breaches(readings))

    def check_all(self, services: Sequence[Service]) -> dict[str, tuple[Check, ...]]:
        """The round's first check of every service, all at once; services with nothing to check are left out."""
        if any(not service.url and service.kubernetes is not None for service in services):
            self.tools.cluster()  # opened once, before the threads share it
        if self.config.metrics.prometheus is not None and any(service.metrics for service in services):
            self.tools.metrics()  # likewise

        def first(service: Service) -> Check | None:
            self.began[service.name] = self.tools.clock()
            return self.check(service)

        with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(services))) as pool:
            found = list(pool.map(first, services))
        return {service.name: (check,) for service, check in zip(services, found, strict=True) if check is not None}

    def confirm(self, services: Sequence[Service],
                first: Mapping[str, tuple[Check, ...]]) -> dict[str, tuple[Check, ...]]:
        """The rest of each failing service's confirmation, every service at once. A check starts the
        interval after the one before began, or when that one gave up, whichever is later; the first that
        does not fail ends the confirmation (the service is not down)."""
        settings = self.config.detection
        clock, sleep = self.tools.clock, self.tools.sleep

        def follow(service: Service) -> tuple[Check, ...]:
            seen = list(first[service.name])
            next_at = self.began.get(service.name, clock()) + settings.confirm_interval
            while len(seen) < settings.confirm_probes and seen[-1].failed:
                wait = next_at - clock()
                if wait > 0:
                    sleep(wait)
                began = clock()
                check = self.check(service)
                if check is None:
                    break
                seen.append(check)
                next_at = max(began + settings.confirm_interval, clock())
            return tuple(seen)

        if not services:
            return {}
        with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(services))) as pool:
            found = list(pool.map(follow, services))
        return {service.name: seen for service, seen in zip(services, found, strict=True)}


def _investigation(config: Config, service: Service, checks: Mapping[str, Sequence[Check]],
                   incidents: Sequence[IncidentIssue], tools: IncidentTools, now: datetime) -> Investigation:
    """What `responder handle` would have gathered for a report of this service, from the round's own
    checks (nothing is probed twice) plus the cluster and the recent commits."""
    probes: list[ProbeResult] = []
    for seen in checks.values():
        latest = seen[-1]
        if latest.probe is not None:
            probes.append(replace(latest.probe, checked_at=latest.at))
    inv = Investigation(service=service.name, checked_at=iso_utc(now), probed=True, probes=tuple(probes),
                        window_hours=tools.settings.changes_window_hours, engine=tools.changes is not None,
                        incidents=tuple(incidents),
                        blast=assess_blast(config.services, probes, service.name))
    return incident_flow.look_closer(inv, config, service, tools, now)


# ---------------------------------------------------------------- writes


def _open(planned: Opening, config: Config, github: GitHubClient, tools: IncidentTools,
          notifier: Notifier | None, repository: str | None, report: WatchReport,
          existing: IncidentIssue | None = None) -> None:
    """Open the issue (unless an earlier round did and stopped there), then triage it as `responder handle`
    would have (the workflow token's own issue starts no workflow), then tell people."""
    if existing is None:
        open_decision = Decision(event="watch", issue=None, kind="outage-report", trusted=True,
                                 severity=planned.severity, outcome="open",
                                 reasons=(f"{planned.service} is down",), actions=(planned.action,))
        opened_report = execute(open_decision, ExecutionContext(issue=None, github=github))
        opened = next(r for r in opened_report.results if isinstance(r, OpenedIssue))
        report.opened.append(opened.number)
        report.add(opened_report, "")
        report.decisions.append(open_decision)
    else:
        opened = OpenedIssue(existing.number, existing.html_url)
        planned = replace(planned, action=replace(planned.action, labels=existing.labels))
    situation, decision, notify = triaged_opening(planned, opened.number, opened.html_url, config, tools.now(),
                                                  repository)
    context = ExecutionContext(issue=opened.number, github=github, changes=tools.changes, clock=tools.now,
                               notifier=notifier)
    try:
        final, done = carry_out(decision, situation, context, True, tools)
    finally:
        incident_flow.discard(situation, tools)
    report.decisions += [final, notify]
    report.add(done, f"#{opened.number}: ")
    report.add(execute(notify, context), f"#{opened.number}: ")
    log.info("#%d opened for %s: %s (%s)", opened.number, planned.service, final.outcome, final.severity)


def _carry(step: Step, config: Config, github: GitHubClient, notifier: Notifier | None,
           github_factory: GitHubFactory | None, repository: str | None, report: WatchReport) -> None:
    incident = step.incident
    assert incident is not None and step.decision is not None
    context = ExecutionContext(issue=incident.number, github=github, bot_comment=incident.bot_comment,
                               notifier=notifier)
    report.add(execute(step.decision, context), f"#{incident.number}: ")
    if step.needs_postmortem:
        _closed_incident_flow(incident.number, config, github, github_factory, repository, report)


def _closed_incident_flow(number: int, config: Config, github: GitHubClient, github_factory: GitHubFactory | None,
                          repository: str | None, report: WatchReport) -> None:
    """What the `closed` event would have started: the post-mortem draft of a SEV1/SEV2.

    The incident is closed already; a failure here is reported, and the draft can be written later with
    `postmortem write --issue N`."""
    payload = {"action": "closed", "issue": github.get_issue(number),
               "repository": {"full_name": repository or github.repository},
               "sender": {"login": config.bot_login, "type": "Bot"}}
    event = parse_event(payload, "issues")
    reason = screen_closed(event, config)
    if reason is not None:
        report.skipped.append(f"#{number}: no post-mortem: {reason}")
        return
    try:
        result = handle_closed(payload, event, config, Options(), github_factory or (lambda _: github))
    except ResponderError as exc:
        report.problems.append(f"#{number}: the post-mortem was not drafted: {exc.message} (write it with "
                               f"`postmortem write --issue {number}`)")
        return
    if result.report is not None:
        report.add(result.report, f"#{number}: post-mortem: ")
    else:
        report.skipped.append(f"#{number}: post-mortem: " + "; ".join(result.decision.reasons))
