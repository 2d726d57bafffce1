"""Progress lines: one per stage, with what it counted and how long it took."""

from __future__ import annotations

import logging

import pytest

from responder.adapters.progress import stage


def test_a_stage_logs_its_count_and_elapsed_time_when_it_ends(caplog: pytest.LogCaptureFixture) -> None:
    ticks = iter([10.0, 12.34, 20.0, 20.5])
    log = logging.getLogger("test.progress")
    with caplog.at_level(logging.INFO, "test.progress"):
        with stage(log, "probed", "services", 50, clock=lambda: next(ticks)):
            pass
        with stage(log, "read", "issues", clock=lambda: next(ticks)) as reading:
            reading.count = 10_000
    assert [record.getMessage() for record in caplog.records] == ["probed 50 services in 2.3 s",
                                                                  "read 10,000 issues in 0.5 s"]


def test_a_stage_that_fails_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("test.progress")
    with caplog.at_level(logging.INFO, "test.progress"), pytest.raises(RuntimeError), \
            stage(log, "probed", "services", 3):
        raise RuntimeError("boom")
    assert caplog.records == []
