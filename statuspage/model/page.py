"""What the status page shows, as frozen data.

Collection fills the records (incidents, reports, maintenance, checks),
`render.assemble` turns them into a Page, and the renderers (HTML, status.json,
Atom, badges) only read a Page. Text in these records is untrusted: it is
escaped when rendered, never here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from responder.forms.maintenance import Window
from statuspage.model.history import Budget, Uptime

# Page states of a service.
OPERATIONAL = "operational"
DEGRADED = "degraded"
DOWN = "down"
MAINTENANCE = "maintenance"
UNKNOWN = "unknown"

# Statuspage's incident statuses; people set them with "/status identified: ...".
INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved")


@dataclass(frozen=True)
class Update:
    at: datetime
    status: str  # one of INCIDENT_STATUSES
    body: str  # Markdown from the bot or a collaborator: rendered with HTML disabled
    author: str
    by_bot: bool
    url: str = ""


@dataclass(frozen=True)
class Incident:
    number: int
    title: str
    url: str
    severity: str | None  # "SEV1".."SEV4"
    services: tuple[str, ...]  # service names from the catalogue
    started_at: datetime
    resolved_at: datetime | None
    updates: tuple[Update, ...] = ()
    postmortem_url: str | None = None

    @property
    def active(self) -> bool:
        return self.resolved_at is None

    @property
    def status(self) -> str:
        if self.resolved_at is not None:
            return "resolved"
        return self.updates[-1].status if self.updates else "investigating"

    @property
    def updated_at(self) -> datetime:
        moments = [self.started_at, *(u.at for u in self.updates)]
        if self.resolved_at:
            moments.append(self.resolved_at)
        return max(moments)


@dataclass(frozen=True)
class UserReport:
    number: int
    url: str
    reported_at: datetime
    service: str | None  # service name, when the form named a known one
    service_title: str | None
    error_type: str | None
    scope: str | None
    title: str | None  # None: from an author not yet trusted, kept off the page
    awaiting_review: bool


@dataclass(frozen=True)
class MaintenanceWindow:
    number: int
    title: str
    url: str
    services: tuple[str, ...]
    window: Window
    impact: str
    details: str
    created_at: datetime

    def phase(self, now: datetime) -> str:
        """scheduled, in_progress or completed (Statuspage's words); unreadable windows are 'unknown'."""
        if self.window.problem or self.window.start is None or self.window.end is None:
            return "unknown"
        if now < self.window.start:
            return "scheduled"
        if now < self.window.end:
            return "in_progress"
        return "completed"


@dataclass(frozen=True)
class IssueFacts:
    """Everything the page needs from GitHub."""

    incidents: tuple[Incident, ...] = ()
    reports: tuple[UserReport, ...] = ()
    maintenance: tuple[MaintenanceWindow, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class LiveState:
    """The current state of one service and where it comes from."""

    state: str
    detail: str
    checked_at: str | None
    source: str  # probe, uptime-kuma, history, none
    latency_ms: float | None = None


@dataclass(frozen=True)
class DayCell:
    day: date
    css: str  # o ok, d degraded, p partial outage, x major outage, m maintenance, n no data
    label: str  # what a screen reader says, e.g. "Nov 3: 99.2% up, 1 incident"


@dataclass(frozen=True)
class ServiceView:
    name: str
    title: str
    tier: str
    description: str
    live: LiveState
    uptime: Mapping[str, Uptime]  # "24h", "7d", "30d", "90d"
    budget: Budget | None
    days: tuple[DayCell, ...]
    incidents: tuple[int, ...] = ()  # active incidents naming this service
    note: str | None = None  # a small note for visitors, e.g. its certificate expires soon


@dataclass(frozen=True)
class TierGroup:
    tier: str
    title: str
    services: tuple[ServiceView, ...]


@dataclass(frozen=True)
class Headline:
    state: str  # operational, degraded, down, maintenance, unknown
    indicator: str  # Statuspage indicator: none, minor, major, critical, maintenance
    text: str


@dataclass(frozen=True)
class Page:
    title: str
    description: str
    url: str | None
    report_url: str | None
    repository: str | None
    generated_at: datetime
    stale_after_minutes: int
    headline: Headline
    groups: tuple[TierGroup, ...]
    active: tuple[Incident, ...]
    resolved: tuple[Incident, ...]  # closed within resolved_days, newest first
    reports: tuple[UserReport, ...]
    maintenance: tuple[MaintenanceWindow, ...]  # upcoming and in progress
    history_days: int
    resolved_days: int
    feed: tuple[Incident, ...] = ()  # newest first, for feed.atom
    notes: tuple[str, ...] = ()  # build warnings worth telling visitors (data not refreshed...)
    stale_since: str | None = None  # set when the newest data was already old at build time
    titles: Mapping[str, str] = field(default_factory=dict)  # service name -> title
    postmortem_site: bool = False

    @property
    def services(self) -> tuple[ServiceView, ...]:
        return tuple(s for g in self.groups for s in g.services)
