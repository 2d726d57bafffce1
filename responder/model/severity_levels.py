"""The four severity levels and what each one obliges the team to do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import Enum


class Severity(Enum):
    SEV1 = 1
    SEV2 = 2
    SEV3 = 3
    SEV4 = 4

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.strip().upper()]

    @property
    def label_role(self) -> str:
        return f"sev{self.value}"

    @property
    def needs_postmortem(self) -> bool:
        return self.value <= 2

    def raised(self, steps: int = 1) -> Severity:
        """One level more serious (SEV1 stays SEV1)."""
        return Severity(max(1, self.value - steps))

    def is_higher_than(self, other: Severity) -> bool:
        return self.value < other.value

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Targets:
    """How soon a trusted person must acknowledge an incident of one level, and how often it is updated.

    `respond` None means "by the end of the next business day" (Monday to Friday, in UTC): a SEV4
    reported on Friday evening waits for Monday, not for Saturday.
    """

    respond: timedelta | None
    update: timedelta

    def respond_deadline(self, started: datetime, window: int = 1) -> datetime:
        """When the `window`-th response window after `started` ends (1: the response target itself)."""
        if self.respond is not None:
            return started + window * self.respond
        day = started.astimezone(UTC).date()
        passed = 0
        while passed < window:
            day += timedelta(days=1)
            if day.weekday() < 5:
                passed += 1
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)

    def windows_missed(self, started: datetime, now: datetime) -> int:
        """How many response windows have ended by `now` (0: the target is not missed yet)."""
        if self.respond is not None:
            return max(0, int((now - started) / self.respond))
        missed = 0
        while self.respond_deadline(started, missed + 1) <= now:
            missed += 1
        return missed


# The incident-response framework's table: respond within / update every. responder.yml can change
# each (escalation.targets); this is the one place the defaults live.
DEFAULT_TARGETS: dict[Severity, Targets] = {
    Severity.SEV1: Targets(timedelta(minutes=5), timedelta(minutes=15)),
    Severity.SEV2: Targets(timedelta(minutes=15), timedelta(minutes=30)),
    Severity.SEV3: Targets(timedelta(hours=1), timedelta(hours=2)),
    Severity.SEV4: Targets(None, timedelta(days=1)),
}
