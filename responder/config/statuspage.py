"""The `statuspage` section of responder.yml as a typed, frozen model.

The JSON Schema has already checked shapes and ranges when this runs; here the raw mapping
becomes values with defaults filled in, and `semantic_problems` checks the one rule a schema
cannot say (a Kuma monitor maps to a service that exists), so `responder check-config` refuses
what `statuspage build` would.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from difflib import get_close_matches
from typing import Any

SLOT_MINUTES = 5  # resolution of the check history
DEFAULT_ASSOCIATIONS = ("OWNER", "MEMBER", "COLLABORATOR")
REPORT_FORM = "outage-report.yml"
# The public titles of the service groups: tiers are the team's words, and a visitor reads these instead.
DEFAULT_GROUPS: Mapping[str, str] = {
    "core": "Infrastructure",
    "critical": "Main services",
    "standard": "Applications",
    "low": "Other services",
}


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
    report_url: str | None = None  # as configured; see report_link for the default
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
    groups: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_GROUPS))  # tier -> public title

    def may_vouch_for(self, login: str, association: str, bot_login: str) -> bool:
        """Whether an author's maintenance window, `/status` update or report text may count, before their
        permission is checked: never the responder's own account (other workflows post under it), and only
        the author_associations `trusted_associations` names."""
        return bool(login) and login != bot_login and association.upper() in self.trusted_associations

    @property
    def slots_per_check(self) -> int:
        """How many 5-minute slots one check stands for."""
        return max(1, -(-self.check_interval_minutes // SLOT_MINUTES))

    def report_link(self, repository: str | None) -> str | None:
        """Where "Report an outage" points: report_url, else the repository's outage form.

        The repository is an argument, not read at load time, because `statuspage build` may
        take it from $GITHUB_REPOSITORY when responder.yml names none.
        """
        if self.report_url is not None or not repository:
            return self.report_url
        return f"https://github.com/{repository}/issues/new?template={REPORT_FORM}"


def build_statuspage(section: Mapping[str, Any]) -> StatusPageSettings:
    """From the (schema-validated) `statuspage` section; absent keys keep the defaults."""
    maintenance = section.get("maintenance") or {}
    url = section.get("url")
    defaults = StatusPageSettings()
    return StatusPageSettings(
        url=url if isinstance(url, str) and url.startswith(("https://", "http://")) else None,
        title=str(section.get("title", defaults.title)),
        description=str(section.get("description", defaults.description)),
        report_url=section.get("report_url"),
        history_days=int(section.get("history_days", defaults.history_days)),
        check_interval_minutes=int(section.get("check_interval_minutes", defaults.check_interval_minutes)),
        stale_after_minutes=int(section.get("stale_after_minutes", defaults.stale_after_minutes)),
        resolved_days=int(section.get("resolved_days", defaults.resolved_days)),
        feed_entries=int(section.get("feed_entries", defaults.feed_entries)),
        previous=str(section.get("previous", defaults.previous)),
        branch=str(section.get("branch", defaults.branch)),
        postmortems_dir=str(section.get("postmortems_dir", defaults.postmortems_dir)),
        status_comment_prefix=str(section.get("status_comment_prefix", defaults.status_comment_prefix)),
        trusted_associations=tuple(section.get("trusted_associations") or DEFAULT_ASSOCIATIONS),
        maintenance=MaintenanceSettings(
            announce_days=int(maintenance.get("announce_days", defaults.maintenance.announce_days)),
            form=str(maintenance.get("form", defaults.maintenance.form)),
        ),
        groups={**DEFAULT_GROUPS, **{str(k): str(v) for k, v in (section.get("groups") or {}).items()}},
        sources=tuple(
            KumaSource(
                url=str(item["url"]).rstrip("/"),
                slug=str(item["slug"]),
                monitors={str(k): str(v) for k, v in (item.get("monitors") or {}).items()},
                timeout=float(item.get("timeout_seconds", 10)),
            )
            for item in section.get("sources") or ()
        ),
    )


def semantic_problems(raw: Mapping[str, Any], service_names: Iterable[str]) -> Iterable[tuple[str, str]]:
    """Problems a schema cannot see, as (key path, message) pairs."""
    names = list(service_names)
    section = raw.get("statuspage") or {}
    for index, source in enumerate(section.get("sources") or ()):
        for monitor, service in (source.get("monitors") or {}).items():
            if str(service) not in names:
                guess = get_close_matches(str(service), names, n=1)
                hint = f" (did you mean '{guess[0]}'?)" if guess else ""
                yield f"statuspage.sources[{index}].monitors.{monitor}", f"unknown service '{service}'{hint}"
