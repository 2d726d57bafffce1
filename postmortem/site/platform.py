"""The Platform page on disk: read the platform's vars files and write the page next to the post-mortems."""

from __future__ import annotations

from pathlib import Path

from postmortem.document.platform_page import PAGE_NAME, PlatformPage, render_platform_page
from postmortem.model.settings import Settings
from responder.adapters.platform_files import read_platform
from responder.config.loader import Config
from responder.model.platform import Inventory


def platform_page_path(settings: Settings) -> Path:
    return settings.postmortems_dir / PAGE_NAME


def platform_page_text(config: Config, server_url: str = "https://github.com") -> str:
    """The page for the checkout as it is now (the vars files as committed, the limits of responder.yml)."""
    inventory = read_platform(config) or Inventory()
    return render_platform_page(PlatformPage(config.platform, inventory, config.repository, server_url),
                                config.templates_dir)
