"""The `detection:` section of responder.yml, as a typed frozen model: how `responder watch` decides.

The JSON Schema has already checked shapes and types when the config is
loaded; this module applies the defaults and the rules a schema cannot say
(service names that must exist). The loaded config holds the result as
`config.detection`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any

DEFAULT_CONFIRM_PROBES = 3
DEFAULT_CONFIRM_INTERVAL = 10.0
DEFAULT_RECOVER_AFTER_RUNS = 1


@dataclass(frozen=True)
class DetectionSettings:
    enabled: bool = True
    # A service counts as down only when every one of this many checks fails (the round's own check is the
    # first), each `confirm_interval` seconds after the one before: one blip never opens an incident.
    confirm_probes: int = DEFAULT_CONFIRM_PROBES
    confirm_interval: float = DEFAULT_CONFIRM_INTERVAL
    # Rounds in a row a service must answer before its auto-detected incident is resolved.
    recover_after_runs: int = DEFAULT_RECOVER_AFTER_RUNS
    exclude: tuple[str, ...] = ()  # services the watch never opens an incident for

    def confirmation_window(self, timeout: float) -> float:
        """The longest a confirmation takes for a check with this timeout: the checks after the first wait
        for the interval, or for the check before them to give up, whichever is later."""
        return timeout + (self.confirm_probes - 1) * max(self.confirm_interval, timeout)


def build_detection(section: Mapping[str, Any]) -> DetectionSettings:
    confirm = section.get("confirm") or {}
    return DetectionSettings(
        enabled=bool(section.get("enabled", True)),
        confirm_probes=int(confirm.get("probes", DEFAULT_CONFIRM_PROBES)),
        confirm_interval=float(confirm.get("interval_seconds", DEFAULT_CONFIRM_INTERVAL)),
        recover_after_runs=int(section.get("recover_after_runs", DEFAULT_RECOVER_AFTER_RUNS)),
        exclude=tuple(section.get("exclude") or ()),
    )


def semantic_problems(raw: Mapping[str, Any], service_names: Iterable[str]) -> Iterable[tuple[str, str]]:
    """Problems a schema cannot see, as (key path, message) pairs."""
    names = list(service_names)
    section = raw.get("detection") or {}
    for index, name in enumerate(section.get("exclude") or ()):
        if name not in names:
            guess = get_close_matches(name, names, n=1)
            hint = f" (did you mean '{guess[0]}'?)" if guess else ""
            yield f"detection.exclude[{index}]", f"unknown service '{name}'{hint}"
