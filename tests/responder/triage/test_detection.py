"""One detection round as a pure function: what the checks saw and the open incidents in, the steps out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from responder.config.detection import DetectionSettings
from responder.config.loader import Config
from responder.decision.actions import AddLabels, Comment, OpenIssue, SetIssue
from responder.decision.notify_actions import Notify
from responder.forms.answers import parse_body
from responder.forms.maintenance import Announcement, announcement
from responder.forms.specs import outage_form
from responder.investigate import diagnosis as dx
from responder.investigate.blast_radius import assess as assess_blast
from responder.investigate.diagnosis import Diagnosis, Problem
from responder.investigate.evidence import Investigation
from responder.model.issues import BotComment, IncidentIssue
from responder.model.probes import DEGRADED, DOWN, OK, ProbeResult
from responder.model.state import IssueState, read_marker, render_marker
from responder.triage import detection
from responder.triage.detection import Check, opening, plan_round, to_confirm, triaged_opening
from tests.conftest import issue_body
from tests.support.issues_export import maintenance_body

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 23, 14, 35, tzinfo=UTC)
URL = "https://github.com/acme-homelab/infra/issues/{}"


def check(service: str, state: str = DOWN, at: str = "2026-11-23T14:00:00Z", status: int | None = 502) -> Check:
    detail = f"HTTP {status}" if status else "connection refused"
    probe = ProbeResult(service, f"https://{service}.example.org/health", state, detail if state != OK else
                        "HTTP 200 in 12 ms", status if state != OK else 200, 12.0, 1, at)
    return Check.of_probe(probe)


def down(service: str, times: int = 3) -> tuple[Check, ...]:
    return tuple(check(service, at=f"2026-11-23T14:00:{10 * n:02d}Z") for n in range(times))


def incident(number: int, service: str, config: Config, *, auto: bool = False, watch: dict[str, Any] | None = None,
             labels: tuple[str, ...] = ()) -> IncidentIssue:
    title = config.service(service).title  # type: ignore[union-attr]
    body = issue_body("outage-nextcloud-502.md").replace("Nextcloud\n", f"{title}\n", 1)
    sections = {"investigation": {"service": service}, **({"watch": watch} if watch is not None else {})}
    state = IssueState(kind="outage-report", outcome="escalated", severity="SEV2", sections=sections)
    comment = BotComment(900_000 + number, f"### evidence\n\n{render_marker(state)}", URL.format(number) + "#c",
                         state)
    base = ("incident", "sev2", *(("auto-detected",) if auto else ("user-report",)), *labels)
    return IncidentIssue(number, f"[Outage]: {title} is down" if auto else "Nextcloud broken", body,
                         URL.format(number), "github-actions" if auto else "alice", "2026-11-23T13:00:00Z", base,
                         (), comment, None)


def healthy(config: Config, *exceptions: str) -> dict[str, tuple[Check, ...]]:
    return {s.name: (check(s.name, OK),) for s in config.services if s.name not in exceptions}


def test_the_body_of_an_opened_incident_reads_as_a_valid_outage_report(example_config: Config) -> None:
    service = example_config.service("immich")
    assert service is not None
    body = detection.issue_body(service, down("immich"), example_config)
    parsed = parse_body(body, outage_form(example_config))
    assert parsed.valid, parsed.problems
    assert parsed.values["service"] == ["Immich (photos)"]
    assert parsed.values["error_type"] == ["502 Bad Gateway"]
    assert parsed.values["scope"] == ["Not sure"]
    assert parsed.values["when"] == "2026-11-23T14:00:00Z"


@pytest.mark.parametrize(("status", "error_type"), [
    (502, "502 Bad Gateway"),
    (503, "503 Service Unavailable"),
    (None, "Page won't load (timeout / connection refused)"),
    (500, "Other / not sure"),
])
def test_the_error_type_is_the_forms_answer_closest_to_the_check(status: int | None, error_type: str) -> None:
    assert detection.error_type_of(check("web", status=status)) == error_type


def test_only_failing_services_nothing_records_as_down_are_confirmed(example_config: Config) -> None:
    first = {name: seen[0] for name, seen in healthy(example_config).items()}
    first.update({name: check(name) for name in ("grafana", "immich", "mail", "woodpecker")})
    incidents = [
        incident(10, "immich", example_config, auto=True, watch={"seen": "down"}),  # known down
        incident(11, "mail", example_config, watch={"seen": "down"}),  # a report the round gave its evidence
        incident(12, "woodpecker", example_config),  # a report without the round's evidence yet
    ]
    assert to_confirm(example_config, incidents, first) == ("grafana", "woodpecker")


def test_a_service_counts_as_down_only_when_every_check_of_the_confirmation_fails(example_config: Config) -> None:
    checks = healthy(example_config, "grafana")
    checks["grafana"] = (*down("grafana", 2), check("grafana", OK))
    assert plan_round(example_config, [], checks, NOW).steps == ()
    checks["grafana"] = down("grafana", 2)  # a confirmation cut short is no confirmation
    assert plan_round(example_config, [], checks, NOW).steps == ()
    checks["grafana"] = down("grafana")
    [step] = plan_round(example_config, [], checks, NOW).steps
    assert (step.kind, step.service, step.decision) == ("open", "grafana", None)


def test_excluded_and_switched_off_services_are_not_watched(example_config: Config) -> None:
    checks = {**healthy(example_config, "grafana"), "grafana": down("grafana")}
    excluded = replace(example_config, detection=DetectionSettings(exclude=("grafana",)))
    assert plan_round(excluded, [], checks, NOW).steps == ()
    off = replace(example_config, detection=DetectionSettings(enabled=False))
    assert detection.watched(off) == () and plan_round(off, [], checks, NOW).steps == ()


def test_an_open_incident_means_no_second_one(example_config: Config) -> None:
    checks = {**healthy(example_config, "grafana"), "grafana": down("grafana")}
    auto = incident(10, "grafana", example_config, auto=True, watch={"seen": "down", "answering": 0})
    assert plan_round(example_config, [auto], {**checks, "grafana": down("grafana", 1)}, NOW).steps == ()
    # A report marked duplicate covers nothing.
    dup = incident(11, "grafana", example_config, labels=("duplicate",))
    assert [s.kind for s in plan_round(example_config, [dup], checks, NOW).steps] == ["open"]


def test_the_auto_detected_label_on_a_persons_report_does_not_make_it_the_rounds(example_config: Config) -> None:
    report = incident(12, "grafana", example_config, labels=("auto-detected",))
    assert not detection.is_auto_detected(report, example_config)
    assert detection.is_auto_detected(incident(13, "grafana", example_config, auto=True), example_config)


def test_a_persons_report_gets_the_evidence_once(example_config: Config) -> None:
    report = incident(42, "grafana", example_config)
    checks = {**healthy(example_config, "grafana"), "grafana": down("grafana")}
    [step] = plan_round(example_config, [report], checks, NOW).steps
    assert (step.kind, step.incident) == ("evidence", report)
    assert step.decision is not None
    [comment] = step.decision.actions
    assert isinstance(comment, Comment)
    assert comment.body.startswith("### evidence\n\n<!-- issueops-responder:block:watch -->\n#### Watch · ")
    state = read_marker(comment.body)
    assert state is not None and state.sections["watch"]["seen"] == "down"
    assert state.sections["investigation"] == {"service": "grafana"}  # the rest of the state is kept
    assert report.bot_comment is not None
    told = replace(report, bot_comment=replace(report.bot_comment, body=comment.body, state=state))
    assert plan_round(example_config, [told], {**checks, "grafana": down("grafana", 1)}, NOW).steps == ()


def test_an_auto_detected_incident_is_resolved_with_its_downtime(example_config: Config) -> None:
    auto = incident(10, "grafana", example_config, auto=True,
                    watch={"seen": "down", "answering": 0, "down_since": "2026-11-23T14:00:00Z"})
    checks = {**healthy(example_config, "grafana"), "grafana": (check("grafana", OK, at="2026-11-23T14:35:00Z"),)}
    [step] = plan_round(example_config, [auto], checks, LATER).steps
    assert step.kind == "resolve" and step.needs_postmortem  # SEV2
    assert step.decision is not None
    close, comment, notify = step.decision.actions
    assert close == SetIssue(close="completed")
    assert isinstance(comment, Comment) and "It was down for about 35 min" in comment.body
    assert isinstance(notify, Notify) and notify.notification.event == "resolved"
    assert notify.notification.reason == "Grafana dashboards answers again after about 35 min of downtime"
    state = read_marker(comment.body)
    assert state is not None
    assert state.sections["watch"]["downtime_minutes"] == 35
    assert state.sections["sweep"]["status"] == "resolved" and state.sections["notify"]["resolved"]
    assert [(e.kind, e.at) for e in state.journal] == [("recovered", "2026-11-23T14:35:00Z")]
    # Told once: a resolution already announced is not announced again.
    assert auto.bot_comment is not None
    again = replace(auto, bot_comment=replace(auto.bot_comment, state=replace(
        state, sections={**state.sections, "watch": {"seen": "down"}})))
    [step] = plan_round(example_config, [again], checks, LATER).steps
    assert step.decision is not None and not any(isinstance(a, Notify) for a in step.decision.actions)


def test_a_persons_report_is_never_closed_by_the_round(example_config: Config) -> None:
    report = incident(42, "grafana", example_config, watch={"seen": "down", "down_since": "2026-11-23T14:00:00Z"})
    checks = {**healthy(example_config, "grafana"), "grafana": (check("grafana", OK),)}
    [step] = plan_round(example_config, [report], checks, LATER).steps
    assert step.kind == "looks-recovered" and step.decision is not None
    assert not any(isinstance(a, SetIssue | Notify) for a in step.decision.actions)
    # A report whose service the round never saw down gets nothing from it.
    unseen = incident(43, "grafana", example_config)
    assert plan_round(example_config, [unseen], checks, LATER).steps == ()


def test_services_behind_a_dependency_that_is_down_are_held(example_config: Config) -> None:
    checks = {**healthy(example_config, "traefik", "nextcloud"), "traefik": down("traefik"),
              "nextcloud": down("nextcloud")}
    plan = plan_round(example_config, [], checks, NOW)
    assert [(s.kind, s.service) for s in plan.steps] == [("open", "traefik")]
    assert plan.held == {"nextcloud": ("traefik",)}
    # Known down already (an open incident covers it and it still fails): the same.
    auto = incident(10, "traefik", example_config, auto=True, watch={"seen": "down"})
    plan = plan_round(example_config, [auto], {**checks, "traefik": down("traefik", 1)}, NOW)
    assert plan.steps == () and plan.held == {"nextcloud": ("traefik",)}


def planned_work(config: Config, *services: str, number: int = 40) -> dict[str, Announcement]:
    titles = ", ".join(config.service(name).title for name in services)  # type: ignore[union-attr]
    announced = announcement(number, maintenance_body(titles, "2026-11-23 13:00", "2026-11-23 15:00",
                                                      "Unavailable during the window"), config)
    assert announced.expects_failures(NOW)
    return dict.fromkeys(announced.services, announced)


def test_a_service_under_maintenance_opens_no_incident_and_needs_no_confirmation(example_config: Config) -> None:
    maintenance = planned_work(example_config, "postgres")
    first = {name: seen[0] for name, seen in healthy(example_config, "postgres").items()}
    first["postgres"] = check("postgres")
    assert to_confirm(example_config, [], first) == ("postgres",)
    assert to_confirm(example_config, [], first, maintenance) == ()
    plan = plan_round(example_config, [], {**healthy(example_config, "postgres"), "postgres": down("postgres", 1)},
                      NOW, maintenance)
    assert plan.steps == () and plan.held == {}
    assert plan.maintenance == maintenance
    # Answering during its window: nothing to say about it.
    assert plan_round(example_config, [], healthy(example_config), NOW, maintenance).maintenance == {}


def test_what_depends_on_a_service_under_maintenance_is_held_behind_it(example_config: Config) -> None:
    maintenance = planned_work(example_config, "traefik")
    checks = {**healthy(example_config, "traefik", "nextcloud"), "traefik": down("traefik", 1),
              "nextcloud": down("nextcloud")}
    plan = plan_round(example_config, [], checks, NOW, maintenance)
    assert plan.steps == ()
    assert plan.held == {"nextcloud": ("traefik",)} and list(plan.maintenance) == ["traefik"]


def test_a_persons_report_during_maintenance_still_gets_the_evidence(example_config: Config) -> None:
    maintenance = planned_work(example_config, "nextcloud")
    report = incident(12, "nextcloud", example_config)
    first = {name: seen[0] for name, seen in healthy(example_config, "nextcloud").items()}
    first["nextcloud"] = check("nextcloud")
    assert to_confirm(example_config, [report], first, maintenance) == ("nextcloud",)
    plan = plan_round(example_config, [report], {**healthy(example_config, "nextcloud"),
                                                 "nextcloud": down("nextcloud")}, NOW, maintenance)
    [step] = plan.steps
    assert (step.kind, step.service) == ("evidence", "nextcloud")
    assert plan.maintenance == {}
    # The evidence says the window expected it, in the comment and in the journal.
    assert step.decision is not None
    [comment] = [action for action in step.decision.actions if isinstance(action, Comment)]
    assert "- 🛠️ Maintenance #40 expects this: unavailable during the window until `2026-11-23T15:00:00Z`." \
        in comment.body
    assert step.decision.state is not None
    assert step.decision.state.journal[-1].text.endswith(
        "Maintenance #40 expects it: unavailable during the window until 2026-11-23T15:00:00Z.")
    # Without a window, neither says a word of maintenance.
    plain = plan_round(example_config, [report], {**healthy(example_config, "nextcloud"),
                                                  "nextcloud": down("nextcloud")}, NOW)
    assert plain.steps[0].decision is not None
    assert "aintenance" not in str(plain.steps[0].decision.to_json())


def test_the_opening_is_triaged_by_the_same_decide_as_a_persons_report(example_config: Config) -> None:
    service = example_config.service("grafana")
    assert service is not None
    seen = {**healthy(example_config, "grafana"), "grafana": down("grafana")}
    probes = tuple(checks[-1].probe for checks in seen.values() if checks[-1].probe is not None)
    inv = Investigation(service="grafana", checked_at="2026-11-23T14:00:20Z", probed=True, probes=probes,
                        blast=assess_blast(example_config.services, probes, "grafana"),
                        cluster_problem="no cluster configured")
    planned = opening(service, down("grafana"), inv, example_config, NOW, "acme-homelab/infra")
    assert isinstance(planned.action, OpenIssue)
    assert planned.action.title == "[Outage]: Grafana dashboards is down"
    assert planned.severity == "SEV3"
    assert planned.action.labels[0] == "incident" and planned.action.labels[-1] == "auto-detected"
    assert "sev3" in planned.action.labels
    situation, decision, notify = triaged_opening(planned, 501, URL.format(501), example_config, NOW,
                                                  "acme-homelab/infra")
    assert situation.trust.detail == "opened by the responder itself" and situation.kind == "outage-report"
    assert (decision.issue, decision.severity) == (501, "SEV3")
    # Its labels are there from the start: the triage adds none, and its severity is not taken for a person's.
    assert not any(isinstance(a, AddLabels) for a in decision.actions)
    assert not any("set by a person" in reason for reason in decision.reasons)
    assert decision.state is not None and decision.state.sections["watch"]["auto"] is True
    notices = [a for d in (decision, notify) for a in d.actions if isinstance(a, Notify)]
    assert len(notices) == 1 and notices[0].notification.issue == 501


def diagnosis(*problems: Problem, desired: int = 2, available: int = 2) -> Diagnosis:
    return Diagnosis("shop", "web", None, "snapshot", True, desired, available, (), problems)


@pytest.mark.parametrize(("problems", "state", "detail"), [
    ((), OK, "2 of 2 replicas available"),
    ((Problem(dx.NO_AVAILABLE, "fail", "deployment/web", "No replica is available."),), DOWN,
     "No replica is available."),
    ((Problem(dx.SCALED_TO_ZERO, "fail", "deployment/web", "Scaled to 0."),), DOWN, "Scaled to 0."),
    ((Problem(dx.CRASH_LOOP, "fail", "pod/web-1", "web-1 is crash-looping."),), DEGRADED, "web-1 is crash-looping."),
])
def test_a_service_without_a_url_is_judged_by_its_workload(problems: tuple[Problem, ...], state: str,
                                                             detail: str) -> None:
    found = detection.workload_check("web", diagnosis(*problems), "2026-11-23T14:00:00Z")
    assert (found.state, found.detail, found.target) == (state, detail, "deployment/web in shop")
