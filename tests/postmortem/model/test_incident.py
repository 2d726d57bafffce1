"""Incident facts: severity, services, duration from first report or finding to recovery, error budget."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from postmortem.model.incident import describe_incident, format_duration
from responder.adapters.github.export import parse_export
from responder.config.loader import Config
from responder.model.state import IssueState, JournalEntry, read_marker, render_marker
from tests.support.infra_repo import load_export


def incident_of(raw: dict[str, Any], config: Config) -> Any:
    return describe_incident(parse_export(raw), config)


def with_journal(raw: dict[str, Any], *entries: JournalEntry) -> dict[str, Any]:
    state = read_marker(raw["comments"][0]["body"])
    assert state is not None
    state = replace(state, journal=tuple(entries))
    raw["comments"][0]["body"] = "### SEV2\n\n" + render_marker(state)
    return raw


def test_the_sev2_incident_lasted_from_the_report_to_the_recorded_recovery(example_config: Config) -> None:
    incident = incident_of(load_export(), example_config)
    assert incident.severity == "SEV2"
    assert [s.name for s in incident.services] == ["nextcloud"]
    assert incident.start_basis == "report" and incident.end_basis == "recovery"
    assert incident.started_at.isoformat() == "2026-11-23T14:05:00+00:00"
    assert incident.recovered_at is not None and incident.recovered_at.isoformat() == "2026-11-23T14:52:10+00:00"
    assert incident.duration == timedelta(minutes=47, seconds=10)
    assert incident.responders == ("vbarzin", "bob")


def test_the_error_budget_is_a_share_of_thirty_days_of_allowed_downtime(example_config: Config) -> None:
    [budget] = incident_of(load_export(), example_config).budgets
    # slo 99.5: 0.5 % of 30 days = 216 minutes; 47 min 10 s of it is 21.8 %.
    assert budget.budget == timedelta(minutes=216)
    assert budget.consumed_percent == 21.8
    assert budget.to_json() == {"service": "nextcloud", "slo": 99.5, "budget_minutes": 216.0,
                                "consumed_percent": 21.8}


def test_a_failing_check_before_the_report_starts_the_clock(example_config: Config) -> None:
    raw = with_journal(load_export(),
                       JournalEntry("2026-11-23T13:58:00Z", "finding", "Probe: 502 Bad Gateway"),
                       JournalEntry("2026-11-23T14:52:10Z", "recovered", "Back."))
    incident = incident_of(raw, example_config)
    assert incident.start_basis == "finding"
    assert incident.duration == timedelta(minutes=54, seconds=10)


def test_after_a_relapse_the_last_recovery_ends_the_incident(example_config: Config) -> None:
    raw = with_journal(load_export(),
                       JournalEntry("2026-11-23T14:20:00Z", "recovered", "Back."),
                       JournalEntry("2026-11-23T14:25:00Z", "finding", "Down again."),
                       JournalEntry("2026-11-23T14:40:00Z", "recovered", "Back for good."))
    assert incident_of(raw, example_config).duration == timedelta(minutes=35)


def test_without_a_recorded_recovery_the_closing_ends_it_and_says_so(example_config: Config) -> None:
    raw = with_journal(load_export())
    incident = incident_of(raw, example_config)
    assert incident.end_basis == "closing"
    assert incident.duration == timedelta(hours=1, minutes=5, seconds=30)


def test_an_open_incident_has_no_duration_yet(example_config: Config) -> None:
    raw = with_journal(load_export())
    raw["issue"]["state"], raw["issue"]["closed_at"] = "open", None
    raw["events"] = [e for e in raw["events"] if e["event"] != "closed"]
    incident = incident_of(raw, example_config)
    assert incident.end_basis == "open" and incident.duration is None
    assert incident.budgets[0].consumed_percent is None


def test_a_service_without_an_slo_gets_no_budget_figure(example_config: Config) -> None:
    raw = load_export()
    raw["issue"]["body"] = raw["issue"]["body"].replace("Nextcloud\n", "CI (Woodpecker)\n", 1)
    [budget] = incident_of(raw, example_config).budgets
    assert budget.service.name == "woodpecker" and budget.budget is None and budget.consumed_percent is None
    assert budget.to_json() == {"service": "woodpecker", "slo": None}


def test_a_service_outside_the_catalogue_is_named_but_not_counted(example_config: Config) -> None:
    raw = load_export()
    raw["issue"]["body"] = raw["issue"]["body"].replace("Nextcloud\n", "Jellyfin\n", 1)
    incident = incident_of(raw, example_config)
    assert incident.services == () and incident.budgets == ()
    assert incident.reported_service == "Jellyfin"


def test_a_severity_label_a_person_set_wins_over_the_responders_memory(example_config: Config) -> None:
    raw = load_export()
    raw["issue"]["labels"] = [label for label in raw["issue"]["labels"] if label["name"] != "sev2"]
    raw["issue"]["labels"].append({**raw["issue"]["labels"][0], "name": "sev1"})
    assert incident_of(raw, example_config).severity == "SEV1"
    raw["issue"]["labels"] = []
    assert incident_of(raw, example_config).severity == "SEV2"  # from the responder's state
    raw["comments"] = []
    assert incident_of(raw, example_config).severity is None


@pytest.mark.parametrize(("duration", "text"), [
    (timedelta(minutes=47, seconds=10), "47 min"),
    (timedelta(hours=1, minutes=5, seconds=30), "1 h 6 min"),
    (timedelta(hours=2), "2 h"),
    (timedelta(days=1, hours=3, minutes=1), "1 d 3 h 1 min"),
    (timedelta(seconds=20), "0 min"),
    (None, "unknown"),
])
def test_durations_read_naturally(duration: timedelta | None, text: str) -> None:
    assert format_duration(duration) == text


def test_state_without_severity_or_journal_is_fine(example_config: Config) -> None:
    raw = load_export()
    raw["comments"][0]["body"] = render_marker(IssueState())
    raw["issue"]["labels"] = []
    incident = incident_of(raw, example_config)
    assert incident.severity is None and incident.end_basis == "closing"


def with_sweep(raw: dict[str, Any], **sweep: Any) -> dict[str, Any]:
    state = read_marker(raw["comments"][0]["body"])
    assert state is not None
    sections = {**state.sections, "sweep": {**(state.sections.get("sweep") or {}), **sweep}}
    raw["comments"][0]["body"] = "### SEV2\n\n" + render_marker(replace(state, sections=sections))
    return raw


def test_time_to_acknowledge_comes_from_the_sweeps_record(example_config: Config) -> None:
    raw = with_sweep(load_export(), acknowledged_at="2026-11-23T14:09:12Z", acknowledged_by="bob")
    incident = incident_of(raw, example_config)
    assert (incident.acknowledged_by, incident.acknowledge_basis) == ("bob", "sweep")
    assert incident.time_to_acknowledge == timedelta(minutes=4, seconds=12)
    assert incident.acknowledged_in_time is True  # SEV2: within 15 minutes
    assert incident.time_to_resolve == timedelta(minutes=47, seconds=10)


def test_without_the_sweeps_record_the_first_label_or_assignment_by_a_person_stands_in(
        example_config: Config) -> None:
    incident = incident_of(load_export(), example_config)
    # bob only commented (anyone can); vbarzin assigned himself: that takes triage access.
    assert (incident.acknowledged_by, incident.acknowledge_basis) == ("vbarzin", "history")
    assert incident.time_to_acknowledge == timedelta(minutes=7, seconds=30)


def test_a_missed_response_target_says_so(example_config: Config) -> None:
    raw = with_sweep(load_export(), acknowledged_at="2026-11-23T14:40:00Z", acknowledged_by="vbarzin")
    assert incident_of(raw, example_config).acknowledged_in_time is False


def test_nobody_answering_is_not_recorded(example_config: Config) -> None:
    raw = load_export()
    raw["events"] = [event for event in raw["events"] if event["event"] not in ("assigned",)]
    incident = incident_of(raw, example_config)
    assert incident.acknowledged_at is None and incident.time_to_acknowledge is None
    assert incident.acknowledge_basis == "none" and incident.acknowledged_in_time is None
