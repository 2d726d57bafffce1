"""The post-mortems on disk: list them, find an incident's file, rewrite the index.

The only module of the writer that reads and writes the post-mortem files.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from postmortem.document.file import Document, parse_document
from postmortem.model.settings import INDEX_NAME, PLATFORM_PAGE, Settings
from postmortem.document.site_index import index_entry, render_index
from responder.errors import InputError

log = logging.getLogger("postmortem")


def read_document(path: Path) -> Document:
    try:
        return parse_document(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read: {exc}") from None


def post_mortem_files(settings: Settings) -> list[Path]:
    directory = settings.postmortems_dir
    if not directory.is_dir():
        return []
    # The site's generated pages (the index, the Platform page) sit next to the post-mortems.
    return sorted(p for p in directory.glob("*.md") if p.name not in (INDEX_NAME, PLATFORM_PAGE) and p.is_file())


def documents(settings: Settings) -> Iterator[tuple[Path, Document]]:
    for path in post_mortem_files(settings):
        yield path, read_document(path)


def find_for_issue(settings: Settings, number: int, preferred: str) -> Path:
    """The file that already holds this incident's post-mortem, else a free name for it.

    Looked up by `issue_number` in the front matter, so a renamed issue keeps
    its file; a different incident that happens to share the name is never
    overwritten.
    """
    candidate = settings.postmortems_dir / preferred
    if candidate.exists():
        document = read_document(candidate)
        if document.front_matter is None or document.front_matter.get("issue_number") == number:
            return candidate  # ours, or unreadable: the caller reports it rather than guess
    for path, document in documents(settings):
        if document.front_matter is not None and document.front_matter.get("issue_number") == number:
            return path
    if candidate.exists():
        return candidate.with_name(f"{candidate.stem}-{number}.md")
    return candidate


def index_text(settings: Settings, templates_dir: Path | None = None,
               pending: tuple[Path, Document] | None = None) -> str:
    """The index for the files on disk, plus a document about to be written (`pending`)."""
    found = dict(documents(settings))
    if pending is not None:
        found[pending[0]] = pending[1]
    entries = []
    for path, document in sorted(found.items()):
        if document.problem:
            log.warning("%s: %s; listed without its details", path, document.problem)
        entries.append(index_entry(path, document))
    return render_index(entries, templates_dir)


