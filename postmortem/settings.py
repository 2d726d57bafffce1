"""The `postmortem` section of responder.yml, as a typed frozen model.

The JSON Schema already checked its shape when the config was loaded; this
module only applies the defaults and works out the paths and URLs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from responder.config.loader import Config

POSTMORTEMS_DIR = "post-mortems"  # under <site>/docs/; also the URL path of the pages
INDEX_NAME = "index.md"


@dataclass(frozen=True)
class Settings:
    enabled: bool
    severities: tuple[str, ...]
    site_dir: Path
    site_url: str | None
    push: bool
    remote: str
    branch: str | None
    followup_labels: tuple[str, ...]
    repository: str | None
    root: Path

    @property
    def docs_dir(self) -> Path:
        return self.site_dir / "docs"

    @property
    def postmortems_dir(self) -> Path:
        return self.docs_dir / POSTMORTEMS_DIR

    @property
    def index_path(self) -> Path:
        return self.postmortems_dir / INDEX_NAME

    def page_url(self, path: Path) -> str | None:
        """Where the published page of a post-mortem file is served (mkdocs directory URLs)."""
        if not self.site_url:
            return None
        return f"{self.site_url.rstrip('/')}/{POSTMORTEMS_DIR}/{path.stem}/"

    def file_url(self, path: Path, branch: str = "HEAD") -> str | None:
        """The file in the repository on GitHub, when the site is not published."""
        if not self.repository:
            return None
        try:
            relative = path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return None
        return f"https://github.com/{self.repository}/blob/{branch}/{relative}"

    def link(self, path: Path) -> str | None:
        return self.page_url(path) or self.file_url(path, self.branch or "HEAD")


def load_settings(config: Config, site_dir: Path | str | None = None) -> Settings:
    raw = config.section("postmortem")
    site_url = raw.get("site_url")
    if not site_url and config.statuspage_url:
        # The site is published under /post-mortems/ next to the status page.
        site_url = config.statuspage_url.rstrip("/") + "/post-mortems/"
    site = Path(site_dir) if site_dir is not None else config.root / str(raw.get("site_dir", "site"))
    return Settings(
        enabled=bool(raw.get("enabled", True)),
        severities=tuple(raw.get("severities") or ("SEV1", "SEV2")),
        site_dir=site,
        site_url=site_url,
        push=bool(raw.get("push", True)),
        remote=str(raw.get("remote", "origin")),
        branch=raw.get("branch"),
        followup_labels=tuple(raw.get("followup_labels") or ("follow-up",)),
        repository=config.repository,
        root=config.root,
    )
