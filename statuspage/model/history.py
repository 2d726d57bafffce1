"""Per-service check history: 90 days of 5-minute slots, kept in the published site.

Each UTC day of a service is one string of 288 slot codes, stored
run-length encoded ("120o3x165o"), so 100 services x 90 days stay small and
parse fast. A slot holds the worst state any check saw in it. A slot nobody
checked stays "-": uptime is computed over checked slots only and the
coverage is reported beside it, so missing data is a gap, never "up".

Everything here is pure: the shell reads the previous file and writes the
new one.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from responder.adapters.inputs import parse_json
from responder.config.statuspage import SLOT_MINUTES
from responder.errors import InputError
from responder.model.timestamps import iso_utc as _iso

FORMAT_VERSION = 1
SLOTS_PER_DAY = 24 * 60 // SLOT_MINUTES

OK = "o"
DEGRADED = "d"
DOWN = "x"
MAINTENANCE = "m"
NO_DATA = "-"
CODES = (OK, DEGRADED, DOWN, MAINTENANCE, NO_DATA)
# A slot keeps the worst thing seen in it: an outage outranks everything.
_RANK = {NO_DATA: 0, OK: 1, MAINTENANCE: 2, DEGRADED: 3, DOWN: 4}
_EMPTY_DAY = NO_DATA * SLOTS_PER_DAY
_RUN = re.compile(r"(\d*)([odxm-])")
_SAME_RUN = re.compile(r"([odxm-])\1*")
_DAY_KEY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Below this share of a window holding data, a percentage would rest on a handful of checks (a first build's
# one check is 5 minutes of a 24-hour window): the page says "No data yet" rather than show a made-up 100%.
MIN_COVERAGE = 0.01

WINDOWS: tuple[tuple[str, timedelta], ...] = (
    ("24h", timedelta(hours=24)),
    ("7d", timedelta(days=7)),
    ("30d", timedelta(days=30)),
    ("90d", timedelta(days=90)),
)


@dataclass(frozen=True)
class Check:
    """One observation of one service."""

    service: str
    at: datetime
    code: str  # one of CODES except NO_DATA
    detail: str = ""
    latency_ms: float | None = None
    source: str = "probe"
    slots: int = 1  # 5-minute slots this check stands for: its own and the empty ones just before it


@dataclass(frozen=True)
class LastCheck:
    code: str
    at: str  # ISO 8601 UTC
    detail: str = ""
    latency_ms: float | None = None
    source: str = "probe"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "at": self.at, "source": self.source}
        if self.detail:
            out["detail"] = self.detail
        if self.latency_ms is not None:
            out["latency_ms"] = round(self.latency_ms, 1)
        return out


@dataclass(frozen=True)
class ServiceHistory:
    days: Mapping[str, str] = field(default_factory=dict)  # "YYYY-MM-DD" -> 288 slot codes
    last: LastCheck | None = None

    def day(self, day: date) -> str:
        return self.days.get(day.isoformat(), _EMPTY_DAY)


@dataclass(frozen=True)
class History:
    services: Mapping[str, ServiceHistory] = field(default_factory=dict)
    updated_at: str | None = None

    def of(self, service: str) -> ServiceHistory:
        return self.services.get(service) or ServiceHistory()


@dataclass(frozen=True)
class Uptime:
    percent: float | None  # None: no checked slot in the window
    coverage: float  # share of the window's slots that hold data, 0..1
    down_minutes: int = 0

    @property
    def known(self) -> float | None:
        """The percentage to show: None until MIN_COVERAGE of the window holds data."""
        return self.percent if self.percent is not None and self.coverage >= MIN_COVERAGE else None


@dataclass(frozen=True)
class Budget:
    """SLO error budget for the current calendar month."""

    slo: float
    allowed_minutes: float
    used_minutes: int
    coverage: float = 1.0  # share of the month so far that holds data, 0..1

    @property
    def known(self) -> bool:
        """Whether enough of the month holds data for what is left to mean anything (MIN_COVERAGE)."""
        return self.coverage >= MIN_COVERAGE

    @property
    def left_minutes(self) -> float:
        return self.allowed_minutes - self.used_minutes

    @property
    def left_percent(self) -> float:
        if self.allowed_minutes <= 0:
            return 0.0 if self.used_minutes else 100.0
        return 100.0 * self.left_minutes / self.allowed_minutes


@dataclass(frozen=True)
class DayStats:
    day: date
    counts: Mapping[str, int]

    @property
    def checked(self) -> int:
        return self.counts[OK] + self.counts[DEGRADED] + self.counts[DOWN]

    @property
    def uptime(self) -> float | None:
        if not self.checked:
            return None
        return 100.0 * (self.counts[OK] + self.counts[DEGRADED]) / self.checked

    @property
    def has_data(self) -> bool:
        return self.counts[NO_DATA] < SLOTS_PER_DAY


# ---------------------------------------------------------------- recording


def slot_of(moment: datetime) -> tuple[date, int]:
    moment = moment.astimezone(UTC)
    return moment.date(), (moment.hour * 60 + moment.minute) // SLOT_MINUTES


def record(history: History, checks: Iterable[Check], now: datetime, keep_days: int) -> History:
    """The history with these checks added and days older than keep_days dropped."""
    services = {name: dict(item.days) for name, item in history.services.items()}
    last = {name: item.last for name, item in history.services.items()}
    for check in sorted(checks, key=lambda c: c.at):
        if check.code not in _RANK or check.code == NO_DATA:
            continue
        days = services.setdefault(check.service, {})
        start = check.at.astimezone(UTC)
        for step in range(max(1, check.slots)):
            # The check's own slot keeps the worst state seen; with a check interval longer than a
            # slot, the check also stands for the empty slots just before it (the time since the
            # previous check), but never overrides a slot that holds an observation.
            day, index = slot_of(start - timedelta(minutes=SLOT_MINUTES * step))
            key = day.isoformat()
            text = days.get(key, _EMPTY_DAY)
            current = text[index]
            if step == 0:
                new = check.code if _RANK[check.code] >= _RANK[current] else current
            else:
                new = check.code if current == NO_DATA else current
            if new != current:
                days[key] = text[:index] + new + text[index + 1:]
        previous = last.get(check.service)
        stamp = _iso(check.at)
        if previous is None or previous.at <= stamp:
            last[check.service] = LastCheck(check.code, stamp, check.detail, check.latency_ms, check.source)
    oldest = (now.astimezone(UTC).date() - timedelta(days=keep_days - 1)).isoformat()
    kept = {
        name: ServiceHistory({k: v for k, v in days.items() if k >= oldest}, last.get(name))
        for name, days in services.items()
    }
    for name, previous_last in last.items():
        if name not in kept:
            kept[name] = ServiceHistory({}, previous_last)
    return replace(history, services=kept, updated_at=_iso(now))


def forget_other_services(history: History, names: Iterable[str]) -> History:
    """Drop services that left the catalogue, so renamed services do not linger."""
    wanted = set(names)
    return replace(history, services={k: v for k, v in history.services.items() if k in wanted})


# ---------------------------------------------------------------- reading the numbers


def day_stats(item: ServiceHistory, day: date, until_slot: int = SLOTS_PER_DAY) -> DayStats:
    text = item.day(day)[:until_slot]
    counts = {code: text.count(code) for code in CODES}
    counts[NO_DATA] += SLOTS_PER_DAY - len(text) if until_slot < SLOTS_PER_DAY else 0
    return DayStats(day, counts)


def _window_counts(item: ServiceHistory, start: datetime, end: datetime) -> dict[str, int]:
    counts = dict.fromkeys(CODES, 0)
    start_day, start_slot = slot_of(start)
    end_day, end_slot = slot_of(end)
    day = start_day
    while day <= end_day:
        key = day.isoformat()
        text = item.days.get(key)
        lo = start_slot if day == start_day else 0
        hi = end_slot + 1 if day == end_day else SLOTS_PER_DAY
        if text is None:
            counts[NO_DATA] += hi - lo
        else:
            part = text[lo:hi] if (lo, hi) != (0, SLOTS_PER_DAY) else text
            for code in CODES:
                counts[code] += part.count(code)
        day += timedelta(days=1)
    return counts


def uptime(item: ServiceHistory, now: datetime, window: timedelta) -> Uptime:
    counts = _window_counts(item, now - window + timedelta(minutes=SLOT_MINUTES), now)
    total = sum(counts.values())
    checked = counts[OK] + counts[DEGRADED] + counts[DOWN]
    measured = checked + counts[MAINTENANCE]
    coverage = measured / total if total else 0.0
    if not checked:
        return Uptime(None, coverage)
    percent = 100.0 * (counts[OK] + counts[DEGRADED]) / checked
    return Uptime(percent, coverage, counts[DOWN] * SLOT_MINUTES)


def month_budget(item: ServiceHistory, now: datetime, slo: float) -> Budget:
    """Error budget of the calendar month: (100 - SLO)% of the month's minutes, minus downtime so far."""
    now = now.astimezone(UTC)
    start = datetime(now.year, now.month, 1, tzinfo=UTC)
    days_in_month = calendar.monthrange(now.year, now.month)[1]
    allowed = (100.0 - slo) / 100.0 * days_in_month * 24 * 60
    counts = _window_counts(item, start, now)
    total = sum(counts.values())
    coverage = (total - counts[NO_DATA]) / total if total else 0.0
    return Budget(slo, allowed, counts[DOWN] * SLOT_MINUTES, coverage)


# ---------------------------------------------------------------- the file


def to_json(history: History) -> dict[str, Any]:
    services: dict[str, Any] = {}
    for name in sorted(history.services):
        item = history.services[name]
        entry: dict[str, Any] = {"days": {k: encode_day(v) for k, v in sorted(item.days.items())}}
        if item.last is not None:
            entry["last"] = item.last.to_json()
        services[name] = entry
    return {"version": FORMAT_VERSION, "slot_minutes": SLOT_MINUTES, "updated_at": history.updated_at,
            "services": services}


def dumps(history: History) -> str:
    return json.dumps(to_json(history), separators=(",", ":"), ensure_ascii=True)


def encode_day(text: str) -> str:
    return _SAME_RUN.sub(_encode_run, text)


def _encode_run(match: re.Match[str]) -> str:
    run = match.group(0)
    return f"{len(run)}{run[0]}" if len(run) > 1 else run


def decode_day(encoded: str) -> str | None:
    """The 288 slot codes, or None when the text is not a valid encoded day."""
    parts = []
    position = 0
    for match in _RUN.finditer(encoded):
        if match.start() != position:
            return None
        position = match.end()
        count = int(match.group(1)) if match.group(1) else 1
        if count > SLOTS_PER_DAY:
            return None
        parts.append(match.group(2) * count)
    if position != len(encoded):
        return None
    text = "".join(parts)
    return text if len(text) == SLOTS_PER_DAY else None


def from_json(raw: Any, origin: str) -> History:
    """Read a history file; raises InputError naming what is wrong."""
    if not isinstance(raw, Mapping) or raw.get("version") != FORMAT_VERSION:
        raise InputError(f"{origin}: not a status page history file (expected version {FORMAT_VERSION})",
                         hint="Pass --previous none to start a new history.")
    if raw.get("slot_minutes") != SLOT_MINUTES:
        raise InputError(f"{origin}: slot_minutes must be {SLOT_MINUTES}")
    services_raw = raw.get("services")
    if not isinstance(services_raw, Mapping):
        raise InputError(f"{origin}: 'services' must be a mapping")
    services: dict[str, ServiceHistory] = {}
    for name, entry in services_raw.items():
        if not isinstance(entry, Mapping) or not isinstance(entry.get("days", {}), Mapping):
            raise InputError(f"{origin}: services.{name}: expected a mapping with 'days'")
        days: dict[str, str] = {}
        for key, encoded in (entry.get("days") or {}).items():
            decoded = decode_day(encoded) if isinstance(encoded, str) and _DAY_KEY.match(str(key)) else None
            if decoded is None:
                raise InputError(f"{origin}: services.{name}.days.{key}: not a valid day of {SLOTS_PER_DAY} slots")
            days[str(key)] = decoded
        services[str(name)] = ServiceHistory(days, _last_from_json(entry.get("last")))
    updated = raw.get("updated_at")
    return History(services, updated if isinstance(updated, str) else None)


def loads(text: str, origin: str) -> History:
    return from_json(parse_json(text, origin), origin)


def _last_from_json(raw: Any) -> LastCheck | None:
    if not isinstance(raw, Mapping) or raw.get("code") not in _RANK or not isinstance(raw.get("at"), str):
        return None
    latency = raw.get("latency_ms")
    return LastCheck(
        code=str(raw["code"]),
        at=str(raw["at"]),
        detail=str(raw.get("detail") or "")[:300],
        latency_ms=float(latency) if isinstance(latency, int | float) else None,
        source=str(raw.get("source") or "probe")[:40],
    )
