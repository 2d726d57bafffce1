"""Maintenance windows as people type them into the form."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from responder.forms.maintenance import parse_moment, read_window


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
