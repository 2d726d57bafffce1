"""Every one of GitHub's published `issues` and `issue_comment` example payloads is handled cleanly.

They include null and empty bodies, issues from no form, deleted comments,
transferred issues and pull requests. Each run must exit 0 with outcome
`ignored` (or a real outcome) and a reason, online and offline.
"""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import responses

from responder.cli.main import main
from tests.conftest import FIXTURES, issue_body
from tests.support.github_api import FakeGitHub

WEBHOOKS = FIXTURES / "github" / "webhooks"
EXAMPLES = sorted(WEBHOOKS.glob("*/*.payload.json"))
CONFIG_WITHOUT_REPOSITORY = """\
services:
  - {name: nextcloud, title: Nextcloud, tier: critical}
"""


def test_all_published_examples_are_present() -> None:
    assert len([p for p in EXAMPLES if p.parent.name == "issues"]) == 28
    assert len([p for p in EXAMPLES if p.parent.name == "issue_comment"]) == 8


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "responder.yml"
    path.write_text(CONFIG_WITHOUT_REPOSITORY)
    return path


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield FakeGitHub(rsps, repo="Codertocat/Hello-World")


def run(config: Path, event: Path, event_name: str, *flags: str) -> tuple[int, dict[str, Any] | None, str]:
    out, err = io.StringIO(), io.StringIO()
    env = {"GITHUB_TOKEN": "ghs_" + "x" * 36, "RESPONDER_GITHUB_WRITE_INTERVAL": "0", "GITHUB_EVENT_NAME": event_name}
    # Intake only: no probes and no cluster, so nothing here leaves the machine.
    code = main(["handle", "--config", str(config), "--event", str(event), "--no-probe", *flags], env=env, stdout=out,
                stderr=err)
    text = out.getvalue()
    return code, (json.loads(text) if text else None), err.getvalue()


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_example_offline(config: Path, example: Path) -> None:
    code, decision, err = run(config, example, example.parent.name, "--dry-run", "--offline")
    assert code == 0, err
    assert decision is not None
    assert decision["outcome"] == "ignored"
    assert decision["reasons"] and all(isinstance(r, str) and r for r in decision["reasons"])
    assert "Traceback" not in err


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_example_online(config: Path, example: Path, github: FakeGitHub) -> None:
    payload = json.loads(example.read_text())
    if isinstance(payload.get("issue"), dict):
        github.add_issue(payload["issue"])
    code, _, err = run(config, example, example.parent.name)
    assert code == 0, err
    assert "Traceback" not in err
    assert github.writes() == []


@pytest.mark.parametrize("example", [p for p in EXAMPLES if p.parent.name == "issues"],
                         ids=lambda p: p.name)
def test_each_example_with_a_form_body_gets_a_real_answer(tmp_path: Path, config: Path, example: Path,
                                                          github: FakeGitHub) -> None:
    """The same payloads, as if filed through the outage form: opened/edited/reopened are acted on."""
    payload = copy.deepcopy(json.loads(example.read_text()))
    payload["issue"]["body"] = issue_body("outage-nextcloud-502.md")
    payload["issue"]["labels"] = [{"id": 1, "node_id": "L", "url": "u", "name": "user-report", "color": "ededed",
                                   "default": False, "description": None}]
    event = tmp_path / "event.json"
    event.write_text(json.dumps(payload))
    github.add_issue(payload["issue"])
    github.permissions[payload["issue"]["user"]["login"]] = "admin"
    code, decision, err = run(config, event, "issues", "--dry-run")
    assert code == 0, err
    assert decision is not None
    acted = payload["action"] in ("opened", "edited", "reopened") and payload["issue"]["state"] == "open" \
        and "pull_request" not in payload["issue"]
    if acted:
        assert decision["outcome"] == "triaged", decision["reasons"]
        assert decision["severity"] == "SEV2"
    else:
        assert decision["outcome"] == "ignored"


GARBAGE = [[], "text", 7, None, {}, {"issue": "x"}, {"issue": {"number": "1"}},
           {"action": "opened", "issue": {"number": 5, "user": None}},
           {"action": "created", "issue": {"number": 5, "user": {"login": "a"}}, "comment": {"id": "x"}},
           {"action": "opened", "issue": {"number": 5, "user": {"login": "a"}, "labels": 5}},
           {"action": "opened", "issue": {"number": 5, "user": {"login": "a"}, "assignees": 5}},
           {"action": "opened", "issue": {"number": 5, "user": {"login": "mal\ud800lory"}}}]


@pytest.mark.parametrize("garbage", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_payloads_are_bad_input_in_one_line(tmp_path: Path, config: Path, garbage: Any) -> None:
    event = tmp_path / "garbage.json"
    event.write_text(json.dumps(garbage))
    code, decision, err = run(config, event, "", "--dry-run", "--offline")
    assert code == 2 and decision is None
    assert err.startswith("responder: error: the event cannot be used: ")
    assert "internal error" not in err and "Traceback" not in err


def test_json_nested_too_deeply_is_bad_input(tmp_path: Path, config: Path) -> None:
    event = tmp_path / "deep.json"
    event.write_text('{"issue":' + "[" * 60_000 + "]" * 60_000 + "}")
    code, decision, err = run(config, event, "issues", "--dry-run", "--offline")
    assert (code, decision) == (2, None)
    assert err == f"responder: error: event file {event}: not usable JSON: nested too deeply\n"


def test_other_event_types_are_ignored_not_refused(tmp_path: Path, config: Path) -> None:
    event = tmp_path / "ping.json"
    event.write_text(json.dumps({"zen": "Design for failure.", "hook_id": 1}))
    code, decision, err = run(config, event, "ping", "--dry-run", "--offline")
    assert code == 0, err
    assert decision is not None and decision["outcome"] == "ignored"
