"""`responder labels sync`: create what is missing, fix what differs, leave everything else alone."""

from __future__ import annotations

import io
import json
from pathlib import Path

import yaml

from responder.cli.main import main
from responder.flows.label_sync import plan_label_sync
from responder.model.labels import LABEL_SPECS, LabelNames
from tests.conftest import EXAMPLE_CONFIG
from tests.support.github_api import FakeGitHub

TOKEN = "ghs_" + "L4b3lSyncT0ken" * 3


def sync(config: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["labels", "sync", "--config", str(config), *args],
                env={"GITHUB_TOKEN": TOKEN, "RESPONDER_GITHUB_WRITE_INTERVAL": "0"}, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_the_plan_creates_missing_labels_and_fixes_case_colour_and_description() -> None:
    existing = [
        {"name": "SEV1", "color": "B60205", "description": LABEL_SPECS[3].description},  # case only
        {"name": "needs-human", "color": "ffffff", "description": "old text"},
        {"name": "incident", "color": "b60205", "description": "Confirmed incident; shown on the status page"},
        {"name": "good first issue", "color": "7057ff", "description": "not ours"},
    ]
    changes = {change.name: change for change in plan_label_sync(existing, LabelNames.from_overrides(None))}
    assert len(changes) == len(LABEL_SPECS)
    assert (changes["sev1"].action, changes["sev1"].current_name, changes["sev1"].differences) == (
        "update", "SEV1", ("name",))
    assert changes["needs-human"].differences == ("color", "description")
    assert changes["incident"].action == "keep"
    assert changes["user-report"].action == "create"
    assert "good first issue" not in changes


def test_sync_creates_every_label_with_its_colour_and_description(github: FakeGitHub) -> None:
    code, out, err = sync(EXAMPLE_CONFIG)
    assert (code, err) == (0, "")
    made = {label["name"]: (label["color"], label["description"]) for label in github.repo_labels}
    assert made == {spec.role: (spec.color, spec.description) for spec in LABEL_SPECS}
    assert out.splitlines()[-1] == f"acme-homelab/infra: created {len(LABEL_SPECS)}, updated 0, 0 already right"


def test_a_second_sync_writes_nothing_and_reads_every_page(github: FakeGitHub) -> None:
    for n in range(120):  # more than one page of 100
        github.add_repo_label(f"area/{n:03d}")
    sync(EXAMPLE_CONFIG)
    writes = len(github.writes())
    code, out, _ = sync(EXAMPLE_CONFIG)
    assert code == 0 and len(github.writes()) == writes
    assert out.splitlines()[-1] == f"acme-homelab/infra: created 0, updated 0, {len(LABEL_SPECS)} already right"
    listing = [path for method, path in github.log[-2:]]
    assert listing == ["/repos/acme-homelab/infra/labels", "/repositories/123456/labels"]


def test_sync_honours_renamed_labels_and_dry_run(github: FakeGitHub, tmp_path: Path) -> None:
    raw = yaml.safe_load(EXAMPLE_CONFIG.read_text())
    raw["labels"] = {"sev1": "sev/1", "needs-human": "help wanted"}
    config = tmp_path / "responder.yml"
    config.write_text(yaml.safe_dump(raw, sort_keys=False))
    github.add_repo_label("Help Wanted", "008672", "Extra attention is needed")
    code, out, _ = sync(config, "--dry-run")
    assert code == 0 and github.writes() == []
    assert "update  help wanted: name, color, description" in out.splitlines()
    assert "create  sev/1 (#b60205)" in out.splitlines()
    sync(config)
    names = {label["name"] for label in github.repo_labels}
    assert {"sev/1", "help wanted"} <= names and "sev1" not in names and "needs-human" not in names
    assert json.loads(json.dumps(github.repo_labels))[0]["description"] == LABEL_SPECS[9].description
