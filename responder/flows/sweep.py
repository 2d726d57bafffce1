"""`responder sweep`: follow every open incident until it is closed.

Run on a schedule. For each open `incident` issue it re-probes the service
and then, as needed:

- marks it resolved when the service answers again (state `sweep.status`),
  and closes SEV3/SEV4; SEV1/SEV2 stay open for a person or the post-mortem
  flow; a resolved incident that fails again is open again;
- escalates (`needs-human`, assignees) when there is still no root cause
  after the deadline of its severity (30 min for SEV1, 2 h for SEV2);
- posts the update due by the severity's cadence (SEV1 15 min, SEV2 30 min,
  SEV3 2 h, SEV4 daily) into one block of the responder's one comment,
  edited in place. A comment by a trusted person (`trust.min_permission`,
  as for automation) counts as an update; anyone else's, a stranger's "+1"
  included, does not.

GitHub cost: one GraphQL listing (issues with their comments, 100 per
request), then at most two writes per incident (the comment, and one
PATCH carrying labels, assignees or the closing). An incident with
nothing due costs nothing. Only when an update is due and someone other
than the responder commented since the last one are the comments since
then read (one request per 100), and the authors whose association could
make them trusted (OWNER, MEMBER, COLLABORATOR) looked up, newest first,
until one is trusted: one permission request per login per sweep.

`plan` is pure (the time is passed in); `run` is the shell.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import TYPE_CHECKING, Any

from responder.adapters.probes import Prober, ProbeRunner, ProbeTarget
from responder.config.investigation import InvestigationSettings
from responder.config.loader import Config
from responder.decision.actions import Action, Comment, Decision, SetIssue
from responder.decision.executor import ExecutionContext, execute
from responder.errors import GitHubError
from responder.model.cluster import parse_time
from responder.model.probes import OK, ProbeResult
from responder.model.severity_levels import Severity
from responder.model.state import IssueState, JournalEntry
from responder.model.timestamps import iso_utc as _iso
from responder.model.trust import TrustVerdict, from_error, from_permission
from responder.render.comment_blocks import splice, with_state
from responder.render.comments import render
from responder.triage.duplicates import service_of

if TYPE_CHECKING:
    from responder.adapters.github import GitHubClient
    from responder.model.issues import IncidentIssue

log = logging.getLogger("responder.flows.sweep")

SECTION = "sweep"
INVESTIGATION = "investigation"
OPEN = "open"
RESOLVED = "resolved"
# Only these can hold write access; anyone else's comment is never looked up (and never an update).
UPDATE_ASSOCIATIONS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
COMMENTS_READ = 1000  # comments read per incident at most (10 requests), however many a spammer posts


@dataclass(frozen=True)
class SweepPlan:
    number: int
    service: str | None
    severity: str
    status: str  # open | resolved, after this sweep
    notes: tuple[str, ...] = ()  # what is due and why, for the log and the JSON
    comment: str | None = None  # the comment's new body; None: unchanged
    comment_id: int | None = None  # None with a comment: post the responder's first comment
    labels: tuple[str, ...] | None = None  # the full label set, when it changes
    assignees: tuple[str, ...] | None = None  # the full assignee set, when it changes
    close: str | None = None
    journal: tuple[JournalEntry, ...] = ()
    probe: ProbeResult | None = None

    @property
    def writes(self) -> int:
        return int(self.comment is not None) + int(bool(self.labels is not None or self.assignees is not None
                                                        or self.close))

    def decision(self) -> Decision:
        """What this sweep does to the incident, as data for the one executor: the issue first, the
        comment (holding the state) last, so the state records only what succeeded."""
        actions: list[Action] = []
        if self.labels is not None or self.assignees is not None or self.close:
            actions.append(SetIssue(self.labels, self.assignees, self.close))
        if self.comment is not None:
            actions.append(Comment(self.comment))
        return Decision(event="sweep", issue=self.number, kind="incident", trusted=None, severity=self.severity,
                        outcome=self.status, reasons=self.notes, actions=tuple(actions))

    def to_json(self) -> dict[str, Any]:
        return {"issue": self.number, "service": self.service, "severity": self.severity, "status": self.status,
                "probe": self.probe.to_json() if self.probe else None, "notes": list(self.notes),
                "actions": [action.to_json() for action in self.decision().actions]}


# ---------------------------------------------------------------- pure


def severity_of(incident: IncidentIssue, state: IssueState, config: Config) -> Severity:
    present = [level for level in Severity if config.labels.severity(level) in incident.labels]
    if present:
        return min(present, key=lambda level: level.value)  # the most serious label wins
    if state.severity:
        try:
            return Severity.parse(state.severity)
        except KeyError:
            pass
    return config.severity.default


def update_baseline(incident: IncidentIssue, now: datetime) -> datetime:
    """When the responder last posted an update (or the incident began): a person's update counts after it."""
    state = (incident.bot_comment.state if incident.bot_comment else None) or IssueState()
    sweep = state.sections.get(SECTION) or {}
    started = parse_time(incident.created_at) or now
    return max(t for t in (parse_time(sweep.get("last_update")), started) if t is not None)


def people_to_check(incident: IncidentIssue, planned: SweepPlan, now: datetime) -> datetime | None:
    """The moment after which a trusted person's comment would make this plan's reminder unnecessary;
    None when no comment could (nothing is due, or nobody but the responder commented since)."""
    if not any(entry.kind == "reminder" for entry in planned.journal):
        return None
    since = update_baseline(incident, now)
    latest = parse_time(incident.last_human_comment_at)
    return since if latest is not None and latest > since else None


def plan(incident: IncidentIssue, probe: ProbeResult | None, now: datetime, config: Config,
         settings: InvestigationSettings, people_update_at: str | None = None) -> SweepPlan:
    """What is due. `people_update_at`: the newest comment by a trusted person, when one was looked up."""
    state = (incident.bot_comment.state if incident.bot_comment else None) or IssueState()
    level = severity_of(incident, state, config)
    service = service_of(incident, config)
    sweep = dict(state.sections.get(SECTION) or {})
    investigation = state.sections.get(INVESTIGATION) or {}
    status = str(sweep.get("status") or OPEN)
    stamp = _iso(now)
    started = parse_time(incident.created_at) or now
    last_update = max(t for t in (update_baseline(incident, now), parse_time(people_update_at)) if t is not None)
    notes: list[str] = []
    journal: list[JournalEntry] = []
    lines: list[dict[str, Any]] = []
    labels: tuple[str, ...] | None = None
    assignees: tuple[str, ...] | None = None
    close: str | None = None
    source = incident.html_url

    def record(kind: str, text: str) -> None:
        journal.append(JournalEntry(stamp, kind, text, source))

    answering = probe is not None and probe.state == OK
    if answering and status != RESOLVED:
        status = RESOLVED
        sweep["resolved_at"] = stamp
        record("recovered", f"{service} answers again: {probe.detail}." if probe else "Recovered.")
        lines.append({"kind": "recovered", "probe": probe})
        notes.append(f"{service} recovered")
        if not level.needs_postmortem:
            close = "completed"
            notes.append(f"{level}: closed")
    elif probe is not None and not answering and status == RESOLVED:
        status = OPEN
        sweep.pop("resolved_at", None)
        record("finding", f"{service} is {probe.state} again: {probe.detail}.")
        lines.append({"kind": "down-again", "probe": probe})
        notes.append(f"{service} is {probe.state} again")

    deadline = settings.root_cause_deadline(level)
    age = now - started
    needs_human = config.labels["needs-human"]
    if status == OPEN and deadline is not None and not investigation.get("root_cause") \
            and age >= timedelta(minutes=deadline) and needs_human not in incident.labels \
            and not sweep.get("escalated_at"):
        sweep["escalated_at"] = stamp
        labels = (*incident.labels, needs_human)
        wanted = tuple(login for login in config.assignees if login not in incident.assignees)
        if wanted:
            assignees = (*incident.assignees, *wanted)
        limit = _duration(timedelta(minutes=deadline))
        text = f"No root cause after {_duration(age)} ({level} escalates after {limit}): escalated to a person."
        record("escalated", text)
        lines.append({"kind": "escalated", "text": text, "assignees": list(config.assignees)})
        notes.append(f"no root cause after {_duration(age)}: escalated")

    cadence = config.escalation.target(level).update
    if status == OPEN and now - last_update >= cadence:
        sweep["last_update"] = stamp
        sweep["reminders"] = int(sweep.get("reminders", 0)) + 1
        record("reminder", f"Update due ({level}: every {_duration(cadence)}); last update "
                           f"{_duration(now - last_update)} ago.")
        lines.append({"kind": "reminder", "level": str(level), "every": cadence.total_seconds(),
                      "since": _duration(now - last_update),
                      "last": _iso(last_update), "probe": probe})
        notes.append(f"update due ({level} every {_duration(cadence)})")
    if lines:
        sweep["status"] = status
        sweep["checked_at"] = stamp
        if probe is not None:
            sweep["last_probe"] = {"state": probe.state, "detail": probe.detail, "at": probe.checked_at}

    if not lines:
        return SweepPlan(incident.number, service, str(level), status, tuple(notes), probe=probe)
    if any(entry.kind == "reminder" for entry in journal):
        # Only the latest reminder stays in the journal (the count is in the section): a SEV1 reminded every
        # 15 minutes for days must not crowd out the timeline or outgrow GitHub's comment size limit.
        state = replace(state, journal=tuple(entry for entry in state.journal if entry.kind != "reminder"))
    new_state = state.with_entries(tuple(journal)).with_section(SECTION, sweep)
    if not new_state.kind:
        new_state = replace(new_state, kind="outage-report", outcome="triaged", severity=str(level))
    text = render("comments/sweep-update.md.j2", {
        "lines": lines, "at": stamp, "severity": str(level), "status": status, "service": service,
        "next_due": _iso(now + cadence) if status == OPEN else None, "postmortem": level.needs_postmortem,
        "closing": close,
    }, config.templates_dir)
    if incident.bot_comment is not None:
        body = with_state(splice(incident.bot_comment.body, "update", text), new_state)
        comment_id: int | None = incident.bot_comment.id
    else:
        body = with_state(splice("", "update", text).strip(), new_state)
        comment_id = None
    return SweepPlan(incident.number, service, str(level), status, tuple(notes), body, comment_id, labels,
                     assignees, close, tuple(journal), probe)


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    return f"{hours // 24} days"


# ---------------------------------------------------------------- shell


@dataclass
class SweepReport:
    plans: list[SweepPlan] = field(default_factory=list)
    github_requests: int = 0
    done: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"incidents": [p.to_json() for p in self.plans], "github_requests": self.github_requests,
                "done": self.done}


def run(config: Config, github: GitHubClient, settings: InvestigationSettings, *, prober: ProbeRunner | None = None,
        probe: bool = True, now: Callable[[], datetime] = lambda: datetime.now(UTC),
        dry_run: bool = False) -> SweepReport:
    incidents = github.open_incidents(config.labels["incident"], config.bot_login)
    targets = _targets(incidents, config) if probe else {}
    results = (prober or Prober()).probe_all(targets.values()) if targets else ()
    by_issue = dict(zip(targets.keys(), results, strict=True))
    moment = now()
    report = SweepReport()
    people = TrustedPeople(github, config)
    for incident in incidents:
        probe_result = by_issue.get(incident.number)
        planned = plan(incident, probe_result, moment, config, settings)
        since = people_to_check(incident, planned, moment)
        if since is not None:
            update_at = people.latest_update(incident.number, since)
            if update_at is not None:
                planned = plan(incident, probe_result, moment, config, settings, people_update_at=update_at)
        report.plans.append(planned)
        if planned.notes:
            log.info("#%d %s: %s", incident.number, planned.service, "; ".join(planned.notes))
        if not dry_run:
            _write(github, planned, incident, report)
    report.github_requests = github.requests
    return report


class TrustedPeople:
    """Who may update an incident: the responder's trust rule, one permission request per login per sweep."""

    def __init__(self, github: GitHubClient, config: Config) -> None:
        self._github = github
        self._config = config
        self._verdicts: dict[str, TrustVerdict] = {}

    def latest_update(self, number: int, since: datetime) -> str | None:
        """When a trusted person last commented on the issue after `since`; None if nobody did."""
        path = f"/repos/{self._github.repository}/issues/{number}/comments"
        comments = islice(self._github.paged(path, {"since": _iso(since)}), COMMENTS_READ)
        candidates = []
        for comment in comments:
            at = parse_time(comment.get("created_at"))
            login = str((comment.get("user") or {}).get("login") or "")
            association = str(comment.get("author_association") or "").upper()
            # GitHub's `since` is about edits: an old comment edited later is no update.
            if at is not None and at > since and login and login != self._config.bot_login \
                    and association in UPDATE_ASSOCIATIONS:
                candidates.append((at, login, association))
        for at, login, association in sorted(candidates, reverse=True):
            if self._trusted(login, association):
                return _iso(at)
        return None

    def _trusted(self, login: str, association: str) -> bool:
        if login not in self._verdicts:
            try:
                permission = self._github.permission(login)
            except GitHubError as exc:
                self._verdicts[login] = from_error(login, exc.message)
            else:
                self._verdicts[login] = from_permission(login, permission, self._config.min_permission)
        return self._verdicts[login].trusted


def _targets(incidents: Sequence[IncidentIssue], config: Config) -> dict[int, ProbeTarget]:
    out: dict[int, ProbeTarget] = {}
    for incident in incidents:
        name = service_of(incident, config)
        service = config.service(name) if name else None
        target = ProbeTarget.for_service(service) if service else None
        if target is not None:
            out[incident.number] = target
    return out


def _write(github: GitHubClient, planned: SweepPlan, incident: IncidentIssue, report: SweepReport) -> None:
    """Through the one executor, like every other write to GitHub."""
    decision = planned.decision()
    if not decision.actions:
        return
    # The comment the plan was made from is the one edited; without one, the executor posts it.
    own = incident.bot_comment if planned.comment_id is not None else None
    done = execute(decision, ExecutionContext(issue=planned.number, github=github, bot_comment=own))
    report.done += [f"#{planned.number}: {line}" for line in done.done]
