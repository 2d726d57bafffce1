"""The metrics stage's verdicts and findings, pure: readings in, verdicts and the words people read out."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from responder.config.metrics import Threshold
from responder.investigate.metrics import (
    BREACH,
    FAILED,
    NO_DATA,
    OK,
    MetricReading,
    breaches,
    findings,
    format_value,
    graph_link,
    judge,
)
from responder.model.findings import Finding
from responder.model.metrics import Sample, Series

AT = datetime(2026, 11, 23, 14, 10, tzinfo=UTC)
ERRORS = Threshold("error_rate", 'sum(rate(x{code=~"5.."}[5m])) / sum(rate(x[5m]))', 0.05, "ratio")
LATENCY = Threshold("latency_p99", "histogram_quantile(0.99, y)", 2.0, "s")
LINK = ("http://prometheus.test/graph?g0.expr=sum%28rate%28x%7Bcode%3D~%225..%22%7D%5B5m%5D%29%29+%2F+sum%28rate"
        "%28x%5B5m%5D%29%29&g0.tab=0&g0.range_input=1h&g0.end_input=2026-11-23+14%3A10%3A00")


def reading(threshold: Threshold = ERRORS, *values: float, history: tuple[Series, ...] = (),
            problem: str | None = None) -> MetricReading:
    return MetricReading("nextcloud", threshold, AT, tuple(Sample((), v) for v in values), history, problem)


def hour(before: float, after: float, switch_minutes: int) -> Series:
    """The last hour, minute by minute: `before`, then `after` for the last `switch_minutes` minutes."""
    start = AT - timedelta(hours=1)
    points = tuple(((start + timedelta(minutes=m)).timestamp(), after if m > 60 - switch_minutes else before)
                   for m in range(61))
    return Series((), points)


@pytest.mark.parametrize(("values", "state", "value"), [
    ((0.08,), BREACH, 0.08),
    ((0.05,), OK, 0.05),  # at the threshold is not over it
    ((0.01, 0.3), BREACH, 0.3),  # the worst series decides
    ((math.nan,), NO_DATA, None),  # no traffic: 0/0
    ((), NO_DATA, None),  # no series at all
    ((math.inf,), BREACH, math.inf),
])
def test_the_worst_series_is_judged_against_the_threshold(values: tuple[float, ...], state: str,
                                                          value: float | None) -> None:
    verdict = judge(reading(ERRORS, *values))
    assert (verdict.state, verdict.value) == (state, value)


def test_a_failed_query_is_not_ok_and_not_a_breach() -> None:
    verdict = judge(reading(ERRORS, problem="the query was refused (bad_data): parse error"))
    assert verdict.state == FAILED and not verdict.breached
    assert breaches([reading(ERRORS, 0.08), reading(LATENCY, 1.0), verdict.reading]) == (judge(reading(ERRORS, 0.08)),)


@pytest.mark.parametrize(("value", "unit", "shown"), [
    (0.08, "ratio", "8 %"), (0.0725, "ratio", "7.25 %"), (0.004999999999999999, "ratio", "0.5 %"),
    (1.0, "ratio", "100 %"), (0.00001, "ratio", "0.001 %"), (12.5, "percent", "12.5 %"), (4.5, "s", "4.5 s"),
    (0.4897435897435898, "s", "0.49 s"), (1500.0, "ms", "1500 ms"), (math.inf, "s", "+Inf"),
])
def test_values_are_shown_as_people_read_them(value: float, unit: str, shown: str) -> None:
    assert format_value(value, unit) == shown


def test_the_graph_link_opens_the_query_on_the_hour_before_the_investigation() -> None:
    assert graph_link("http://prometheus.test/", ERRORS.query, AT) == LINK


def test_a_breach_says_the_value_the_threshold_since_when_and_shows_the_last_hour() -> None:
    found = findings("nextcloud", [reading(ERRORS, 0.08, history=(hour(0.01, 0.08, 20),))], "http://prometheus.test")
    assert found == [Finding(
        "metrics", "metric:error_rate", "warn",
        "Error rate of nextcloud is 8 %, over its threshold of 5 %, and has been since 13:51 UTC (19 min): degraded.",
        evidence="\n".join(["13:10  1 %", "13:15  1 %", "13:20  1 %", "13:25  1 %", "13:30  1 %", "13:35  1 %",
                            "13:40  1 %", "13:45  1 %", "13:50  1 %", "13:55  8 %  over", "14:00  8 %  over",
                            "14:05  8 %  over", "14:10  8 %  over"]),
        link=LINK)]


def test_a_breach_for_the_whole_hour_says_so() -> None:
    (found,) = findings("nextcloud", [reading(LATENCY, 4.5, history=(hour(4.5, 4.5, 0),))], None)
    assert found.detail == ("p99 latency of nextcloud is 4.5 s, over its threshold of 2 s, and has been for the whole "
                            "last hour: degraded.")
    assert found.link == ""


@pytest.mark.parametrize(("item", "status", "detail"), [
    (reading(LATENCY, 0.46), "ok", "p99 latency of nextcloud is 0.46 s, within its threshold of 2 s."),
    (reading(ERRORS, math.nan), "warn", "The error rate query of nextcloud gave no value at 14:10 UTC (no series, or "
                                        "no traffic to divide by), so it was not judged."),
    (reading(ERRORS, problem="http://prometheus:9090 could not be reached: connection refused"), "warn",
     "The error rate of nextcloud could not be read: http://prometheus:9090 could not be reached: connection "
     "refused."),
])
def test_every_reading_is_one_honest_line(item: MetricReading, status: str, detail: str) -> None:
    (found,) = findings("nextcloud", [item], "http://prometheus.test")
    assert (found.status, found.detail) == (status, detail)


def test_several_series_name_the_worst_one() -> None:
    item = MetricReading("nextcloud", ERRORS, AT, (Sample((("pod", "a"),), 0.01), Sample((("pod", "b"),), 0.3)))
    (found,) = findings("nextcloud", [item], None)
    assert found.detail == 'Error rate of nextcloud is 30 % in {pod="b"}, over its threshold of 5 %: degraded.'
