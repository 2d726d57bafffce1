"""The `escalation` section of responder.yml: who is called, in which order, and how fast.

    escalation:
      assignees: [vbarzin]                  # assigned when the responder escalates to a person
      tiers: [[oncall-ana], [lead-bo], [head-of-eng-cy]]
      targets:
        SEV1: {respond: 5m, update: 15m}
        SEV4: {respond: next-business-day, update: 1d}

Pure: the schema already checked the shapes; here the defaults (the incident-response
framework's table, model/severity_levels.DEFAULT_TARGETS) are applied once. The logins named
here and the services' owners are the only people the responder's own text may @-mention.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from responder.model.severity_levels import DEFAULT_TARGETS, Severity, Targets

NEXT_BUSINESS_DAY = "next-business-day"
_DURATION = re.compile(r"^(?P<count>[1-9][0-9]{0,5})(?P<unit>[mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


@dataclass(frozen=True)
class EscalationSettings:
    assignees: tuple[str, ...] = ()
    # Who is called, in order: the first tier on triage, the next one per missed response window.
    tiers: tuple[tuple[str, ...], ...] = ()
    targets: Mapping[Severity, Targets] = field(default_factory=lambda: dict(DEFAULT_TARGETS))

    def target(self, level: Severity) -> Targets:
        return self.targets.get(level) or DEFAULT_TARGETS[level]

    def tier(self, index: int) -> tuple[str, ...]:
        """The members of tier `index` (0: the first), the last tier once the list runs out; () without tiers."""
        if not self.tiers:
            return ()
        return self.tiers[min(index, len(self.tiers) - 1)]


def parse_duration(text: str) -> timedelta:
    """`5m`, `2h`, `1d` -> a timedelta; ValueError for anything else."""
    found = _DURATION.match(text.strip())
    if not found:
        raise ValueError(f"{text!r} is not a duration such as 5m, 2h or 1d")
    return timedelta(**{_UNITS[found["unit"]]: int(found["count"])})


def build_escalation(section: Mapping[str, Any]) -> EscalationSettings:
    """From the (schema-validated) `escalation` mapping; empty: no tiers and the default targets."""
    targets = dict(DEFAULT_TARGETS)
    for name, spec in (section.get("targets") or {}).items():
        level = Severity.parse(name)
        default = DEFAULT_TARGETS[level]
        respond_text = spec.get("respond")
        if respond_text is None:
            respond = default.respond
        else:
            respond = None if respond_text == NEXT_BUSINESS_DAY else parse_duration(respond_text)
        update = parse_duration(spec["update"]) if spec.get("update") else default.update
        targets[level] = Targets(respond, update)
    return EscalationSettings(
        assignees=tuple(section.get("assignees") or ()),
        tiers=tuple(tuple(tier) for tier in section.get("tiers") or ()),
        targets=targets,
    )


def semantic_problems(raw: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    """What the schema cannot say, as (key path, message) pairs: a login in two tiers would be
    "escalated to" a second time, which tells nobody new."""
    section = raw.get("escalation") or {}
    seen: dict[str, int] = {}
    for index, tier in enumerate(section.get("tiers") or ()):
        for login in tier:
            if login.casefold() in seen:
                yield f"escalation.tiers[{index}]", f"{login} is already in tiers[{seen[login.casefold()]}]"
            seen.setdefault(login.casefold(), index)
