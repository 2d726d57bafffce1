"""Render post-mortem pages from Jinja2 templates (files, overridable by the user).

The pages are Markdown that mkdocs turns into HTML with raw HTML allowed, so
every `{{ value }}` is escaped unless it is already `Markdown`: HTML and
Markdown characters become numeric entities, braces included, so no
attribute-list extension can add attributes (`{: onclick=...}`) to the page.
Text for GitHub (the bot's comment, follow-up issues) is escaped the way the
rest of the responder escapes it, mentions broken.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from responder.errors import InputError
from responder.render.quoting import Markdown, code, escape_text
from responder.render.redaction import process_redactor
from responder.render.templating import make_environment
from responder.render.urls import safe_http_url
from responder.render.xml_text import strip_forbidden

if TYPE_CHECKING:
    import jinja2

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"
# HTML (& < >), Markdown emphasis, code, links, tables and escapes, and the braces of attribute lists.
_PAGE_ENTITIES = {ord(ch): f"&#{ord(ch)};" for ch in "&<>\\`*_[]|{}~^$"}
_ZWJ = "\u200d"  # joins emoji sequences: harmless, and dropping it would split 👩‍💻
_LIST_START = re.compile(r"^(\d+)([.)])(?=\s|$)")


def page_text(value: object) -> Markdown:
    """Untrusted text for one line of a page (a table cell, a list item, a heading).

    Characters that mean something to Markdown, its extensions or HTML become
    numeric entities: Python-Markdown keeps entities as they are, so the text
    shows exactly as written and can open nothing.
    """
    text = process_redactor(" ".join(strip_forbidden(str("" if value is None else value)).split()))
    # Control and format characters (bidi overrides can disguise text) are dropped, and so is whatever
    # else XML 1.0 forbids (U+FFFE, U+FFFF, lone surrogates): the page is HTML, its feed and sitemap XML.
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf") or ch == _ZWJ)
    text = text.translate(_PAGE_ENTITIES)
    text = _LIST_START.sub(lambda m: m[1] + f"&#{ord(m[2])};", text)
    # At the start of a line these open a list, a heading or a setext underline.
    if text[:1] in ("-", "+", "=", "#"):
        text = f"&#{ord(text[0])};" + text[1:]
    return Markdown(text)


def safe_url(value: object) -> str:
    """A URL fit for a Markdown link target, or "" (javascript:, spaces, quotes... are refused)."""
    return safe_http_url(str(value or "").strip()) or ""


def link(label: object, url: object, escape: Callable[[object], Markdown] = page_text) -> Markdown:
    """`[label](url)` when the URL is a plain http(s) URL, else just the escaped label."""
    target = safe_url(url)
    shown = escape(label)
    return Markdown(f"[{shown}]({target})") if target else shown


def _page_finalize(value: Any) -> Any:
    if value is None:
        return ""
    return value if isinstance(value, Markdown) else page_text(value)


def _github_finalize(value: Any) -> Any:
    if value is None:
        return ""
    return value if isinstance(value, Markdown) else escape_text(value)


# Pages are built by mkdocs (Python-Markdown); comments and issues are rendered by GitHub, where
# mentions ping people and #N links issues: each gets the escaping its renderer needs.
_FINALIZE = {"page": _page_finalize, "github": _github_finalize}


@cache
def _environment(override_dir: str | None, mode: str) -> jinja2.Environment:
    escape = page_text if mode == "page" else escape_text
    # Markdown, not HTML: every value is escaped by the mode's finalize.
    return make_environment(
        [*([override_dir] if override_dir else []), BUILTIN_TEMPLATES], autoescape=False,
        finalize=_FINALIZE[mode], keep_trailing_newline=True,
        filters={
            "code": code,
            "link": lambda label, url: link(label, url, escape),
            "md": lambda value: Markdown(value or ""),  # for text built by trusted code
        })


def render_template(name: str, context: Mapping[str, Any], templates_dir: Path | None = None,
                    mode: str = "page") -> str:
    import jinja2

    try:
        env = _environment(str(templates_dir) if templates_dir else None, mode)
        return env.get_template(name).render(**context)
    except jinja2.TemplateError as exc:
        where = f"{exc.filename}:{exc.lineno}" if isinstance(exc, jinja2.TemplateSyntaxError) else name
        raise InputError(f"post-mortem template {where}: {exc}",
                         hint="Fix the template in templates_dir, or remove it to use the built-in one.") from None
