"""The one rule for a URL taken from data (issue text, a config, a state marker) and shown as a link.

Only http(s), whole (no surrounding white space), under 2,000 characters, and holding nothing
that could end a Markdown link target, an HTML attribute or a code span, or that XML forbids.
Everything else is shown as text, never linked: `javascript:`, `data:`, spaces, quotes,
brackets, backticks and backslashes are refused, whatever their case.
"""

from __future__ import annotations

import re

from responder.render.xml_text import strip_forbidden

_SAFE_HTTP_URL = re.compile(r"https?://[^\s<>\"'()\[\]`\\]+", re.IGNORECASE)
MAX_URL_CHARS = 2000


def safe_http_url(value: object) -> str | None:
    """The URL itself when it may be linked, else None."""
    if not isinstance(value, str) or len(value) >= MAX_URL_CHARS:
        return None
    if not _SAFE_HTTP_URL.fullmatch(value) or strip_forbidden(value) != value:
        return None
    return value
