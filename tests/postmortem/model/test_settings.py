"""The `postmortem` section of responder.yml: defaults, derived URLs, and validated keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from postmortem.site.layout import load_settings
from responder.config.loader import load_config
from responder.errors import ConfigError
from tests.conftest import EXAMPLE_CONFIG


def config_with(tmp_path: Path, section: str) -> Path:
    path = tmp_path / "responder.yml"
    path.write_text(EXAMPLE_CONFIG.read_text(encoding="utf-8") + section, encoding="utf-8")
    return path


def test_defaults_put_the_site_next_to_responder_yml_and_under_the_status_page(tmp_path: Path) -> None:
    settings = load_settings(load_config(config_with(tmp_path, "")))
    assert settings.site_dir == tmp_path / "site"
    assert settings.postmortems_dir == tmp_path / "site" / "docs" / "post-mortems"
    assert settings.severities == ("SEV1", "SEV2") and settings.push and settings.remote == "origin"
    assert settings.followup_labels == ("follow-up",)
    assert settings.link(settings.postmortems_dir / "2026-11-23-x.md") == \
        "https://status.acme-homelab.org/post-mortems/2026-11-23-x/"


def test_without_a_published_site_links_point_at_the_file_in_the_repository(tmp_path: Path) -> None:
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8").replace("statuspage:\n  url: https://status.acme-homelab.org\n",
                                                              "statuspage: {}\n")
    path = tmp_path / "responder.yml"
    path.write_text(text + "postmortem: {site_dir: docs-site, branch: main}\n", encoding="utf-8")
    settings = load_settings(load_config(path))
    assert settings.link(settings.postmortems_dir / "2026-11-23-x.md") == \
        "https://github.com/acme-homelab/infra/blob/main/docs-site/docs/post-mortems/2026-11-23-x.md"


def test_every_key_of_the_section_is_checked(tmp_path: Path) -> None:
    path = config_with(tmp_path, "postmortem:\n  site-dir: site\n  severities: [SEV5]\n  site_url: ftp://x\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems == (
        f"{path}: postmortem.severities[0]: expected one of SEV1, SEV2, SEV3, SEV4, got 'SEV5'",
        f"{path}: postmortem.site-dir: unknown key (did you mean 'site_dir'?)",
        f"{path}: postmortem.site_url: expected an http(s) URL, got 'ftp://x'",
    )


def test_without_site_dir_the_site_is_the_repositorys_own_even_when_responder_yml_is_deeper(tmp_path: Path) -> None:
    """Never a stray examples/site/ next to a config in a subdirectory (#14, item 9)."""
    import subprocess

    subprocess.run(["git", "init", "--quiet", str(tmp_path)], check=True)
    (tmp_path / "examples").mkdir()
    path = tmp_path / "examples" / "responder.yml"
    path.write_text(EXAMPLE_CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    settings = load_settings(load_config(path))
    assert settings.site_dir == tmp_path.resolve() / "site"
    assert load_settings(load_config(path), tmp_path / "elsewhere").site_dir == tmp_path / "elsewhere"


@pytest.mark.parametrize(("docs_dir", "url"), [
    ("docs/post-mortems", "https://status.acme-homelab.org/post-mortems/2026-11-23-x/"),
    ("docs", "https://status.acme-homelab.org/post-mortems/post-mortems/2026-11-23-x/"),
])
def test_page_links_follow_the_sites_own_mkdocs_yml(tmp_path: Path, docs_dir: str, url: str) -> None:
    """The layout `responder init` writes serves each post-mortem at the site's top (#14, item 17); a site
    from an older init (docs_dir: docs) keeps working links."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "mkdocs.yml").write_text(
        f"site_name: x\ndocs_dir: {docs_dir}\nmarkdown_extensions:\n"
        "  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n",
        encoding="utf-8")
    settings = load_settings(load_config(config_with(tmp_path, "")), site)
    assert settings.link(settings.postmortems_dir / "2026-11-23-x.md") == url
