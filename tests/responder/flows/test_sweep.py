"""`responder sweep` against real loopback services and GitHub answered at the HTTP boundary, at injected times."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from responder.adapters.github import GitHubClient
from responder.adapters.notify import notifier_for
from responder.adapters.probes import Prober
from responder.cli.main import main
from responder.config.loader import Config, load_config
from responder.flows.sweep import SweepReport, run
from responder.model.state import IssueState, JournalEntry, read_marker, render_marker
from tests.conftest import issue_body
from tests.support import events
from tests.support.catalogue import loopback_config, stand_ins
from tests.support.github_api import FakeGitHub
from tests.support.http_services import Services
from tests.support.moments import at
from tests.support.notify_receiver import Receiver, receiving

TOKEN = "ghs_" + "5w33p" * 8
BOT = "github-actions[bot]"
OPENED = "2026-11-23T14:05:00Z"


@dataclass
class Desk:
    tmp: Path
    services: Services
    github: FakeGitHub
    config: Config

    def incident(self, number: int, service: str = "Nextcloud", severity: str = "SEV2", *,
                 root_cause: str | None = "oom-killed", sweep: dict[str, Any] | None = None,
                 labels: tuple[str, ...] = (), with_comment: bool = True, acknowledged: bool = True) -> None:
        """An open incident; `acknowledged`: a trusted person answered it in time (its response target is met)."""
        body = issue_body("outage-nextcloud-502.md").replace("Nextcloud\n", f"{service}\n", 1)
        level = severity.lower()
        extra = ("postmortem-required",) if severity in ("SEV1", "SEV2") else ()
        self.github.add_issue(events.issue(number, body=body, labels=("user-report", "incident", level, *extra,
                                                                       *labels), created_at=OPENED))
        if not with_comment:
            return
        name = self.config.service_by_title(service).name  # type: ignore[union-attr]
        state = IssueState(kind="outage-report", outcome="escalated", severity=severity, digest="d1",
                           journal=(JournalEntry(OPENED, "escalated", "Escalated."),),
                           sections={"investigation": {"service": name, "root_cause": root_cause},
                                     "sweep": {"status": "open", "last_update": "2026-11-23T14:06:00Z",
                                               **({"acknowledged_at": "2026-11-23T14:07:00Z"} if acknowledged
                                                  else {}),
                                               **(sweep or {})}})
        text = f"### 🙋 {service}: a person is needed\n\n<sub>🤖 issueops-responder</sub>\n\n{render_marker(state)}"
        comment = self.github.add_comment(number, text, BOT, kind="Bot")
        comment["created_at"] = "2026-11-23T14:06:00Z"

    def sweep(self, now: str, *, dry_run: bool = False) -> SweepReport:
        client = GitHubClient("acme-homelab/infra", TOKEN, write_interval=0)
        return run(self.config, client, self.config.investigation, prober=Prober(retry_delay=0.05),
                   now=lambda: at(now), dry_run=dry_run, notifier=notifier_for(self.config, {}))

    def state(self, number: int) -> IssueState:
        state = read_marker(self.github.bot_comment(number))
        assert state is not None
        return state

    def body(self, number: int) -> str:
        return self.github.bot_comment(number)


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    with stand_ins() as (services, rsps):
        github = FakeGitHub(rsps)
        config = load_config(loopback_config(tmp_path, services, {"nextcloud": {"status": 502},
                                                                  "mail": {"status": 503},
                                                                  "grafana": {"status": 503}}, timeout=1.0))
        yield Desk(tmp_path, services, github, config)


def test_nothing_due_costs_two_listings(desk: Desk) -> None:
    """The open incidents, and the reports waiting for their reporter (cannot-reproduce): one request each."""
    desk.incident(42)
    report = desk.sweep("2026-11-23T14:20:00Z")
    assert desk.github.log == [*LISTINGS]
    assert report.plans[0].notes == ()


def test_an_update_due_by_the_cadence_edits_the_one_comment(desk: Desk) -> None:
    desk.incident(42)
    report = desk.sweep("2026-11-23T14:37:00Z")  # SEV2: every 30 min; the last update was at 14:06
    assert report.plans[0].notes == ("update due (SEV2 every 30 min)",)
    assert desk.github.log == [*LISTINGS, ("PATCH", "/repos/acme-homelab/infra/issues/comments/900001")]
    body = desk.body(42)
    assert "- ⏰ An update is due: SEV2 incidents get one every 30 minutes, and the last was 31 min ago. Right now " \
           "nextcloud is down (HTTP 502, expected 200)." in body
    assert "Next update due by `2026-11-23T15:07:00Z`." in body
    assert desk.state(42).sections["sweep"]["last_update"] == "2026-11-23T14:37:00Z"
    assert desk.state(42).journal[-1].kind == "reminder"
    # The next sweep replaces the block instead of adding another, and the journal keeps the latest reminder.
    desk.sweep("2026-11-23T15:08:00Z")
    assert desk.body(42).count("<!-- issueops-responder:block:update -->") == 1
    assert len(desk.github.bot_comments(42)) == 1
    state = desk.state(42)
    assert [e.kind for e in state.journal] == ["escalated", "reminder"]
    assert state.journal[-1].at == "2026-11-23T15:08:00Z" and state.sections["sweep"]["reminders"] == 2


def comment(desk: Desk, number: int, login: str, association: str, when: str, body: str = "+1") -> None:
    note = desk.github.add_comment(number, body, login, association)
    note["created_at"] = note["updated_at"] = when


COMMENTS_42 = ("GET", "/repos/acme-homelab/infra/issues/42/comments")
# Every sweep lists the open incidents and the reports waiting for their reporter: one GraphQL request each.
LISTINGS = (("POST", "/graphql"), ("POST", "/graphql"))


def permission(login: str) -> tuple[str, str]:
    return ("GET", f"/repos/acme-homelab/infra/collaborators/{login}/permission")


def test_a_trusted_persons_comment_counts_as_an_update(desk: Desk) -> None:
    desk.github.permissions["vbarzin"] = "admin"
    desk.incident(42)
    comment(desk, 42, "vbarzin", "OWNER", "2026-11-23T14:30:00Z", "Looking into it, PHP memory is exhausted.")
    comment(desk, 42, "bob", "NONE", "2026-11-23T14:40:00Z")  # newer, but never looked up
    report = desk.sweep("2026-11-23T14:45:00Z")
    assert report.plans[0].notes == ()
    assert desk.github.log == [*LISTINGS, COMMENTS_42, permission("vbarzin")]
    assert report.github_requests == 4
    listing = [call.request.url for call in desk.github.rsps.calls if "/comments" in call.request.url]
    assert ["since=2026-11-23T14%3A06%3A00Z" in url for url in listing] == [True]  # only since the last update


@pytest.mark.parametrize(("login", "association", "asked"), [
    ("stranger", "NONE", []),  # a "+1" from anyone: no permission request
    ("carol", "MEMBER", [permission("carol")]),  # an organisation member with read access only
    ("dave", "CONTRIBUTOR", []),
])
def test_a_comment_from_someone_untrusted_does_not_silence_the_reminder(
        desk: Desk, login: str, association: str, asked: list[tuple[str, str]]) -> None:
    desk.github.permissions["carol"] = "read"
    desk.incident(42)
    comment(desk, 42, login, association, "2026-11-23T14:30:00Z")
    report = desk.sweep("2026-11-23T14:45:00Z")
    assert report.plans[0].notes == ("update due (SEV2 every 30 min)",)
    assert desk.github.log == [*LISTINGS, COMMENTS_42, *asked,
                               ("PATCH", "/repos/acme-homelab/infra/issues/comments/900001")]


def test_comments_are_read_only_when_an_update_is_due_and_each_person_is_looked_up_once(desk: Desk) -> None:
    desk.github.permissions.update({"vbarzin": "admin", "carol": "read"})
    desk.incident(41, sweep={"last_update": "2026-11-23T14:40:00Z"})  # nothing due: a comment costs nothing
    comment(desk, 41, "vbarzin", "OWNER", "2026-11-23T14:42:00Z")
    for number in (42, 43):
        desk.incident(number)
        comment(desk, number, "vbarzin", "OWNER", "2026-11-23T14:20:00Z")
        comment(desk, number, "carol", "MEMBER", "2026-11-23T14:30:00Z")
    report = desk.sweep("2026-11-23T14:45:00Z")
    assert [p.notes for p in report.plans] == [(), (), ()]
    assert desk.github.log == [*LISTINGS, COMMENTS_42, permission("carol"), permission("vbarzin"),
                               ("GET", "/repos/acme-homelab/infra/issues/43/comments")]


def test_a_comment_edited_after_the_last_update_is_not_a_new_one(desk: Desk) -> None:
    desk.github.permissions["vbarzin"] = "admin"
    desk.incident(42)
    comment(desk, 42, "vbarzin", "OWNER", "2026-11-23T14:00:00Z")
    desk.github.issues[42].comments[-1]["updated_at"] = "2026-11-23T14:30:00Z"
    comment(desk, 42, "stranger", "NONE", "2026-11-23T14:31:00Z")
    report = desk.sweep("2026-11-23T14:45:00Z")
    assert report.plans[0].notes == ("update due (SEV2 every 30 min)",)


@pytest.mark.parametrize(("severity", "closed"), [("SEV3", True), ("SEV2", False)])
def test_a_recovered_service_is_resolved_and_only_minor_incidents_are_closed(desk: Desk, severity: str,
                                                                            closed: bool) -> None:
    desk.services.routes["/nextcloud/health"].status = 200
    desk.services.routes["/nextcloud/health"].body = '{"installed":true}'
    desk.incident(42, severity=severity)
    report = desk.sweep("2026-11-23T14:20:00Z")
    assert report.plans[0].status == "resolved"
    state = desk.state(42)
    assert state.sections["sweep"]["status"] == "resolved"
    assert state.sections["sweep"]["resolved_at"] == "2026-11-23T14:20:00Z"
    assert state.journal[-1].kind == "recovered"
    assert (desk.github.issues[42].data["state"] == "closed") is closed
    assert len(desk.github.log) == (4 if closed else 3)
    if not closed:
        assert "SEV2 incidents stay open until a person closes them; the post-mortem is drafted then." in desk.body(42)


def test_a_resolved_incident_that_fails_again_is_open_again(desk: Desk) -> None:
    desk.incident(42, sweep={"status": "resolved", "resolved_at": "2026-11-23T14:15:00Z"})
    report = desk.sweep("2026-11-23T14:20:00Z")
    assert report.plans[0].status == "open"
    assert desk.state(42).sections["sweep"]["status"] == "open"
    assert "- ⚠️ nextcloud is down again (HTTP 502, expected 200)." in desk.body(42)


@pytest.mark.parametrize(("severity", "minutes", "escalates"), [
    ("SEV1", 29, False), ("SEV1", 31, True), ("SEV2", 119, False), ("SEV2", 121, True), ("SEV3", 600, False),
])
def test_no_root_cause_in_time_escalates(desk: Desk, severity: str, minutes: int, escalates: bool) -> None:
    desk.incident(42, service="Mail", severity=severity, root_cause=None,
                  sweep={"last_update": "2026-11-24T23:59:00Z"})  # no reminder in the way
    moment = at(OPENED) + timedelta(minutes=minutes)
    report = desk.sweep(moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
    labels = desk.github.labels(42)
    assert ("needs-human" in labels) is escalates
    if escalates:
        assert [a["login"] for a in desk.github.issues[42].data["assignees"]] == ["vbarzin"]
        assert desk.state(42).sections["sweep"]["escalated_at"]
        assert desk.github.log[2:] == [("PATCH", "/repos/acme-homelab/infra/issues/42"),
                                       ("PATCH", "/repos/acme-homelab/infra/issues/comments/900001")]
        assert report.plans[0].notes[0].startswith(f"no root cause after {minutes // 60} h" if minutes >= 120
                                                   else f"no root cause after {minutes} min")


def test_a_known_root_cause_or_an_earlier_escalation_is_not_escalated_again(desk: Desk) -> None:
    desk.incident(42, service="Mail", severity="SEV1", root_cause="config-missing")
    desk.incident(43, service="Mail", severity="SEV1", root_cause=None, labels=("needs-human",))
    desk.sweep("2026-11-23T16:00:00Z")
    assert not any(method == "PATCH" and path.endswith(("/issues/42", "/issues/43")) for method, path in
                   desk.github.log)


def test_an_incident_without_a_responder_comment_gets_one(desk: Desk) -> None:
    desk.incident(42, with_comment=False)
    desk.sweep("2026-11-23T14:40:00Z")
    state = desk.state(42)
    assert state.sections["sweep"]["last_update"] == "2026-11-23T14:40:00Z"
    assert desk.github.log[-1] == ("POST", "/repos/acme-homelab/infra/issues/42/comments")


def test_the_cost_is_two_listings_plus_at_most_two_requests_per_incident(desk: Desk) -> None:
    desk.services.routes["/grafana/health"].status = 200
    desk.services.routes["/grafana/health"].body = '{"database": "ok"}'
    desk.incident(41, service="Grafana dashboards", severity="SEV3")  # recovers: comment + close
    desk.incident(42, service="Mail", severity="SEV1", root_cause=None)  # escalates: labels + comment
    desk.incident(43)  # SEV2 reminder: comment
    desk.incident(44, sweep={"last_update": "2026-11-23T16:00:00Z"})  # nothing due
    report = desk.sweep("2026-11-23T16:00:00Z")
    assert report.github_requests == len(desk.github.log) == 2 + 2 + 2 + 1 + 0
    per_issue: dict[str, int] = {}
    for _, path in desk.github.log[2:]:
        per_issue[path] = per_issue.get(path, 0) + 1
    assert max(per_issue.values()) <= 2


def test_a_dry_run_prints_the_plan_and_writes_nothing(desk: Desk) -> None:
    desk.incident(42)
    event_env = {"GITHUB_TOKEN": TOKEN, "RESPONDER_GITHUB_WRITE_INTERVAL": "0"}
    out, err = io.StringIO(), io.StringIO()
    code = main(["sweep", "--config", str(desk.config.path), "--dry-run", "--now", "2026-11-23T14:40:00Z"],
                env=event_env, stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    printed = json.loads(out.getvalue())
    [incident] = printed["incidents"]
    assert incident["issue"] == 42 and incident["notes"] == ["update due (SEV2 every 30 min)"]
    assert [a["type"] for a in incident["actions"]] == ["comment"]
    assert desk.github.writes() == []
    assert "responder: swept 1 open incident(s); 1 needed something" in err.getvalue()


def test_a_bad_time_is_bad_input(desk: Desk) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["sweep", "--config", str(desk.config.path), "--now", "half past two"],
                env={"GITHUB_TOKEN": TOKEN}, stdout=out, stderr=err)
    assert code == 2
    assert "--now 'half past two' is not an ISO 8601 time" in err.getvalue()


# ---------------------------------------------------------------- response targets, tiers and notifications

TIERS = [["oncall-ana"], ["lead-bo"], ["head-cy"]]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as running:
        yield running


def paging(desk: Desk, receiver: Receiver, **notify: Any) -> Desk:
    """The desk with escalation tiers, an owner and a runbook for Mail, and a notify target at the receiver."""
    raw = yaml.safe_load(desk.config.path.read_text())
    raw["escalation"]["tiers"] = TIERS
    mail = next(service for service in raw["services"] if service["name"] == "mail")
    mail.update({"owners": ["mail-owner"], "runbook": "https://docs.acme-homelab.org/runbooks/mail/"})
    raw["notify"] = [{"url": receiver.url, **notify}]
    desk.config.path.write_text(yaml.safe_dump(raw, sort_keys=False))
    desk.config = load_config(desk.config.path)
    return desk


def sev1(desk: Desk, number: int = 42, **kwargs: Any) -> None:
    """An unacknowledged SEV1 for Mail opened at 14:05, its first tier assigned at triage."""
    desk.incident(number, service="Mail", severity="SEV1", acknowledged=False,
                  sweep={"last_update": "2026-11-23T14:59:00Z"}, **kwargs)  # no reminder in the way
    desk.github.issues[number].data["assignees"] = [events.user("oncall-ana")]


def labelled(desk: Desk, number: int, login: str, label: str, when: str) -> None:
    desk.github.issues[number].events.append({"event": "labeled", "actor": events.user(login), "created_at": when,
                                              "label": {"name": label, "color": "ededed"}})


def test_an_unacknowledged_sev1_past_five_minutes_is_escalated_to_the_next_tier_with_a_message(
        desk: Desk, receiver: Receiver) -> None:
    paging(desk, receiver)
    sev1(desk)
    report = desk.sweep("2026-11-23T14:11:00Z")  # 6 min after it was opened
    assert report.plans[0].notes == ("not acknowledged within 5 min (SEV1 target): escalated to tier 2 of 3",)
    assert [a["login"] for a in desk.github.issues[42].data["assignees"]] == ["oncall-ana", "lead-bo"]
    body = desk.body(42)
    assert "- 📣 Not acknowledged within 5 min (SEV1 target): escalated to tier 2 of 3. Now called in: @lead-bo." \
        in body
    assert "Runbook: <https://docs.acme-homelab.org/runbooks/mail/>" in body
    state = desk.state(42)
    assert state.sections["sweep"]["tier"] == 1 and state.sections["sweep"]["unacknowledged_windows"] == 1
    assert state.journal[-1].kind == "unacknowledged"
    [message] = receiver.messages
    assert message["title"] == "SEV1 · mail: not acknowledged in time (#42)"
    assert message["message"].splitlines() == [
        "SEV1 · mail: not acknowledged in time.",
        "Not acknowledged within 5 min (SEV1 target): escalated to tier 2 of 3. Now called in: lead-bo.",
        "Issue #42: “Outage report”",
        "https://github.com/acme-homelab/infra/issues/42",
        "Runbook: https://docs.acme-homelab.org/runbooks/mail/",
    ]
    assert report.notified == 1 and report.notify_failures == 0
    # The same window is not escalated twice; the next one calls the next tier.
    desk.sweep("2026-11-23T14:14:00Z")
    assert len(receiver.messages) == 1
    desk.sweep("2026-11-23T14:16:00Z")
    assert [a["login"] for a in desk.github.issues[42].data["assignees"]] == ["oncall-ana", "lead-bo", "head-cy"]
    assert "escalated to tier 3 of 3. Now called in: @head-cy." in desk.body(42)
    assert len(receiver.messages) == 2
    # Past the last tier, each missed window is still a message, and nobody new is called.
    desk.sweep("2026-11-23T14:21:00Z")
    assert receiver.messages[-1]["message"].splitlines()[1] == "Not acknowledged within 5 min (SEV1 target)."


@pytest.mark.parametrize(("login", "association", "how", "acknowledges"), [
    ("vbarzin", "OWNER", "comment", True),
    ("vbarzin", None, "label", True),
    ("carol", "MEMBER", "comment", False),  # an organisation member with read access only
    ("stranger", "NONE", "comment", False),  # never looked up
])
def test_only_a_trusted_person_acknowledges(desk: Desk, receiver: Receiver, login: str, association: str | None,
                                            how: str, acknowledges: bool) -> None:
    desk.github.permissions.update({"vbarzin": "admin", "carol": "read"})
    paging(desk, receiver)
    sev1(desk)
    if how == "comment":
        comment(desk, 42, login, association or "NONE", "2026-11-23T14:08:00Z", "@team I'm on it")
    else:
        labelled(desk, 42, login, "needs-human", "2026-11-23T14:08:00Z")
    report = desk.sweep("2026-11-23T14:11:00Z")
    sweep_state = desk.state(42).sections["sweep"]
    if acknowledges:
        assert report.plans[0].notes == (f"acknowledged by {login}",)
        assert sweep_state["acknowledged_at"] == "2026-11-23T14:08:00Z" and sweep_state["acknowledged_by"] == login
        assert f"- ✋ Acknowledged by {login} (a {how}), 3 min after it began." in desk.body(42)
        assert receiver.messages == []
        assert [a["login"] for a in desk.github.issues[42].data["assignees"]] == ["oncall-ana"]
        # Once acknowledged, nothing is looked up again.
        before = len(desk.github.log)
        desk.sweep("2026-11-23T14:30:00Z")
        assert desk.github.log[before:] == [*LISTINGS]
    else:
        assert "acknowledged_at" not in sweep_state
        assert sweep_state["tier"] == 1 and len(receiver.messages) == 1
        asked = [path for _, path in desk.github.log if "/permission" in path]
        assert asked == ([f"/repos/acme-homelab/infra/collaborators/{login}/permission"]
                         if association == "MEMBER" else [])


def test_an_update_due_is_a_notification_and_a_failing_receiver_fails_nothing(desk: Desk, receiver: Receiver) -> None:
    paging(desk, receiver, events=["update-due"], min_severity="SEV2")
    desk.incident(42)  # SEV2, acknowledged, last update 14:06
    desk.incident(43, service="Grafana dashboards", severity="SEV3")  # below the target's floor
    receiver.status = 500
    summary = desk.tmp / "summary.md"
    out, err = io.StringIO(), io.StringIO()
    code = main(["sweep", "--config", str(desk.config.path), "--now", "2026-11-23T14:37:00Z"],
                env={"GITHUB_TOKEN": TOKEN, "RESPONDER_GITHUB_WRITE_INTERVAL": "0",
                     "GITHUB_STEP_SUMMARY": str(summary)}, stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    [message] = receiver.messages
    assert message["title"] == "SEV2 · nextcloud: an update is due (#42)"
    assert message["message"].splitlines()[1] == "Update due (SEV2: every 30 min); last update 31 min ago."
    assert "| **Notifications** | 0 sent, 1 failed |" in summary.read_text()
    assert "notifications: 0 sent, 1 failed" in err.getvalue()
    assert "Update due" in desk.body(42)  # the comment is written all the same


def test_a_dry_run_shows_the_notifications_it_would_send(desk: Desk, receiver: Receiver) -> None:
    paging(desk, receiver)
    sev1(desk)
    report = desk.sweep("2026-11-23T14:11:00Z", dry_run=True)
    assert [a["type"] for a in report.to_json()["incidents"][0]["actions"]] == ["update_issue", "notify", "comment"]
    assert report.to_json()["incidents"][0]["actions"][1] == {
        "type": "notify", "event": "unacknowledged", "issue": 42, "severity": "SEV1", "service": "mail",
        "reason": "Not acknowledged within 5 min (SEV1 target): escalated to tier 2 of 3. Now called in: lead-bo."}
    assert receiver.messages == [] and desk.github.writes() == []


def test_a_recovery_is_a_resolved_notification(desk: Desk, receiver: Receiver) -> None:
    paging(desk, receiver, events=["resolved"])
    desk.services.routes["/grafana/health"].status = 200
    desk.services.routes["/grafana/health"].body = '{"database": "ok"}'
    desk.incident(41, service="Grafana dashboards", severity="SEV3")
    desk.sweep("2026-11-23T14:20:00Z")
    [message] = receiver.messages
    assert message["title"] == "SEV3 · grafana: resolved (#41)" and message["type"] == "success"
    assert message["message"].splitlines()[1].endswith("Closed as completed.")


def unconfirmed(desk: Desk, number: int = 50, asked: str = "2026-11-23T14:06:00Z") -> None:
    """A report the checks could not reproduce: open, labelled cannot-reproduce, the question asked at `asked`."""
    body = issue_body("outage-nextcloud-502.md")
    desk.github.add_issue(events.issue(number, body=body, labels=("user-report", "cannot-reproduce"),
                                       created_at=OPENED))
    state = IssueState(kind="outage-report", outcome="cannot-reproduce", digest="d1",
                       journal=(JournalEntry(asked, "cannot-reproduce", "Could not reproduce: ...; asked the "
                                                                        "reporter."),),
                       sections={"investigation": {"service": "nextcloud"}})
    text = (f"### 🔍 Nextcloud: the checks could not reproduce it yet\n\n<sub>🤖 issueops-responder</sub>\n\n"
            f"{render_marker(state)}")
    desk.github.add_comment(number, text, BOT, kind="Bot")["created_at"] = asked


def test_a_report_nobody_adds_to_is_closed_after_the_quiet_period_once(desk: Desk) -> None:
    unconfirmed(desk)
    desk.sweep("2026-11-26T14:05:00Z")  # 71 h 59 min: not yet
    assert desk.github.issues[50].data["state"] == "open"
    assert desk.github.writes() == []
    report = desk.sweep("2026-11-26T14:06:00Z")
    assert desk.github.issues[50].data["state"] == "closed"
    assert desk.github.issues[50].data["state_reason"] == "not_planned"
    assert "- 🔕 No new comment in 3 days since the checks found Nextcloud healthy: closed as not planned." \
        in desk.body(50)
    assert desk.state(50).journal[-1].kind == "closed"
    assert report.plans[-1].notes == ("no new comment in 3 days: closed as not planned",)


def test_a_report_with_new_comments_goes_to_a_person_instead(desk: Desk) -> None:
    unconfirmed(desk)
    comment(desk, 50, "alice", "NONE", "2026-11-24T09:00:00Z", "Still failing for me: 502 on /apps/files at 09:00")
    desk.sweep("2026-11-26T15:00:00Z")
    assert desk.github.issues[50].data["state"] == "open"
    assert desk.github.labels(50) == ["user-report", "needs-human"]
    assert "- 💬 New comments since the question: a person should read them and look again." in desk.body(50)
    assert desk.state(50).outcome == "escalated"
    writes = desk.github.writes()
    desk.sweep("2026-11-27T15:00:00Z")  # handed over once: nothing more
    assert desk.github.writes() == writes


def test_the_sweep_reports_its_progress(desk: Desk, caplog: pytest.LogCaptureFixture) -> None:
    """A line per stage with its count and time, on stderr through logging (#14, item 12)."""
    desk.incident(42)
    desk.incident(43, service="Mail")
    unconfirmed(desk)
    with caplog.at_level("INFO", "responder.flows.sweep"):
        desk.sweep("2026-11-23T14:20:00Z")
    lines = [record.getMessage().rsplit(" in ", 1)[0] for record in caplog.records
             if record.getMessage().endswith(" s")]
    assert lines == ["read 3 open incidents and waiting reports", "probed 2 services"]


def test_missed_windows_past_the_last_tier_keep_one_entry_in_the_journal(desk: Desk, receiver: Receiver) -> None:
    paging(desk, receiver)
    sev1(desk)
    for moment in ("14:11", "14:16", "14:21", "14:26", "14:31"):
        desk.sweep(f"2026-11-23T{moment}:00Z")
    entries = [entry.text for entry in desk.state(42).journal if entry.kind == "unacknowledged"]
    assert entries == [
        "Not acknowledged within 5 min (SEV1 target): escalated to tier 2 of 3.",
        "Not acknowledged within 5 min (SEV1 target): escalated to tier 3 of 3.",
        "Not acknowledged within 5 min (SEV1 target).",
    ]
    assert len(receiver.messages) == 5
