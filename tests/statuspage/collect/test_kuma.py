"""Uptime Kuma's public status page JSON as an extra source of checks."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from responder.config.loader import Config
from responder.config.statuspage import KumaSource
from statuspage.collect import kuma
from tests.conftest import FIXTURES
from tests.support.http_services import closed_port_url, serving

PAGE = json.loads((FIXTURES / "uptime-kuma" / "status-page.json").read_text())
BEATS = json.loads((FIXTURES / "uptime-kuma" / "heartbeat.json").read_text())
SOURCE = KumaSource(url="https://uptime.acme-homelab.org", slug="homelab")


def test_monitors_match_services_by_name_or_title(example_config: Config) -> None:
    assert kuma.monitor_map(PAGE, SOURCE, example_config) == {"3": "nextcloud", "4": "mail"}


def test_an_explicit_mapping_replaces_the_guess(example_config: Config) -> None:
    source = replace(SOURCE, monitors={"Technitium DNS": "dns"})
    assert kuma.monitor_map(PAGE, source, example_config) == {"9": "dns"}


def test_heartbeats_become_checks(example_config: Config) -> None:
    result = kuma.checks_from(PAGE, BEATS, SOURCE, example_config)
    assert [(c.service, c.at.strftime("%H:%M:%S"), c.code, c.latency_ms) for c in result.checks] == [
        ("nextcloud", "14:50:00", "o", 87.0),
        ("nextcloud", "14:55:00", "x", None),
        ("nextcloud", "14:58:00", "x", None),
        ("mail", "14:57:30", "d", 12.0),  # pending: Kuma is retrying
    ]
    assert result.checks[0].at.tzinfo == UTC and result.checks[0].source == "uptime-kuma"


def test_kuma_2_times_and_maintenance_are_understood(example_config: Config) -> None:
    source = replace(SOURCE, monitors={"Technitium DNS": "dns"})
    (check,) = kuma.checks_from(PAGE, BEATS, source, example_config).checks
    assert (check.code, check.at) == ("m", datetime(2026, 11, 23, 14, 58, tzinfo=UTC))


def test_an_odd_answer_is_a_warning(example_config: Config) -> None:
    result = kuma.checks_from(PAGE, {"error": "Status Page Not Found"}, SOURCE, example_config)
    assert result.checks == () and "no heartbeatList" in result.warnings[0]


def test_fetching_over_http(example_config: Config) -> None:
    with serving() as services:
        services.add("/api/status-page/homelab", body=json.dumps(PAGE))
        services.add("/api/status-page/heartbeat/homelab", body=json.dumps(BEATS))
        result = kuma.fetch(replace(SOURCE, url=services.base), example_config)
    assert len(result.checks) == 4 and result.warnings == ()


def test_an_unreachable_kuma_does_not_stop_the_page(example_config: Config) -> None:
    result = kuma.fetch(replace(SOURCE, url=closed_port_url().rstrip("/"), timeout=2), example_config)
    assert result.checks == ()
    assert "could not be read (ConnectionError); the page uses its own probes only" in result.warnings[0]
