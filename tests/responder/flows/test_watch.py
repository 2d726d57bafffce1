"""`responder watch` end to end: real loopback services, the GitHub stand-in, rounds at injected times."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from responder.adapters.github import GitHubClient
from responder.adapters.kube import ClusterAccess, SnapshotCluster
from responder.adapters.probes import Prober
from responder.config.loader import Config, load_config
from responder.errors import GitHubError
from responder.flows.outage import IncidentTools
from responder.flows.watch import WatchReport, run
from responder.forms.answers import parse_body
from responder.forms.specs import outage_form
from responder.model.issues import BotComment
from responder.model.state import IssueState, render_marker
from tests.conftest import issue_body
from tests.support import events
from tests.support.catalogue import loopback_config, stand_ins
from tests.support.cluster_objects import SNAPSHOTS
from tests.support.github_api import FakeGitHub
from tests.support.http_services import Services
from tests.support.issues_export import maintenance_body
from tests.support.moments import at

TOKEN = "ghs_" + "w4tch" * 8
BOT = "github-actions[bot]"
REPO = "/repos/acme-homelab/infra"
LISTING = ("POST", "/graphql")


@dataclass
class Desk:
    tmp: Path
    services: Services
    github: FakeGitHub
    config: Config

    def configure(self, routes: dict[str, dict[str, Any]], *, without_url: tuple[str, ...] = (),
                  **detection: Any) -> None:
        path = loopback_config(self.tmp, self.services, routes, timeout=1.0)
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        for service in raw["services"]:
            if service["name"] in without_url:
                del service["url"], service["expect"]
        raw["detection"] = {"confirm": {"probes": 3, "interval_seconds": 0.05}, **detection}
        raw["postmortem"] = {"push": False}
        path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
        self.config = load_config(path)

    def route(self, service: str, **change: Any) -> None:
        route = self.services.routes[f"/{service}/health"]
        for key, value in change.items():
            setattr(route, key, value)

    def round(self, now: str, *, dry_run: bool = False, snapshot: str | None = None,
              client: type[GitHubClient] = GitHubClient) -> WatchReport:
        github = client("acme-homelab/infra", TOKEN, write_interval=0)
        moment = at(now)
        tools = IncidentTools(settings=self.config.investigation, prober=Prober(retry_delay=0.02, now=lambda: moment),
                              now=lambda: moment)
        if snapshot is not None:
            tools.open_cluster = lambda: ClusterAccess(SnapshotCluster(SNAPSHOTS / f"{snapshot}.json"))
        return run(self.config, github, tools, dry_run=dry_run)

    def report(self, number: int, service: str, *, state: IssueState | None = None) -> None:
        """A person's outage report of `service`, triaged by the responder (incident label, its comment)."""
        title = self.config.service(service).title  # type: ignore[union-attr]
        body = issue_body("outage-nextcloud-502.md").replace("Nextcloud\n", f"{title}\n", 1)
        self.github.add_issue(events.issue(number, body=body, labels=("user-report", "incident", "sev3"),
                                           created_at="2026-11-23T13:50:00Z"))
        state = state or IssueState(kind="outage-report", outcome="escalated", severity="SEV3",
                                    sections={"investigation": {"service": service}})
        text = f"### 🙋 {title}: a person is needed\n\n<sub>🤖 issueops-responder</sub>\n\n{render_marker(state)}"
        self.github.add_comment(number, text, BOT, kind="Bot")

    def opened(self) -> list[dict[str, Any]]:
        return self.github.created_issues()


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    with stand_ins() as (services, rsps):
        github = FakeGitHub(rsps)
        desk = Desk(tmp_path, services, github, None)  # type: ignore[arg-type]
        desk.configure({"grafana": {"status": 502}})
        yield desk


def test_a_service_answering_502_gets_one_auto_detected_incident_triaged_in_the_same_round(desk: Desk) -> None:
    report = desk.round("2026-11-23T14:00:00Z")
    [issue] = desk.opened()
    number = issue["number"]
    assert report.opened == [number]
    assert issue["title"] == "[Outage]: Grafana dashboards is down"
    labels = desk.github.labels(number)
    assert {"incident", "sev3", "auto-detected"} <= set(labels)
    # The body answers the outage form, so everything downstream reads it like a person's report.
    parsed = parse_body(issue["body"], outage_form(desk.config))
    assert parsed.valid, parsed.problems
    assert parsed.values["service"] == ["Grafana dashboards"] and parsed.values["error_type"] == ["502 Bad Gateway"]
    assert parsed.values["when"] == "2026-11-23T14:00:00Z"
    # Triage in the same round: the evidence comment with its state, and the assignment.
    comment = desk.github.bot_comment(number)
    assert "Grafana dashboards" in comment and "SEV3" in comment
    assert "grafana is down after a second try: HTTP 502, expected 200." in comment
    assert "trusted: github-actions[bot] (opened by the responder itself)" in report.decisions[1].reasons
    assert issue["assignees"] and "vbarzin" in [a["login"] for a in issue["assignees"]]
    assert report.confirmed == ("grafana",)
    assert any("notify" in line and "no notify targets configured" in line for line in report.skipped)
    assert desk.github.log[0] == LISTING
    assert ("POST", f"{REPO}/issues") in desk.github.log


def test_the_next_round_opens_nothing_new_for_one_request(desk: Desk) -> None:
    desk.round("2026-11-23T14:00:00Z")
    before = len(desk.github.log)
    report = desk.round("2026-11-23T14:05:00Z")
    assert desk.github.log[before:] == [LISTING]
    assert len(desk.opened()) == 1 and report.plan.steps == () and report.confirmed == ()


def test_once_it_answers_the_downtime_is_told_and_the_incident_closed_as_resolved(desk: Desk) -> None:
    desk.round("2026-11-23T14:00:00Z")
    [issue] = desk.opened()
    number = issue["number"]
    desk.route("grafana", status=200)
    before = len(desk.github.log)
    report = desk.round("2026-11-23T14:20:00Z")
    assert [step.kind for step in report.plan.steps] == ["resolve"]
    comment_id = desk.github.bot_comments(number)[0]["id"]
    assert desk.github.log[before:] == [LISTING, ("PATCH", f"{REPO}/issues/{number}"),
                                        ("PATCH", f"{REPO}/issues/comments/{comment_id}")]
    data = desk.github.issues[number].data
    assert (data["state"], data["state_reason"]) == ("closed", "completed")
    comment = desk.github.bot_comment(number)
    assert ("✅ Grafana dashboards answers again (HTTP 200 in" in comment
            and "It was down for about 20 min: from `2026-11-23T14:00:00Z`, its first failed check, to "
                "`2026-11-23T14:20:00Z`, its first answer. Closed as resolved." in comment)
    # One comment still: the round's block sits in the triage comment, above the state.
    assert len(desk.github.bot_comments(number)) == 1
    assert any("notify resolved" in line for line in report.skipped)
    # Closed incidents are not listed: the next round has nothing to do.
    before = len(desk.github.log)
    desk.round("2026-11-23T14:25:00Z")
    assert desk.github.log[before:] == [LISTING]


def test_a_persons_report_gets_the_evidence_once_instead_of_a_second_issue(desk: Desk) -> None:
    desk.report(42, "grafana")
    report = desk.round("2026-11-23T14:00:00Z")
    assert desk.opened() == []
    assert [(step.kind, step.incident.number if step.incident else None) for step in report.plan.steps] == \
        [("evidence", 42)]
    comment = desk.github.bot_comment(42)
    assert "🔴 The watch round finds Grafana dashboards down: all 3 checks of its confirmation failed." in comment
    assert comment.startswith("### 🙋 Grafana dashboards: a person is needed")
    # Remembered in the state marker: the next round neither confirms nor writes again.
    before = len(desk.github.log)
    report = desk.round("2026-11-23T14:05:00Z")
    assert desk.github.log[before:] == [LISTING] and report.confirmed == ()
    # Back up: "looks recovered", once, and the report stays open for a person to close.
    desk.route("grafana", status=200)
    report = desk.round("2026-11-23T14:30:00Z")
    assert [step.kind for step in report.plan.steps] == ["looks-recovered"]
    assert "✅ Grafana dashboards looks recovered: it answers again (HTTP 200 in" in desk.github.bot_comment(42)
    assert "about 30 min after the watch round first found it down" in desk.github.bot_comment(42)
    assert desk.github.issues[42].data["state"] == "open"
    before = len(desk.github.log)
    desk.round("2026-11-23T14:35:00Z")
    assert desk.github.log[before:] == [LISTING]


def test_a_single_blip_is_no_outage(desk: Desk) -> None:
    desk.configure({"grafana": {"fail_first": 1}})  # 503 once (its retry inside the probe too), then fine
    desk.route("grafana", fail_first=2)
    report = desk.round("2026-11-23T14:00:00Z")
    assert report.confirmed == ("grafana",)
    assert desk.opened() == [] and report.plan.steps == ()


def test_services_behind_a_dependency_that_is_down_get_no_incident_of_their_own(desk: Desk) -> None:
    desk.configure({"traefik": {"status": 502}, "home-assistant": {"status": 502}})
    report = desk.round("2026-11-23T14:00:00Z")
    [issue] = desk.opened()
    assert issue["title"] == "[Outage]: Ingress (Traefik) is down"
    assert "sev1" in desk.github.labels(issue["number"])  # core infrastructure down
    assert report.plan.held == {"home-assistant": ("traefik",)}


def test_recovery_waits_for_the_configured_rounds_and_a_new_failure_resets_the_count(desk: Desk) -> None:
    desk.configure({"grafana": {"status": 502}}, recover_after_runs=2)
    desk.round("2026-11-23T14:00:00Z")
    [issue] = desk.opened()
    number = issue["number"]
    desk.route("grafana", status=200)
    report = desk.round("2026-11-23T14:10:00Z")
    assert [step.kind for step in report.plan.steps] == ["recovering"]
    assert "round 1 of the 2 in a row it must answer" in desk.github.bot_comment(number)
    desk.route("grafana", status=502)
    report = desk.round("2026-11-23T14:15:00Z")
    assert [step.kind for step in report.plan.steps] == ["down-again"]
    desk.route("grafana", status=200)
    desk.round("2026-11-23T14:20:00Z")
    assert desk.github.issues[number].data["state"] == "open"
    report = desk.round("2026-11-23T14:25:00Z")
    assert [step.kind for step in report.plan.steps] == ["resolve"]
    assert desk.github.issues[number].data["state"] == "closed"
    # Down from the first failed check to the first of the answering rounds that counted.
    assert "It was down for about 20 min" in desk.github.bot_comment(number)


def test_a_dry_run_shows_the_round_and_writes_nothing(desk: Desk) -> None:
    report = desk.round("2026-11-23T14:00:00Z", dry_run=True)
    assert desk.github.writes() == [] and desk.opened() == []
    [step] = report.to_json()["steps"]
    assert step["step"] == "open" and step["open"]["title"] == "[Outage]: Grafana dashboards is down"
    assert "auto-detected" in step["open"]["labels"] and step["triage"]["severity"] == "SEV3"


def test_the_confirmation_checks_the_failing_services_at_once(desk: Desk) -> None:
    desk.configure({name: {"status": 502} for name in ("grafana", "mail", "immich", "woodpecker")},
                   confirm={"probes": 3, "interval_seconds": 0.3})
    report = desk.round("2026-11-23T14:00:00Z", dry_run=True)
    assert set(report.confirmed) == {"grafana", "mail", "immich", "woodpecker"}
    # Two intervals of 0.3 s, not eight: the confirmations overlap.
    assert 0.6 <= report.seconds < 1.5


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def test_a_resolved_sev2_is_handed_to_the_post_mortem_flow(desk: Desk) -> None:
    desk.configure({"nextcloud": {"status": 502}})
    _git(desk.tmp, "init", "-q", "-b", "main")
    _git(desk.tmp, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "--allow-empty",
         "-m", "init")
    desk.round("2026-11-23T14:00:00Z")
    [issue] = desk.opened()
    number = issue["number"]
    assert {"sev2", "postmortem-required"} <= set(desk.github.labels(number))
    desk.route("nextcloud", status=200)
    report = desk.round("2026-11-23T14:45:00Z")
    assert report.problems == []
    assert desk.github.issues[number].data["state"] == "closed"
    assert "postmortem-done" in desk.github.labels(number)
    assert any("post-mortem" in line and "committed" in line for line in report.done), report.done
    assert list((desk.tmp / "site" / "docs" / "post-mortems").glob("*.md"))


def test_a_service_without_a_url_is_watched_through_its_workload(desk: Desk) -> None:
    desk.configure({}, without_url=("home-assistant",))
    report = desk.round("2026-11-23T14:10:00Z", snapshot="scaled-to-zero")
    [issue] = desk.opened()
    assert issue["title"] == "[Outage]: Home Assistant is down"
    assert report.confirmed == ("home-assistant",)
    parsed = parse_body(issue["body"], outage_form(desk.config))
    assert parsed.valid and parsed.values["error_type"] == ["Page won't load (timeout / connection refused)"]
    assert "`deployment/home-assistant in home-assistant`" in issue["body"]
    comment = desk.github.bot_comment(issue["number"])
    assert "scaled to 0" in comment.lower()
    # Healthy in the cluster: nothing to open.
    desk.github.issues.clear()
    assert desk.round("2026-11-23T14:10:00Z", snapshot="healthy").plan.steps == ()


class CommentsFail(GitHubClient):
    """GitHub takes the issue, then fails the triage comment (after every retry)."""

    def create_comment(self, number: int, body: str) -> BotComment:
        raise GitHubError(f"GitHub POST /repos/acme-homelab/infra/issues/{number}/comments failed: 502 Bad Gateway")


def test_an_incident_whose_round_stopped_after_opening_it_is_triaged_by_the_next(desk: Desk) -> None:
    with pytest.raises(GitHubError):
        desk.round("2026-11-23T14:00:00Z", client=CommentsFail)
    [issue] = desk.opened()
    assert desk.github.bot_comments(issue["number"]) == []
    report = desk.round("2026-11-23T14:05:00Z")
    assert [step.kind for step in report.plan.steps] == ["triage"]
    assert len(desk.opened()) == 1
    assert "grafana is down after a second try" in desk.github.bot_comment(issue["number"])
    before = len(desk.github.log)
    desk.round("2026-11-23T14:10:00Z")
    assert desk.github.log[before:] == [LISTING]


def announce(desk: Desk, number: int, titles: str, *, author: str = "vbarzin", association: str = "COLLABORATOR",
             impact: str = "Unavailable during the window") -> None:
    """An open maintenance issue, 13:30 to 15:00 UTC on the day of the rounds."""
    desk.github.add_issue(events.issue(number, body=maintenance_body(titles, "2026-11-23 13:30", "2026-11-23 15:00",
                                                                     impact),
                                       title="[Maintenance]: database upgrade", author=author,
                                       association=association, labels=("maintenance",),
                                       created_at="2026-11-23T12:00:00Z"))


def test_a_service_under_announced_maintenance_opens_no_incident(desk: Desk) -> None:
    desk.github.permissions["vbarzin"] = "admin"
    announce(desk, 70, "Grafana dashboards")
    report = desk.round("2026-11-23T14:00:00Z")
    assert desk.opened() == [] and report.plan.steps == ()
    assert report.confirmed == ()  # nothing to confirm: the window said it would fail
    assert report.to_json()["maintenance"] == {"grafana": {"issue": 70, "until": "2026-11-23T15:00:00Z",
                                                           "impact": "Unavailable during the window"}}
    assert desk.github.log == [LISTING, ("GET", f"{REPO}/issues"),
                               ("GET", f"{REPO}/collaborators/vbarzin/permission")]


def test_what_depends_on_a_service_under_maintenance_gets_no_incident_either(desk: Desk) -> None:
    desk.github.permissions["vbarzin"] = "admin"
    desk.configure({"traefik": {"status": 502}, "home-assistant": {"status": 502}})
    announce(desk, 70, "Ingress (Traefik)")
    report = desk.round("2026-11-23T14:00:00Z")
    assert desk.opened() == []
    assert report.plan.held == {"home-assistant": ("traefik",)} and list(report.plan.maintenance) == ["traefik"]


@pytest.mark.parametrize("author, association, permission, looked_up", [
    ("mallory", "NONE", None, False),  # anyone can open an issue from the form, and the form applies the label
    ("carol", "COLLABORATOR", "read", True),  # a collaborator below trust.min_permission
    (BOT, "COLLABORATOR", "admin", False),  # the responder's own account: other workflows post under it
])
def test_maintenance_announced_by_someone_not_trusted_changes_nothing(desk: Desk, author: str, association: str,
                                                                      permission: str | None,
                                                                      looked_up: bool) -> None:
    if permission:
        desk.github.permissions[author] = permission
    announce(desk, 70, "Grafana dashboards", author=author, association=association)
    report = desk.round("2026-11-23T14:00:00Z")
    assert len(desk.opened()) == 1 and report.plan.maintenance == {}
    assert (("GET", f"{REPO}/collaborators/{author}/permission") in desk.github.log) is looked_up


def test_maintenance_counts_only_from_the_associations_the_status_page_trusts(desk: Desk) -> None:
    desk.github.permissions["vbarzin"] = "admin"
    raw = yaml.safe_load(desk.config.path.read_text(encoding="utf-8"))
    raw["statuspage"] = {**(raw.get("statuspage") or {}), "trusted_associations": ["OWNER"]}
    desk.config.path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    desk.config = load_config(desk.config.path)
    announce(desk, 70, "Grafana dashboards")  # by a COLLABORATOR with admin permission
    report = desk.round("2026-11-23T14:00:00Z")
    assert len(desk.opened()) == 1 and report.plan.maintenance == {}


@pytest.mark.parametrize("impact, now", [
    ("No interruption expected", "2026-11-23T14:00:00Z"),
    ("Unavailable during the window", "2026-11-23T13:29:00Z"),  # not begun
    ("Unavailable during the window", "2026-11-23T15:00:00Z"),  # over: its end is outside it
])
def test_maintenance_that_promised_no_interruption_or_is_not_running_changes_nothing(desk: Desk, impact: str,
                                                                                    now: str) -> None:
    desk.github.permissions["vbarzin"] = "admin"
    announce(desk, 70, "Grafana dashboards", impact=impact)
    report = desk.round(now)
    assert len(desk.opened()) == 1 and report.plan.maintenance == {}


def test_a_round_where_everything_answers_reads_no_announcements(desk: Desk) -> None:
    desk.route("grafana", status=200)
    announce(desk, 70, "Grafana dashboards")
    report = desk.round("2026-11-23T14:00:00Z")
    assert desk.github.log == [LISTING] and report.plan.maintenance == {}


def test_announcements_that_cannot_be_read_count_for_nothing(desk: Desk) -> None:
    announce(desk, 70, "Grafana dashboards")
    # A token that may not read the issues listing (the incidents come through GraphQL).
    desk.github.fail_next(403, body={"message": "Resource not accessible by integration", "status": "403"},
                          path=f"{REPO}/issues")
    report = desk.round("2026-11-23T14:00:00Z")
    assert len(desk.opened()) == 1
    assert report.problems == ["maintenance announcements could not be read: GitHub GET "
                               "/repos/acme-homelab/infra/issues failed: 403 Resource not accessible by integration"]


def test_a_persons_report_during_maintenance_gets_the_evidence_and_the_window(desk: Desk) -> None:
    desk.github.permissions["vbarzin"] = "admin"
    desk.report(60, "grafana")
    announce(desk, 70, "Grafana dashboards", impact="Brief interruptions")
    report = desk.round("2026-11-23T14:00:00Z")
    assert desk.opened() == [] and [step.kind for step in report.plan.steps] == ["evidence"]
    comment = desk.github.bot_comment(60)
    assert "The watch round finds Grafana dashboards down" in comment
    assert "Maintenance #70 expects this: brief interruptions until `2026-11-23T15:00:00Z`." in comment
