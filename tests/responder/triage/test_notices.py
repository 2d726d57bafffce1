"""Who hears about a new incident: owners and the first tier assigned and @-mentioned, and a notification
in the decision, once. Issue text pings nobody, in the comment or in the message."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import yaml

from responder.cli.main import main
from responder.render.quoting import Mention, mentions
from tests.conftest import EXAMPLE_CONFIG, issue_body
from tests.support import events


def paging_config(tmp_path: Path, **notify: Any) -> Path:
    raw = yaml.safe_load(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    nextcloud = next(service for service in raw["services"] if service["name"] == "nextcloud")
    nextcloud.update({"owners": ["nc-owner"], "runbook": "runbooks/nextcloud/"})
    raw["escalation"]["tiers"] = [["oncall-ana"], ["lead-bo"]]
    raw["notify"] = [{"url": "env:SLACK_WEBHOOK_URL", **notify}]
    path = tmp_path / "responder.yml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def decide(tmp_path: Path, payload: dict[str, Any], config: Path) -> dict[str, Any]:
    event = events.write(tmp_path, payload)
    out, err = io.StringIO(), io.StringIO()
    code = main(["handle", "--config", str(config), "--event", str(event), "--dry-run", "--offline", "--no-probe",
                 "--no-plan"], env={}, stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    return json.loads(out.getvalue())


def hostile_report() -> str:
    return issue_body("outage-nextcloud-502.md").replace("14:00 UTC\n", "@mallory fixes #1 [x](https://evil)\n")


def test_a_new_incident_calls_in_its_owners_and_the_first_tier_and_says_so(tmp_path: Path) -> None:
    payload = events.issues_event(title="@acme/everyone Nextcloud down, fixes #7", body=hostile_report())
    decision = decide(tmp_path, payload, paging_config(tmp_path))
    actions = {action["type"]: action for action in decision["actions"]}
    assert actions["assign"] == {"type": "assign", "assignees": ["nc-owner", "oncall-ana"]}
    assert actions["notify"] == {
        "type": "notify", "event": "opened", "issue": 42, "severity": "SEV2", "service": "nextcloud",
        "reason": "Classified SEV2: Nextcloud is a critical service and it is down (502 Bad Gateway)."}
    assert [a["type"] for a in decision["actions"]][-2:] == ["notify", "comment"]  # the state is written last
    body = actions["comment"]["body"]
    # The responder's own text pings the owner and the first tier, and only them ...
    assert "Called in: @nc-owner, @oncall-ana." in body
    assert "Runbook: <https://status.acme-homelab.org/post-mortems/runbooks/nextcloud/>" in body
    # ... while what the reporter wrote stays plain text.
    assert "`@mallory fixes #1 [x](https://evil)`" in body
    assert "@mallory" not in body.replace("`@mallory fixes #1 [x](https://evil)`", "")
    assert "@acme" not in body


def test_without_a_target_that_wants_it_there_is_no_notification(tmp_path: Path) -> None:
    payload = events.issues_event(body=issue_body("outage-nextcloud-502.md"))
    decision = decide(tmp_path, payload, paging_config(tmp_path, min_severity="SEV1"))
    assert "notify" not in [action["type"] for action in decision["actions"]]


def test_only_mentions_made_from_the_config_ping() -> None:
    assert mentions([Mention("nc-owner"), "@mallory", "lead-bo"]) == "@nc-owner, @\u200bmallory, lead-bo"
