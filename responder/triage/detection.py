"""One detection round, pure: from what the checks saw and the open incidents to what the round does.

`responder watch` (responder/flows/watch.py) checks every service, confirms
the failing ones, and asks this module, in three steps:

- `to_confirm`: which failing services need the in-run confirmation (those
  not already known to be down, nor under a maintenance window that said
  they would be);
- `plan_round`: per service, what the round does: open an incident, add
  the evidence to a person's report, count a recovering round, resolve an
  auto-detected incident, or tell a person's report it looks recovered;
- `opening` and `triaged_opening`: the issue to open and, once GitHub has
  numbered it, the same triage decision `responder handle` makes for an
  outage report (intake.decide over a Situation), with the trust verdict
  "opened by the responder itself".

The only memory between rounds is on GitHub: the `watch` section of the
responder's state marker on each incident.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from responder.config.loader import Config, Service
from responder.decision.actions import Action, AddLabels, Comment, Decision, OpenIssue, SetIssue
from responder.decision.notify_actions import Notify
from responder.forms import specs as forms
from responder.forms.maintenance import Announcement
from responder.investigate import diagnosis as dx
from responder.investigate.blast_radius import dependencies
from responder.investigate.evidence import Investigation
from responder.model.events import Actor, Issue, IssueEvent
from responder.model.issues import IncidentIssue
from responder.model.notifications import OPENED, RESOLVED, Notification
from responder.model.probes import DEGRADED, DOWN, OK, ProbeResult
from responder.model.severity_levels import Severity
from responder.model.state import IssueState, JournalEntry
from responder.model.timestamps import iso_utc, parse_utc
from responder.model.trust import TrustVerdict
from responder.render.comment_blocks import splice, with_state
from responder.render.comments import render
from responder.render.quoting import commit_text
from responder.triage.duplicates import service_of
from responder.triage.intake import decide
from responder.triage.situation import Situation

SECTION = "watch"  # the round's memory in the state marker of each incident it touched
BLOCK = "watch"  # the round's block in the responder's comment
SWEEP_SECTION = "sweep"
NOTIFY_SECTION = "notify"  # what people were told, by event, so no run tells them twice
TRUST_BASIS = "responder"
TITLE = "[Outage]: {title} is down"

# What the round does about a service.
OPEN = "open"  # down, and no open incident covers it
EVIDENCE = "evidence"  # down, and a person's report covers it: the evidence goes there, once
RECOVERING = "recovering"  # answers, but not yet for detection.recover_after_runs rounds in a row
DOWN_AGAIN = "down-again"  # failed again while it was counting answering rounds
RESOLVE = "resolve"  # an auto-detected incident whose service answers again: downtime, then closed
TRIAGE = "triage"  # an auto-detected incident without the responder's comment (its round failed after opening)
LOOKS_RECOVERED = "looks-recovered"  # a person's report whose service answers again: told so, once


@dataclass(frozen=True)
class Check:
    """One look at a service: its health check, or its workload in the cluster when it has no URL."""

    service: str
    state: str  # ok | degraded | down
    detail: str
    at: str  # ISO 8601 UTC
    target: str  # what was looked at: "GET https://…" or "deployment/web in shop"
    status: int | None = None  # the HTTP status, when there was an answer
    probe: ProbeResult | None = None  # the health check behind it
    breaches: tuple[str, ...] = ()  # thresholds in Prometheus it is over: "error rate is 8 % (threshold 5 %)"

    @classmethod
    def of_probe(cls, probe: ProbeResult) -> Check:
        return cls(probe.service, probe.state, probe.detail, probe.checked_at, f"GET {probe.url}", probe.status,
                   probe)

    def with_breaches(self, breaches: tuple[str, ...]) -> Check:
        """An answering service over a threshold is degraded: not an outage to open, not yet a recovery."""
        if not breaches:
            return self
        if self.state != OK:
            return replace(self, breaches=breaches)
        return replace(self, state=DEGRADED, detail=f"{self.detail}, but its {' and its '.join(breaches)}",
                       breaches=breaches)

    @property
    def warnings(self) -> tuple[str, ...]:
        """What people should hear even when nothing is down: a certificate to renew, a threshold breached."""
        out = []
        tls = self.probe.tls if self.probe is not None else None
        if tls is not None and tls.status != "ok" and tls.certificate is not None:
            out.append(f"the certificate {tls.detail}")
        out += [f"its {breach}" for breach in self.breaches]
        return tuple(out)

    @property
    def failed(self) -> bool:
        return self.state == DOWN

    def to_json(self) -> dict[str, Any]:
        return {"service": self.service, "state": self.state, "detail": self.detail, "at": self.at,
                "target": self.target}


@dataclass(frozen=True)
class Step:
    """What the round does about one service (and the incident it concerns, if any)."""

    service: str
    kind: str  # OPEN, EVIDENCE, RECOVERING, DOWN_AGAIN, RESOLVE or LOOKS_RECOVERED
    why: str
    checks: tuple[Check, ...]
    incident: IncidentIssue | None = None
    decision: Decision | None = None  # None for OPEN: made once the evidence is gathered (`opening`)
    severity: str | None = None

    @property
    def needs_postmortem(self) -> bool:
        """A resolved SEV1/SEV2: closing it is what starts the post-mortem flow."""
        return self.kind == RESOLVE and self.severity is not None and Severity.parse(self.severity).needs_postmortem

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"service": self.service, "step": self.kind, "why": self.why,
                               "issue": self.incident.number if self.incident else None,
                               "checks": [check.to_json() for check in self.checks]}
        if self.severity:
            out["severity"] = self.severity
        if self.decision is not None:
            out["actions"] = [action.to_json() for action in self.decision.actions]
        return out


@dataclass(frozen=True)
class RoundPlan:
    steps: tuple[Step, ...] = ()
    unchecked: tuple[str, ...] = ()  # services with nothing to check (no URL, no readable workload)
    # Down services that get no incident of their own, because something they depend on is down too:
    # one incident for the ingress, not one for every app behind it. Service -> the dependencies down.
    held: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Service -> what its latest check warns about (an expiring certificate, a threshold breached).
    warnings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Failing services that get no incident, because a trusted maintenance announcement running now
    # said they would be interrupted. Service -> the announcement.
    maintenance: Mapping[str, Announcement] = field(default_factory=dict)

    def of_kind(self, *kinds: str) -> tuple[Step, ...]:
        return tuple(step for step in self.steps if step.kind in kinds)


# Workload problems that mean nothing serves the service: down, as a failed health check is.
_WORKLOAD_DOWN = (dx.NO_AVAILABLE, dx.SCALED_TO_ZERO, dx.NOTHING_FOUND)


def workload_check(service: str, found: dx.Diagnosis, at: str) -> Check:
    """A service without a health-check URL, judged by its workload in the cluster."""
    target = f"deployment/{found.deployment} in {found.namespace}"
    down = [problem for problem in found.failing if problem.code in _WORKLOAD_DOWN]
    if down:
        return Check(service, DOWN, down[0].detail, at, target)
    if found.failing:
        return Check(service, DEGRADED, found.failing[0].detail, at, target)
    ready = f"{found.available} of {found.desired} replicas available" if found.desired is not None else "healthy"
    return Check(service, OK, ready, at, target)


# ---------------------------------------------------------------- which incident covers a service


def is_auto_detected(incident: IncidentIssue, config: Config) -> bool:
    """Opened by a watch round: the label alone is not enough, since anyone with triage access can add it."""
    return config.labels["auto-detected"] in incident.labels and _is_bot(incident.author, config.bot_login)


def _is_bot(login: str, bot_login: str) -> bool:
    # GraphQL names a GitHub App without the "[bot]" suffix that REST shows.
    return bool(login) and login in (bot_login, bot_login.removesuffix("[bot]"))


def covering(service: str, incidents: Iterable[IncidentIssue], config: Config) -> tuple[IncidentIssue, ...]:
    """The open incidents about this service, oldest first; a report marked duplicate covers nothing."""
    duplicate = config.labels["duplicate"]
    found = [incident for incident in incidents
             if duplicate not in incident.labels and service_of(incident, config) == service]
    return tuple(sorted(found, key=lambda incident: incident.number))


def watch_section(incident: IncidentIssue) -> dict[str, Any]:
    state = incident.bot_comment.state if incident.bot_comment else None
    section = state.sections.get(SECTION) if state else None
    return dict(section) if isinstance(section, Mapping) else {}


def watched(config: Config) -> tuple[Service, ...]:
    """The services a round looks at."""
    if not config.detection.enabled:
        return ()
    return tuple(service for service in config.services if service.name not in config.detection.exclude)


def to_confirm(config: Config, incidents: Sequence[IncidentIssue], first: Mapping[str, Check],
               maintenance: Mapping[str, Announcement] | None = None) -> tuple[str, ...]:
    """The failing services whose confirmation decides something: nothing open covers them yet, or only
    people's reports the round has not yet given its evidence to. One that nothing covers and that is
    under `maintenance` (service -> a trusted announcement expecting failures now) would open nothing."""
    out = []
    for service in watched(config):
        check = first.get(service.name)
        if check is None or not check.failed:
            continue
        cover = covering(service.name, incidents, config)
        if not cover and service.name in (maintenance or {}):
            continue
        if any(is_auto_detected(incident, config) for incident in cover):
            continue
        if cover and all(watch_section(incident).get("seen") == "down" for incident in cover):
            continue
        out.append(service.name)
    return tuple(out)


def confirmed_down(checks: Sequence[Check], config: Config) -> bool:
    """Down only when every check of a full confirmation failed: one blip never opens an incident."""
    return len(checks) >= config.detection.confirm_probes and all(check.failed for check in checks)


# ---------------------------------------------------------------- the round


def plan_round(config: Config, incidents: Sequence[IncidentIssue], checks: Mapping[str, Sequence[Check]],
               now: datetime, maintenance: Mapping[str, Announcement] | None = None) -> RoundPlan:
    """What the round does, service by service. `checks`: the round's first check of each service, then
    the confirmation's, in order. `maintenance`: service -> a trusted announcement that expects it to
    fail now (see to_confirm); a service under maintenance that fails opens no incident, and counts as
    down for the services that depend on it."""
    steps: list[Step] = []
    unchecked: list[str] = []
    held: dict[str, tuple[str, ...]] = {}
    planned = maintenance or {}
    under_maintenance: dict[str, Announcement] = {}
    down_now = _down_now(config, incidents, checks, planned)
    graph = {service.name: service.depends_on for service in config.services}
    for service in watched(config):
        seen = tuple(checks.get(service.name) or ())
        if not seen:
            unchecked.append(service.name)
            continue
        cover = covering(service.name, incidents, config)
        autos = [incident for incident in cover if is_auto_detected(incident, config)]
        people = [incident for incident in cover if not is_auto_detected(incident, config)]
        down = confirmed_down(seen, config)
        if not cover:
            causes = tuple(name for name in graph if name in dependencies(graph, service.name) and name in down_now)
            if seen[-1].failed and service.name in planned:
                under_maintenance[service.name] = planned[service.name]
            elif down and causes:
                held[service.name] = causes
            elif down:
                steps.append(Step(service.name, OPEN, f"all {len(seen)} checks failed and no open incident "
                                  "covers it", seen))
            continue
        if autos and autos[0].bot_comment is None and seen[-1].failed:
            # Opened, but the round stopped before its triage: this one finishes it.
            steps.append(Step(service.name, TRIAGE, f"#{autos[0].number}, auto-detected, was never triaged",
                              seen, autos[0], severity=_severity(autos[0], config)))
        elif autos:
            step = _follow(autos[0], service, seen, config, now, auto=True)
            if step is not None:
                steps.append(step)
        for incident in people:
            step = _evidence(incident, service, seen, config, now, planned.get(service.name)) if down else \
                _follow(incident, service, seen, config, now, auto=False)
            if step is not None:
                steps.append(step)
    warnings = {service.name: checks[service.name][-1].warnings for service in watched(config)
                if checks.get(service.name) and checks[service.name][-1].warnings}
    return RoundPlan(tuple(steps), tuple(unchecked), held, warnings, under_maintenance)


def _down_now(config: Config, incidents: Sequence[IncidentIssue], checks: Mapping[str, Sequence[Check]],
              maintenance: Mapping[str, Announcement]) -> set[str]:
    """The services down in this round: confirmed down, or known down already (an open incident covers
    them, or a maintenance announcement said they would be) and failing again."""
    out = set()
    for service in config.services:
        seen = checks.get(service.name) or ()
        if confirmed_down(seen, config) or (seen and seen[-1].failed and (
                service.name in maintenance or covering(service.name, incidents, config))):
            out.add(service.name)
    return out


def _evidence(incident: IncidentIssue, service: Service, checks: tuple[Check, ...], config: Config,
              now: datetime, maintenance: Announcement | None = None) -> Step | None:
    """A person's report of a service the round confirms down gets the round's evidence, once per outage,
    and the maintenance window that expected it, if one is running."""
    section = watch_section(incident)
    if section.get("seen") == "down":
        return None
    stamp = iso_utc(now)
    section.update({"service": service.name, "auto": False, "seen": "down", "down_since": checks[0].at,
                    "evidence_at": stamp, "answering": 0})
    section.pop("answering_since", None)
    text = f"The watch round confirms {service.name} down: all {len(checks)} checks failed ({checks[-1].detail})."
    if maintenance is not None:
        text += (f" Maintenance #{maintenance.number} expects it: {maintenance.impact.lower()} "
                 f"until {maintenance.until}.")
    context = {"kind": "down", "checks": checks, "maintenance": maintenance}
    decision = _update(incident, config, stamp, section, context, service,
                       (JournalEntry(stamp, "finding", text, incident.html_url),), reason="evidence")
    return Step(service.name, EVIDENCE, f"#{incident.number}, a person's report, covers it: the evidence goes "
                "there", checks, incident, decision, _severity(incident, config))


def _follow(incident: IncidentIssue, service: Service, checks: tuple[Check, ...], config: Config,
            now: datetime, *, auto: bool) -> Step | None:
    """An incident the round knows about: count the rounds its service answers, and resolve it (an
    auto-detected one) or say it looks recovered (a person's report) once they are enough."""
    section = watch_section(incident)
    if not auto and section.get("seen") != "down":
        return None  # the round never saw this report's service down: its recovery is not the round's to tell
    last = checks[-1]
    stamp = iso_utc(now)
    needed = config.detection.recover_after_runs
    count = int(section.get("answering") or 0)
    level = _severity(incident, config)
    if last.state != OK:
        if not count:
            return None  # still down (or degraded): nothing new
        section.update({"answering": 0})
        section.pop("answering_since", None)
        decision = _update(incident, config, stamp, section,
                           {"kind": "down-again", "detail": last.detail, "needed": needed}, service,
                           (JournalEntry(stamp, "finding", f"{service.name} is {last.state} again: {last.detail}.",
                                         incident.html_url),), reason="down again")
        return Step(service.name, DOWN_AGAIN, f"#{incident.number}: {service.name} failed again after answering "
                    f"{count} round(s)", checks, incident, decision, level)
    count += 1
    back_at = str(section.get("answering_since") or last.at)
    if count < needed:
        section.update({"service": service.name, "answering": count, "answering_since": back_at})
        decision = _update(incident, config, stamp, section,
                           {"kind": "recovering", "detail": last.detail, "count": count, "needed": needed},
                           service, (), reason="recovering")
        return Step(service.name, RECOVERING, f"#{incident.number}: {service.name} answers, round {count} of "
                    f"{needed}", checks, incident, decision, level)
    down_since = str(section.get("down_since") or incident.created_at)
    downtime = _downtime(parse_utc(down_since), parse_utc(back_at))
    section.update({"service": service.name, "seen": "recovered", "answering": count, "answering_since": back_at,
                    "recovered_at": back_at, "downtime_minutes": downtime[1]})
    text = (f"{service.name} answers again ({last.detail}) after about {downtime[0]} of downtime "
            f"(down since {down_since}).")
    journal = (JournalEntry(back_at, "recovered", text, incident.html_url),)
    context = {"kind": "resolved" if auto else "looks-recovered", "detail": last.detail, "downtime": downtime[0],
               "down_since": down_since, "back_at": back_at, "closing": auto, "severity": level,
               "postmortem": auto and level is not None and Severity.parse(level).needs_postmortem}
    if not auto:
        decision = _update(incident, config, stamp, section, context, service, journal, reason="looks recovered")
        return Step(service.name, LOOKS_RECOVERED, f"#{incident.number}, a person's report: {service.name} answers "
                    "again; a person closes it", checks, incident, decision, level)
    sweep = {"status": "resolved", "resolved_at": back_at}
    told = _told(incident)
    decision = _update(incident, config, stamp, section, context, service, journal, reason="resolved",
                       close="completed", sweep=sweep,
                       notify=None if RESOLVED in told else {**told, RESOLVED: stamp})
    if RESOLVED not in told:
        notice = Notification(RESOLVED, incident.number, incident.html_url, _plain(incident.title),
                              f"{service.title} answers again after about {downtime[0]} of downtime", level,
                              service.name)
        decision = replace(decision, actions=(*decision.actions, Notify(notice)))
    return Step(service.name, RESOLVE, f"#{incident.number}, auto-detected: {service.name} answered "
                f"{count} round(s) in a row", checks, incident, decision, level)


def _update(incident: IncidentIssue, config: Config, stamp: str, section: Mapping[str, Any],
            context: Mapping[str, Any], service: Service, journal: tuple[JournalEntry, ...], *, reason: str,
            close: str | None = None, sweep: Mapping[str, Any] | None = None,
            notify: Mapping[str, Any] | None = None) -> Decision:
    """The round's block in the incident's one responder comment (its state last), after closing it if asked."""
    prior = (incident.bot_comment.state if incident.bot_comment else None) or IssueState()
    state = prior.with_entries(journal).with_section(SECTION, dict(section))
    if sweep is not None:
        state = state.with_section(SWEEP_SECTION, {**(prior.sections.get(SWEEP_SECTION) or {}), **sweep})
    if notify is not None:
        state = state.with_section(NOTIFY_SECTION, dict(notify))
    text = render("comments/watch-update.md.j2", {"at": stamp, "service": service.title, **context},
                  config.templates_dir)
    body = incident.bot_comment.body if incident.bot_comment else ""
    comment = with_state(splice(body, BLOCK, text), state)
    actions: list[Action] = []
    if close:
        # The issue first, the comment (holding the state) last: the state records only what succeeded.
        actions.append(SetIssue(close=close))
    actions.append(Comment(comment.strip()))
    return Decision(event="watch", issue=incident.number, kind=state.kind or forms.KIND_OUTAGE, trusted=None,
                    severity=_severity(incident, config), outcome=reason, reasons=(f"{service.name}: {reason}",),
                    actions=tuple(actions), state=state)


def _told(incident: IncidentIssue) -> dict[str, Any]:
    """What people were already told about the incident, by any run (the state's `notify` section); a
    recovery the sweep saw first was told by the sweep."""
    state = incident.bot_comment.state if incident.bot_comment else None
    told = state.sections.get(NOTIFY_SECTION) if state else None
    out = dict(told) if isinstance(told, Mapping) else {}
    sweep = state.sections.get(SWEEP_SECTION) if state else None
    if isinstance(sweep, Mapping) and sweep.get("status") == "resolved" and RESOLVED not in out:
        out[RESOLVED] = sweep.get("resolved_at") or ""
    return out


def _severity(incident: IncidentIssue, config: Config) -> str | None:
    present = [level for level in Severity if config.labels.severity(level) in incident.labels]
    if present:
        return str(min(present, key=lambda level: level.value))
    state = incident.bot_comment.state if incident.bot_comment else None
    return state.severity if state else None


def _downtime(start: datetime | None, end: datetime | None) -> tuple[str, int | None]:
    """About how long, in words and in whole minutes (measured to within one round)."""
    if start is None or end is None:
        return "an unknown time", None
    minutes = max(0, round((end - start) / timedelta(minutes=1)))
    if minutes < 120:
        return f"{minutes} min", minutes
    hours, rest = divmod(minutes, 60)
    return (f"{hours} h {rest} min" if rest else f"{hours} h"), minutes


def _plain(text: str, limit: int = 200) -> str:
    """Issue text for a notification: one line, no mentions, references or closing keywords."""
    return commit_text(text, limit)


# ---------------------------------------------------------------- opening an incident


SELF = "opened by the responder itself"


def trust_of(config: Config) -> TrustVerdict:
    """The responder opened the issue from its own checks: its text is the responder's, not a stranger's."""
    return TrustVerdict(True, config.bot_login, TRUST_BASIS, SELF)


def error_type_of(check: Check) -> str:
    """The outage form's answer closest to what the check saw."""
    if check.status == 502:
        return forms.ERROR_502
    if check.status == 503:
        return forms.ERROR_503
    if check.status is None:
        return forms.ERROR_WONT_LOAD  # no answer at all: refused, timed out, DNS, TLS, or nothing running
    return forms.ERROR_OTHER


def issue_body(service: Service, checks: Sequence[Check], config: Config) -> str:
    form = forms.outage_form(config)
    labels = {spec.id: spec.label for spec in form.fields}
    interval = config.detection.confirm_interval
    return render("issues/auto-detected.md.j2", {
        "labels": labels, "service_title": service.title, "checks": list(checks),
        "interval": f"{interval:g} s", "error_type": error_type_of(checks[-1]), "scope": forms.SCOPE_UNSURE,
        "since": checks[0].at,
    }, config.templates_dir) + "\n"


@dataclass(frozen=True)
class Opening:
    """The incident to open for a service, and the triage it will get (decided on the issue as it will be)."""

    service: str
    action: OpenIssue
    triage: Decision  # on the issue before GitHub numbered it (shown by a dry run)
    checks: tuple[Check, ...]
    investigation: Investigation
    severity: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"service": self.service, "open": self.action.to_json(), "triage": self.triage.to_json()}


def opening(service: Service, checks: Sequence[Check], inv: Investigation, config: Config, now: datetime,
            repository: str | None) -> Opening:
    """The issue the round opens: title, the form's body, and the labels its triage wants from the start."""
    labels = config.labels
    title = TITLE.format(title=service.title)
    body = issue_body(service, checks, config)
    draft = _issue(0, title, body, (), "", now, config)
    situation = _situation(draft, inv, config, repository, prior=None)
    triage = decide(situation)
    wanted = [label for action in triage.actions if isinstance(action, AddLabels) for label in action.labels]
    open_labels = tuple(dict.fromkeys((labels["incident"], *wanted, labels["auto-detected"])))
    return Opening(service.name, OpenIssue(title, body, open_labels), triage, tuple(checks), inv, triage.severity)


def triaged_opening(opened: Opening, number: int, url: str, config: Config, now: datetime,
                    repository: str | None) -> tuple[Situation, Decision, Decision]:
    """The Situation of the issue GitHub opened, the triage `responder handle` would have made for it (its
    labels are there already, so: the evidence comment and the assignment), and the `opened` notification.

    The remembered state says the responder set the severity (so its label is not taken for a person's)
    and carries the round's `watch` section from the start.
    """
    action = opened.action
    issue = _issue(number, action.title, action.body, action.labels, url, now, config)
    first = opened.checks[0]
    prior = IssueState(kind=forms.KIND_OUTAGE, severity=opened.severity, sections={SECTION: {
        "service": opened.service, "auto": True, "seen": "down", "down_since": first.at,
        "opened_at": iso_utc(now), "answering": 0,
    }})
    situation = _situation(issue, opened.investigation, config, repository, prior=prior)
    decision = decide(situation)
    actions: tuple[Action, ...] = ()
    if not any(isinstance(action, Notify) for action in decision.actions):
        # The triage tells people itself (`opened`, or `escalated`, which says both); otherwise the round does.
        service = config.service(opened.service)
        title = service.title if service else opened.service
        actions = (Notify(Notification(OPENED, number, url, _plain(action.title),
                                       f"{title} failed all {len(opened.checks)} checks: "
                                       f"{opened.checks[-1].detail}", decision.severity, opened.service)),)
    notify = Decision(event="watch", issue=number, kind=forms.KIND_OUTAGE, trusted=True,
                      severity=decision.severity, outcome="notify", reasons=("opened",), actions=actions)
    return situation, decision, notify


def _issue(number: int, title: str, body: str, labels: tuple[str, ...], url: str, now: datetime,
           config: Config) -> Issue:
    stamp = iso_utc(now)
    return Issue(number=number, title=title, body=body, author=Actor(config.bot_login, "Bot"),
                 author_association="NONE", labels=labels, state="open", html_url=url, created_at=stamp,
                 updated_at=stamp)


def _situation(issue: Issue, inv: Investigation, config: Config, repository: str | None,
               prior: IssueState | None) -> Situation:
    event = IssueEvent(name="issues", action="opened", repository=repository or config.repository,
                       sender=issue.author, issue=issue)
    return Situation(event=event, config=config, trust=trust_of(config), prior=prior, prior_known=True,
                     investigation=inv)
