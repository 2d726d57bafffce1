"""What Prometheus answered for a query (the prometheus adapter makes these)."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Sample:
    """One series' value at one moment. NaN when the expression divided nothing by nothing (no traffic)."""

    labels: tuple[tuple[str, str], ...]  # sorted (name, value) pairs
    value: float

    @property
    def known(self) -> bool:
        return not math.isnan(self.value)


@dataclass(frozen=True)
class Series:
    """One series over a range: (unix seconds, value) points, oldest first."""

    labels: tuple[tuple[str, str], ...]
    points: tuple[tuple[float, float], ...]
