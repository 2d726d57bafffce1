"""The facts of a closed incident: what, how bad, how long, and the error budget it cost.

Pure: the export and the config in, a frozen Incident out. Judgement (why it
happened, what to change) is left to people; only facts are computed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from postmortem.model.timeline import Timeline, TimelineEntry, build_timeline
from responder.adapters.github.export import IncidentExport
from responder.config.loader import Config, Service
from responder.forms import specs as forms
from responder.forms.answers import parse_body
from responder.model.severity_levels import Severity, Targets
from responder.model.state import StateSeal
from responder.model.timestamps import parse_utc

# A month of error budget is taken as 30 days: (1 - slo/100) x 30 days.
BUDGET_WINDOW = timedelta(days=30)
# Journal kinds that mark the start of impact when they come before the first report.
DETECTION_KINDS = ("finding", "detected")
RECOVERY_KINDS = ("recovered",)
# Journal kinds that are bookkeeping rather than diagnosis; every other kind (finding, remedy, plan,
# apply, escalated, recovered, and kinds later stages invent) is evidence for the root cause.
NOT_EVIDENCE_KINDS = ("queued", "needs-info", "reminder", "acknowledged", "unacknowledged")
# Timeline kinds only a person with triage access or more can cause: the fallback acknowledgement.
ACKNOWLEDGING_KINDS = ("label", "severity", "assigned")


@dataclass(frozen=True)
class Budget:
    service: Service
    budget: timedelta | None  # None: the service has no slo
    consumed_percent: float | None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"service": self.service.name, "slo": self.service.slo}
        if self.budget is not None:
            out["budget_minutes"] = round(self.budget.total_seconds() / 60, 1)
            out["consumed_percent"] = self.consumed_percent
        return out


@dataclass(frozen=True)
class Incident:
    number: int
    title: str
    url: str
    reporter: str
    severity: str | None  # SEV1..SEV4, or None when nobody classified it
    services: tuple[Service, ...]
    reported_service: str | None  # the form's answer when it names no known service
    timeline: Timeline
    started_at: datetime
    start_basis: str  # "report" | "finding"
    recovered_at: datetime | None
    end_basis: str  # "recovery" | "closing" | "open"
    budgets: tuple[Budget, ...]
    responders: tuple[str, ...]  # people who commented or were assigned
    # The first answer of a trusted person: as the sweep recorded it ("sweep"), else the first label or
    # assignment by a person ("history"), else none was seen ("none").
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    acknowledge_basis: str = "none"
    acknowledge_target: Targets | None = None  # the level's targets (escalation.targets)

    @property
    def duration(self) -> timedelta | None:
        if self.recovered_at is None:
            return None
        return max(timedelta(0), self.recovered_at - self.started_at)

    @property
    def time_to_acknowledge(self) -> timedelta | None:
        """From the incident's opening to the first answer of a trusted person."""
        if self.acknowledged_at is None:
            return None
        return max(timedelta(0), self.acknowledged_at - self.timeline.opened_at)

    @property
    def time_to_resolve(self) -> timedelta | None:
        """From the incident's opening to the service's recovery (or the closing, without a recorded recovery)."""
        if self.recovered_at is None:
            return None
        return max(timedelta(0), self.recovered_at - self.timeline.opened_at)

    @property
    def acknowledged_in_time(self) -> bool | None:
        """Whether the response target of the level was met; None when either is unknown."""
        if self.acknowledged_at is None or self.acknowledge_target is None:
            return None
        return self.acknowledged_at <= self.acknowledge_target.respond_deadline(self.timeline.opened_at)

    @property
    def closed_at(self) -> datetime | None:
        return self.timeline.closed_at

    @property
    def date(self) -> str:
        return self.started_at.strftime("%Y-%m-%d")

    def evidence(self) -> tuple[TimelineEntry, ...]:
        """What the responder itself recorded: its diagnosis and what it did."""
        return tuple(e for e in self.timeline.entries if e.origin == "journal" and e.kind not in NOT_EVIDENCE_KINDS)


def describe_incident(export: IncidentExport, config: Config, seal: StateSeal | None = None) -> Incident:
    issue = export.issue
    timeline = build_timeline(export, config.bot_login, config.labels, seal, config.repository or "")
    state = timeline.state
    services, reported = _services(issue, config)

    started_at, start_basis = timeline.opened_at, "report"
    detections = [e.at for e in timeline.of_kind(*DETECTION_KINDS) if e.at < started_at]
    if detections:
        started_at, start_basis = min(detections), "finding"

    recoveries = [e.at for e in timeline.of_kind(*RECOVERY_KINDS) if e.at >= started_at]
    if recoveries:
        # After a relapse the service is back only at the last recovery.
        recovered_at: datetime | None = max(recoveries)
        end_basis = "recovery"
    elif timeline.closed_at is not None:
        recovered_at, end_basis = timeline.closed_at, "closing"
    else:
        recovered_at, end_basis = None, "open"

    duration = (recovered_at - started_at) if recovered_at else None
    budgets = tuple(_budget(service, duration) for service in services)
    acknowledged_at, acknowledged_by, basis = _acknowledgement(timeline, config.bot_login)
    severity = _severity(issue, config, state.severity if state else None)
    reporter = str((issue.get("user") or {}).get("login") or "ghost")
    people = [e.actor for e in timeline.entries if e.kind == "comment" and e.actor != reporter]
    assignees = [str(a.get("login")) for a in issue.get("assignees") or () if isinstance(a, Mapping)]
    return Incident(
        number=int(issue["number"]),
        title=str(issue.get("title") or ""),
        url=str(issue.get("html_url") or ""),
        reporter=reporter,
        severity=severity,
        services=services,
        reported_service=reported,
        timeline=timeline,
        started_at=started_at,
        start_basis=start_basis,
        recovered_at=recovered_at,
        end_basis=end_basis,
        budgets=budgets,
        responders=tuple(dict.fromkeys([*assignees, *people])),
        acknowledged_at=acknowledged_at,
        acknowledged_by=acknowledged_by,
        acknowledge_basis=basis,
        acknowledge_target=config.escalation.target(Severity.parse(severity)) if severity else None,
    )


def _acknowledgement(timeline: Timeline, bot_login: str) -> tuple[datetime | None, str | None, str]:
    """When a trusted person first answered the incident, who, and how it is known.

    The sweep records it (the first comment, label or assignment by someone with the trusted
    permission). Without that record, the first label or assignment by a person stands in: only
    people with triage access or more can do either, while anyone can comment.
    """
    sweep = (timeline.state.sections.get("sweep") if timeline.state else None) or {}
    recorded = parse_utc(sweep.get("acknowledged_at")) if isinstance(sweep, Mapping) else None
    if recorded is not None:
        by = sweep.get("acknowledged_by")
        return recorded, str(by) if by else None, "sweep"
    for entry in timeline.entries:
        if entry.kind in ACKNOWLEDGING_KINDS and entry.origin == "event" and entry.actor not in (bot_login, "ghost") \
                and entry.at > timeline.opened_at:
            return entry.at, entry.actor, "history"
    return None, None, "none"


def _severity(issue: Mapping[str, Any], config: Config, remembered: str | None) -> str | None:
    """A person's label wins over the responder's memory; the most serious label if there are several."""
    names = {str(label.get("name")) for label in issue.get("labels") or () if isinstance(label, Mapping)}
    labelled = [level for level in Severity if config.labels.severity(level) in names]
    if labelled:
        return str(labelled[0])
    try:
        return str(Severity.parse(remembered)) if remembered else None
    except KeyError:
        return None


def _services(issue: Mapping[str, Any], config: Config) -> tuple[tuple[Service, ...], str | None]:
    outage = forms.outage_form(config)
    body = issue.get("body")
    parsed = parse_body(body if isinstance(body, str) else None, outage)
    title = parsed.choice("service")
    if not title or title == forms.OTHER_SERVICE:
        return (), None
    service = config.service_by_title(title)
    return ((service,), None) if service else ((), title)


def _budget(service: Service, duration: timedelta | None) -> Budget:
    if service.slo is None:
        return Budget(service, None, None)
    budget = BUDGET_WINDOW * (1 - service.slo / 100)
    if duration is None or budget.total_seconds() <= 0:
        return Budget(service, budget, None)
    # The whole duration counts as downtime: the conservative reading of a report of an outage.
    return Budget(service, budget, round(duration.total_seconds() / budget.total_seconds() * 100, 1))


def format_duration(duration: timedelta | None) -> str:
    if duration is None:
        return "unknown"
    minutes = round(duration.total_seconds() / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min" if minutes else ""]
    return " ".join(p for p in parts if p) or "0 min"
