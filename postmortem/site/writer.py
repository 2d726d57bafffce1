"""Draft a post-mortem: from an incident's export to the file text and the index that lists it.

Shared by `postmortem write` and the closed-incident flow. It reads the
existing files (to keep what people wrote) and decides; it writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from postmortem.site.collection import find_for_issue, index_text, read_document
from postmortem.document.file import check_can_update, compose, file_name, parse_document
from postmortem.model.incident import Incident, describe_incident
from postmortem.model.settings import Settings
from responder.adapters.github.export import IncidentExport
from responder.config.loader import Config
from responder.errors import InputError
from responder.model.state import StateSeal


@dataclass(frozen=True)
class Draft:
    incident: Incident
    path: Path
    text: str
    index_path: Path
    index_text: str
    link: str | None
    previous: str | None  # the file's text before, or None for a new post-mortem

    @property
    def changed(self) -> bool:
        return self.previous != self.text


def draft(export: IncidentExport, config: Config, settings: Settings, *, force: bool = False,
          seal: StateSeal | None = None) -> Draft:
    try:
        incident = describe_incident(export, config, seal)
    except ValueError as exc:
        raise InputError(f"issue #{export.number}: cannot build a timeline: {exc}") from None
    path = find_for_issue(settings, incident.number, file_name(incident))
    existing = read_document(path) if path.exists() else None
    if existing is not None and not force:
        check_can_update(existing, str(path))
    if existing is not None and force and existing.problem:
        existing = None  # --force over a broken front matter: start again, as asked
    link = settings.link(path)
    owner = f"@{config.assignees[0]}" if config.assignees else None
    composed = compose(incident, existing=existing, link=link, default_owner=owner,
                       templates_dir=config.templates_dir)
    previous = path.read_text(encoding="utf-8") if path.exists() else None
    index = index_text(settings, config.templates_dir, (path, parse_document(composed.text)))
    return Draft(incident, path, composed.text, settings.index_path, index, link, previous)
