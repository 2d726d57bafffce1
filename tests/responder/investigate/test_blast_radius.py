"""Blast radius: which services are down, and whether one dependency explains it."""

from __future__ import annotations

import pytest

from responder.config.loader import Config
from responder.investigate.blast_radius import assess, dependents
from responder.model.probes import ProbeResult


def probes(config: Config, down: tuple[str, ...] = (), degraded: tuple[str, ...] = ()) -> list[ProbeResult]:
    out = []
    for service in config.services:
        state = "down" if service.name in down else "degraded" if service.name in degraded else "ok"
        out.append(ProbeResult(service.name, service.url or "", state, "HTTP 502" if state == "down" else "HTTP 200",
                               502 if state == "down" else 200, 10.0, 1, "2026-11-23T14:10:00Z"))
    return out


@pytest.mark.parametrize(("down", "reported", "roots", "shared", "unrelated", "dependencies_down"), [
    ((), "nextcloud", (), None, (), ()),
    (("nextcloud",), "nextcloud", ("nextcloud",), None, (), ()),
    # DNS takes traefik and mail with it: one root explains them all.
    (("dns", "traefik", "mail"), "mail", ("dns",), "dns", (), ("dns",)),
    # postgres is down and nextcloud, which needs it, too.
    (("postgres", "nextcloud"), "nextcloud", ("postgres",), "postgres", (), ("postgres",)),
    # Two failures that share nothing: several unrelated systems.
    (("nextcloud", "woodpecker"), "nextcloud", ("nextcloud", "woodpecker"), None, ("nextcloud", "woodpecker"), ()),
])
def test_roots_and_shared_causes(example_config: Config, down: tuple[str, ...], reported: str,
                                 roots: tuple[str, ...], shared: str | None, unrelated: tuple[str, ...],
                                 dependencies_down: tuple[str, ...]) -> None:
    blast = assess(example_config.services, probes(example_config, down), reported)
    assert blast.down == tuple(s.name for s in example_config.services if s.name in down)
    assert blast.roots == roots
    assert blast.shared_cause == shared
    assert blast.unrelated == unrelated
    assert blast.reported_dependencies_down == dependencies_down


def test_degraded_services_are_listed_apart(example_config: Config) -> None:
    blast = assess(example_config.services, probes(example_config, degraded=("grafana",)), "grafana")
    assert blast.down == () and blast.degraded == ("grafana",)


def test_what_depends_on_dns(example_config: Config) -> None:
    graph = {s.name: s.depends_on for s in example_config.services}
    assert dependents(graph, "dns") == {s.name for s in example_config.services} - {"dns", "postgres"}
