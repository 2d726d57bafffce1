"""feed.atom: one Atom entry per incident, holding its updates, newest first.

Entry content is HTML (type="html") made by the safe Markdown renderer, so
a feed reader that shows it runs nothing an issue author wrote. Built with
ElementTree, which escapes every text and attribute; the characters XML 1.0
forbids, which no escaping can write, are removed from each of them first.
"""

from __future__ import annotations

from urllib.parse import urlparse
from xml.etree import ElementTree

from markupsafe import escape

from responder.render.xml_text import strip_forbidden
from statuspage.model import impact
from statuspage.model.page import Incident, Page
from statuspage.render import markdown
from statuspage.render.summary import iso, public_url

ATOM = "http://www.w3.org/2005/Atom"


def atom(page: Page) -> bytes:
    ElementTree.register_namespace("", ATOM)
    base = public_url(page)
    host = urlparse(base).hostname or "localhost"
    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", f"{base}feed.atom")
    _text(feed, "title", f"{page.title}: incidents")
    _text(feed, "updated", iso(max([page.generated_at, *(i.updated_at for i in page.feed)])) or "")
    _link(feed, f"{base}feed.atom", "self", "application/atom+xml")
    _link(feed, base, "alternate", "text/html")
    author = ElementTree.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", page.title)
    _text(feed, "generator", "issueops-responder statuspage")
    for incident in page.feed:
        feed.append(_entry(incident, page, base, host))
    ElementTree.indent(feed)
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def _entry(incident: Incident, page: Page, base: str, host: str) -> ElementTree.Element:
    entry = ElementTree.Element(f"{{{ATOM}}}entry")
    year = incident.started_at.year
    _text(entry, "id", f"tag:{host},{year}:{page.repository or 'status'}/incidents/{incident.number}")
    state = "Resolved" if incident.resolved_at else incident.status.capitalize()
    words = impact.words(incident.severity)
    _text(entry, "title", f"[{state}] {words}: {incident.title}" if words else f"[{state}] {incident.title}")
    _text(entry, "published", iso(incident.started_at) or "")
    _text(entry, "updated", iso(incident.updated_at) or "")
    _link(entry, incident.url or f"{base}#incident-{incident.number}", "alternate", "text/html")
    for name in incident.services:
        category = ElementTree.SubElement(entry, f"{{{ATOM}}}category")
        category.set("term", strip_forbidden(name))
        category.set("label", strip_forbidden(page.titles.get(name, name)))
    content = ElementTree.SubElement(entry, f"{{{ATOM}}}content")
    content.set("type", "html")
    content.text = strip_forbidden(_content_html(incident, base))
    return entry


def _content_html(incident: Incident, base: str) -> str:
    parts = []
    if incident.resolved_at:
        parts.append(f"<p><strong>Resolved</strong> at {iso(incident.resolved_at)}.</p>")
    if incident.postmortem_url:
        # Relative links point into this site's /post-mortems/; a feed needs them absolute.
        link = incident.postmortem_url
        if not markdown.safe_link(link):
            link = base + link
        parts.append(f'<p><a href="{escape(link)}">Post-mortem</a></p>')
    for update in reversed(incident.updates):
        who = "responder" if update.by_bot else update.author
        parts.append(f"<p><strong>{escape(update.status.capitalize())}</strong> "
                     f"({escape(who)}, {iso(update.at)})</p>{markdown.render(update.body)}")
    if not parts:
        parts.append(f"<p>Investigating since {iso(incident.started_at)}.</p>")
    return "\n".join(parts)


def _text(parent: ElementTree.Element, tag: str, text: str) -> None:
    ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}").text = strip_forbidden(text)


def _link(parent: ElementTree.Element, href: str, rel: str, kind: str) -> None:
    link = ElementTree.SubElement(parent, f"{{{ATOM}}}link")
    link.set("href", strip_forbidden(href))
    link.set("rel", rel)
    link.set("type", kind)
