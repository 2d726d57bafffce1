"""The example catalogue pointed at real loopback services, for end-to-end tests of the outage path."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import responses
import yaml

from tests.conftest import EXAMPLE_CONFIG
from tests.support.http_services import Services, serving


@contextmanager
def stand_ins() -> Iterator[tuple[Services, responses.RequestsMock]]:
    """Real loopback services for the probes; GitHub and Kubernetes answered by `responses` (loopback passes)."""
    with serving() as services, responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add_passthru("http://127.0.0.1")
        yield services, rsps

# What a healthy answer of each example service contains (matches examples/responder.yml `expect`).
HEALTHY_BODY = {
    "dns": "{}", "traefik": "OK", "authentik": "", "postgres": "ok", "nextcloud": '{"installed":true}',
    "immich": "pong", "mail": "ok", "home-assistant": "{}", "grafana": '{"database": "ok"}', "woodpecker": "ok",
    "uptime-kuma": "ok",
}


def loopback_config(tmp_path: Path, services: Services, routes: Mapping[str, Mapping[str, Any]] | None = None, *,
                    timeout: float = 1.0, investigation: Mapping[str, Any] | None = None,
                    assignees: tuple[str, ...] = ("vbarzin",)) -> Path:
    """examples/responder.yml with every URL on `services`, healthy unless `routes` says otherwise."""
    raw = yaml.safe_load(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    routes = routes or {}
    for service in raw["services"]:
        name = service["name"]
        route = {"status": 200, "body": HEALTHY_BODY.get(name, "ok"), **routes.get(name, {})}
        service["url"] = services.add(f"/{name}/health", **route)
        service.setdefault("expect", {})["timeout_seconds"] = timeout
    raw["escalation"] = {"assignees": list(assignees)}
    raw["investigation"] = {"recovery": {"timeout_seconds": 1, "interval_seconds": 0.1},
                            **(investigation or {})}
    path = tmp_path / "responder.yml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path
