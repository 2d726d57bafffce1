"""The decision for an investigated outage report: healthy, fixed, escalated, duplicate.

Pure. The shell (incident_flow.py) gathers an `Investigation` and puts it
in the Situation; `plan` turns it into the wanted end state (labels,
assignees, closing, the evidence comment, remedy actions, the state to
remember). `intake.assemble` turns that into delta actions as for every
other outcome.

A remedy is decided in two steps. First the plan carries the remedy action
("fixed", pending); the executor runs it, the shell re-probes, and the plan
is made again with the result: "fixed" only when the service is confirmed
back, "escalated" otherwise. A dry run shows the first step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from responder.config.loader import Service
from responder.decision.actions import Action, Decision, ignored
from responder.decision.change_actions import ApplyChange
from responder.decision.incident_actions import RolloutRestart, UpdateOtherIssue
from responder.forms import specs as forms
from responder.forms.answers import ParsedForm
from responder.investigate import diagnosis as dx
from responder.investigate.evidence import (
    ALWAYS_ESCALATE,
    PROBE_VERIFIABLE,
    Investigation,
    findings,
    metric_breaches,
    next_commands,
    observed_state,
    services_down,
    stage_groups,
    unrelated_failures,
)
from responder.investigate.remedies import Remedy
from responder.investigate.rollback import ROLLBACK
from responder.model.changes import ChangeRequest, PreparedChange
from responder.model.findings import Finding
from responder.model.probes import DEGRADED, DOWN, OK
from responder.model.severity import Classification, Facts, classify
from responder.model.severity_levels import Severity
from responder.model.state import IssueState, JournalEntry
from responder.model.trust import TrustVerdict
from responder.triage.responders import first_responders, mentioned
from responder.triage.situation import (
    Plan,
    Situation,
    human_severity,
    journal_entry,
    report_facts,
    severity_labels,
    trust_reason,
)

# Looked healthy, but on too little evidence to close: open, waiting for the reporter (an edit of the
# report is investigated again; the sweep closes it after a quiet period).
CANNOT_REPRODUCE = "cannot-reproduce"
INVESTIGATED = ("healthy", "fixed", "escalated", "duplicate")
SECTION = "investigation"
SWEEP_SECTION = "sweep"
NO_ENGINE = "automated Terraform changes are not available here"


@dataclass(frozen=True)
class Verdict:
    outcome: str  # healthy | cannot-reproduce | fixed | escalated | duplicate | triaged
    why: tuple[str, ...]  # plain reasons, first the deciding one
    remedy: Remedy | None = None  # the remedy to run (pending) or that ran
    pending: bool = False  # the remedy has not run yet


# ---------------------------------------------------------------- before investigating


def settled(situation: Situation) -> Decision | None:
    """An outage report already investigated is not investigated again on an edit; a reopen is."""
    event, prior = situation.event, situation.prior
    assert event.issue is not None
    if prior is None or prior.kind != forms.KIND_OUTAGE or prior.outcome not in INVESTIGATED:
        return None
    if event.action == "reopened":
        return None
    return ignored(event.key, event.issue.number,
                   f"#{event.issue.number} was already investigated (outcome {prior.outcome}); the sweep follows "
                   "the incident from here. Reopen the issue to have it investigated again.",
                   kind=forms.KIND_OUTAGE)


def wanted_change(situation: Situation, parsed: ParsedForm) -> ChangeRequest | None:
    """The Terraform change the plan would carry out, so the shell can prepare (plan and check) it first."""
    inv = situation.investigation
    if inv is None or inv.remedy is None or inv.remedy.remedy is None or inv.remedy.remedy.change is None:
        return None
    request = inv.remedy.remedy.change
    # Would the plan apply it, if the engine prepared it and the guardrails allowed it?
    assumed = PreparedChange(request, stack="", outcome="ready", reasons=())
    verdict = assess(replace(situation, investigation=replace(inv, engine=True, prepared=assumed)), parsed)
    return request if verdict.outcome == "fixed" and verdict.pending else None


# ---------------------------------------------------------------- the verdict


def assess(situation: Situation, parsed: ParsedForm) -> Verdict:
    inv = situation.investigation
    assert inv is not None
    config, prior = situation.config, situation.prior
    _, service = report_facts(parsed, config)
    error_type = parsed.choice("error_type")
    if inv.original is not None:
        return Verdict("duplicate", ("another open incident already covers the same service",))
    if service is None:
        return Verdict("escalated", ("the report names no service from the catalogue, so a person must find out "
                                     "which one is meant",))
    if not inv.checked_anything:
        problem = inv.cluster_problem or "no cluster access"
        return Verdict("triaged", (f"nothing could be checked: probes were skipped and the cluster could not be "
                                   f"read ({problem})",))
    if error_type in ALWAYS_ESCALATE:
        return Verdict("escalated", (ALWAYS_ESCALATE[error_type],))
    unrelated = unrelated_failures(inv)
    if unrelated:
        return Verdict("escalated", ("several unrelated systems are failing at once: " + ", ".join(unrelated),))
    diagnosis = inv.diagnosis
    if diagnosis is not None and diagnosis.nodes_not_ready:
        return Verdict("escalated", ("node not ready: " + ", ".join(diagnosis.nodes_not_ready)
                                     + "; nodes are never repaired automatically",))
    probe = inv.probe(service.name)
    blast = inv.blast
    climbing = [p for p in diagnosis.problems if p.code == dx.RESTARTS_CLIMBING] if diagnosis else []
    pods_fine = diagnosis is None or (diagnosis.healthy and not climbing)
    breached = metric_breaches(inv)  # answering, but over a threshold in Prometheus: degraded, not healthy
    if inv.probed and probe is not None and probe.state == OK and diagnosis is not None and diagnosis.healthy \
            and climbing and inv.result is None:
        return Verdict("escalated", (f"{service.name} answers now, but {climbing[0].detail[0].lower()}"
                                     f"{climbing[0].detail[1:].rstrip('.')}: the reporter probably hit one of those "
                                     "restarts, and the logs need a person",))
    if inv.probed and probe is not None and probe.state == OK and pods_fine and inv.result is None and not breached:
        if error_type not in PROBE_VERIFIABLE:
            return Verdict("escalated", (f"{service.name} answers its health check and its pods are fine, but a "
                                         f"“{error_type}” report is not something a probe can confirm or rule "
                                         "out",))
        checks = int((prior.sections.get(SECTION) or {}).get("healthy_checks", 0)) if prior else 0
        if checks:
            return Verdict("escalated", (f"{service.name} looked healthy again, but this is the second time it was "
                                         "reported: a person should talk to the reporter",))
        return _healthy_verdict(service, inv, config.investigation.close_when_healthy)
    if blast is not None and blast.reported_dependencies_down:
        deps = ", ".join(blast.reported_dependencies_down)
        return Verdict("escalated", (f"{service.name} depends on {deps}, which is down; the cause is likely there",))
    choice = inv.remedy
    if choice is not None and choice.remedy is not None:
        return _remedy_verdict(inv, choice.remedy, service, prior)
    why = list(choice.reasons) if choice is not None else []
    if diagnosis is None:
        why.insert(0, f"the cluster could not be checked ({inv.cluster_problem or 'no access'}), so no remedy is "
                      "known to be safe")
    elif diagnosis.healthy and probe is not None and probe.state == DOWN:
        why = [f"{service.name}'s pods are running and ready, but it does not answer ({probe.detail}): the path in "
               "front of it (ingress, DNS, certificates, network policy) needs a person"]
    elif diagnosis.healthy and probe is not None and probe.state == DEGRADED:
        why = [f"{service.name} is degraded ({probe.detail}) while its pods look fine: no safe remedy is known"]
    elif diagnosis.healthy and breached:
        why = [f"{service.name} answers, but its {' and its '.join(breached)}: degraded while its pods look fine, "
               "and no safe remedy is known"]
    elif diagnosis.healthy and probe is None:
        without = "without probes" if not inv.probed else "it has no health-check URL to probe, so"
        why = [f"{service.name}'s pods look fine, and {without} the report cannot be confirmed or ruled out"]
    return Verdict("escalated", tuple(why) or ("no safe remedy is known for what was found",))


def _healthy_verdict(service: Service, inv: Investigation, policy: str) -> Verdict:
    """The probe answers and nothing else disagrees. Closed as healthy only on enough evidence: with
    `confirmed` (the default), a stage besides the one health URL must have looked and agreed (the pods,
    read from the cluster); a stage that could look but could not (the cluster unreadable) is not
    agreement. Otherwise the report stays open, cannot-reproduce, with a question to the reporter."""
    diagnosis = inv.diagnosis
    if diagnosis is not None:
        seen = f"{service.name} answers normally and its pods are fine"
    elif service.kubernetes is not None:
        seen = (f"{service.name} answers normally, but its pods could not be checked "
                f"({inv.cluster_problem or 'no cluster access'})")
    else:
        seen = f"{service.name} answers its health check; it has no kubernetes section, so nothing else was checked"
    confirmed = diagnosis is not None and diagnosis.healthy
    if policy == "always" or (policy == "confirmed" and confirmed):
        return Verdict("healthy", (seen,))
    if policy == "never":
        return Verdict(CANNOT_REPRODUCE, (f"{seen}; reports are never closed automatically here "
                                          "(investigation.close_when_healthy: never)",))
    return Verdict(CANNOT_REPRODUCE, (f"{seen}: too little to close the report on",))


def _remedy_verdict(inv: Investigation, remedy: Remedy, service: Service, prior: IssueState | None) -> Verdict:
    result = inv.result
    if result is not None:
        if result.ok and result.recovered:
            return Verdict("fixed", (f"{remedy.summary}; {result.detail}",), remedy)
        return Verdict("escalated", (f"the remedy {remedy.code} did not fix it: {result.detail}",), remedy)
    before = (prior.sections.get(SECTION) or {}).get("remedy") if prior else None
    # A rollback runs once per incident, whether or not the first one worked.
    if isinstance(before, Mapping) and before.get("code") == remedy.code and (before.get("ok") or
                                                                              remedy.code == ROLLBACK):
        return Verdict("escalated", (f"the remedy {remedy.code} was already applied for this issue at "
                                     f"{before.get('at')}, and {service.name} is still not healthy",), remedy)
    if remedy.through_terraform:
        if not inv.engine:
            return Verdict("escalated", (f"the remedy would be to {remedy.summary}, but {NO_ENGINE}",), remedy)
        prepared = inv.prepared
        if prepared is None:
            return Verdict("escalated", (f"the remedy would be to {remedy.summary}, but the change could not be "
                                         f"prepared: {inv.prepare_problem or 'no plan'}",), remedy)
        if prepared.outcome == "blocked":
            return Verdict("escalated", (f"the remedy would be to {remedy.summary}, but the guardrails refused it: "
                                         + "; ".join(prepared.reasons),), remedy)
        if prepared.outcome != "ready":
            return Verdict("escalated", (f"the remedy would be to {remedy.summary}, but Terraform already has that "
                                         "value: the cluster has drifted from the stack, and a person must look",),
                           remedy)
    return Verdict("fixed", (remedy.summary,), remedy, pending=True)


# ---------------------------------------------------------------- the plan


def plan(situation: Situation, parsed: ParsedForm, trust: TrustVerdict) -> Plan:
    inv = situation.investigation
    assert inv is not None
    config, event, prior = situation.config, situation.event, situation.prior
    issue = event.issue
    assert issue is not None
    verdict = assess(situation, parsed)
    facts0, service = report_facts(parsed, config)
    error_type = parsed.choice("error_type")
    found = findings(inv, config, error_type) + _remedy_findings(inv, verdict)
    if verdict.outcome == "duplicate":
        return _duplicate(situation, parsed, trust, verdict)

    triage = classify(facts0, config.severity)
    facts = replace(facts0, state=observed_state(inv, facts0.state, error_type), services_down=services_down(inv),
                    nodes_not_ready=inv.diagnosis.nodes_not_ready if inv.diagnosis else ())
    final = classify(facts, config.severity)
    kept = human_severity(issue, prior, config)
    level = kept or final.level
    # Healthy, closed or not: no incident, no severity, no one paged.
    healthy = verdict.outcome in ("healthy", CANNOT_REPRODUCE)
    change = _severity_change(prior, triage, final, kept, healthy, facts0.state, facts.state)

    labels = config.labels
    if healthy:
        want: tuple[str, ...] = (labels[CANNOT_REPRODUCE],) if verdict.outcome == CANNOT_REPRODUCE else ()
        drop = (labels["incident"], *(labels.severity(s) for s in Severity), labels["postmortem-required"],
                labels["needs-info"], labels["needs-triage"])
    else:
        want, drop = severity_labels(level, config)
    # The owners and the first escalation tier answer for every incident; a person needed adds
    # escalation.assignees, as before owners existed.
    assignees: tuple[str, ...] = () if healthy else first_responders(config, service)
    if verdict.outcome == "escalated":
        want = (*want, labels["needs-human"])
        assignees = (*assignees, *(login for login in config.assignees if login not in assignees))
    close = None
    if verdict.outcome == "healthy":
        close = "not_planned"
    elif verdict.outcome == "fixed" and not verdict.pending and not level.needs_postmortem:
        close = "completed"

    at = inv.checked_at
    journal = [_journal(situation, at, "finding", _finding_summary(inv, service))]
    if change is not None:
        journal.append(_journal(situation, at, "severity", change["text"]))
    journal += _outcome_journal(situation, verdict, inv)
    state_changes = {"sections": _sections(prior, inv, verdict, facts, healthy)}

    actions: tuple[Action, ...] = ()
    if verdict.pending and verdict.remedy is not None:
        actions = (_remedy_action(verdict.remedy, inv, issue.number),)
    reasons = [trust_reason(trust), f"{verdict.outcome}: " + "; ".join(verdict.why)]
    if not healthy:
        reasons += list(final.reasons)
    if kept:
        reasons.append(f"{kept}: set by a person with the {labels.severity(kept)} label; kept")
    if verdict.pending:
        reasons.append("pending: the remedy has not run yet; the outcome is fixed only if a re-probe confirms "
                       "recovery, else escalated")

    context = {
        "body_template": "comments/incident.md.j2",
        "verdict": verdict.outcome,
        "pending": verdict.pending,
        "why": list(verdict.why),
        "service": service,
        "service_title": service.title if service else (parsed.choice("service") or "Unknown service"),
        "error_type": error_type,
        "scope": parsed.choice("scope"),
        "since": parsed.text("when"),
        "severity": None if healthy else str(level),
        "fired": [] if healthy else [{"level": str(r.level), "reason": r.reason} for r in final.fired],
        "human_severity": kept is not None and kept != final.level,
        "rule_severity": str(final.level),
        "severity_change": change,
        "groups": stage_groups(found),
        "remedy": verdict.remedy,
        "result": inv.result,
        "prepared": inv.prepared,
        "commands": list(next_commands(inv, config)) if verdict.outcome in ("escalated", "triaged") else [],
        "assignees": list(assignees),
        "needs_human_label": labels["needs-human"],
        "cannot_reproduce_label": labels[CANNOT_REPRODUCE],
        "close_after": config.investigation.cannot_reproduce_close_after_hours * 3600,
        "postmortem": (not healthy) and level.needs_postmortem,
        "closing": close,
        "cadence_level": None if healthy or close or (verdict.outcome == "fixed" and not verdict.pending)
        else str(level),
        "cluster_source": inv.cluster_source,
        "update_every": config.escalation.target(level).update.total_seconds(),
        "mentions": mentioned(config, assignees),
        "runbook": service.runbook if service is not None and verdict.outcome in ("escalated", "triaged") else None,
    }
    return Plan(
        outcome=verdict.outcome,
        kind=forms.KIND_OUTAGE,
        trusted=True,
        severity=None if healthy else str(level),
        reasons=tuple(reasons),
        template_context=context,
        want_labels=want,
        drop_labels=drop,
        assignees=assignees,
        close=close,
        journal=tuple(journal),
        state_changes=state_changes,
        extra={"findings": [f.to_json() for f in found], "investigation": inv.to_json()},
        leading_actions=actions,
        summary=f"{verdict.outcome[:1].upper()}{verdict.outcome[1:]}: " + "; ".join(verdict.why),
    )


def _remedy_action(remedy: Remedy, inv: Investigation, issue: int) -> Action:
    if remedy.through_terraform:
        assert inv.prepared is not None
        return ApplyChange(inv.prepared)
    assert remedy.namespace and remedy.deployment
    return RolloutRestart(remedy.namespace, remedy.deployment)


def _severity_change(prior: IssueState | None, triage: Classification, final: Classification,
                     kept: Severity | None, healthy: bool, reported: str, observed: str) -> dict[str, str] | None:
    if healthy or kept is not None:
        return None
    before = prior.severity if prior and prior.severity else str(triage.level)
    after = str(final.level)
    if before == after:
        return None
    new = [rule.reason for rule in final.fired if rule.id not in {r.id for r in triage.fired} and rule.id != "default"]
    if new:
        why = " ".join(new)
    elif reported != observed:
        why = (f"the report said {reported}, but the investigation found the service {observed}, so the rules for "
               f"a {reported} service no longer apply.")
    else:
        why = "the investigation found the service in a different state than reported."
    return {"before": before, "after": after, "why": why,
            "text": f"Severity changed from {before} to {after} after the investigation: {why}"}


def _finding_summary(inv: Investigation, service: Service | None) -> str:
    parts = []
    probe = inv.probe(service.name) if service else None
    if probe is not None:
        parts.append(f"{probe.service} {probe.state} ({probe.detail})")
    elif not inv.probed:
        parts.append("probes skipped")
    parts += metric_breaches(inv)
    down = services_down(inv)
    if len(down) > 1:
        parts.append(f"{len(down)} services down: {', '.join(down)}")
    if inv.diagnosis is not None:
        codes = inv.diagnosis.codes()
        parts.append("Kubernetes: " + (", ".join(codes) if codes else "pods healthy"))
    elif inv.cluster_problem:
        parts.append("cluster not read")
    return "Investigated: " + "; ".join(parts) + "."


def _outcome_journal(situation: Situation, verdict: Verdict, inv: Investigation) -> list[JournalEntry]:
    at = inv.checked_at
    out = []
    result = inv.result
    if result is not None and verdict.remedy is not None:
        word = "applied" if result.ok else "failed"
        out.append(_journal(situation, result.at, "remedy", f"Remedy {verdict.remedy.code} {word}: "
                                                            f"{verdict.remedy.summary}."))
        if result.recovered:
            out.append(_journal(situation, result.at, "recovered", f"Recovery confirmed: {result.detail}"))
    text = "; ".join(verdict.why)
    if verdict.outcome == "escalated":
        out.append(_journal(situation, at if result is None else result.at, "escalated", f"Escalated: {text}."))
    elif verdict.outcome == "healthy":
        out.append(_journal(situation, at, "healthy", f"Healthy: {text}."))
    elif verdict.outcome == CANNOT_REPRODUCE:
        out.append(_journal(situation, at, CANNOT_REPRODUCE, f"Could not reproduce: {text}; asked the reporter."))
    elif verdict.outcome == "fixed" and not verdict.pending:
        out.append(_journal(situation, result.at if result else at, "fixed", f"Fixed: {text}."))
    return out


def _journal(situation: Situation, at: str, kind: str, text: str) -> JournalEntry:
    entry = journal_entry(situation, kind, text)
    return replace(entry, at=at or entry.at)


def _sections(prior: IssueState | None, inv: Investigation, verdict: Verdict, facts: Facts,
              healthy: bool) -> dict[str, Any]:
    sections = dict(prior.sections) if prior else {}
    before = dict(sections.get(SECTION) or {})
    root = inv.diagnosis.root_cause if inv.diagnosis else None
    section: dict[str, Any] = {
        "service": inv.service,
        "checked_at": inv.checked_at,
        "state": facts.state,
        "root_cause": root.code if root else None,
        "root_cause_detail": root.detail if root else None,
        "problems": list(inv.diagnosis.codes()) if inv.diagnosis else [],
        "services_down": list(services_down(inv)),
        "healthy_checks": int(before.get("healthy_checks", 0)) + (1 if healthy else 0),
    }
    if inv.original is not None:
        section["duplicate_of"] = inv.original.number
    remedy = verdict.remedy
    if remedy is not None and inv.result is not None:
        result = inv.result
        section["remedy"] = {"code": remedy.code, "summary": remedy.summary, "at": result.at, "ok": result.ok,
                             "recovered": result.recovered,
                             "commit": result.applied.commit if result.applied else None}
    elif "remedy" in before:
        section["remedy"] = before["remedy"]
    sections[SECTION] = section
    if inv.agent_granted_usd:
        from responder.investigate.agent_budget import STATE_SECTION, AgentUsage

        usage = AgentUsage.from_sections(sections).after_job(inv.agent_granted_usd)
        sections[STATE_SECTION] = usage.to_json()
    if not healthy and verdict.outcome in ("fixed", "escalated", "triaged"):
        sweep = dict(sections.get(SWEEP_SECTION) or {})
        if verdict.outcome == "fixed" and not verdict.pending:
            sweep.update({"status": "resolved", "resolved_at": inv.result.at if inv.result else inv.checked_at})
        else:
            sweep.setdefault("status", "open")
        if verdict.outcome == "escalated":
            sweep.setdefault("escalated_at", inv.checked_at)
        sweep.setdefault("last_update", inv.checked_at)
        sections[SWEEP_SECTION] = sweep
    return sections


def _remedy_findings(inv: Investigation, verdict: Verdict) -> tuple[Finding, ...]:
    result = inv.result
    if result is None:
        return ()
    out = [Finding("remedy", "applied", "ok" if result.ok else "fail", result.detail if not result.ok else
                   (f"Applied: {verdict.remedy.summary}." if verdict.remedy else "Applied."))]
    for probe in result.probes:
        status = {OK: "ok", DEGRADED: "warn", DOWN: "fail"}[probe.state]
        out.append(Finding("remedy", f"re-probe:{probe.service}", status,
                           f"Re-probe of {probe.service}: {probe.state}, {probe.detail}."))
    if result.ok:
        out.append(Finding("remedy", "recovery", "ok" if result.recovered else "fail", result.detail))
    return tuple(out)


# ---------------------------------------------------------------- duplicates


def _duplicate(situation: Situation, parsed: ParsedForm, trust: TrustVerdict, verdict: Verdict) -> Plan:
    from responder.triage.duplicates import record_report

    inv = situation.investigation
    assert inv is not None and inv.original is not None
    config, event = situation.config, situation.event
    issue = event.issue
    assert issue is not None
    original = inv.original
    labels = config.labels
    scope = parsed.choice("scope")
    update = record_report(original, issue=issue.number, reporter=issue.author.login, scope=scope,
                           at=event.at, url=issue.html_url, config=config)
    trailing: tuple[Action, ...] = ()
    if update is not None:
        trailing = (UpdateOtherIssue(update.number, update.comment_id, update.body, update.add_labels,
                                     update.remove_labels),)
    reporters = update.reporters if update is not None else ()
    raised = update.raised if update is not None else None
    _, service = report_facts(parsed, config)
    drop = (labels["incident"], *(labels.severity(s) for s in Severity), labels["postmortem-required"],
            labels["needs-info"], labels["needs-triage"])
    sections = dict(situation.prior.sections) if situation.prior else {}
    sections[SECTION] = {"service": inv.service, "checked_at": inv.checked_at, "duplicate_of": original.number}
    reasons = [trust_reason(trust), f"duplicate: {verdict.why[0]} (#{original.number})"]
    if raised:
        reasons.append(f"#{original.number} now has {len(reporters)} distinct reporters: its severity goes from "
                       f"{raised[0]} to {raised[1]}")
    context = {
        "body_template": "comments/incident.md.j2",
        "verdict": "duplicate",
        "pending": False,
        "why": list(verdict.why),
        "service": service,
        "service_title": service.title if service else (parsed.choice("service") or "Unknown service"),
        "error_type": parsed.choice("error_type"),
        "scope": scope,
        "since": parsed.text("when"),
        "severity": None,
        "fired": [],
        "human_severity": False,
        "rule_severity": None,
        "severity_change": None,
        "groups": [],
        "remedy": None,
        "result": None,
        "prepared": None,
        "commands": [],
        "assignees": [],
        "needs_human_label": labels["needs-human"],
        "postmortem": False,
        "closing": "not_planned",
        "cadence_level": None,
        "cluster_source": None,
        "update_every": 0,
        "mentions": [],
        "runbook": None,
        "original": {"number": original.number, "url": original.html_url, "title": original.title},
        "reporters": len(reporters),
        "raised": raised,
    }
    entry = _journal(situation, event.at, "duplicate", f"Duplicate of #{original.number}; recorded there.")
    return Plan(
        outcome="duplicate",
        kind=forms.KIND_OUTAGE,
        trusted=True,
        severity=None,
        reasons=tuple(reasons),
        template_context=context,
        want_labels=(labels["duplicate"],),
        drop_labels=drop,
        close="not_planned",
        journal=(entry,),
        state_changes={"sections": sections},
        extra={"findings": [], "investigation": inv.to_json()},
        trailing_actions=trailing,
    )

