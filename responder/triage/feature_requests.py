"""Feature requests: from a valid, trusted form to a change carried out or a person's assessment.

Pure. `assess` reads the form into a ChangeRequest when the change is one
the responder makes and within bounds (the shell then plans it through the
ChangeEngine); `outcome` turns the prepared, applied or remembered change
into what the issue should look like. Comments about a change are rendered
from its ChangeRecord alone, so a re-run renders exactly the same text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from responder.changes import change_record
from responder.changes.change_record import ChangeRecord
from responder.changes.guardrails import stack_verdict
from responder.changes.limits import UNSUPPORTED, check_request
from responder.config.loader import Config, Service
from responder.decision.actions import Action
from responder.decision.change_actions import ApplyChange
from responder.forms.answers import ParsedForm
from responder.model.changes import AppliedChange, ChangeRequest, PreparedChange, change_kind_for_option
from responder.model.state import IssueState


@dataclass(frozen=True)
class Assessment:
    """Whether a request can be carried out automatically, before anything runs."""

    service: Service | None
    service_title: str
    change: str | None  # the form's option, e.g. "Replica count"
    value: str | None
    request: ChangeRequest | None  # set when it is automatic: plan it
    problem: str = ""  # a PreparedChange.blocked_by value when it is not
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeatureOutcome:
    outcome: str  # done | escalated
    reasons: tuple[str, ...]
    template_context: Mapping[str, Any]
    close: str | None = None
    escalate: bool = False
    journal: tuple[tuple[str, str], ...] = ()  # (kind, text)
    sections: Mapping[str, Any] | None = None  # the state's new sections, when a record changed
    leading_actions: tuple[Action, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)


def assess(parsed: ParsedForm, config: Config) -> Assessment:
    title = parsed.choice("service")
    service = config.service_by_title(title) if title else None
    option = parsed.choice("change")
    value = parsed.text("value")
    shown_title = service.title if service else (title or "Unknown service")
    base = Assessment(service, shown_title, option, value, None)
    kind = change_kind_for_option(option or "")
    if kind is None:
        return _not_automatic(base, UNSUPPORTED, "only replica counts, memory and CPU limits and requests, and image "
                                                 "tags are changed automatically")
    if service is None:
        return _not_automatic(base, "not-configured", f"{shown_title} is not a service in responder.yml")
    if not value:
        return _not_automatic(base, "invalid", "the request gives no new value")
    if service.terraform is not None:
        # Protected stacks escalate before anything else is even looked at.
        pattern = config.guardrails.policy.protected_stack(service.terraform.stack)
        if pattern is not None:
            return _not_automatic(base, "protected-stack", f"stack {service.terraform.stack} is protected "
                                                           f"(guardrails.protected_stacks: {pattern}): changes there "
                                                           "always need a person")
    request = ChangeRequest(service=service.name, kind=kind.key, value=value.strip(),
                            reason=parsed.text("description") or "", commit_type="feat")
    check = check_request(request, service)
    if not check.ok:
        return _not_automatic(base, check.problem, *check.reasons)
    return Assessment(service, shown_title, option, value, request)


def outcome(assessment: Assessment, config: Config, prior: IssueState | None, prepared: PreparedChange | None,
            applied: AppliedChange | None) -> FeatureOutcome:
    context: dict[str, Any] = {
        "service_title": assessment.service_title,
        "change": assessment.change,
        "value": assessment.value,
        "assignees": list(config.assignees),
        "needs_human_label": config.labels["needs-human"],
    }
    request = assessment.request
    if request is None:
        extra = {}
        service = assessment.service
        if assessment.problem == "protected-stack" and service is not None and service.terraform is not None:
            protected = stack_verdict(service.terraform.stack, config.guardrails.policy)
            extra = {"verdict": protected.to_json()} if protected is not None else {}
        return _escalated(context, assessment.reasons, blocked_by=assessment.problem, record=None,
                          headline="Request recorded: a person will take it from here", extra=extra)
    if prepared is not None:
        record = change_record.record_for(prepared, applied)
    else:
        found = change_record.find(prior, request)
        if found is None or not found.terminal:
            return _escalated(context, ("the change was not planned in this run (planning was switched off)",),
                              blocked_by="not-planned", record=None,
                              headline="Request recorded: it was not planned in this run")
        record = found
    sections = change_record.with_record(prior, record)
    # A fresh plan's verdict in full; a remembered one as the state keeps it (re-runs must match).
    verdict = prepared.verdict if prepared is not None and applied is None else record.verdict
    extra = {"verdict": dict(verdict), "change": {k: v for k, v in record.to_json().items() if k != "verdict"}}
    context.update(record=_record_view(record), verdict=_verdict_view(record.verdict))
    status = record.status
    if status in ("planned", "applied", "no-op"):
        headline = {
            "planned": "Ready to apply: {what}",
            "applied": "Done: {what}",
            "no-op": "Nothing to change: {service} already has this value",
        }[status].format(what=record.summary, service=assessment.service_title)
        context.update(headline=headline)
        journal = _journal(record)
        leading_actions: tuple[Action, ...] = ()
        if status == "planned":
            assert prepared is not None
            leading_actions = (ApplyChange(prepared),)
        return FeatureOutcome(outcome="done", reasons=tuple(_done_reasons(record)), template_context=context,
                              close="completed", journal=journal, sections=sections, leading_actions=leading_actions,
                              extra=extra)
    headline = {
        "unrecorded": "Applied, but not recorded: {what}",
        "apply-failed": "The apply failed: {what}",
    }.get(status, "Not done automatically: {what}").format(what=record.summary or assessment.change)
    reasons = (record.error,) if status in ("unrecorded", "apply-failed") and record.error else record.reasons
    return _escalated(context, tuple(reasons), blocked_by=status if status != "blocked" else record.blocked_by,
                      record=record, headline=headline, sections=sections, extra=extra)


def _not_automatic(base: Assessment, problem: str, *reasons: str) -> Assessment:
    return Assessment(base.service, base.service_title, base.change, base.value, None, problem, tuple(reasons))


def _escalated(context: dict[str, Any], reasons: tuple[str, ...], *, blocked_by: str, record: ChangeRecord | None,
               headline: str, sections: Mapping[str, Any] | None = None,
               extra: Mapping[str, Any] | None = None) -> FeatureOutcome:
    context.update(headline=headline, escalation_reasons=list(reasons), blocked_by=blocked_by,
                   record=_record_view(record) if record else None,
                   verdict=_verdict_view(record.verdict) if record else None)
    journal: tuple[tuple[str, str], ...] = _journal(record) if record else ()
    journal += (("escalated", f"Request escalated to a person: {'; '.join(reasons)}"),)
    return FeatureOutcome(outcome="escalated", reasons=reasons, template_context=context, escalate=True,
                          journal=journal, sections=sections, extra=extra or {})


def _record_view(record: ChangeRecord) -> dict[str, Any]:
    """Every field present, so templates need no defaults."""
    return {spec.name: getattr(record, spec.name) for spec in fields(record)}


def _verdict_view(verdict: Mapping[str, Any]) -> dict[str, Any]:
    if not verdict:
        return {}
    changes = [{"address": c.get("address", ""), "action": c.get("action", ""),
                "attributes": list(c.get("attributes") or ())} for c in verdict.get("changes") or ()]
    return {"allowed": bool(verdict.get("allowed")), "outcome": verdict.get("outcome", ""),
            "reasons": list(verdict.get("reasons") or ()), "notes": list(verdict.get("notes") or ()),
            "counts": dict(verdict.get("counts") or {}), "changes": changes,
            "more_changes": verdict.get("more_changes", 0)}


def _journal(record: ChangeRecord) -> tuple[tuple[str, str], ...]:
    what = record.summary or f"{record.service} {record.kind}"
    entries: list[tuple[str, str]] = []
    if record.plan_sha256:
        verdict = "allowed" if record.verdict.get("allowed") else record.verdict.get("outcome", "blocked")
        entries.append(("plan", f"Planned {what} in {record.stack}: {verdict} "
                                f"(plan sha256:{record.plan_sha256[:12]})."))
    if record.status in ("applied", "unrecorded"):
        done = "Applied" if record.plan_sha256 else "Committed"
        entries.append(("apply", f"{done} {what}" + (f"; commit {record.commit[:12]}." if record.commit else ".")))
    elif record.status == "apply-failed":
        entries.append(("apply", f"Apply of {what} failed: {record.error}"))
    return tuple(entries)


def _done_reasons(record: ChangeRecord) -> list[str]:
    if record.status == "no-op":
        return list(record.reasons)
    reasons = [f"guardrails: {reason}" for reason in record.verdict.get("reasons") or ()]
    if not record.plan_sha256:  # no Terraform: a service added to the catalogue
        reasons += list(record.reasons)
        reasons.append(f"committed {record.commit}" if record.status == "applied" else "ready to commit")
    elif record.status == "applied":
        reasons.append(f"applied the checked plan sha256:{record.plan_sha256}; committed {record.commit}")
    else:
        reasons.append(f"ready to apply the checked plan sha256:{record.plan_sha256}")
    return reasons
