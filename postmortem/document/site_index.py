"""The post-mortems index page, generated from each file's front matter (newest first).

Pure: documents in, Markdown out. A file whose front matter a person broke is
still listed (by file name, flagged), so the page and its link stay valid
and nobody loses sight of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from postmortem.document.file import Document
from postmortem.document.rendering import render_template
from responder.render.quoting import Markdown

TEMPLATE = "index.md.j2"


@dataclass(frozen=True)
class IndexEntry:
    file: str
    date: str
    started_at: str
    title: str
    severity: str
    duration: str
    services: tuple[str, ...]
    status: str
    problem: str | None = None

    @property
    def href(self) -> Markdown:
        return Markdown(quote(self.file))


def index_entry(path: Path, document: Document) -> IndexEntry:
    front = document.front_matter
    if front is None:
        return IndexEntry(path.name, _date_from_name(path.name), "", path.stem, "", "", (), "",
                          document.problem or "unreadable")
    raw_services = front.get("services")
    services = tuple(str(s) for s in raw_services) if isinstance(raw_services, list) else ()
    date = front.get("date")
    return IndexEntry(
        file=path.name,
        date=date.isoformat() if isinstance(date, dt.date) else str(date or _date_from_name(path.name)),
        started_at=str(front.get("started_at") or ""),
        title=str(front.get("title") or path.stem),
        severity=str(front.get("severity") or "unknown"),
        duration=str(front.get("duration") or "unknown"),
        services=services,
        status=str(front.get("status") or "Draft"),
    )


def _date_from_name(name: str) -> str:
    head = name[:10]
    try:
        return dt.date.fromisoformat(head).isoformat()
    except ValueError:
        return ""


def render_index(entries: Iterable[IndexEntry], templates_dir: Path | None = None) -> str:
    ordered = sorted(entries, key=lambda e: (e.date, e.started_at, e.file), reverse=True)
    return render_template(TEMPLATE, {"entries": ordered}, templates_dir)
