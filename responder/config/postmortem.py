"""The `postmortem` section of responder.yml, as a typed frozen model.

The JSON Schema already checked its shape when the config was loaded; here the defaults are
applied once, for the responder (which closed incidents need a post-mortem) and for the
post-mortem stage (where the site is and where it is published) alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_SEVERITIES = ("SEV1", "SEV2")
DEFAULT_SITE_DIR = "site"
DEFAULT_FOLLOWUP_LABELS = ("follow-up",)
POSTMORTEMS_PATH = "post-mortems"  # the URL path of the site under the status page


@dataclass(frozen=True)
class PostmortemSettings:
    enabled: bool = True
    severities: tuple[str, ...] = DEFAULT_SEVERITIES
    # The mkdocs project, resolved against the directory of responder.yml; None: not set, so the
    # post-mortem stage uses the repository's own site/ (see postmortem/site/layout.py).
    site_dir: Path | None = None
    site_url: str | None = None  # where the built site is served; default: under the status page
    push: bool = True
    remote: str = "origin"
    branch: str | None = None  # default: the branch checked out
    followup_labels: tuple[str, ...] = DEFAULT_FOLLOWUP_LABELS


def build_postmortem(section: Mapping[str, Any], root: Path, statuspage_url: str | None) -> PostmortemSettings:
    """From the (schema-validated) `postmortem` section; `root` is the directory holding responder.yml."""
    site_url = section.get("site_url")
    if not site_url and statuspage_url:
        # The site is published under /post-mortems/ next to the status page.
        site_url = f"{statuspage_url.rstrip('/')}/{POSTMORTEMS_PATH}/"
    return PostmortemSettings(
        enabled=bool(section.get("enabled", True)),
        severities=tuple(section.get("severities") or DEFAULT_SEVERITIES),
        site_dir=root / str(section["site_dir"]) if section.get("site_dir") else None,
        site_url=site_url,
        push=bool(section.get("push", True)),
        remote=str(section.get("remote", "origin")),
        branch=section.get("branch"),
        followup_labels=tuple(section.get("followup_labels") or DEFAULT_FOLLOWUP_LABELS),
    )
