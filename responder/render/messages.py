"""The words of a notification: a title and a plain-text body, from templates/notifications/*.txt.j2.

Every value a template prints goes through `plain_text` (one line, capped, no pings, no links, no
markup), so a template cannot let issue text through as anything but quoted text. The issue's page
and the runbook are the two links a message carries: they are printed as they are only after the
one safe-URL rule (render/urls.py) has passed them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from responder.model import notifications as events
from responder.model.notifications import Notification
from responder.render.quoting import plain_text
from responder.render.templating import make_environment
from responder.render.urls import safe_http_url

if TYPE_CHECKING:
    import jinja2

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"
VALUE_LIMIT = 500  # characters per printed value, whatever the template

# What happened, in a few words, per event.
HEADLINES = {
    events.OPENED: "new incident",
    events.ESCALATED: "a person is needed",
    events.UPDATE_DUE: "an update is due",
    events.UNACKNOWLEDGED: "not acknowledged in time",
    events.RESOLVED: "resolved",
    events.POSTMORTEM: "post-mortem published",
}


class Link(str):
    """An http(s) URL that passed render/urls.safe_http_url: printed as it is, so it stays a link."""

    __slots__ = ()


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Link):
        return value
    return plain_text(value, VALUE_LIMIT)


@cache
def _environment(override_dir: str | None) -> jinja2.Environment:
    return make_environment([*([override_dir] if override_dir else []), BUILTIN_TEMPLATES], autoescape=False,
                            finalize=_finalize)


def render_message(notification: Notification, templates_dir: Path | None = None) -> tuple[str, str]:
    """(title, body) of one notification, as plain text."""
    url = safe_http_url(notification.url)
    runbook = safe_http_url(notification.runbook)
    document = safe_http_url(notification.document)
    context = {
        "n": notification,
        "headline": HEADLINES.get(notification.event, notification.event),
        "url": Link(url) if url else None,
        "runbook": Link(runbook) if runbook else None,
        "document": Link(document) if document else None,
    }
    env = _environment(str(templates_dir) if templates_dir else None)
    title = env.get_template("notifications/title.txt.j2").render(**context)
    body = env.get_template("notifications/body.txt.j2").render(**context)
    return " ".join(title.split()), "\n".join(line.rstrip() for line in body.strip().splitlines())
