"""Assemble the page: checks, history and issue facts in, a Page out. Pure.

The live state of a service is the worst of this run's fresh observations
(the probe, and Uptime Kuma's newest heartbeat when it is recent). Without
a fresh observation (`--no-probe`, or no URL) it is the last known state
from the history, marked with its age, or "unknown". A service inside an
announced maintenance window shows "maintenance", and a failed check in the
window is recorded as maintenance rather than downtime: planned work does
not spend the error budget.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from responder.config.loader import TIERS, Config, Service
from responder.config.statuspage import DEFAULT_GROUPS, StatusPageSettings
from responder.model.probes import TlsCheck
from responder.model.timestamps import iso_utc, parse_utc
from statuspage.model import history
from statuspage.model.history import WINDOWS, Check, History
from statuspage.model.page import (
    DEGRADED,
    DOWN,
    MAINTENANCE,
    OPERATIONAL,
    UNKNOWN,
    DayCell,
    Headline,
    Incident,
    IssueFacts,
    LiveState,
    MaintenanceWindow,
    Page,
    ServiceView,
    TierGroup,
)

STATE_OF_CODE = {history.OK: OPERATIONAL, history.DEGRADED: DEGRADED, history.DOWN: DOWN,
                 history.MAINTENANCE: MAINTENANCE}
_STATE_RANK = {UNKNOWN: 0, OPERATIONAL: 1, MAINTENANCE: 2, DEGRADED: 3, DOWN: 4}


@dataclass(frozen=True)
class Inputs:
    config: Config
    settings: StatusPageSettings
    now: datetime
    facts: IssueFacts
    previous: History | None = None
    probe_checks: tuple[Check, ...] = ()  # this run's probes
    source_checks: tuple[Check, ...] = ()  # this run's other monitors (Uptime Kuma)
    notes: tuple[str, ...] = ()
    postmortem_site: bool = False  # the post-mortem site is published beside the page
    certificates: Mapping[str, TlsCheck] = field(default_factory=dict)  # this run's probes of https services


def assemble(inputs: Inputs) -> tuple[Page, History]:
    """The page, and the history to publish with it."""
    config, settings, now, facts = inputs.config, inputs.settings, inputs.now, inputs.facts
    windows = tuple(w for w in facts.maintenance if w.window.active(now))
    in_maintenance = {name for w in windows for name in w.services}
    probe_checks = _planned(inputs.probe_checks, in_maintenance)
    source_checks = _planned(inputs.source_checks, in_maintenance)
    recorded = history.record(inputs.previous or History(), (*probe_checks, *source_checks), now,
                              keep_days=settings.history_days)
    recorded = history.forget_other_services(recorded, (s.name for s in config.services))

    probes = {c.service: c for c in probe_checks}
    fresh_after = now - timedelta(minutes=settings.stale_after_minutes)
    sources = {name: c for name, c in _newest(source_checks).items() if c.at >= fresh_after}
    active = tuple(sorted((i for i in facts.incidents if i.active), key=_incident_order))
    incident_days = _incident_days(facts.incidents, now, settings.history_days)
    views = []
    oldest_used: datetime | None = None
    for service in config.services:
        live = _live_state(service, probes.get(service.name), sources.get(service.name),
                           recorded.of(service.name).last, service.name in in_maintenance)
        if live.source == "history" and live.checked_at:
            at = parse_utc(live.checked_at)
            if at is not None and (oldest_used is None or at < oldest_used):
                oldest_used = at
        views.append(_service_view(service, live, recorded, now, settings.history_days,
                                   incident_days.get(service.name, {}),
                                   tuple(i.number for i in active if service.name in i.services),
                                   certificate_note(inputs.certificates.get(service.name))))
    # Tiers are the team's words: a visitor reads the public group titles (statuspage.groups).
    groups = tuple(
        TierGroup(tier, settings.groups.get(tier) or DEFAULT_GROUPS[tier], tuple(v for v in views if v.tier == tier))
        for tier in TIERS if any(v.tier == tier for v in views)
    )
    resolved_after = now - timedelta(days=settings.resolved_days)
    resolved = tuple(sorted((i for i in facts.incidents if i.resolved_at and i.resolved_at >= resolved_after),
                            key=lambda i: i.resolved_at or now, reverse=True))
    announce_until = now + timedelta(days=settings.maintenance.announce_days)
    shown_windows = tuple(w for w in facts.maintenance if _announced(w, now, announce_until))
    stale_since = None
    if oldest_used is not None and oldest_used < fresh_after:
        stale_since = iso_utc(oldest_used)
    feed = tuple(sorted(facts.incidents, key=lambda i: i.updated_at, reverse=True)[:settings.feed_entries])
    page = Page(
        title=settings.title,
        description=settings.description,
        url=settings.url,
        report_url=settings.report_url,
        repository=config.repository,
        generated_at=now,
        stale_after_minutes=settings.stale_after_minutes,
        headline=headline(views, active),
        groups=groups,
        active=active,
        resolved=resolved,
        reports=facts.reports,
        maintenance=shown_windows,
        history_days=settings.history_days,
        resolved_days=settings.resolved_days,
        feed=feed,
        notes=(*inputs.notes, *facts.warnings),
        stale_since=stale_since,
        titles={s.name: s.title for s in config.services},
        postmortem_site=inputs.postmortem_site,
    )
    return page, recorded


def _planned(checks: Iterable[Check], in_maintenance: set[str]) -> tuple[Check, ...]:
    return tuple(
        replace(c, code=history.MAINTENANCE) if c.service in in_maintenance and c.code != history.OK else c
        for c in checks
    )


def _newest(checks: Iterable[Check]) -> dict[str, Check]:
    latest: dict[str, Check] = {}
    for check in checks:
        if check.service not in latest or latest[check.service].at < check.at:
            latest[check.service] = check
    return latest


def _incident_order(incident: Incident) -> tuple[str, float]:
    return (incident.severity or "SEV9", -incident.started_at.timestamp())


def _announced(window: MaintenanceWindow, now: datetime, until: datetime) -> bool:
    phase = window.phase(now)
    if phase == "in_progress" or phase == "unknown":
        return True
    return phase == "scheduled" and window.window.start is not None and window.window.start <= until


def _live_state(service: Service, probe: Check | None, source: Check | None,
                last: history.LastCheck | None, maintenance: bool) -> LiveState:
    fresh = [c for c in (probe, source) if c is not None]
    if fresh:
        worst = max(fresh, key=lambda c: _STATE_RANK[STATE_OF_CODE[c.code]])
        state = STATE_OF_CODE[worst.code]
        live = LiveState(state, worst.detail, iso_utc(worst.at), worst.source,
                         worst.latency_ms)
    elif last is not None:
        live = LiveState(STATE_OF_CODE[last.code], last.detail, last.at, "history", last.latency_ms)
    else:
        detail = "no data yet" if service.url else "not monitored"
        live = LiveState(UNKNOWN, detail, None, "none")
    if maintenance:
        return replace(live, state=MAINTENANCE)
    return live


def _incident_days(incidents: Iterable[Incident], now: datetime, days: int) -> dict[str, dict[date, int]]:
    """service -> day -> number of incidents touching that day, within the bar's range."""
    first = (now - timedelta(days=days - 1)).date()
    today = now.date()
    out: dict[str, dict[date, int]] = {}
    for incident in incidents:
        start = max(incident.started_at.date(), first)
        end = min((incident.resolved_at or now).date(), today)
        if end < start:
            continue
        for name in incident.services:
            counts = out.setdefault(name, {})
            day = start
            while day <= end:
                counts[day] = counts.get(day, 0) + 1
                day += timedelta(days=1)
    return out


def certificate_note(tls: TlsCheck | None) -> str | None:
    """What a visitor should know about a service's certificate, in their words: only when it needs renewing
    or browsers refuse it."""
    if tls is None or tls.certificate is None or tls.status == "ok":
        return None
    expiry = parse_utc(tls.certificate.not_after)
    on = f"{expiry:%-d %b %Y}" if expiry is not None else "soon"
    if tls.expired:
        return f"Its security certificate expired on {on}: browsers warn before opening it."
    if tls.status == "fail":
        return "Its security certificate is not valid for this address: browsers warn before opening it."
    return f"Its security certificate expires on {on}; it is due to be renewed."


def _service_view(service: Service, live: LiveState, recorded: History, now: datetime, days: int,
                  incidents: Mapping[date, int], active: tuple[int, ...], note: str | None = None) -> ServiceView:
    item = recorded.of(service.name)
    uptimes = {name: history.uptime(item, now, span) for name, span in WINDOWS if span <= timedelta(days=days)}
    budget = history.month_budget(item, now, service.slo) if service.slo is not None else None
    today = now.date()
    cells = []
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        until = history.slot_of(now)[1] + 1 if day == today else history.SLOTS_PER_DAY
        stats = history.day_stats(item, day, until)
        cells.append(day_cell(stats, incidents.get(day, 0), until, today=day == today))
    return ServiceView(
        name=service.name,
        title=service.title,
        tier=service.tier,
        description=service.description,
        live=live,
        uptime=uptimes,
        budget=budget,
        days=tuple(cells),
        incidents=active,
        note=note,
    )


def day_cell(stats: history.DayStats, incidents: int, slots: int, today: bool = False) -> DayCell:
    name = f"{stats.day:%b} {stats.day.day}"
    if today:
        name = f"Today ({name}, so far)"
    counts = stats.counts
    parts = []
    uptime_value = stats.uptime
    measured = slots - (counts[history.NO_DATA] - (history.SLOTS_PER_DAY - slots))
    enough = measured >= history.MIN_COVERAGE * slots
    if uptime_value is None:
        parts.append("maintenance, no outage data" if counts[history.MAINTENANCE] else "no data")
    elif not enough:
        seen = "down" if counts[history.DOWN] else "degraded" if counts[history.DEGRADED] else "up"
        parts.append(f"{seen} when checked, too little data yet for a percentage")
    else:
        parts.append(f"{format_percent(uptime_value)} up")
    if counts[history.MAINTENANCE] and uptime_value is not None:
        parts.append("maintenance")
    if stats.has_data and enough and measured < 0.9 * slots:
        parts.append(f"data for {math.floor(100 * measured / slots)}% of the day")
    if incidents:
        parts.append(f"{incidents} incident{'s' if incidents != 1 else ''}")
    if not stats.has_data:
        css = "n"
    elif counts[history.DOWN] and uptime_value is not None and uptime_value < 95.0:
        css = "x"
    elif counts[history.DOWN]:
        css = "p"
    elif counts[history.DEGRADED]:
        css = "d"
    elif counts[history.MAINTENANCE]:
        css = "m"
    else:
        css = "o"
    return DayCell(stats.day, css, f"{name}: {', '.join(parts)}")


def format_percent(value: float) -> str:
    """Never rounds up to a better figure: 99.999% shows as 99.99%, not 100%."""
    if value >= 100.0:
        return "100%"
    floored = math.floor(value * 100) / 100
    text = f"{floored:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def headline(views: Iterable[ServiceView], active: Iterable[Incident]) -> Headline:
    views, active = tuple(views), tuple(active)
    severities = {i.severity for i in active}
    has_active = bool(active)
    down = [v for v in views if v.live.state == DOWN]
    degraded = [v for v in views if v.live.state == DEGRADED]
    maintenance = [v for v in views if v.live.state == MAINTENANCE]
    known = [v for v in views if v.live.state != UNKNOWN]
    if any(v.tier == "core" for v in down) or "SEV1" in severities:
        return Headline(DOWN, "critical", "Major outage")
    if down or "SEV2" in severities:
        return Headline(DOWN, "major", "Partial outage")
    if degraded or has_active:
        return Headline(DEGRADED, "minor", "Degraded service" if degraded else "Incident under investigation")
    if maintenance:
        return Headline(MAINTENANCE, "maintenance", "Maintenance in progress")
    if not known:
        return Headline(UNKNOWN, "none", "No current data")
    if len(known) < len(views):
        return Headline(OPERATIONAL, "none", "All monitored services operational")
    return Headline(OPERATIONAL, "none", "All services operational")
