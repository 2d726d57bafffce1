"""Where the post-mortem site is in the checkout, and how its pages are served: read from disk.

- Without `postmortem.site_dir`, the site is the repository's own `site/`: the top of the git
  checkout that holds responder.yml, even when responder.yml is in a subdirectory.
- The URL of a post-mortem follows the site's own mkdocs.yml: its `docs_dir` decides whether the
  files of docs/post-mortems/ are served at the site's top (the layout `responder init` writes)
  or under post-mortems/ (an older mkdocs.yml with docs_dir: docs).
"""

from __future__ import annotations

from pathlib import Path

from postmortem.model.settings import POSTMORTEMS_DIR, Settings
from responder.config.loader import Config

DEFAULT_SITE_DIR = "site"


def load_settings(config: Config, site_dir: Path | str | None = None) -> Settings:
    """The post-mortem stage's settings for this checkout. `site_dir` (a command's --site-dir) wins."""
    section = config.postmortem
    if site_dir is not None:
        chosen = Path(site_dir)
    elif section.site_dir is not None:
        chosen = section.site_dir
    else:
        chosen = repository_root(config.root) / DEFAULT_SITE_DIR
    return Settings(
        enabled=section.enabled,
        severities=section.severities,
        site_dir=chosen,
        site_url=section.site_url,
        push=section.push,
        remote=section.remote,
        branch=section.branch,
        followup_labels=section.followup_labels,
        repository=config.repository,
        root=config.root,
        pages_path=pages_path(chosen),
    )


def repository_root(start: Path) -> Path:
    """The top of the git checkout holding `start` (a .git directory or file), else `start` itself."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return start


def pages_path(site_dir: Path) -> str:
    """"" or "post-mortems/": where docs/post-mortems/ ends up in the built site, by the site's docs_dir."""
    docs_dir = _docs_dir(site_dir / "mkdocs.yml")
    postmortems = (site_dir / "docs" / POSTMORTEMS_DIR).resolve()
    try:
        relative = postmortems.relative_to((site_dir / docs_dir).resolve())
    except ValueError:
        return ""
    return "" if relative == Path(".") else relative.as_posix() + "/"


def _docs_dir(mkdocs_yml: Path) -> str:
    """The docs_dir of an mkdocs.yml; the layout `responder init` writes when there is none to read."""
    from responder.config import yaml_codec

    class Tolerant(yaml_codec.SafeLoader):
        """mkdocs.yml may hold !!python/name and !ENV tags: read past them, only docs_dir matters."""

    Tolerant.add_multi_constructor("", lambda loader, suffix, node: None)
    try:
        data = yaml_codec.load(mkdocs_yml.read_text(encoding="utf-8"), Tolerant)
    except (OSError, UnicodeDecodeError, yaml_codec.YAMLError):
        return f"docs/{POSTMORTEMS_DIR}"
    value = data.get("docs_dir", "docs") if isinstance(data, dict) else "docs"
    return value if isinstance(value, str) and value else "docs"
