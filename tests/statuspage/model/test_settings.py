"""The statuspage section of responder.yml: defaults, typed values, readable errors."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from responder.config.loader import load_config
from responder.config.statuspage import KumaSource
from responder.errors import ConfigError
from statuspage.cli import main
from statuspage.model.settings import settings_from
from tests.conftest import EXAMPLE_CONFIG


def config_with(tmp_path: Path, section: Any) -> Path:
    raw = yaml.safe_load(EXAMPLE_CONFIG.read_text())
    raw["statuspage"] = section
    path = tmp_path / "responder.yml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_defaults(tmp_path: Path) -> None:
    settings = settings_from(load_config(config_with(tmp_path, {})))
    assert (settings.title, settings.history_days, settings.stale_after_minutes, settings.resolved_days) == \
        ("Service status", 90, 15, 7)
    assert settings.report_url == "https://github.com/acme-homelab/infra/issues/new?template=outage-report.yml"
    assert settings.trusted_associations == ("OWNER", "MEMBER", "COLLABORATOR")
    assert settings.slots_per_check == 1 and settings.url is None
    assert settings.groups == {"core": "Infrastructure", "critical": "Main services", "standard": "Applications",
                               "low": "Other services"}


def test_every_key(tmp_path: Path) -> None:
    section = {
        "url": "https://status.acme-homelab.org", "title": "Acme", "description": "Our services",
        "history_days": 30, "check_interval_minutes": 12, "stale_after_minutes": 30, "resolved_days": 3,
        "feed_entries": 20, "previous": "branch:pages", "branch": "pages", "postmortems_dir": "docs/build",
        "status_comment_prefix": "/update", "trusted_associations": ["OWNER"],
        "maintenance": {"announce_days": 14, "form": "planned-work.yml"},
        "sources": [{"type": "uptime-kuma", "url": "https://uptime.acme-homelab.org/", "slug": "homelab",
                     "monitors": {"Nextcloud": "nextcloud"}, "timeout_seconds": 5}],
        "groups": {"core": "Foundations", "critical": "Core services"},
    }
    settings = settings_from(load_config(config_with(tmp_path, section)))
    assert settings.slots_per_check == 3
    assert settings.sources == (KumaSource("https://uptime.acme-homelab.org", "homelab", {"Nextcloud": "nextcloud"},
                                           5.0),)
    assert (settings.maintenance.form, settings.trusted_associations, settings.previous) == \
        ("planned-work.yml", ("OWNER",), "branch:pages")
    # Tiers left out keep their default public titles.
    assert settings.groups == {"core": "Foundations", "critical": "Core services", "standard": "Applications",
                               "low": "Other services"}


@pytest.mark.parametrize("section, problem", [
    ({"histroy_days": 30}, "statuspage.histroy_days: unknown key (did you mean 'history_days'?)"),
    ({"history_days": 365}, "statuspage.history_days: expected a number at most 90, got 365"),
    ({"url": "status.example.org"}, "statuspage.url: expected an http:// or https:// URL"),
    ({"trusted_associations": ["NONE"]}, "statuspage.trusted_associations[0]: expected one of OWNER, MEMBER"),
    ({"sources": [{"type": "uptime-kuma", "url": "https://k.example"}]},
     "statuspage.sources[0]: missing required key 'slug'"),
    ({"groups": {"crit": "Main"}}, "statuspage.groups.crit: unknown key (did you mean 'critical'?)"),
    ({"groups": {"low": ""}}, "statuspage.groups.low: "),
])
def test_mistakes_are_named(tmp_path: Path, section: Any, problem: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(config_with(tmp_path, section))
    assert problem in str(error.value)


def test_a_monitor_mapped_to_an_unknown_service_is_refused_when_the_config_is_loaded(tmp_path: Path) -> None:
    path = config_with(tmp_path, {"sources": [{"type": "uptime-kuma", "url": "https://k.example", "slug": "s",
                                               "monitors": {"Cloud": "nextclod"}}]})
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert error.value.problems == (
        f"{path}: statuspage.sources[0].monitors.Cloud: unknown service 'nextclod' (did you mean 'nextcloud'?)",)


def test_the_report_link_defaults_to_the_repository_it_is_built_for(tmp_path: Path) -> None:
    config = load_config(config_with(tmp_path, {}))
    assert config.statuspage.report_url is None
    assert settings_from(replace(config, repository="acme/other")).report_url == \
        "https://github.com/acme/other/issues/new?template=outage-report.yml"
    assert settings_from(replace(config, repository=None)).report_url is None
    configured = load_config(config_with(tmp_path, {"report_url": "https://help.example/report"}))
    assert settings_from(configured).report_url == "https://help.example/report"


def test_the_maintenance_form_is_generated_and_checked(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    argv = ["templates", "--config", str(EXAMPLE_CONFIG), "--out", str(tmp_path)]
    assert main([*argv, "--check"], env={}, stdout=out, stderr=err) == 1
    assert "maintenance.yml is out of date" in err.getvalue()
    assert main(argv, env={}, stdout=out, stderr=err) == 0
    assert main([*argv, "--check"], env={}, stdout=out, stderr=err) == 0
    form = yaml.safe_load((tmp_path / "maintenance.yml").read_text())
    assert form["labels"] == ["maintenance"]
    assert [item.get("id") for item in form["body"]] == [None, "services", "start", "end", "impact", "details"]


def test_the_committed_maintenance_form_is_current() -> None:
    out, err = io.StringIO(), io.StringIO()
    root = EXAMPLE_CONFIG.parent.parent
    code = main(["templates", "--config", str(EXAMPLE_CONFIG), "--out", str(root / ".github" / "ISSUE_TEMPLATE"),
                 "--check"], env={}, stdout=out, stderr=err)
    assert code == 0, err.getvalue()
