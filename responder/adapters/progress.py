"""Progress of a long run, on stderr: one line per stage with what it counted and how long it took.

`statuspage build` over 10,000 incidents, a sweep or a watch round over 50 services: a person watching
a CI log sees each stage finish ("probed 50 services in 5.2 s") instead of minutes of silence. The lines
go through logging (stderr, at INFO), so `--quiet`-style log levels and the redactor apply to them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class Stage:
    """What a stage reports when it ends: fill `count` in when it is known only at the end."""

    done: str  # past tense: "probed", "read", "rendered"
    unit: str  # plural noun: "services", "issues", "files"
    count: int | None = None

    def line(self, seconds: float) -> str:
        counted = f" {self.count:,} {self.unit}" if self.count is not None else f" the {self.unit}"
        return f"{self.done}{counted} in {seconds:.1f} s"


@contextmanager
def stage(log: logging.Logger, done: str, unit: str, count: int | None = None,
          clock: Callable[[], float] = time.monotonic) -> Iterator[Stage]:
    """`with stage(log, "probed", "services", len(targets)):` logs one line when the block ends."""
    current = Stage(done, unit, count)
    started = clock()
    yield current
    log.info("%s", current.line(clock() - started))
