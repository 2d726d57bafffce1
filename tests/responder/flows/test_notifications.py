"""`responder handle` tells people: a message at a real JSON receiver on loopback, and a failed one costs nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from responder.cli.main import main
from tests.conftest import issue_body
from tests.support import events
from tests.support.catalogue import loopback_config, stand_ins
from tests.support.github_api import FakeGitHub
from tests.support.http_services import Services
from tests.support.notify_receiver import Receiver, receiving

TOKEN = "ghs_" + "N0t1fyT0k3n" * 4
HOOK_SECRET = "hook-" + "Zq81TqWc4e" * 3


@dataclass
class Desk:
    tmp: Path
    services: Services
    github: FakeGitHub
    receiver: Receiver
    config: Path

    def handle(self, payload: dict[str, object]) -> tuple[int, str, str]:
        event = events.write(self.tmp, payload)
        summary = self.tmp / "summary.md"
        summary.write_text("")
        out, err = io.StringIO(), io.StringIO()
        env = {"GITHUB_TOKEN": TOKEN, "RESPONDER_GITHUB_WRITE_INTERVAL": "0", "GITHUB_STEP_SUMMARY": str(summary),
               # The URL is a secret, as the Getting started page sets it up: GitHub secret -> env -> env:NAME.
               "SLACK_WEBHOOK_URL": self.receiver.url.replace("/hook", "/" + HOOK_SECRET)}
        code = main(["handle", "--config", str(self.config), "--event", str(event)], env=env, stdout=out,
                    stderr=err)
        return code, summary.read_text(), err.getvalue()


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    with stand_ins() as (services, rsps), receiving() as receiver:
        github = FakeGitHub(rsps)
        github.permissions["alice"] = "write"
        path = loopback_config(tmp_path, services, {"nextcloud": {"status": 502}},
                               investigation={"kubernetes": {"enabled": False}})
        raw = yaml.safe_load(path.read_text())
        nextcloud = next(service for service in raw["services"] if service["name"] == "nextcloud")
        nextcloud.update({"owners": ["nc-owner"], "runbook": "https://docs.acme-homelab.org/runbooks/nextcloud/"})
        raw["escalation"]["tiers"] = [["oncall-ana"], ["lead-bo"]]
        raw["notify"] = [{"url": "env:SLACK_WEBHOOK_URL", "min_severity": "SEV2"}]
        path.write_text(yaml.safe_dump(raw, sort_keys=False))
        yield Desk(tmp_path, services, github, receiver, path)


def test_an_escalated_incident_reaches_the_receiver_with_its_runbook_once(desk: Desk) -> None:
    payload = events.issues_event(title="Nextcloud is down", body=issue_body("outage-nextcloud-502.md"))
    desk.github.add_issue(payload["issue"])
    code, summary, err = desk.handle(payload)
    assert code == 0, err
    [message] = desk.receiver.messages
    assert message["title"] == "SEV2 · nextcloud: a person is needed (#42)"
    lines = message["message"].splitlines()
    assert lines[0] == "SEV2 · nextcloud: a person is needed."
    assert lines[1].startswith("Escalated: the cluster could not be checked")
    assert lines[2:] == ["Issue #42: “Nextcloud is down”", "https://github.com/acme-homelab/infra/issues/42",
                         "Runbook: https://docs.acme-homelab.org/runbooks/nextcloud/"]
    assert "| **Notifications** | 1 sent, 0 failed |" in summary
    assert [a["login"] for a in desk.github.issues[42].data["assignees"]] == ["nc-owner", "oncall-ana", "vbarzin"]
    body = desk.github.bot_comment(42)
    assert "- Called in: @nc-owner, @oncall-ana." in body
    assert "- Runbook: <https://docs.acme-homelab.org/runbooks/nextcloud/>" in body
    # Reopened and investigated again: the incident was announced already, so nothing new is sent.
    reopened = events.issues_event("reopened", title="Nextcloud is down", body=issue_body("outage-nextcloud-502.md"))
    code, _, err = desk.handle(reopened)
    assert code == 0, err
    assert len(desk.receiver.messages) == 1


@pytest.mark.parametrize("broken", ["answers 500", "refuses"])
def test_a_receiver_that_fails_fails_nothing_and_is_counted(desk: Desk, broken: str) -> None:
    if broken == "answers 500":
        desk.receiver.status = 500
    else:
        desk.receiver.server.shutdown()
        desk.receiver.server.server_close()
    payload = events.issues_event(body=issue_body("outage-nextcloud-502.md"))
    desk.github.add_issue(payload["issue"])
    code, summary, err = desk.handle(payload)
    assert code == 0, err
    assert "| **Notifications** | 0 sent, 1 failed |" in summary
    # The summary is Markdown: what it quotes is escaped.
    assert "(SEV2): 1 target(s) failed: notify\\[0\\] (env:SLACK\\_WEBHOOK\\_URL): " in summary
    assert HOOK_SECRET not in summary + err
    assert "needs-human" in desk.github.labels(42)  # the incident is handled all the same
