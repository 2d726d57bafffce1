"""The `escalation` section and the services' owners and runbooks: who is called, how fast, and where the steps are."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from responder.config.loader import load_config
from responder.errors import ConfigError
from responder.model.severity_levels import Severity, Targets


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "responder.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_without_the_section_the_frameworks_table_applies(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "services:\n  - {name: web, title: Website, tier: standard}\n"))
    assert config.escalation.tiers == ()
    assert [(t.respond, t.update) for t in (config.escalation.target(level) for level in Severity)] == [
        (timedelta(minutes=5), timedelta(minutes=15)), (timedelta(minutes=15), timedelta(minutes=30)),
        (timedelta(hours=1), timedelta(hours=2)), (None, timedelta(days=1))]
    assert config.mentionable == frozenset()


def test_tiers_targets_owners_and_runbooks_are_read(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, """\
statuspage: {url: "https://status.example.org"}
services:
  - name: nextcloud
    title: Nextcloud
    tier: critical
    owners: [nc-owner]
    runbook: runbooks/nextcloud/
  - name: mail
    title: Mail
    tier: critical
    runbook: https://wiki.example.org/mail
escalation:
  assignees: [vbarzin]
  tiers: [[oncall-ana], [lead-bo], [head-cy]]
  targets:
    SEV1: {respond: 10m}
    SEV4: {update: 2d}
"""))
    nextcloud, mail = config.services
    assert nextcloud.owners == ("nc-owner",)
    assert nextcloud.runbook == "https://status.example.org/post-mortems/runbooks/nextcloud/"
    assert mail.runbook == "https://wiki.example.org/mail"
    assert config.escalation.tiers == (("oncall-ana",), ("lead-bo",), ("head-cy",))
    assert config.escalation.tier(5) == ("head-cy",)
    assert config.escalation.target(Severity.SEV1) == Targets(timedelta(minutes=10), timedelta(minutes=15))
    assert config.escalation.target(Severity.SEV4) == Targets(None, timedelta(days=2))
    assert config.assignees == ("vbarzin",)
    assert config.mentionable == {"nc-owner", "oncall-ana", "lead-bo", "head-cy"}


def test_a_runbook_page_needs_the_sites_address_and_stays_inside_it(tmp_path: Path) -> None:
    path = write(tmp_path, """\
services:
  - {name: web, title: Website, tier: standard, runbook: runbooks/web/}
  - {name: api, title: API, tier: standard, runbook: "runbooks/../../etc"}
  - {name: db, title: Database, tier: standard, runbook: "javascript:alert(1)"}
""")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert list(caught.value.problems) == [
        f"{path}: services[2].runbook: expected an http(s) URL or a relative page path such as runbooks/nextcloud/, "
        "got 'javascript:alert(1)'",
        f"{path}: services[0].runbook: 'runbooks/web/' is a page on the docs site, but neither "
        "postmortem.site_url nor statuspage.url says where that site is; give the full https:// URL instead",
        f"{path}: services[1].runbook: a page on the docs site cannot climb out of it with '..'",
    ]
