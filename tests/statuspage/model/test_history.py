"""The check history: slots, gaps, uptime, error budget and the compact file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from responder.errors import InputError
from statuspage.model import history
from statuspage.model.history import Check, History

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def check(minutes_ago: float, code: str, service: str = "nextcloud", slots: int = 1) -> Check:
    return Check(service, NOW - timedelta(minutes=minutes_ago), code, detail=code, slots=slots)


def day_text(recorded: History, service: str = "nextcloud", day: str = "2026-11-23") -> str:
    return recorded.of(service).days[day]


def test_a_check_fills_its_own_five_minute_slot_only() -> None:
    recorded = history.record(History(), [check(0, "o")], NOW, keep_days=90)
    text = day_text(recorded)
    assert len(text) == 288
    assert text[180] == "o"  # 15:00 is slot 180
    assert text.count("-") == 287


def test_a_slot_keeps_the_worst_state_seen_in_it() -> None:
    recorded = history.record(History(), [check(3, "x"), check(1, "o")], NOW, keep_days=90)
    assert day_text(recorded)[179] == "x"  # 14:57 and 14:59 share slot 179


def test_a_longer_check_interval_fills_the_empty_slots_before_the_check_but_never_overrides_one() -> None:
    first = history.record(History(), [check(10, "x")], NOW, keep_days=90)  # 14:50, slot 178
    recorded = history.record(first, [check(0, "o", slots=3)], NOW, keep_days=90)
    # 15:00 (slot 180) and the empty 14:55 slot get the new check; 14:50 keeps what it saw.
    assert day_text(recorded)[177:181] == "-xoo"


def test_the_latest_check_is_remembered_with_its_detail() -> None:
    recorded = history.record(History(), [check(10, "x"), check(0, "o")], NOW, keep_days=90)
    last = recorded.of("nextcloud").last
    assert last is not None and (last.code, last.at, last.detail) == ("o", "2026-11-23T15:00:00Z", "o")


def test_days_older_than_the_window_are_dropped() -> None:
    old = Check("nextcloud", NOW - timedelta(days=95), "o")
    recent = check(0, "o")
    recorded = history.record(History(), [old, recent], NOW, keep_days=90)
    assert list(recorded.of("nextcloud").days) == ["2026-11-23"]


def test_services_that_left_the_catalogue_are_forgotten() -> None:
    recorded = history.record(History(), [check(0, "o"), check(0, "o", service="gone")], NOW, keep_days=90)
    assert set(history.forget_other_services(recorded, ["nextcloud"]).services) == {"nextcloud"}


def test_uptime_counts_only_checked_slots_and_reports_coverage() -> None:
    # 12 checks in the last hour: 11 up, 1 down; the rest of the 24 h has no data.
    checks = [check(5 * i, "x" if i == 3 else "o") for i in range(12)]
    recorded = history.record(History(), checks, NOW, keep_days=90)
    day = history.uptime(recorded.of("nextcloud"), NOW, timedelta(hours=24))
    assert day.percent == pytest.approx(100 * 11 / 12)
    assert day.coverage == pytest.approx(12 / 288)
    assert day.down_minutes == 5


def test_a_gap_is_not_counted_as_up() -> None:
    recorded = history.record(History(), [check(60 * 24 * 3, "x")], NOW, keep_days=90)
    week = history.uptime(recorded.of("nextcloud"), NOW, timedelta(days=7))
    assert week.percent == 0.0  # the only data says down; the empty days do not dilute it
    assert history.uptime(recorded.of("nextcloud"), NOW, timedelta(hours=24)).percent is None


def test_degraded_counts_as_available_and_maintenance_is_excluded() -> None:
    checks = [check(0, "d"), check(5, "m"), check(10, "o"), check(15, "x")]
    result = history.uptime(history.record(History(), checks, NOW, 90).of("nextcloud"), NOW, timedelta(hours=1))
    assert result.percent == pytest.approx(100 * 2 / 3)


@pytest.mark.parametrize("checks, window, known", [
    (1, timedelta(hours=24), None),  # a first build's one check: 5 minutes of a day is no uptime figure
    (2, timedelta(hours=24), None),
    (3, timedelta(hours=24), 100.0),  # 15 minutes: 1% of the day
    (12, timedelta(days=7), None),  # an hour is not 1% of a week
    (21, timedelta(days=7), 100.0),
])
def test_a_percentage_is_known_only_once_a_percent_of_the_window_holds_data(
        checks: int, window: timedelta, known: float | None) -> None:
    recorded = history.record(History(), [check(5 * i, "o") for i in range(checks)], NOW, keep_days=90)
    result = history.uptime(recorded.of("nextcloud"), NOW, window)
    assert result.percent == 100.0 and result.known == known


def test_the_error_budget_is_not_known_before_the_month_holds_data() -> None:
    first_check = history.record(History(), [check(0, "o")], NOW, keep_days=90)
    assert not history.month_budget(first_check.of("nextcloud"), NOW, 99.9).known
    assert not history.month_budget(History().of("nextcloud"), NOW, 99.9).known
    a_day = history.record(History(), [check(5 * i, "o") for i in range(288)], NOW, keep_days=90)
    assert history.month_budget(a_day.of("nextcloud"), NOW, 99.9).known


def test_the_error_budget_is_the_months_allowed_downtime_minus_the_downtime_so_far() -> None:
    checks = [check(5 * i, "x") for i in range(6)]  # 30 minutes down
    recorded = history.record(History(), checks, NOW, keep_days=90)
    budget = history.month_budget(recorded.of("nextcloud"), NOW, slo=99.5)
    assert budget.allowed_minutes == pytest.approx(0.005 * 30 * 24 * 60)  # November: 216 minutes
    assert budget.used_minutes == 30
    assert budget.left_percent == pytest.approx(100 * (216 - 30) / 216)


def test_downtime_from_last_month_does_not_spend_this_months_budget() -> None:
    last_month = Check("nextcloud", datetime(2026, 10, 31, 23, 0, tzinfo=UTC), "x")
    recorded = history.record(History(), [last_month], NOW, keep_days=90)
    assert history.month_budget(recorded.of("nextcloud"), NOW, 99.9).used_minutes == 0


@pytest.mark.parametrize("text", ["o" * 288, "-" * 100 + "x" * 88 + "o" * 100, "odxm-" * 57 + "ooo"])
def test_days_round_trip_through_the_run_length_encoding(text: str) -> None:
    encoded = history.encode_day(text)
    assert history.decode_day(encoded) == text
    assert len(encoded) < len(text) or len(set(text)) > 2


@pytest.mark.parametrize("encoded", ["287o", "289o", "288q", "o" * 289, "12", "300o-", "<script>"])
def test_damaged_days_are_refused(encoded: str) -> None:
    assert history.decode_day(encoded) is None


def test_the_file_round_trips() -> None:
    recorded = history.record(History(), [check(0, "o"), check(30, "x", service="mail")], NOW, keep_days=90)
    again = history.loads(history.dumps(recorded), "history.json")
    assert again.services == recorded.services
    assert again.updated_at == "2026-11-23T15:00:00Z"


@pytest.mark.parametrize("text, message", [
    ("[]", "not a status page history file"),
    ('{"version": 1, "slot_minutes": 1, "services": {}}', "slot_minutes must be 5"),
    ('{"version": 1, "slot_minutes": 5, "services": {"a": {"days": {"2026-11-23": "12o"}}}}',
     "services.a.days.2026-11-23: not a valid day"),
    ("{", "not valid JSON"),
])
def test_a_damaged_history_file_gets_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        history.loads(text, "history.json")
