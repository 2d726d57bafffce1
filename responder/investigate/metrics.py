"""The metrics stage as data: what Prometheus said for each threshold of a service, and the verdict. Pure.

The shell (responder/flows/outage.py) asks the adapter for the value at the investigation's
moment and for the hour before it; here each reading becomes a verdict (ok, breach, no data,
failed) and findings a person reads: the value, the threshold, since when it has been over, the
last hour in five-minute steps, and a link to the query in Prometheus's graph UI.

A breach counts as *degraded* for severity. No data and a failed query are said as such: they
are not "ok".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from responder.config.metrics import Threshold
from responder.model.findings import Finding
from responder.model.metrics import Sample, Series

STAGE = "metrics"
HISTORY = timedelta(hours=1)  # the range query's window, before the investigation's moment
STEP_SECONDS = 60.0  # the range query's resolution
SHOWN_EVERY = timedelta(minutes=5)  # the evidence lists the last hour in steps this long

OK = "ok"
BREACH = "breach"
NO_DATA = "no-data"
FAILED = "failed"


@dataclass(frozen=True)
class MetricReading:
    """One threshold of one service, read at `at`: the samples, the last hour, or why there is nothing."""

    service: str
    threshold: Threshold
    at: datetime
    samples: tuple[Sample, ...] = ()
    history: tuple[Series, ...] = ()
    problem: str | None = None  # the instant query failed
    history_problem: str | None = None  # the range query failed (the verdict stands without it)


@dataclass(frozen=True)
class MetricVerdict:
    reading: MetricReading
    state: str  # ok | breach | no-data | failed
    value: float | None = None  # the worst series' value
    labels: tuple[tuple[str, str], ...] = ()  # and its labels, when the query gives several series

    @property
    def breached(self) -> bool:
        return self.state == BREACH


def judge(reading: MetricReading) -> MetricVerdict:
    """The worst series decides: one shard at 30 % errors is a problem even if the others are fine."""
    if reading.problem is not None:
        return MetricVerdict(reading, FAILED)
    known = [sample for sample in reading.samples if sample.known]
    if not known:
        return MetricVerdict(reading, NO_DATA)
    worst = max(known, key=lambda sample: sample.value)
    state = BREACH if worst.value > reading.threshold.above else OK
    return MetricVerdict(reading, state, worst.value, worst.labels if len(known) > 1 else ())


def breaches(readings: Iterable[MetricReading]) -> tuple[MetricVerdict, ...]:
    return tuple(verdict for verdict in (judge(reading) for reading in readings) if verdict.breached)


def describe_breach(verdict: MetricVerdict) -> str:
    """A breach in a few words, for a reason or a summary: "error rate is 8 % (threshold 5 %)"."""
    threshold = verdict.reading.threshold
    assert verdict.value is not None
    return (f"{threshold.title[:1].lower()}{threshold.title[1:]} is {format_value(verdict.value, threshold.unit)} "
            f"(threshold {format_value(threshold.above, threshold.unit)})")


# ---------------------------------------------------------------- numbers and links


def format_value(value: float, unit: str) -> str:
    """A value as people read it: a ratio as a percentage, a latency with its unit."""
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if unit == "ratio":
        return f"{_number(value * 100)} %"
    if unit == "percent":
        return f"{_number(value)} %"
    return f"{_number(value)} {unit}"


def _number(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:.0f}"
    text = f"{value:.3g}"
    return text if "e" not in text else f"{value:.6f}".rstrip("0").rstrip(".")


def graph_link(base: str, query: str, end: datetime, window: timedelta = HISTORY) -> str:
    """The query in Prometheus's graph UI, showing the hour up to the investigation's moment."""
    hours = window / timedelta(hours=1)
    params = {"g0.expr": query, "g0.tab": "0", "g0.range_input": f"{hours:g}h",
              "g0.end_input": end.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")}
    return f"{base.rstrip('/')}/graph?{urlencode(params)}"


def _clock(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%H:%M UTC")


def over_since(verdict: MetricVerdict) -> datetime | None:
    """When the worst series went over the threshold and stayed over, as far back as the last hour shows."""
    reading = verdict.reading
    series = _series_of(reading.history, verdict.labels)
    if series is None or not series.points:
        return None
    since = None
    for at, value in reversed(series.points):
        if math.isnan(value) or value <= reading.threshold.above:
            break
        since = at
    return datetime.fromtimestamp(since, UTC) if since is not None else None


def _series_of(history: Sequence[Series], labels: tuple[tuple[str, str], ...]) -> Series | None:
    if len(history) == 1:
        return history[0]
    return next((series for series in history if series.labels == labels), None)


def history_text(verdict: MetricVerdict) -> str:
    """The last hour of the worst series in five-minute steps, oldest first, for the evidence."""
    reading = verdict.reading
    series = _series_of(reading.history, verdict.labels)
    if series is None or not series.points:
        return ""
    unit, above = reading.threshold.unit, reading.threshold.above
    lines = []
    last_shown: float | None = None
    for at, value in series.points:
        if last_shown is not None and at - last_shown < SHOWN_EVERY.total_seconds():
            continue
        last_shown = at
        shown = "no data" if math.isnan(value) else format_value(value, unit)
        mark = "  over" if not math.isnan(value) and value > above else ""
        lines.append(f"{datetime.fromtimestamp(at, UTC):%H:%M}  {shown}{mark}")
    return "\n".join(lines)


# ---------------------------------------------------------------- findings


def findings(service: str, readings: Sequence[MetricReading], link_base: str | None) -> list[Finding]:
    """One finding per threshold, in the order of responder.yml."""
    out = []
    for reading in readings:
        verdict = judge(reading)
        threshold = reading.threshold
        check = f"metric:{threshold.kind}"
        link = graph_link(link_base, threshold.query, reading.at) if link_base else ""
        title = threshold.title
        limit = format_value(threshold.above, threshold.unit)
        if verdict.state == FAILED:
            out.append(Finding(STAGE, check, "warn", f"The {title.lower()} of {service} could not be read: "
                                                     f"{reading.problem}.", link=link))
            continue
        if verdict.state == NO_DATA:
            out.append(Finding(STAGE, check, "warn",
                               f"The {title.lower()} query of {service} gave no value at {_clock(reading.at)} (no "
                               "series, or no traffic to divide by), so it was not judged.", link=link))
            continue
        assert verdict.value is not None
        value = format_value(verdict.value, threshold.unit)
        where = f" in {_labels(verdict.labels)}" if verdict.labels else ""
        evidence = history_text(verdict)
        if reading.history_problem:
            evidence = f"The last hour could not be read: {reading.history_problem}"
        if verdict.breached:
            since = over_since(verdict)
            when = ""
            if since is not None and reading.at - since >= timedelta(minutes=1):
                minutes = round((reading.at - since) / timedelta(minutes=1))
                when = (f", and has been since {_clock(since)} ({minutes} min)" if since > reading.at - HISTORY
                        + timedelta(minutes=1) else ", and has been for the whole last hour")
            out.append(Finding(STAGE, check, "warn", f"{title} of {service} is {value}{where}, over its threshold of "
                                                     f"{limit}{when}: degraded.", evidence=evidence, link=link))
        else:
            out.append(Finding(STAGE, check, "ok", f"{title} of {service} is {value}{where}, within its threshold "
                                                   f"of {limit}.", link=link))
    return out


def _labels(labels: tuple[tuple[str, str], ...]) -> str:
    return "{" + ", ".join(f'{name}="{value}"' for name, value in labels) + "}"
