"""Uptime Kuma: monitor results from a published status page's public JSON.

`GET <url>/api/status-page/<slug>` lists the public monitors by group, and
`GET <url>/api/status-page/heartbeat/<slug>` has each monitor's recent
heartbeats (status 0 down, 1 up, 2 pending, 3 maintenance). Kuma usually
runs inside the cluster: when it cannot be reached the page is still built,
from the probes alone, with a note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from responder.config.loader import Config
from responder.config.statuspage import KumaSource
from responder.model.timestamps import parse_utc
from statuspage.model import history
from statuspage.model.history import Check

_STATUS_CODES = {0: history.DOWN, 1: history.OK, 2: history.DEGRADED, 3: history.MAINTENANCE}
_STATUS_WORDS = {0: "down", 1: "up", 2: "pending", 3: "maintenance"}
MAX_BEATS = 500  # per monitor; Kuma sends at most 100


@dataclass(frozen=True)
class KumaResult:
    checks: tuple[Check, ...]
    warnings: tuple[str, ...] = ()


def monitor_map(page: Any, source: KumaSource, config: Config) -> dict[str, str]:
    """Kuma monitor id -> service name, by the configured names or else by service name or title."""
    by_key = {s.name.casefold(): s.name for s in config.services}
    by_key.update({s.title.casefold(): s.name for s in config.services})
    explicit = {name.casefold(): service for name, service in source.monitors.items()}
    found: dict[str, str] = {}
    groups = page.get("publicGroupList") if isinstance(page, Mapping) else None
    for group in groups if isinstance(groups, list) else ():
        monitors = group.get("monitorList") if isinstance(group, Mapping) else None
        for monitor in monitors if isinstance(monitors, list) else ():
            if not isinstance(monitor, Mapping) or "id" not in monitor:
                continue
            name = str(monitor.get("name") or "").strip().casefold()
            service = explicit.get(name) if source.monitors else by_key.get(name)
            if service:
                found[str(monitor["id"])] = service
    return found


def parse_time(value: Any) -> datetime | None:
    """Kuma 1.x sends "2026-11-23 14:05:00.123" (UTC); 2.x may send ISO 8601."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace(" ", "T", 1) if "T" not in value else value.strip()
    return parse_utc(text)


def checks_from(page: Any, beats: Any, source: KumaSource, config: Config) -> KumaResult:
    """Pure: the two JSON answers -> one Check per heartbeat of a mapped monitor."""
    mapping = monitor_map(page, source, config)
    heartbeat_list = beats.get("heartbeatList") if isinstance(beats, Mapping) else None
    if not isinstance(heartbeat_list, Mapping):
        return KumaResult((), (f"Uptime Kuma {source.slug}: the heartbeat answer has no heartbeatList",))
    checks: list[Check] = []
    for monitor_id, service in mapping.items():
        items = heartbeat_list.get(monitor_id)
        for beat in (items if isinstance(items, list) else ())[-MAX_BEATS:]:
            if not isinstance(beat, Mapping):
                continue  # Kuma 2.x sends 0 for an empty bucket
            status = beat.get("status")
            at = parse_time(beat.get("time"))
            if status not in _STATUS_CODES or at is None:
                continue
            ping = beat.get("ping")
            checks.append(Check(
                service=service, at=at, code=_STATUS_CODES[status],
                detail=f"Uptime Kuma: {_STATUS_WORDS[status]}",
                latency_ms=float(ping) if isinstance(ping, int | float) else None,
                source="uptime-kuma",
            ))
    return KumaResult(tuple(checks))


def fetch(source: KumaSource, config: Config) -> KumaResult:
    """Both answers over HTTP; any failure becomes a warning, never an error."""
    from responder.adapters.http import HttpUnavailable, get_json

    base = f"{source.url}/api/status-page"
    try:
        page = get_json(f"{base}/{source.slug}", source.timeout)
        beats = get_json(f"{base}/heartbeat/{source.slug}", source.timeout)
    except HttpUnavailable as exc:
        return KumaResult((), (f"Uptime Kuma {source.slug} could not be read ({exc.reason}); "
                               "the page uses its own probes only",))
    return checks_from(page, beats, source, config)


def newest(checks: tuple[Check, ...]) -> dict[str, Check]:
    latest: dict[str, Check] = {}
    for check in checks:
        if check.service not in latest or latest[check.service].at < check.at:
            latest[check.service] = check
    return latest

