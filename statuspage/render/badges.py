"""shields.io endpoint badges: one JSON per service, and one for the whole page.

Use one in a README as
https://img.shields.io/endpoint?url=https://status.example.org/badges/nextcloud.json
"""

from __future__ import annotations

from typing import Any

from statuspage.model.page import DEGRADED, DOWN, MAINTENANCE, OPERATIONAL, UNKNOWN, Page, ServiceView

MESSAGE = {OPERATIONAL: "operational", DEGRADED: "degraded", DOWN: "down", MAINTENANCE: "maintenance",
           UNKNOWN: "unknown"}
COLOR = {OPERATIONAL: "brightgreen", DEGRADED: "yellow", DOWN: "red", MAINTENANCE: "blue", UNKNOWN: "lightgrey"}
CACHE_SECONDS = 300  # shields.io's minimum; the page is rebuilt about that often


def service_badge(service: ServiceView) -> dict[str, Any]:
    return {"schemaVersion": 1, "label": service.title, "message": MESSAGE[service.live.state],
            "color": COLOR[service.live.state], "cacheSeconds": CACHE_SECONDS}


def page_badge(page: Page) -> dict[str, Any]:
    state = page.headline.state
    return {"schemaVersion": 1, "label": "status", "message": page.headline.text.lower(),
            "color": COLOR.get(state, "lightgrey"), "cacheSeconds": CACHE_SECONDS}
