"""status.json: the page in the shape of Atlassian Statuspage's /api/v2/summary.json.

Tools that read Statuspage summaries (dashboards, chat bots, uptime
aggregators) can read this page too. Differences, on purpose:
- components are the services, grouped by tier (Statuspage component
  groups); a service with no data at all is left out rather than called
  "operational";
- ids are readable (`nextcloud`, `issue-42`) rather than random;
- `shortlink` points at the GitHub issue.
statuspage/render/schema/summary.schema.json is the JSON Schema written from
Statuspage's documented format; the tests validate every build against it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from responder.model.timestamps import iso_utc
from statuspage.model import impact
from statuspage.model.page import (
    DEGRADED,
    DOWN,
    MAINTENANCE,
    OPERATIONAL,
    Incident,
    MaintenanceWindow,
    Page,
)

COMPONENT_STATUS = {
    OPERATIONAL: "operational",
    DEGRADED: "degraded_performance",
    DOWN: "major_outage",
    MAINTENANCE: "under_maintenance",
}


def iso(moment: datetime | None) -> str | None:
    return iso_utc(moment) if moment else None


def page_id(page: Page) -> str:
    basis = page.repository or page.url or page.title
    return hashlib.sha256(basis.encode()).hexdigest()[:12]


def public_url(page: Page) -> str:
    """The page's address: statuspage.url, else the repository's default GitHub Pages address."""
    if page.url:
        return page.url.rstrip("/") + "/"
    if page.repository:
        owner, name = page.repository.split("/", 1)
        return f"https://{owner.lower()}.github.io/{name}/"
    return "https://localhost/"


def summary(page: Page) -> dict[str, Any]:
    pid = page_id(page)
    generated = iso(page.generated_at)
    components: list[dict[str, Any]] = []
    position = 1
    for group in page.groups:
        members = [s for s in group.services if s.live.state in COMPONENT_STATUS]
        if not members:
            continue
        group_id = f"tier-{group.tier}"
        worst = max((s.live.state for s in members), key=list(COMPONENT_STATUS).index)
        components.append(_component(pid, group_id, group.title, COMPONENT_STATUS[worst], position, generated,
                                     None, is_group=True, members=[s.name for s in members]))
        position += 1
        for service in members:
            components.append(_component(pid, service.name, service.title, COMPONENT_STATUS[service.live.state],
                                         position, generated, group_id, description=service.description or None))
            position += 1
    return {
        "page": {"id": pid, "name": page.title, "url": public_url(page), "time_zone": "Etc/UTC",
                 "updated_at": generated},
        "status": {"indicator": page.headline.indicator, "description": page.headline.text},
        "components": components,
        "incidents": [_incident(pid, incident, page) for incident in page.active],
        "scheduled_maintenances": [_maintenance(pid, window, page) for window in page.maintenance
                                   if window.phase(page.generated_at) in ("scheduled", "in_progress")],
    }


def _component(pid: str, cid: str, name: str, status: str, position: int, at: str | None, group_id: str | None,
               *, description: str | None = None, is_group: bool = False,
               members: list[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": cid, "name": name, "status": status, "created_at": at, "updated_at": at, "position": position,
        "description": description, "showcase": not is_group, "start_date": None, "group_id": group_id,
        "page_id": pid, "group": is_group, "only_show_if_degraded": False,
    }
    if is_group:
        out["components"] = members or []
    return out


def _incident(pid: str, incident: Incident, page: Page) -> dict[str, Any]:
    iid = f"issue-{incident.number}"
    updates = []
    for index, update in enumerate(reversed(incident.updates)):
        number = len(incident.updates) - index
        updates.append({
            "id": f"{iid}-{number}", "status": update.status, "body": update.body, "incident_id": iid,
            "created_at": iso(update.at), "updated_at": iso(update.at), "display_at": iso(update.at),
            "affected_components": None, "deliver_notifications": False, "custom_tweet": None, "tweet_id": None,
        })
    monitoring = next((u.at for u in incident.updates if u.status == "monitoring"), None)
    return {
        "id": iid, "name": incident.title, "status": incident.status, "created_at": iso(incident.started_at),
        "updated_at": iso(incident.updated_at), "monitoring_at": iso(monitoring),
        "resolved_at": iso(incident.resolved_at), "impact": impact.level(incident.severity),
        "shortlink": incident.url or public_url(page), "started_at": iso(incident.started_at), "page_id": pid,
        "incident_updates": updates,
        "components": [{"id": name, "name": page.titles.get(name, name)} for name in incident.services],
    }


def _maintenance(pid: str, window: MaintenanceWindow, page: Page) -> dict[str, Any]:
    mid = f"issue-{window.number}"
    phase = window.phase(page.generated_at)
    return {
        "id": mid, "name": window.title, "status": phase, "created_at": iso(window.created_at),
        "updated_at": iso(window.created_at), "monitoring_at": None, "resolved_at": None,
        "impact": "maintenance", "shortlink": window.url or public_url(page), "started_at": iso(window.window.start),
        "page_id": pid, "scheduled_for": iso(window.window.start), "scheduled_until": iso(window.window.end),
        "incident_updates": [{
            "id": f"{mid}-1", "status": phase, "body": window.details, "incident_id": mid,
            "created_at": iso(window.created_at), "updated_at": iso(window.created_at),
            "display_at": iso(window.created_at), "affected_components": None, "deliver_notifications": False,
            "custom_tweet": None, "tweet_id": None,
        }],
        "components": [{"id": name, "name": page.titles.get(name, name)} for name in window.services],
    }
