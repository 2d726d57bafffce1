"""The four severity levels and what each one obliges the team to do."""

from __future__ import annotations

from datetime import timedelta
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

    @property
    def update_cadence(self) -> timedelta:
        return _CADENCE[self]

    def raised(self, steps: int = 1) -> Severity:
        """One level more serious (SEV1 stays SEV1)."""
        return Severity(max(1, self.value - steps))

    def is_higher_than(self, other: Severity) -> bool:
        return self.value < other.value

    def __str__(self) -> str:
        return self.name


_CADENCE = {
    Severity.SEV1: timedelta(minutes=15),
    Severity.SEV2: timedelta(minutes=30),
    Severity.SEV3: timedelta(hours=2),
    Severity.SEV4: timedelta(days=1),
}
