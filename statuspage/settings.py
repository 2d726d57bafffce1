"""The `statuspage` section of responder.yml as a typed, frozen model.

The JSON Schema (responder/schema/responder.schema.json) has already checked
shapes and ranges when this runs; here the raw mapping becomes values with
defaults filled in, and the few rules a schema cannot say are checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from responder.config.loader import Config
from responder.errors import ConfigError

SLOT_MINUTES = 5  # resolution of the check history
DEFAULT_ASSOCIATIONS = ("OWNER", "MEMBER", "COLLABORATOR")


@dataclass(frozen=True)
class KumaSource:
    """A published Uptime Kuma status page whose monitors join the probes."""

    url: str
    slug: str
    monitors: Mapping[str, str] = field(default_factory=dict)  # Kuma monitor name -> service name
    timeout: float = 10.0


@dataclass(frozen=True)
class MaintenanceSettings:
    announce_days: int = 30
    form: str = "maintenance.yml"


@dataclass(frozen=True)
class StatusPageSettings:
    url: str | None = None
    title: str = "Service status"
    description: str = ""
    report_url: str | None = None
    history_days: int = 90
    check_interval_minutes: int = SLOT_MINUTES
    stale_after_minutes: int = 15
    resolved_days: int = 7
    feed_entries: int = 50
    previous: str = "auto"
    branch: str = "gh-pages"
    postmortems_dir: str = "site/build"
    status_comment_prefix: str = "/status"
    trusted_associations: tuple[str, ...] = DEFAULT_ASSOCIATIONS
    maintenance: MaintenanceSettings = MaintenanceSettings()
    sources: tuple[KumaSource, ...] = ()

    @property
    def slots_per_check(self) -> int:
        """How many 5-minute slots one check stands for."""
        return max(1, -(-self.check_interval_minutes // SLOT_MINUTES))


def settings_from(config: Config) -> StatusPageSettings:
    """Read the statuspage section. Raises ConfigError listing every problem."""
    raw: Mapping[str, Any] = config.section("statuspage")
    maintenance_raw = raw.get("maintenance") or {}
    sources = tuple(
        KumaSource(
            url=str(item["url"]).rstrip("/"),
            slug=str(item["slug"]),
            monitors={str(k): str(v) for k, v in (item.get("monitors") or {}).items()},
            timeout=float(item.get("timeout_seconds", 10)),
        )
        for item in raw.get("sources") or ()
    )
    problems = []
    names = {service.name for service in config.services}
    for index, source in enumerate(sources):
        for monitor, service in source.monitors.items():
            if service not in names:
                problems.append(f"{config.path}: statuspage.sources[{index}].monitors.{monitor}: "
                                f"unknown service '{service}'")
    if problems:
        raise ConfigError(f"{config.path} is invalid ({len(problems)} problem{'s' if len(problems) > 1 else ''}):",
                          problems=tuple(problems))
    report_url = raw.get("report_url")
    if report_url is None and config.repository:
        report_url = f"https://github.com/{config.repository}/issues/new?template=outage-report.yml"
    return StatusPageSettings(
        url=config.statuspage_url,
        title=str(raw.get("title", StatusPageSettings.title)),
        description=str(raw.get("description", "")),
        report_url=report_url,
        history_days=int(raw.get("history_days", 90)),
        check_interval_minutes=int(raw.get("check_interval_minutes", SLOT_MINUTES)),
        stale_after_minutes=int(raw.get("stale_after_minutes", 15)),
        resolved_days=int(raw.get("resolved_days", 7)),
        feed_entries=int(raw.get("feed_entries", 50)),
        previous=str(raw.get("previous", "auto")),
        branch=str(raw.get("branch", "gh-pages")),
        postmortems_dir=str(raw.get("postmortems_dir", "site/build")),
        status_comment_prefix=str(raw.get("status_comment_prefix", "/status")),
        trusted_associations=tuple(raw.get("trusted_associations") or DEFAULT_ASSOCIATIONS),
        maintenance=MaintenanceSettings(
            announce_days=int(maintenance_raw.get("announce_days", 30)),
            form=str(maintenance_raw.get("form", "maintenance.yml")),
        ),
        sources=sources,
    )
