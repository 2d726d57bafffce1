"""Render what people read on the issue from Jinja2 templates.

Templates are files (responder/templates/comments/*.md.j2) and a repository
can override any of them through `templates_dir` in responder.yml. Every
`{{ value }}` is escaped as Markdown text unless it is already `Markdown`
(from the `code`, `fence` or `md` filters), so a template cannot leak
markup, mentions or secrets by forgetting a filter.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from responder.render.quoting import Markdown, code, escape_text, fence, mentions
from responder.render.templating import make_environment
from responder.render.urls import safe_http_url

if TYPE_CHECKING:
    import jinja2

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"

SEVERITY_BADGE = {
    "SEV1": "🔴 SEV1",
    "SEV2": "🟠 SEV2",
    "SEV3": "🟡 SEV3",
    "SEV4": "⚪ SEV4",
}


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Markdown):
        return value
    # jinja2's Markup (from |safe) is an explicit opt-out by the template author.
    if type(value).__name__ == "Markup":
        return value
    return escape_text(value)


def _humanize_duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds % 86400 == 0 and seconds >= 86400:
        days = seconds // 86400
        return "day" if days == 1 else f"{days} days"
    if seconds % 3600 == 0 and seconds >= 3600:
        hours = seconds // 3600
        return "hour" if hours == 1 else f"{hours} hours"
    minutes = max(1, seconds // 60)
    return f"{minutes} minutes"


def _link(url: object) -> Markdown:
    """A link for a URL from the config (a runbook): an autolink when it is a safe http(s) URL, else code."""
    safe = safe_http_url(url)
    return Markdown(f"<{safe}>") if safe else code(url)


def _link_to(url: object, text: str) -> Markdown:
    """A named link for a URL the responder built (a Prometheus graph): nothing when it is not a safe URL."""
    safe = safe_http_url(url)
    return Markdown(f"[{escape_text(text)}]({safe})") if safe else Markdown("")


@cache
def _environment(override_dir: str | None) -> jinja2.Environment:
    # Markdown, not HTML: every value is escaped by _finalize.
    return make_environment(
        [*([override_dir] if override_dir else []), BUILTIN_TEMPLATES], autoescape=False, finalize=_finalize,
        filters={
            "code": code,
            "fence": fence,
            "md": lambda value: Markdown(value or ""),  # for text built by trusted code
            "badge": lambda level: Markdown(SEVERITY_BADGE.get(str(level), str(level))),
            "mentions": mentions,
            "link": _link,
            "link_to": _link_to,
            "duration": _humanize_duration,
        })


def render(template: str, context: Mapping[str, Any], templates_dir: Path | None = None) -> str:
    """Render one template to Markdown. Raises jinja2 errors for broken user templates."""
    env = _environment(str(templates_dir) if templates_dir else None)
    text = env.get_template(template).render(**context)
    # Collapse runs of blank lines left by conditional blocks.
    lines: list[str] = []
    for line in text.strip().split("\n"):
        if not line.strip() and lines and not lines[-1].strip():
            continue
        lines.append(line.rstrip())
    return "\n".join(lines)
