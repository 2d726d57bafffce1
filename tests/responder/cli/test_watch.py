"""`responder watch` as the scheduled job runs it: environment in, one line and an exit status out."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from responder.cli.main import main
from tests.conftest import EXAMPLE_CONFIG
from tests.support import events
from tests.support.catalogue import loopback_config
from tests.support.github_api import FakeGitHub
from tests.support.http_services import Services, serving
from tests.support.issues_export import maintenance_body
from tests.support.notify_receiver import receiving

TOKEN = "ghs_" + "cl1w4tch" * 5


def cli(*argv: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    base = {"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": "acme-homelab/infra", "RESPONDER_GITHUB_WRITE_INTERVAL": "0"}
    try:
        code = main(list(argv), env={**base, **(env or {})}, stdout=out, stderr=err)
    except SystemExit as exc:  # argparse refused the arguments (its message went to err)
        code = int(str(exc.code))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def services() -> Iterator[Services]:
    with serving() as running:
        yield running


@pytest.fixture
def config(tmp_path: Path, services: Services) -> Path:
    path = loopback_config(tmp_path, services, {"grafana": {"status": 502}}, timeout=1.0)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["detection"] = {"confirm": {"probes": 2, "interval_seconds": 0.05}}
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(("argv", "env", "message"), [
    (("--now", "yesterday"), {}, "responder: error: --now 'yesterday' is not an ISO 8601 time such as "
                                 "2026-11-23T14:30:00Z"),
    ((), {"GITHUB_REPOSITORY": "not a repository"},
     "responder: error: the repository must be OWNER/NAME, got 'not a repository'"),
])
def test_bad_input_is_one_line_and_exit_2(argv: tuple[str, ...], env: dict[str, str], message: str) -> None:
    code, out, err = cli("watch", "--config", str(EXAMPLE_CONFIG), *argv, env=env)
    assert (code, out) == (2, "")
    assert err.splitlines()[0] == message


def test_a_config_without_a_repository_needs_github_repository(tmp_path: Path) -> None:
    raw = yaml.safe_load(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    del raw["repository"]
    path = tmp_path / "responder.yml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    code, _, err = cli("watch", "--config", str(path), env={"GITHUB_REPOSITORY": ""})
    assert code == 2 and err.startswith("responder: error: no repository to watch\n")


def test_a_dry_run_prints_the_rounds_decisions_and_writes_nothing(github: FakeGitHub, config: Path) -> None:
    code, out, err = cli("watch", "--config", str(config), "--dry-run", "--now", "2026-11-23T14:00:00Z")
    assert code == 0, err
    round_ = json.loads(out)
    [step] = round_["steps"]
    assert (step["service"], step["step"]) == ("grafana", "open")
    assert step["open"]["title"] == "[Outage]: Grafana dashboards is down"
    assert [check["at"] for check in step["checks"]] == ["2026-11-23T14:00:00Z"] * 2
    assert round_["confirmed"] == ["grafana"] and round_["opened"] == []
    assert github.writes() == [] and github.requests == 2  # the incidents, then the maintenance announcements
    assert "responder: watched 11 service(s): 1 confirmed, 1 step(s), 0 opened" in err


def test_a_round_opens_the_incident_and_writes_the_job_summary(github: FakeGitHub, config: Path,
                                                                tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    code, out, err = cli("watch", "--config", str(config), env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert (code, out) == (0, ""), err
    [issue] = github.created_issues()
    assert "auto-detected" in [label["name"] for label in issue["labels"]]
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("### issueops-responder: watch round\n")
    assert f"| **Opened** | #{issue['number']} |" in text
    assert "- grafana: open (all 2 checks failed and no open incident covers it)" in text


def test_the_on_call_people_hear_of_the_opening_and_of_the_resolution(github: FakeGitHub, config: Path,
                                                                       services: Services) -> None:
    raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    raw["notify"] = [{"url": "env:HOOK_URL"}]
    config.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with receiving() as receiver:
        env = {"HOOK_URL": receiver.url}
        code, _, err = cli("watch", "--config", str(config), "--now", "2026-11-23T14:00:00Z", env=env)
        assert code == 0, err
        [issue] = github.created_issues()
        [opened] = receiver.messages
        assert "grafana" in opened["title"] and f"#{issue['number']}" in opened["title"]
        # The next round: nothing new, nothing sent.
        code, _, err = cli("watch", "--config", str(config), "--now", "2026-11-23T14:05:00Z", env=env)
        assert code == 0 and len(receiver.messages) == 1, err
        services.routes["/grafana/health"].status = 200
        code, _, err = cli("watch", "--config", str(config), "--now", "2026-11-23T14:30:00Z", env=env)
        assert code == 0, err
        assert github.issues[issue["number"]].data["state"] == "closed"
        resolved = receiver.messages[-1]
        assert len(receiver.messages) == 2, receiver.messages
        assert "grafana" in resolved["title"] and "answers again after about 30 min of downtime" in \
            resolved["message"], resolved


def test_the_job_summary_lists_what_fails_under_announced_maintenance(github: FakeGitHub, config: Path,
                                                                     tmp_path: Path) -> None:
    github.permissions["vbarzin"] = "admin"
    github.add_issue(events.issue(70, body=maintenance_body("Grafana dashboards", "2026-11-23 13:30",
                                                            "2026-11-23 15:00", "Brief interruptions"),
                                  author="vbarzin", labels=("maintenance",)))
    summary = tmp_path / "summary.md"
    code, out, err = cli("watch", "--config", str(config), "--now", "2026-11-23T14:00:00Z",
                         env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert (code, out) == (0, ""), err
    assert github.created_issues() == []
    text = summary.read_text(encoding="utf-8")
    assert "**Failing under announced maintenance (no incident)**\n" \
           "- grafana: maintenance #70 until 2026-11-23T15:00:00Z (brief interruptions)\n" in text
    assert "responder: grafana: fails during maintenance #70 (brief interruptions, until 2026-11-23T15:00:00Z): " \
           "no incident" in err
