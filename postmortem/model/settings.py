"""Where post-mortems are written and published: the `postmortem` section of responder.yml
(read once, with its defaults, in responder/config/postmortem.py) for one repository checkout,
with the paths and URLs worked out. postmortem/site/layout.py reads the checkout to make them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

POSTMORTEMS_DIR = "post-mortems"  # under <site>/docs/; also the URL path of the pages
INDEX_NAME = "index.md"
PLATFORM_PAGE = "platform.md"  # the Platform page, generated next to the index (postmortem/site/platform.py)


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
    # The URL path of the post-mortem files inside the published site: "" when the site's docs_dir
    # is the post-mortems folder itself (the layout `responder init` writes), "post-mortems/" when
    # an older mkdocs.yml has docs_dir: docs.
    pages_path: str = ""

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
        return f"{self.site_url.rstrip('/')}/{self.pages_path}{path.stem}/"

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
