"""What a decision is made from (the Situation), the end state it aims at (the Plan), and the pieces
every kind of report shares: journal entries, trust reasons, severity facts and labels. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from responder.config.loader import Config, Service
from responder.decision.actions import Action
from responder.forms import specs as forms
from responder.forms.answers import ParsedForm
from responder.forms.filing import Filing, read_filing
from responder.forms.specs import FormSpec
from responder.model.changes import AppliedChange, PreparedChange
from responder.model.events import Issue, IssueEvent
from responder.model.platform import Inventory
from responder.model.severity import Facts
from responder.model.severity_levels import Severity
from responder.model.state import IssueState, JournalEntry
from responder.model.trust import TrustVerdict

if TYPE_CHECKING:
    from responder.investigate.evidence import Investigation


@dataclass(frozen=True)
class Situation:
    """Everything the decision depends on, gathered by the shell."""

    event: IssueEvent
    config: Config
    trust: TrustVerdict
    prior: IssueState | None = None
    # True when the remembered state could be read (online); offline it is unknown.
    prior_known: bool = False
    # A requested change, planned by the shell before deciding (see wanted_change), and its apply.
    change: PreparedChange | None = None
    applied: AppliedChange | None = None
    # What the staged investigation of an outage report found (incident_flow.py); None: not investigated.
    investigation: Investigation | None = None
    # The form the issue was filed through and its answers: read once, when the situation is made.
    filing: Filing | None = None
    # What the platform's vars files hold, read by the shell for a platform request; None: not read.
    inventory: Inventory | None = None

    def __post_init__(self) -> None:
        if self.filing is None and self.event.issue is not None:
            object.__setattr__(self, "filing", read_filing(self.event.issue, self.config))

    @property
    def kind(self) -> str:
        return self.filing.kind if self.filing else forms.KIND_UNKNOWN

    @property
    def form(self) -> FormSpec | None:
        return self.filing.form if self.filing else None

    @property
    def parsed(self) -> ParsedForm | None:
        return self.filing.parsed if self.filing else None


@dataclass(frozen=True)
class Plan:
    """The end state an outcome wants; turned into delta actions against the issue."""

    outcome: str
    kind: str
    trusted: bool
    severity: str | None
    reasons: tuple[str, ...]
    template_context: Mapping[str, Any]
    want_labels: tuple[str, ...] = ()
    drop_labels: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()
    close: str | None = None
    journal: tuple[JournalEntry, ...] = ()
    state_changes: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)
    # Actions beyond this issue's labels and comment: first ones run before anything else
    # (remedies), trailing ones just before the comment (updates of other issues).
    leading_actions: tuple[Action, ...] = ()
    trailing_actions: tuple[Action, ...] = ()
    # One line: why this outcome, in the responder's words (the reason a notification gives).
    summary: str = ""


def journal_entry(situation: Situation, kind: str, text: str) -> JournalEntry:
    event = situation.event
    source = ""
    if event.comment is not None:
        source = event.comment.html_url
    elif event.issue is not None:
        source = event.issue.html_url
    return JournalEntry(at=event.at, kind=kind, text=text, source=source)


def trust_reason(trust: TrustVerdict) -> str:
    word = "trusted" if trust.trusted else "not trusted"
    return f"{word}: {trust.login} ({trust.detail})"


def report_facts(parsed: ParsedForm, config: Config) -> tuple[Facts, Service | None]:
    """Severity facts from the report alone, before any probe has looked."""
    title = parsed.choice("service")
    service = config.service_by_title(title) if title and title != forms.OTHER_SERVICE else None
    error_type = parsed.choice("error_type")
    state = forms.REPORTED_STATE.get(error_type or "", "unknown")
    down = (service.name,) if service is not None and state == "down" else ()
    facts = Facts(
        service_name=service.name if service else None,
        service_title=service.title if service else None,
        tier=service.tier if service else None,
        error_type=error_type,
        scope=parsed.choice("scope"),
        state=state,
        services_down=down,
    )
    return facts, service


def human_severity(issue: Issue, prior: IssueState | None, config: Config) -> Severity | None:
    """A severity label a person set, which the responder must not overwrite."""
    present = [level for level in Severity if config.labels.severity(level) in issue.labels]
    if len(present) != 1:
        return None
    level = present[0]
    if prior is not None and prior.severity == str(level):
        return None  # the responder's own label
    return level


def severity_labels(level: Severity, config: Config) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Labels to add and to remove for an incident at this level."""
    labels = config.labels
    want = [labels["incident"], labels.severity(level)]
    drop = [labels.severity(other) for other in Severity if other != level]
    if level.needs_postmortem:
        want.append(labels["postmortem-required"])
    else:
        drop.append(labels["postmortem-required"])
    drop += [labels["needs-info"], labels["needs-triage"]]
    return tuple(want), tuple(drop)
