"""`responder sweep`: follow every open incident until it is closed.

Run on a schedule. For each open `incident` issue it re-probes the service
and then, as needed:

- marks it resolved when the service answers again (state `sweep.status`),
  and closes SEV3/SEV4; SEV1/SEV2 stay open for a person or the post-mortem
  flow; a resolved incident that fails again is open again;
- escalates (`needs-human`, assignees) when there is still no root cause
  after the deadline of its severity (30 min for SEV1, 2 h for SEV2);
- posts the update due by the level's update target (escalation.targets;
  SEV1 15 min, SEV2 30 min, SEV3 2 h, SEV4 daily) into one block of the
  responder's one comment, edited in place. A comment by a trusted person
  (`trust.min_permission`, as for automation) counts as an update; anyone
  else's, a stranger's "+1" included, does not;
- follows the response target (SEV1 5 min, SEV2 15 min, SEV3 1 h, SEV4 the
  next business day): the first comment, label or assignment by a trusted
  person acknowledges the incident (remembered with its time, for the
  post-mortem). Each response window that ends unacknowledged escalates to
  the next of escalation.tiers (assigned, and @-mentioned in the comment),
  one tier per window, remembered in the state so it is never repeated.

Editing a comment notifies nobody, so each of these is also a notification
(update-due, unacknowledged, escalated, resolved) for the `notify` targets
that want it; a failed one is counted, never a failed sweep.

GitHub cost: one GraphQL listing (issues with their comments and first
responses, 100 per request), then at most two writes per incident (the
comment, and one PATCH carrying labels, assignees or the closing). An
incident with nothing due costs nothing. Only when an update is due and
someone other than the responder commented since the last one are the
comments since then read (one request per 100), and the authors whose
association could make them trusted (OWNER, MEMBER, COLLABORATOR) looked
up, newest first, until one is trusted: one permission request per login
per sweep. An incident past a response window unacknowledged costs one
permission request per person who responded to it (labels and assignments
included), oldest first, until one is trusted.

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
from responder.adapters.progress import stage
from responder.config.investigation import InvestigationSettings
from responder.config.loader import Config
from responder.decision.actions import Action, Comment, Decision, SetIssue
from responder.decision.executor import ExecutionContext, execute
from responder.decision.notify_actions import Notify, notification, wanted
from responder.decision.ports import Notifier
from responder.errors import GitHubError
from responder.model import notifications as events
from responder.model.cluster import parse_time
from responder.model.issues import PersonResponse
from responder.model.notifications import Delivery, Notification
from responder.model.probes import OK, ProbeResult
from responder.model.severity_levels import Severity, Targets
from responder.model.state import IssueState, JournalEntry
from responder.model.timestamps import iso_utc as _iso
from responder.model.trust import TrustVerdict, from_error, from_permission
from responder.render.comment_blocks import splice, with_state
from responder.render.comments import render
from responder.triage.duplicates import service_of
from responder.triage.outage import CANNOT_REPRODUCE
from responder.triage.responders import mentioned, with_assignees

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
UNACKNOWLEDGED = "unacknowledged"
TIER_CALLED = "escalated to tier"
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
    notifications: tuple[Notification, ...] = ()  # for the notify targets that want them

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
        actions.extend(Notify(notice) for notice in self.notifications)
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


def acknowledgement_candidates(incident: IncidentIssue, now: datetime, config: Config) -> tuple[PersonResponse, ...]:
    """The responses whose authors the shell must look up before planning, oldest first: only for an open,
    unacknowledged incident whose response window just ended (else nothing needs to know, and nothing is
    read). A form's own label, set when the issue was filed, is no response."""
    state = (incident.bot_comment.state if incident.bot_comment else None) or IssueState()
    sweep = state.sections.get(SECTION) or {}
    if sweep.get("acknowledged_at") or str(sweep.get("status") or OPEN) != OPEN:
        return ()
    started = parse_time(incident.created_at) or now
    level = severity_of(incident, state, config)
    if config.escalation.target(level).windows_missed(started, now) <= int(sweep.get("unacknowledged_windows", 0)):
        return ()
    filed = {config.labels["user-report"], config.labels["feature-request"]}
    out = []
    for response in incident.responses:
        at = parse_time(response.at)
        if at is None or at <= started or at > now or (response.how == "label" and response.label in filed):
            continue
        if response.how == "comment" and (response.association or "").upper() not in UPDATE_ASSOCIATIONS:
            continue  # only these can hold write access: never looked up
        out.append(response)
    return tuple(sorted(out, key=lambda r: r.at))


def plan(incident: IncidentIssue, probe: ProbeResult | None, now: datetime, config: Config,
         settings: InvestigationSettings, people_update_at: str | None = None,
         acknowledged: PersonResponse | None = None) -> SweepPlan:
    """What is due. `people_update_at`: the newest comment by a trusted person, when one was looked up;
    `acknowledged`: the first response by a trusted person, when the candidates were looked up."""
    state = (incident.bot_comment.state if incident.bot_comment else None) or IssueState()
    level = severity_of(incident, state, config)
    service = service_of(incident, config)
    entry = config.service(service) if service else None
    targets = config.escalation.target(level)
    sweep = dict(state.sections.get(SECTION) or {})
    investigation = state.sections.get(INVESTIGATION) or {}
    status = str(sweep.get("status") or OPEN)
    stamp = _iso(now)
    started = parse_time(incident.created_at) or now
    last_update = max(t for t in (update_baseline(incident, now), parse_time(people_update_at)) if t is not None)
    notes: list[str] = []
    journal: list[JournalEntry] = []
    lines: list[dict[str, Any]] = []
    notices: list[Notification] = []
    labels: tuple[str, ...] | None = None
    assignees: tuple[str, ...] | None = None
    close: str | None = None
    source = incident.html_url

    def record(kind: str, text: str) -> None:
        journal.append(JournalEntry(stamp, kind, text, source))

    def notify(event: str, reason: str, runbook: bool = False) -> None:
        notice = notification(event, issue=incident.number, url=incident.html_url, title=incident.title,
                              reason=reason, severity=str(level), service=entry, runbook=runbook)
        if wanted(config, notice):
            notices.append(notice)

    answering = probe is not None and probe.state == OK
    if answering and status != RESOLVED:
        status = RESOLVED
        sweep["resolved_at"] = stamp
        text = f"{service} answers again: {probe.detail}." if probe else "Recovered."
        record("recovered", text)
        lines.append({"kind": "recovered", "probe": probe})
        notes.append(f"{service} recovered")
        if not level.needs_postmortem:
            close = "completed"
            notes.append(f"{level}: closed")
        notify(events.RESOLVED, text + (" Closed as completed." if close else ""))
    elif probe is not None and not answering and status == RESOLVED:
        status = OPEN
        sweep.pop("resolved_at", None)
        text = f"{service} is {probe.state} again: {probe.detail}."
        record("finding", text)
        lines.append({"kind": "down-again", "probe": probe})
        notes.append(f"{service} is {probe.state} again")
        notify(events.OPENED, f"{text[:1].upper()}{text[1:]} It had recovered.")

    if status == OPEN and not sweep.get("acknowledged_at"):
        if acknowledged is not None:
            sweep.update({"acknowledged_at": acknowledged.at, "acknowledged_by": acknowledged.login})
            after = (parse_time(acknowledged.at) or now) - started
            text = (f"Acknowledged by {acknowledged.login} ({_HOW[acknowledged.how]}), {_duration(after)} after it "
                    "began.")
            journal.append(JournalEntry(acknowledged.at, "acknowledged", text, source))
            lines.append({"kind": "acknowledged", "text": text})
            notes.append(f"acknowledged by {acknowledged.login}")
        else:
            missed = targets.windows_missed(started, now)
            if missed > int(sweep.get("unacknowledged_windows", 0)):
                sweep["unacknowledged_windows"] = missed
                within = _target_text(targets)
                text = f"Not acknowledged {within} ({level} target)"
                called: tuple[str, ...] = ()
                tier = int(sweep.get("tier", 0))
                # One tier per missed window: the second window calls tiers[1], the third tiers[2]...
                next_tier = min(missed, len(config.escalation.tiers) - 1)
                if next_tier > tier:
                    sweep["tier"] = next_tier
                    called = config.escalation.tier(next_tier)
                    present = assignees if assignees is not None else incident.assignees
                    if any(login not in present for login in called):
                        assignees = with_assignees(present, called)
                    text += f": {TIER_CALLED} {next_tier + 1} of {len(config.escalation.tiers)}"
                text += "."
                record(UNACKNOWLEDGED, text)
                lines.append({"kind": "unacknowledged", "text": text, "mentions": mentioned(config, called),
                              "called": list(called)})
                notes.append(text[0].lower() + text[1:].rstrip("."))
                notify(events.UNACKNOWLEDGED, text + (f" Now called in: {', '.join(called)}." if called else ""),
                       runbook=True)

    deadline = settings.root_cause_deadline(level)
    age = now - started
    needs_human = config.labels["needs-human"]
    if status == OPEN and deadline is not None and not investigation.get("root_cause") \
            and age >= timedelta(minutes=deadline) and needs_human not in incident.labels \
            and not sweep.get("escalated_at"):
        sweep["escalated_at"] = stamp
        labels = (*incident.labels, needs_human)
        present = assignees if assignees is not None else incident.assignees
        if any(login not in present for login in config.assignees):
            assignees = with_assignees(present, config.assignees)
        limit = _duration(timedelta(minutes=deadline))
        text = f"No root cause after {_duration(age)} ({level} escalates after {limit}): escalated to a person."
        record("escalated", text)
        lines.append({"kind": "escalated", "text": text, "assignees": list(config.assignees)})
        notes.append(f"no root cause after {_duration(age)}: escalated")
        notify(events.ESCALATED, text, runbook=True)

    cadence = targets.update
    if status == OPEN and now - last_update >= cadence:
        sweep["last_update"] = stamp
        sweep["reminders"] = int(sweep.get("reminders", 0)) + 1
        text = f"Update due ({level}: every {_duration(cadence)}); last update {_duration(now - last_update)} ago."
        record("reminder", text)
        lines.append({"kind": "reminder", "level": str(level), "every": cadence.total_seconds(),
                      "since": _duration(now - last_update),
                      "last": _iso(last_update), "probe": probe})
        notes.append(f"update due ({level} every {_duration(cadence)})")
        notify(events.UPDATE_DUE, text)
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
    if any(entry.kind == UNACKNOWLEDGED and TIER_CALLED not in entry.text for entry in journal):
        # Likewise a missed window that called nobody new: the latest says it; each tier called stays.
        state = replace(state, journal=tuple(entry for entry in state.journal if entry.kind != UNACKNOWLEDGED
                                             or TIER_CALLED in entry.text))
    new_state = state.with_entries(tuple(journal)).with_section(SECTION, sweep)
    if not new_state.kind:
        new_state = replace(new_state, kind="outage-report", outcome="triaged", severity=str(level))
    text = render("comments/sweep-update.md.j2", {
        "lines": lines, "at": stamp, "severity": str(level), "status": status, "service": service,
        "next_due": _iso(now + cadence) if status == OPEN else None, "postmortem": level.needs_postmortem,
        "closing": close, "min_permission": config.min_permission,
        "runbook": entry.runbook if entry is not None and any(
            line["kind"] in ("escalated", "unacknowledged") for line in lines) else None,
    }, config.templates_dir)
    if incident.bot_comment is not None:
        body = with_state(splice(incident.bot_comment.body, "update", text), new_state)
        comment_id: int | None = incident.bot_comment.id
    else:
        body = with_state(splice("", "update", text).strip(), new_state)
        comment_id = None
    return SweepPlan(incident.number, service, str(level), status, tuple(notes), body, comment_id, labels,
                     assignees, close, tuple(journal), probe, tuple(notices))


def plan_unconfirmed(report: IncidentIssue, now: datetime, config: Config) -> SweepPlan | None:
    """A report the checks could not reproduce (outcome cannot-reproduce), waiting for its reporter: closed
    as not planned after `investigation.cannot_reproduce_close_after_hours` without a new comment; with
    new comments since the question, handed to a person. Once: the state then says what was done."""
    state = report.bot_comment.state if report.bot_comment is not None else None
    if state is None or state.outcome != CANNOT_REPRODUCE or report.bot_comment is None:
        return None
    asked = [entry for entry in state.journal if entry.kind == CANNOT_REPRODUCE]
    asked_at = parse_time(asked[-1].at) if asked else parse_time(report.created_at)
    if asked_at is None:
        return None
    last_comment = parse_time(report.last_human_comment_at) if report.last_human_comment_at else None
    labels = config.labels
    stamp = _iso(now)
    quiet = timedelta(hours=config.investigation.cannot_reproduce_close_after_hours)
    service = service_of(report, config)
    if last_comment is not None and last_comment > asked_at:
        entry = JournalEntry(stamp, "escalated", "New comments on a report the checks could not reproduce: "
                                                 "handed to a person.", report.html_url)
        new_labels = tuple(label for label in report.labels if label != labels[CANNOT_REPRODUCE])
        new_labels = (*new_labels, labels["needs-human"]) if labels["needs-human"] not in new_labels else new_labels
        outcome, close, note = "escalated", None, "new comments since the question: handed to a person"
    elif now - asked_at >= quiet:
        entry = JournalEntry(stamp, "closed", f"No new comment in {_duration(quiet)}: closed as not planned.",
                             report.html_url)
        new_labels, outcome, close = report.labels, CANNOT_REPRODUCE, "not_planned"
        note = f"no new comment in {_duration(quiet)}: closed as not planned"
    else:
        return None
    text = render("comments/unconfirmed-update.md.j2", {
        "at": stamp, "closing": close, "quiet": quiet.total_seconds(), "service": _title(service, config),
        "needs_human_label": labels["needs-human"],
    }, config.templates_dir)
    new_state = replace(state.with_entries((entry,)), outcome=outcome)
    body = with_state(splice(report.bot_comment.body, "update", text), new_state)
    return SweepPlan(report.number, service, "", "closed" if close else OPEN, (note,), body,
                     report.bot_comment.id, new_labels if new_labels != report.labels else None, None, close,
                     (entry,))


def _title(name: str | None, config: Config) -> str | None:
    entry = config.service(name) if name else None
    return entry.title if entry is not None else name


_HOW = {"comment": "a comment", "label": "a label", "assignment": "an assignment"}


def _target_text(targets: Targets) -> str:
    if targets.respond is None:
        return "by the end of the next business day"
    return f"within {_duration(targets.respond)}"


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
    notified: int = 0  # deliveries that went out
    notify_failures: int = 0  # deliveries that did not: counted, never a failed sweep
    skipped: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"incidents": [p.to_json() for p in self.plans], "github_requests": self.github_requests,
                "done": self.done, "notifications": {"sent": self.notified, "failed": self.notify_failures}}


def run(config: Config, github: GitHubClient, settings: InvestigationSettings, *, prober: ProbeRunner | None = None,
        probe: bool = True, now: Callable[[], datetime] = lambda: datetime.now(UTC),
        dry_run: bool = False, notifier: Notifier | None = None) -> SweepReport:
    with stage(log, "read", "open incidents and waiting reports") as listing:
        incidents = github.open_incidents(config.labels["incident"], config.bot_login)
        # And the reports the checks could not reproduce, waiting for their reporter: a second listing.
        waiting = github.open_incidents(config.labels[CANNOT_REPRODUCE], config.bot_login)
        listing.count = len(incidents) + len(waiting)
    targets = _targets(incidents, config) if probe else {}
    results: Sequence[ProbeResult] = ()
    if targets:
        with stage(log, "probed", "services", len(targets)):
            results = (prober or Prober()).probe_all(targets.values())
    by_issue = dict(zip(targets.keys(), results, strict=True))
    moment = now()
    report = SweepReport()
    people = TrustedPeople(github, config)
    for incident in incidents:
        probe_result = by_issue.get(incident.number)
        candidates = acknowledgement_candidates(incident, moment, config)
        acknowledged = people.first_trusted(candidates) if candidates else None
        planned = plan(incident, probe_result, moment, config, settings, acknowledged=acknowledged)
        since = people_to_check(incident, planned, moment)
        if since is not None:
            update_at = people.latest_update(incident.number, since)
            if update_at is not None:
                planned = plan(incident, probe_result, moment, config, settings, people_update_at=update_at,
                               acknowledged=acknowledged)
        report.plans.append(planned)
        if planned.notes:
            log.info("#%d %s: %s", incident.number, planned.service, "; ".join(planned.notes))
        if not dry_run:
            _write(github, planned, incident, report, notifier)
    for unconfirmed in waiting:
        followed = plan_unconfirmed(unconfirmed, moment, config)
        if followed is None:
            continue
        report.plans.append(followed)
        log.info("#%d: %s", unconfirmed.number, "; ".join(followed.notes))
        if not dry_run:
            _write(github, followed, unconfirmed, report, notifier)
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

    def first_trusted(self, responses: Sequence[PersonResponse]) -> PersonResponse | None:
        """The first response (oldest first) by a trusted person: the acknowledgement; None if nobody trusted."""
        for response in responses:
            if self._trusted(response.login, response.association or ""):
                return response
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


def _write(github: GitHubClient, planned: SweepPlan, incident: IncidentIssue, report: SweepReport,
           notifier: Notifier | None) -> None:
    """Through the one executor, like every other write to GitHub."""
    decision = planned.decision()
    if not decision.actions:
        return
    # The comment the plan was made from is the one edited; without one, the executor posts it.
    own = incident.bot_comment if planned.comment_id is not None else None
    done = execute(decision, ExecutionContext(issue=planned.number, github=github, bot_comment=own,
                                              notifier=notifier))
    report.done += [f"#{planned.number}: {line}" for line in done.done]
    report.skipped += [f"#{planned.number}: {line}" for line in done.skipped]
    report.notified += sum(result.sent for result in done.results if isinstance(result, Delivery))
    report.notify_failures += done.notify_failures
