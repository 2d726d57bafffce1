"""Maintenance windows as people type them into the form."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from responder.config.loader import Config
from responder.forms.maintenance import announcement, parse_moment, read_window
from tests.support.issues_export import maintenance_body


@pytest.mark.parametrize("text, expected", [
    ("2026-11-25 22:00", datetime(2026, 11, 25, 22, 0, tzinfo=UTC)),
    ("2026-11-25 22:00 UTC", datetime(2026, 11, 25, 22, 0, tzinfo=UTC)),
    ("2026-11-25T22:00Z", datetime(2026, 11, 25, 22, 0, tzinfo=UTC)),
    ("2026-11-25 23:00 +01:00", datetime(2026, 11, 25, 22, 0, tzinfo=UTC)),
    ("  2026-11-25   22:00  ", datetime(2026, 11, 25, 22, 0, tzinfo=UTC)),
    ("2026-11-25 17:00 -05:00", datetime(2026, 11, 25, 22, 0, tzinfo=UTC)),
    ("tomorrow at ten", None),
    ("25/11/2026 22:00", None),
    ("", None),
])
def test_times(text: str, expected: datetime | None) -> None:
    assert parse_moment(text) == expected


@pytest.mark.parametrize("start, end, problem", [
    ("2026-11-25 22:00", "2026-11-25 23:30", None),
    ("2026-11-25 23:30", "2026-11-25 22:00", "the window ends before it starts"),
    ("2026-11-25 22:00", "2026-12-25 22:00", "the window is longer than 14 days"),
    ("soon", "2026-11-25 22:00", "the start time is not in the form"),
    ("2026-11-25 22:00", None, "the end time is not in the form"),
])
def test_windows(start: str, end: str | None, problem: str | None) -> None:
    window = read_window(start, end)
    assert (window.problem or "").startswith(problem or "")
    assert bool(window.problem) == bool(problem)


NOW = datetime(2026, 11, 25, 22, 30, tzinfo=UTC)


@pytest.mark.parametrize("impact, expects", [
    ("Unavailable during the window", True), ("Brief interruptions", True), ("No interruption expected", False)])
def test_an_announcement_expects_failures_while_it_runs_if_it_warned_of_them(example_config: Config, impact: str,
                                                                           expects: bool) -> None:
    body = maintenance_body("Nextcloud, Databases (PostgreSQL), Not a service", "2026-11-25 22:00",
                            "2026-11-25 23:00", impact)
    announced = announcement(41, body, example_config)
    assert (announced.number, announced.services) == (41, ("nextcloud", "postgres"))
    assert announced.expects_failures(NOW) is expects
    assert not announced.expects_failures(datetime(2026, 11, 25, 23, 0, tzinfo=UTC))  # the end is outside
    assert not announced.expects_failures(datetime(2026, 11, 25, 21, 59, tzinfo=UTC))
    assert announced.to_json() == {"issue": 41, "until": "2026-11-25T23:00:00Z", "impact": impact}


def test_an_announcement_that_cannot_be_read_expects_nothing(example_config: Config) -> None:
    for body in (maintenance_body("Nextcloud", "tonight", "2026-11-25 23:00", "Unavailable during the window"),
                 maintenance_body("Nextcloud", "2026-11-25 22:00", "2026-11-25 23:00", "Everything breaks"), "", None):
        assert not announcement(7, body, example_config).expects_failures(NOW)
