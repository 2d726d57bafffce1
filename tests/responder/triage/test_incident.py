"""The decision for an investigated outage report, as a pure function of the evidence."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from responder.config.investigation import InvestigationSettings
from responder.config.loader import Config
from responder.investigate.blast_radius import assess as assess_blast
from responder.investigate.diagnosis import diagnose
from responder.investigate.evidence import Investigation, RemedyResult
from responder.investigate.remedies import choose
from responder.model.changes import ChangeRequest, PreparedChange
from responder.model.cluster import parse_list
from responder.model.events import parse_event
from responder.model.probes import ProbeResult
from responder.model.state import IssueState, read_marker
from responder.model.trust import TrustVerdict
from responder.triage.intake import decide
from responder.triage.situation import Situation
from tests.conftest import FIXTURES, issue_body
from tests.support import events
from tests.support.cluster_objects import NOW, SNAPSHOTS

CHECKED = "2026-11-23T14:10:05Z"
TRUSTED = TrustVerdict(True, "alice", "permission", "write permission")


def body(service: str = "Nextcloud", error: str = "502 Bad Gateway", scope: str = "Everyone") -> str:
    text = issue_body("outage-nextcloud-502.md")
    return text.replace("Nextcloud\n", f"{service}\n", 1).replace("502 Bad Gateway\n\n###", f"{error}\n\n###") \
        .replace("Everyone", scope)


def probes(config: Config, down: tuple[str, ...] = (), degraded: tuple[str, ...] = ()) -> tuple[ProbeResult, ...]:
    out = []
    for index, service in enumerate(config.services):
        if service.name in down:
            out.append(ProbeResult(service.name, service.url or "", "down", "HTTP 502, expected 200", 502, 12.0, 2,
                                   CHECKED))
        elif service.name in degraded:
            out.append(ProbeResult(service.name, service.url or "", "degraded", "HTTP 200 in 3100 ms, slower than "
                                   "2500 ms", 200, 3100.0, 1, CHECKED))
        else:
            out.append(ProbeResult(service.name, service.url or "", "ok", f"HTTP 200 in {10 + index} ms", 200,
                                   10.0 + index, 1, CHECKED))
    return tuple(out)


def investigation(config: Config, service: str, snapshot: str | None = None, *, down: tuple[str, ...] = (),
                  degraded: tuple[str, ...] = (), writable: bool = False, probed: bool = True,
                  engine: bool = False) -> Investigation:
    found = choice = None
    target = config.service(service)
    assert target is not None
    if snapshot is not None:
        assert target.kubernetes is not None
        view = parse_list(json.loads((SNAPSHOTS / f"{snapshot}.json").read_text()), f"snapshot {snapshot}.json")
        found = diagnose(view, target.kubernetes, NOW)
        choice = choose(found, target, InvestigationSettings(), cluster_writable=writable)
    results = probes(config, down, degraded) if probed else ()
    return Investigation(
        service=service, checked_at=CHECKED, probed=probed, probes=results,
        cluster_source=f"snapshot {snapshot}.json" if snapshot else None, cluster_writable=writable,
        diagnosis=found, stack=target.terraform.stack if target.terraform else None, commits=(),
        blast=assess_blast(config.services, results, service) if probed else None, remedy=choice, engine=engine,
    )


def situation(config: Config, inv: Investigation, *, text: str | None = None, prior: IssueState | None = None,
              action: str = "opened", labels: tuple[str, ...] = ("user-report",)) -> Situation:
    event = parse_event(events.issues_event(action, body=text or body(), labels=labels))
    return Situation(event, config, TRUSTED, prior, True, investigation=inv)


def test_the_evidence_comment_reads_as_a_report(example_config: Config) -> None:
    inv = investigation(example_config, "nextcloud", "oomkilled", down=("nextcloud",))
    decision = decide(situation(example_config, inv))
    assert decision.outcome == "escalated"
    comment = decision.comment
    assert comment is not None
    text = comment.body.split("\n\n<!-- issueops-responder:state")[0]
    expected = FIXTURES / "comments" / "escalated-oomkilled-without-engine.md"
    assert text == expected.read_text(encoding="utf-8").rstrip("\n")


def test_a_healthy_service_is_closed_as_not_planned_with_an_invitation(example_config: Config) -> None:
    decision = decide(situation(example_config, investigation(example_config, "nextcloud", "healthy")))
    assert decision.outcome == "healthy" and decision.severity is None
    assert [a.to_json() for a in decision.actions][:-1] == [{"type": "close", "reason": "not_planned"}]
    assert "**Reopen this issue**" in decision.comment.body  # type: ignore[union-attr]
    state = decision.state
    assert state is not None and state.sections["investigation"]["healthy_checks"] == 1


def test_a_second_healthy_check_after_a_reopen_goes_to_a_person(example_config: Config) -> None:
    first = decide(situation(example_config, investigation(example_config, "nextcloud", "healthy")))
    prior = first.state
    again = decide(situation(example_config, investigation(example_config, "nextcloud", "healthy"), prior=prior,
                             action="reopened"))
    assert again.outcome == "escalated"
    assert again.reasons[1] == ("escalated: nextcloud looked healthy again, but this is the second time it was "
                                "reported: a person should talk to the reporter")
    labels = next(a for a in again.actions if a.type == "add_labels")
    assert "needs-human" in labels.to_json()["labels"]


def test_an_edit_after_the_investigation_is_not_investigated_again(example_config: Config) -> None:
    first = decide(situation(example_config, investigation(example_config, "nextcloud", "oomkilled",
                                                           down=("nextcloud",))))
    edited = decide(situation(example_config, investigation(example_config, "nextcloud", "healthy"),
                              prior=first.state, action="edited"))
    assert edited.outcome == "ignored" and edited.actions == ()
    assert "already investigated (outcome escalated)" in edited.reasons[0]


def test_findings_raise_the_severity_and_say_why(example_config: Config) -> None:
    inv = investigation(example_config, "nextcloud", "oomkilled", down=("nextcloud", "immich"))
    decision = decide(situation(example_config, inv, text=body(scope="Just me")))
    assert decision.severity == "SEV1"
    assert "SEV1: 2 services are down at once: nextcloud, immich." in decision.reasons
    assert ("**Severity changed from SEV2 to SEV1:** 2 services are down at once: nextcloud, immich."
            in decision.comment.body)  # type: ignore[union-attr]
    assert decision.to_json()["findings"][0]["stage"] == "assessment"


def test_a_probe_that_answers_lowers_the_severity_of_a_report_that_said_down(example_config: Config) -> None:
    inv = investigation(example_config, "nextcloud", "restarts-climbing")
    decision = decide(situation(example_config, inv, text=body(scope="Just me")))
    # The report said 502 (SEV2 for a critical service); it answers now, but restarts climb: a person looks.
    assert decision.outcome == "escalated"
    assert "nextcloud answers now, but the container nextcloud is running, but has restarted 7 times" in \
        decision.reasons[1]


@pytest.mark.parametrize(("error", "why"), [
    ("Security concern", "security cases always go to a person"),
    ("Data missing, incorrect or lost", "data cases always go to a person"),
    ("Specific feature broken", "is not something a probe can confirm or rule out"),
])
def test_some_reports_always_go_to_a_person(example_config: Config, error: str, why: str) -> None:
    inv = investigation(example_config, "nextcloud", "healthy")
    decision = decide(situation(example_config, inv, text=body(error=error)))
    assert decision.outcome == "escalated"
    assert why in decision.reasons[1]


def test_several_unrelated_failures_go_to_a_person(example_config: Config) -> None:
    inv = investigation(example_config, "nextcloud", "oomkilled", down=("nextcloud", "woodpecker"), engine=True)
    decision = decide(situation(example_config, inv))
    assert decision.outcome == "escalated"
    assert decision.reasons[1] == ("escalated: several unrelated systems are failing at once: nextcloud, "
                                   "woodpecker")


def test_a_dependency_that_is_down_is_named_as_the_likely_cause(example_config: Config) -> None:
    inv = investigation(example_config, "nextcloud", "healthy", down=("postgres", "nextcloud"))
    decision = decide(situation(example_config, inv))
    assert decision.outcome == "escalated"
    assert decision.reasons[1] == "escalated: nextcloud depends on postgres, which is down; the cause is likely there"


def test_pods_that_are_fine_behind_a_dead_url_point_at_the_path_in_front(example_config: Config) -> None:
    inv = investigation(example_config, "nextcloud", "healthy", down=("nextcloud",))
    decision = decide(situation(example_config, inv))
    assert "the path in front of it (ingress, DNS, certificates, network policy) needs a person" in \
        decision.reasons[1]


def prepared(outcome: str = "ready", reasons: tuple[str, ...] = ()) -> PreparedChange:
    request = ChangeRequest("nextcloud", "memory_limit", "2Gi", "OOMKilled", commit_type="fix")
    return PreparedChange(request, "stacks/nextcloud", outcome, reasons, plan_sha256="ab" * 32 if outcome == "ready"
                          else None)


def test_a_terraform_remedy_first_carries_the_apply_then_is_fixed_only_after_recovery(example_config: Config) -> None:
    inv = replace(investigation(example_config, "nextcloud", "oomkilled", down=("nextcloud",), engine=True),
                  prepared=prepared())
    pending = decide(situation(example_config, inv))
    assert pending.outcome == "fixed"
    assert pending.actions[0].to_json() == {
        "type": "apply_change", "service": "nextcloud", "kind": "memory_limit", "value": "2Gi",
        "commit_type": "fix", "stack": "stacks/nextcloud", "plan_sha256": "ab" * 32}
    assert pending.reasons[-1].startswith("pending: the remedy has not run yet")

    back = RemedyResult(True, True, "recovery confirmed after 2 check(s): nextcloud answers (HTTP 200 in 9 ms).",
                        "2026-11-23T14:12:00Z")
    fixed = decide(situation(example_config, replace(inv, result=back)))
    assert fixed.outcome == "fixed"
    assert not any(a.type == "apply_change" for a in fixed.actions)
    state = fixed.state
    assert state is not None
    assert state.sections["investigation"]["remedy"]["code"] == "raise-memory-limit"
    assert state.sections["sweep"]["status"] == "resolved"  # SEV2: resolved, open until a person closes it
    assert not any(a.type == "close" for a in fixed.actions)
    assert [e.kind for e in state.journal] == ["finding", "remedy", "recovered", "fixed"]

    still_down = RemedyResult(True, False, "nextcloud was still not healthy 180 s after the remedy (down, HTTP 502).",
                              "2026-11-23T14:15:00Z")
    failed = decide(situation(example_config, replace(inv, result=still_down)))
    assert failed.outcome == "escalated"
    assert failed.reasons[1] == ("escalated: the remedy raise-memory-limit did not fix it: nextcloud was still not "
                                 "healthy 180 s after the remedy (down, HTTP 502).")


@pytest.mark.parametrize(("engine", "prep", "why"), [
    (False, None, "but automated Terraform changes are not available here"),
    (True, prepared("blocked", ("stacks/nextcloud: the plan would replace kubernetes_deployment.nextcloud",)),
     "but the guardrails refused it: stacks/nextcloud: the plan would replace kubernetes_deployment.nextcloud"),
    (True, prepared("no-op"), "Terraform already has that value: the cluster has drifted from the stack"),
])
def test_a_terraform_remedy_that_cannot_run_escalates(example_config: Config, engine: bool,
                                                      prep: PreparedChange | None, why: str) -> None:
    inv = replace(investigation(example_config, "nextcloud", "oomkilled", down=("nextcloud",), engine=engine),
                  prepared=prep)
    decision = decide(situation(example_config, inv))
    assert decision.outcome == "escalated"
    assert why in decision.reasons[1]


def test_a_remedy_is_never_applied_twice_for_one_issue(example_config: Config) -> None:
    inv = investigation(example_config, "grafana", "not-ready", down=("grafana",), writable=True)
    back = RemedyResult(True, True, "recovery confirmed", "2026-11-23T14:12:00Z", restarted_at="2026-11-23T14:11:00Z")
    text = body(service="Grafana dashboards", scope="Just me")
    first = decide(situation(example_config, replace(inv, result=back), text=text))
    assert first.outcome == "fixed"
    assert any(a.type == "close" for a in first.actions)  # SEV3: closed as completed
    again = decide(situation(example_config, inv, text=text, prior=first.state, action="reopened"))
    assert again.outcome == "escalated"
    assert "the remedy rollout-restart was already applied for this issue at 2026-11-23T14:12:00Z" in again.reasons[1]


def test_nothing_checked_stays_triaged(example_config: Config) -> None:
    inv = replace(investigation(example_config, "nextcloud", probed=False), cluster_problem="no cluster access")
    decision = decide(situation(example_config, inv))
    assert decision.outcome == "triaged"
    assert "nothing could be checked" in decision.reasons[1]


HOSTILE = ("Hey @octocat and @acme-homelab/oncall <img src=x onerror=alert(1)> <script>alert(1)</script> "
           "[click](javascript:alert(1)) see #1 ``` token ghp_0123456789abcdefghijklmnopqrstuvwxyzAB")


def test_no_issue_or_log_text_can_mention_anyone_or_inject_markup(example_config: Config, tmp_path: Path) -> None:
    from responder.investigate.evidence import PodLog

    inv = investigation(example_config, "nextcloud", "oomkilled", down=("nextcloud",))
    inv = replace(inv, logs=(PodLog("nextcloud-abc", "nextcloud", HOSTILE + "\n" + HOSTILE),))
    text = body(service="Nextcloud").replace("14:00 UTC", HOSTILE).replace(
        "Nextcloud returns 502", HOSTILE)
    decision = decide(situation(example_config, inv, text=text))
    comment = decision.comment
    assert comment is not None
    rendered = comment.body
    assert "ghp_0123456789" not in rendered and "[REDACTED]" in rendered
    # Code (fenced or inline) is shown verbatim and never pings; everything else must be inert text.
    outside_code = re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", _outside_fences(rendered))
    for bad in ("@octocat", "@acme-homelab", "<img", "<script", "](javascript:", " #1 "):
        assert bad not in outside_code, bad
    # The log is quoted verbatim in a fence longer than any backtick run inside it, so it cannot close it.
    assert "\n````text\nHey @octocat and @acme-homelab/oncall <img src=x onerror=alert(1)>" in rendered
    state = read_marker(rendered)
    assert state is not None and state.outcome == "escalated"


def _outside_fences(text: str) -> str:
    out, fence = [], None
    for line in text.split("\n"):
        stripped = line.strip()
        if fence is None and stripped.startswith("```"):
            fence = stripped[: len(stripped) - len(stripped.lstrip("`"))]
            continue
        if fence is not None:
            if stripped == fence:
                fence = None
            continue
        out.append(line)
    return "\n".join(out)


def test_a_health_url_alone_is_too_little_to_close_a_report(example_config: Config) -> None:
    """'Multiple people affected, pushes fail with 502'; the health URL answers 200 and the cluster cannot be
    read (as in default direct mode): the report stays open, cannot-reproduce, asking the reporter."""
    inv = replace(investigation(example_config, "nextcloud"), cluster_problem="no cluster access: no kubeconfig")
    decision = decide(situation(example_config, inv, text=body(scope="Multiple people affected")))
    assert decision.outcome == "cannot-reproduce"
    assert decision.reasons[1] == ("cannot-reproduce: nextcloud answers normally, but its pods could not be checked "
                                   "(no cluster access: no kubeconfig): too little to close the report on")
    assert not [a for a in decision.actions if a.type in ("close", "set_issue")]
    assert decision.severity is None
    [labelled] = [a for a in decision.actions if a.type == "add_labels"]
    assert labelled.to_json()["labels"] == ["cannot-reproduce"]
    comment = decision.comment
    assert comment is not None
    assert comment.body.startswith("### 🔍 Nextcloud: the checks could not reproduce it yet\n")
    assert "**Is it still happening?**" in comment.body
    assert "Without a new comment within 3 days, the sweep closes it as not planned." in comment.body
    state = read_marker(comment.body)
    assert state is not None and state.outcome == "cannot-reproduce"


def test_a_report_is_closed_as_healthy_when_the_cluster_agrees_too(example_config: Config) -> None:
    decision = decide(situation(example_config, investigation(example_config, "nextcloud", "healthy")))
    assert decision.outcome == "healthy"
    assert decision.reasons[1] == "healthy: nextcloud answers normally and its pods are fine"
    assert [a.to_json() for a in decision.actions if a.type == "close"] == [{"type": "close",
                                                                            "reason": "not_planned"}]


@pytest.mark.parametrize(("policy", "snapshot", "outcome"), [
    ("always", None, "healthy"),
    ("confirmed", None, "cannot-reproduce"),
    ("confirmed", "healthy", "healthy"),
    ("never", "healthy", "cannot-reproduce"),
])
def test_close_when_healthy_decides_how_much_evidence_closes_a_report(example_config: Config, policy: str,
                                                                       snapshot: str | None, outcome: str) -> None:
    config = replace(example_config, investigation=replace(example_config.investigation, close_when_healthy=policy))
    inv = investigation(config, "nextcloud", snapshot)
    if snapshot is None:
        inv = replace(inv, cluster_problem="no cluster access: no kubeconfig")
    assert decide(situation(config, inv)).outcome == outcome
