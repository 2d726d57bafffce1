"""Duplicate reports: another open incident already covers the same service.

Pure. The open incidents come from one listing request (github.py). The
original is the oldest open incident for the same service filed before
this report, so two reports can never mark each other as duplicates. The
duplicate is recorded on the original (who reported it and whom it
affects); three or more distinct reporters raise the original's severity
by one level, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from responder.config.loader import Config
from responder.forms import specs as forms
from responder.forms.answers import parse_body
from responder.model.issues import IncidentIssue
from responder.model.severity_levels import Severity
from responder.model.state import IssueState, JournalEntry
from responder.render.comment_blocks import splice, with_state
from responder.render.comments import render

REPORTS_SECTION = "reports"
REPORTERS_TO_RAISE = 3


def service_of(incident: IncidentIssue, config: Config) -> str | None:
    """Which catalogue service an open incident is about: from the responder's state, else its form."""
    state = incident.bot_comment.state if incident.bot_comment else None
    if state is not None:
        name = (state.sections.get("investigation") or {}).get("service")
        if isinstance(name, str) and config.service(name) is not None:
            return name
    outage = forms.outage_form(config)
    parsed = parse_body(incident.body, outage)
    title = parsed.choice("service")
    service = config.service_by_title(title) if title and title != forms.OTHER_SERVICE else None
    return service.name if service else None


def find_original(service: str, number: int, incidents: Iterable[IncidentIssue],
                  config: Config) -> IncidentIssue | None:
    duplicate_label = config.labels["duplicate"]
    candidates = [incident for incident in incidents
                  if incident.number < number
                  and duplicate_label not in incident.labels
                  and service_of(incident, config) == service]
    return min(candidates, key=lambda incident: incident.number) if candidates else None


@dataclass(frozen=True)
class OriginalUpdate:
    """What changes on the original incident when a duplicate is recorded on it."""

    number: int
    comment_id: int | None  # None: the original has no responder comment yet
    body: str
    state: IssueState
    reporters: tuple[str, ...]
    raised: tuple[str, str] | None  # (from, to) when this report raised the severity
    add_labels: tuple[str, ...] = ()
    remove_labels: tuple[str, ...] = ()


def record_report(original: IncidentIssue, *, issue: int, reporter: str, scope: str | None, at: str, url: str,
                  config: Config) -> OriginalUpdate | None:
    """The original with this report added; None when it was recorded already (a re-run)."""
    prior = (original.bot_comment.state if original.bot_comment else None) or IssueState()
    section = dict(prior.sections.get(REPORTS_SECTION) or {})
    reports: list[dict[str, Any]] = list(section.get("reports") or ())
    if any(report.get("issue") == issue for report in reports):
        return None
    reports.append({"issue": issue, "reporter": reporter, "scope": scope or "not given", "at": at})
    reporters = _distinct([original.author, *(str(r.get("reporter")) for r in reports)])
    level = _current_level(original, prior, config)
    journal = [JournalEntry(at, "duplicate", f"Also reported in #{issue} by {reporter} "
                                             f"(affected: {scope or 'not given'}).", url)]
    raised = None
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    if len(reporters) >= REPORTERS_TO_RAISE and not section.get("raised") and level is not None \
            and level != Severity.SEV1:
        new = level.raised()
        raised = (str(level), str(new))
        labels = config.labels
        add = (labels.severity(new),) + ((labels["postmortem-required"],) if new.needs_postmortem else ())
        remove = (labels.severity(level),)
        section["raised"] = str(new)
        journal.append(JournalEntry(at, "severity", f"Severity raised from {level} to {new}: "
                                                    f"{len(reporters)} people reported it.", url))
    section["reports"] = reports
    state = prior.with_entries(tuple(journal)).with_section(REPORTS_SECTION, section)
    if raised is not None:
        state = replace(state, severity=raised[1])
    text = render("comments/other-reports.md.j2", {
        "reports": reports, "reporters": list(reporters), "raised": raised, "author": original.author,
    }, config.templates_dir)
    present = set(original.labels)
    body = original.bot_comment.body if original.bot_comment else ""
    return OriginalUpdate(
        number=original.number,
        comment_id=original.bot_comment.id if original.bot_comment else None,
        body=with_state(splice(body, "reports", text), state),
        state=state,
        reporters=reporters,
        raised=raised,
        add_labels=tuple(label for label in add if label not in present),
        remove_labels=tuple(label for label in remove if label in present),
    )


def _current_level(original: IncidentIssue, state: IssueState, config: Config) -> Severity | None:
    present = [level for level in Severity if config.labels.severity(level) in original.labels]
    if present:
        return min(present, key=lambda level: level.value)
    if state.severity:
        try:
            return Severity.parse(state.severity)
        except KeyError:
            return None
    return None


def _distinct(logins: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(login for login in logins if login))
