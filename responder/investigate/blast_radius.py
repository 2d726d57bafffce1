"""Blast radius: which services are down, and does a shared dependency explain it?

Pure: the catalogue (with `depends_on`) and the probe results in, a
BlastRadius out. A down service whose own dependencies all answer is a
*root* failure. One root explains the rest; two or more roots mean several
unrelated systems are failing at once, which always goes to a person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from responder.config.loader import Service
from responder.model.probes import DEGRADED, DOWN, ProbeResult


@dataclass(frozen=True)
class BlastRadius:
    reported: str | None
    probed: tuple[str, ...]
    down: tuple[str, ...]  # catalogue order
    degraded: tuple[str, ...]
    roots: tuple[str, ...]  # down services none of whose dependencies is down
    reported_dependencies_down: tuple[str, ...]  # down services the reported one needs (directly or not)

    @property
    def shared_cause(self) -> str | None:
        """The one down service that explains every other failure, if there is one."""
        if len(self.roots) == 1 and len(self.down) > 1:
            return self.roots[0]
        if self.reported_dependencies_down and len(self.roots) == 1:
            return self.roots[0]
        return None

    @property
    def unrelated(self) -> tuple[str, ...]:
        """Root failures with no common cause: several systems failing independently."""
        return self.roots if len(self.roots) >= 2 else ()

    def to_json(self) -> dict[str, object]:
        return {"down": list(self.down), "degraded": list(self.degraded), "roots": list(self.roots),
                "shared_cause": self.shared_cause,
                "reported_dependencies_down": list(self.reported_dependencies_down)}


def assess(services: Sequence[Service], probes: Iterable[ProbeResult], reported: str | None) -> BlastRadius:
    states = {probe.service: probe.state for probe in probes}
    graph = {service.name: service.depends_on for service in services}
    down = tuple(s.name for s in services if states.get(s.name) == DOWN)
    degraded = tuple(s.name for s in services if states.get(s.name) == DEGRADED)
    down_set = set(down)
    roots = tuple(name for name in down if not (dependencies(graph, name) & down_set))
    reported_deps = tuple(name for name in down if reported and name in dependencies(graph, reported))
    return BlastRadius(reported, tuple(s.name for s in services if s.name in states), down, degraded, roots,
                       reported_deps)


def dependencies(graph: Mapping[str, Sequence[str]], name: str) -> set[str]:
    """Everything `name` depends on, directly or through others (the config forbids cycles)."""
    seen: set[str] = set()
    stack = list(graph.get(name, ()))
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        stack.extend(graph.get(current, ()))
    return seen


def dependents(graph: Mapping[str, Sequence[str]], name: str) -> set[str]:
    """Every service that needs `name`, directly or not."""
    return {other for other in graph if name in dependencies(graph, other)}
