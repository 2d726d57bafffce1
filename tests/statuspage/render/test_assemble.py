"""Assembling the page: live state, maintenance, headline, day bars."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from responder.config.loader import Config
from responder.forms.maintenance import Window
from statuspage.model import history
from statuspage.model.history import Check, History
from statuspage.model.page import Incident, IssueFacts, MaintenanceWindow, Page, ServiceView
from statuspage.model.settings import settings_from
from statuspage.render.assemble import Inputs, assemble, day_cell, format_percent

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def inputs(config: Config, **changes: object) -> Inputs:
    base = Inputs(config=config, settings=settings_from(config), now=NOW, facts=IssueFacts())
    return replace(base, **changes)  # type: ignore[arg-type]


def probe(service: str, code: str, minutes_ago: int = 0) -> Check:
    return Check(service, NOW - timedelta(minutes=minutes_ago), code, detail=f"probe said {code}")


def view(result: Page, name: str) -> ServiceView:
    return next(s for s in result.services if s.name == name)


def test_services_are_grouped_by_tier_in_catalogue_order(example_config: Config) -> None:
    result, _ = assemble(inputs(example_config))
    assert [(g.tier, [s.name for s in g.services]) for g in result.groups] == [
        ("core", ["dns", "traefik", "authentik", "postgres"]),
        ("critical", ["nextcloud", "immich", "mail"]),
        ("standard", ["home-assistant", "grafana"]),
        ("low", ["woodpecker", "uptime-kuma"]),
    ]


def test_without_any_data_services_are_unknown_and_nothing_is_claimed(example_config: Config) -> None:
    result, recorded = assemble(inputs(example_config))
    assert {s.live.state for s in result.services} == {"unknown"}
    assert result.headline.text == "No current data"
    assert view(result, "dns").uptime["24h"].percent is None
    assert all(cell.css == "n" for cell in view(result, "dns").days)
    assert recorded.services == {}


def test_the_live_state_is_the_worst_fresh_observation(example_config: Config) -> None:
    kuma = Check("mail", NOW - timedelta(minutes=2), history.DOWN, detail="Uptime Kuma: down", source="uptime-kuma")
    stale_kuma = Check("immich", NOW - timedelta(hours=2), history.DOWN, source="uptime-kuma")
    result, _ = assemble(inputs(example_config, probe_checks=(probe("mail", "o"), probe("immich", "o")),
                                source_checks=(kuma, stale_kuma)))
    assert (view(result, "mail").live.state, view(result, "mail").live.source) == ("down", "uptime-kuma")
    assert view(result, "immich").live.state == "operational"


def test_without_probes_a_service_shows_its_last_known_state_and_its_age(example_config: Config) -> None:
    previous = history.record(History(), [probe("mail", "x", minutes_ago=40)], NOW, 90)
    result, _ = assemble(inputs(example_config, previous=previous))
    mail = view(result, "mail")
    assert (mail.live.state, mail.live.source, mail.live.checked_at) == ("down", "history", "2026-11-23T14:20:00Z")
    assert result.stale_since == "2026-11-23T14:20:00Z"


def test_a_service_without_a_url_is_not_monitored(example_config: Config) -> None:
    config = replace(example_config, services=(replace(example_config.services[0], url=None),))
    result, _ = assemble(inputs(config))
    assert result.services[0].live.detail == "not monitored"


def test_maintenance_marks_the_service_and_turns_failed_checks_into_planned_time(example_config: Config) -> None:
    window = MaintenanceWindow(41, "Upgrade", "https://github.com/acme-homelab/infra/issues/41", ("postgres",),
                               Window(NOW - timedelta(minutes=30), NOW + timedelta(minutes=30)), "", "", NOW)
    result, recorded = assemble(inputs(example_config, facts=IssueFacts(maintenance=(window,)),
                                       probe_checks=(probe("postgres", "x"), probe("dns", "x"))))
    assert view(result, "postgres").live.state == "maintenance"
    assert recorded.of("postgres").days["2026-11-23"][180] == "m"
    assert recorded.of("dns").days["2026-11-23"][180] == "x"
    assert history.month_budget(recorded.of("postgres"), NOW, 99.9).used_minutes == 0


@pytest.mark.parametrize("states, severities, expected", [
    ({"dns": "x"}, (), ("down", "critical", "Major outage")),
    ({"nextcloud": "x"}, (), ("down", "major", "Partial outage")),
    ({"nextcloud": "d"}, (), ("degraded", "minor", "Degraded service")),
    ({}, ("SEV1",), ("down", "critical", "Major outage")),
    ({}, ("SEV3",), ("degraded", "minor", "Incident under investigation")),
    ({"grafana": "m"}, (), ("maintenance", "maintenance", "Maintenance in progress")),
    ({}, (), ("operational", "none", "All services operational")),
])
def test_the_headline(example_config: Config, states: dict[str, str], severities: tuple[str, ...],
                      expected: tuple[str, str, str]) -> None:
    checks = tuple(probe(s.name, states.get(s.name, "o")) for s in example_config.services if s.url)
    config = replace(example_config, services=tuple(s for s in example_config.services if s.url))
    incidents = tuple(Incident(n, "x", "", sev, (), NOW, None) for n, sev in enumerate(severities))
    result, _ = assemble(inputs(config, probe_checks=checks, facts=IssueFacts(incidents=incidents)))
    headline = result.headline
    assert (headline.state, headline.indicator, headline.text) == expected


def test_a_day_is_named_for_screen_readers_with_uptime_and_incidents() -> None:
    counts = {"o": 280, "d": 0, "x": 8, "m": 0, "-": 0}
    cell = day_cell(history.DayStats(date(2026, 11, 3), counts), incidents=1, slots=288)
    assert (cell.label, cell.css) == ("Nov 3: 97.22% up, 1 incident", "p")


@pytest.mark.parametrize("counts, slots, label, css", [
    ({"o": 0, "d": 0, "x": 0, "m": 0, "-": 288}, 288, "Nov 3: no data", "n"),
    ({"o": 288, "d": 0, "x": 0, "m": 0, "-": 0}, 288, "Nov 3: 100% up", "o"),
    ({"o": 100, "d": 0, "x": 0, "m": 0, "-": 188}, 288, "Nov 3: 100% up, data for 34% of the day", "o"),
    ({"o": 200, "d": 0, "x": 88, "m": 0, "-": 0}, 288, "Nov 3: 69.44% up", "x"),
    ({"o": 280, "d": 8, "x": 0, "m": 0, "-": 0}, 288, "Nov 3: 100% up", "d"),
    ({"o": 270, "d": 0, "x": 0, "m": 18, "-": 0}, 288, "Nov 3: 100% up, maintenance", "m"),
    ({"o": 0, "d": 0, "x": 0, "m": 288, "-": 0}, 288, "Nov 3: maintenance, no outage data", "m"),
    # A first build's one check: what it saw, but no percentage and never "data for 0% of the day".
    ({"o": 1, "d": 0, "x": 0, "m": 0, "-": 287}, 181, "Nov 3: up when checked, too little data yet for a percentage",
     "o"),
    ({"o": 0, "d": 0, "x": 1, "m": 0, "-": 287}, 181,
     "Nov 3: down when checked, too little data yet for a percentage", "x"),
    ({"o": 2, "d": 0, "x": 0, "m": 0, "-": 286}, 181, "Nov 3: 100% up, data for 1% of the day", "o"),
])
def test_day_cells(counts: dict[str, int], slots: int, label: str, css: str) -> None:
    cell = day_cell(history.DayStats(date(2026, 11, 3), counts), incidents=0, slots=slots)
    assert (cell.label, cell.css) == (label, css)


def test_today_is_named_as_today_and_counts_only_the_slots_so_far(example_config: Config) -> None:
    checks = tuple(Check("dns", NOW - timedelta(minutes=5 * i), "o") for i in range(181))
    result, _ = assemble(inputs(example_config, probe_checks=checks))
    assert view(result, "dns").days[-1].label == "Today (Nov 23, so far): 100% up"
    assert len(view(result, "dns").days) == 90


def test_incidents_are_counted_on_every_day_they_touch(example_config: Config) -> None:
    incident = Incident(7, "x", "", "SEV2", ("mail",), datetime(2026, 11, 20, 23, 0, tzinfo=UTC),
                        datetime(2026, 11, 21, 1, 0, tzinfo=UTC))
    result, _ = assemble(inputs(example_config, facts=IssueFacts(incidents=(incident,))))
    labels = {cell.day: cell.label for cell in view(result, "mail").days}
    assert labels[date(2026, 11, 20)].endswith("1 incident")
    assert labels[date(2026, 11, 21)].endswith("1 incident")
    assert labels[date(2026, 11, 22)] == "Nov 22: no data"


@pytest.mark.parametrize("value, text", [(100.0, "100%"), (99.999, "99.99%"), (99.5, "99.5%"), (0.0, "0%"),
                                         (97.2222, "97.22%")])
def test_percentages_are_never_rounded_up(value: float, text: str) -> None:
    assert format_percent(value) == text


def test_only_recent_resolved_incidents_and_announced_maintenance_are_listed(example_config: Config) -> None:
    recent = Incident(1, "recent", "", None, (), NOW - timedelta(days=3), NOW - timedelta(days=2))
    old = Incident(2, "old", "", None, (), NOW - timedelta(days=20), NOW - timedelta(days=19))
    soon = MaintenanceWindow(3, "soon", "", (), Window(NOW + timedelta(days=2), NOW + timedelta(days=2, hours=1)),
                             "", "", NOW)
    far = replace(soon, number=4, window=Window(NOW + timedelta(days=60), NOW + timedelta(days=60, hours=1)))
    over = replace(soon, number=5, window=Window(NOW - timedelta(days=1), NOW - timedelta(hours=20)))
    result, _ = assemble(inputs(example_config, facts=IssueFacts(incidents=(recent, old),
                                                                 maintenance=(soon, far, over))))
    assert [i.number for i in result.resolved] == [1]
    assert [m.number for m in result.maintenance] == [3]
    assert [i.number for i in result.feed] == [1, 2]
