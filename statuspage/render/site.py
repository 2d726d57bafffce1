"""Render a Page into the files of the site. Pure: data in, {path: bytes} out.

HTML comes from Jinja2 templates (statuspage/render/templates/) with autoescape
on, so every value is escaped unless it went through the safe Markdown
renderer, and loses the characters XML 1.0 forbids (responder.render.xml_text)
on the way. The page needs no JavaScript: the one script only upgrades the
"last updated" line into a warning when the visitor's clock says the data
is old.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from responder.model.timestamps import parse_utc
from responder.render.templating import make_environment
from responder.render.xml_text import strip_forbidden
from statuspage.model import history, impact
from statuspage.model.history import History, Uptime
from statuspage.model.page import DEGRADED, DOWN, MAINTENANCE, OPERATIONAL, UNKNOWN, Page
from statuspage.render import badges, feed, markdown, summary
from statuspage.render.assemble import format_percent

TEMPLATES = Path(__file__).parent / "templates"
STATIC_FILES = ("style.css", "stale.js", "favicon.svg")
# No inline script or style, nothing from another origin, no forms, no framing of other content.
CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
       "base-uri 'none'; form-action 'none'")
STATE_TEXT = {OPERATIONAL: "Operational", DEGRADED: "Degraded performance", DOWN: "Down",
              MAINTENANCE: "Under maintenance", UNKNOWN: "Unknown"}
# A symbol beside every state word: colour is never the only signal.
STATE_ICON = {OPERATIONAL: "✓", DEGRADED: "!", DOWN: "✕", MAINTENANCE: "⚙", UNKNOWN: "?"}
WINDOW_LABELS = {"24h": "24 hours", "7d": "7 days", "30d": "30 days", "90d": "90 days"}
DAY_LEGEND = (("o", "Operational"), ("d", "Degraded"), ("p", "Partial outage"), ("x", "Major outage"),
              ("m", "Maintenance"), ("n", "No data"))


def json_bytes(data: Any, *, compact: bool = False) -> bytes:
    """JSON that is safe anywhere: no raw <, > or & even inside strings."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":") if compact else None,
                      indent=None if compact else 2)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (strip_forbidden(text) + "\n").encode("utf-8")


def render_site(page: Page, recorded: History, cache: Mapping[str, Any],
                build: Mapping[str, Any]) -> dict[str, bytes]:
    from urllib.parse import urlparse

    env = environment()
    # 404.html is served for any missing path, so its links must not be relative.
    site_path = urlparse(summary.public_url(page)).path or "/"
    files: dict[str, bytes] = {
        "index.html": env.get_template("index.html.j2").render(page=page, csp=CSP, base="").encode("utf-8"),
        "404.html": env.get_template("404.html.j2").render(page=page, csp=CSP, base=site_path).encode("utf-8"),
        "status.json": json_bytes(summary.summary(page)),
        "feed.atom": feed.atom(page),
        "badge.json": json_bytes(badges.page_badge(page)),
        "data/history.json": (history.dumps(recorded) + "\n").encode("utf-8"),
        "data/github-cache.json": json_bytes(dict(cache), compact=True),
        "data/build.json": json_bytes(dict(build)),
        ".nojekyll": b"",
    }
    for service in page.services:
        files[f"badges/{service.name}.json"] = json_bytes(badges.service_badge(service))
    for name in STATIC_FILES:
        files[name] = static_file(name)
    return files


@cache
def static_file(name: str) -> bytes:
    return (TEMPLATES / "static" / name).read_bytes()


@cache
def environment() -> jinja2.Environment:
    return make_environment([TEMPLATES], autoescape=True, finalize=_finalize, filters={
        "markdown": markdown.render,
        "when": when,
        "iso": summary.iso,
        "uptime": uptime_text,
        "minutes": minutes_text,
        "percent": format_percent,
        "state_text": STATE_TEXT.__getitem__,
        "state_icon": STATE_ICON.__getitem__,
        "link": safe_href,
        "impact": impact.words,
        "impact_level": impact.level,
    }, globals={"day_legend": DAY_LEGEND, "window_labels": WINDOW_LABELS})


def _finalize(value: Any) -> Any:
    # Markup comes from the Markdown renderer, which already dropped them from its input.
    return strip_forbidden(value) if isinstance(value, str) and not isinstance(value, Markup) else value


def when(moment: datetime | str | None) -> str:
    if isinstance(moment, str):
        moment = parse_utc(moment)
    if moment is None:
        return "unknown time"
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def uptime_text(value: Uptime | None) -> str:
    if value is None or value.known is None:
        return "No data yet"
    text = format_percent(value.known)
    if value.coverage < 0.9:
        text += f" (data for {int(value.coverage * 100)}%)"
    return text


def minutes_text(value: float) -> str:
    total = round(abs(value))
    hours, mins = divmod(total, 60)
    text = f"{hours} h {mins} min" if hours else f"{mins} min"
    return f"-{text}" if value < 0 and total else text


def safe_href(url: str | None) -> str | None:
    """Links from data are kept only when http(s), or a path inside this site."""
    if not url:
        return None
    if markdown.safe_link(url):
        return url
    if url.startswith("post-mortems/") and ":" not in url and "//" not in url:
        return url
    return None
