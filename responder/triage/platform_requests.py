"""Platform requests: from a valid, trusted form to a change carried out or a person's assessment.

Pure, like feature requests, and through the same change records: `wanted_change` is the edit to
plan before deciding (none when the request is out of bounds, or was already carried out),
`outcome` what the issue should look like. A re-run finds the change record by the request alone,
not by the platform's state, which the request itself changed: it renders the same comment and
applies nothing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from responder.changes import change_record
from responder.changes.platform import change_request, check, quota_text, record_key
from responder.config.loader import Config
from responder.model.changes import ChangeRequest
from responder.model.platform import PlatformAsk
from responder.triage import feature_requests
from responder.triage.feature_requests import Assessment, FeatureOutcome
from responder.triage.situation import Situation

DONE_TEMPLATE = "comments/platform-done.md.j2"


def wanted_change(situation: Situation, granted: bool) -> ChangeRequest | None:
    """The edit to plan before deciding: a trusted, well-formed, in-bounds request not yet carried out."""
    ask = _ask(situation)
    if ask is None or not granted or situation.inventory is None:
        return None
    found = change_record.find(situation.prior, record_key(ask))
    if found is not None and found.terminal:
        return None
    result = check(ask, situation.config, situation.inventory)
    return change_request(ask, result.edit) if result.ok and result.edit is not None else None


def outcome(situation: Situation) -> FeatureOutcome:
    """What the issue should look like: done (applied, or nothing to change) or escalated with the rule."""
    ask = _ask(situation)
    assert ask is not None  # decide() sends only valid platform requests here
    config = situation.config
    base = Assessment(None, ask.kind.option, ask.kind.option, ask.requested, None)
    found = change_record.find(situation.prior, record_key(ask))
    if situation.change is None and found is not None and found.terminal:
        assessment = replace(base, request=record_key(ask))  # carried out before: render it from its record
    elif situation.inventory is None:
        assessment = replace(base, problem="not-configured",
                             reasons=("the platform's vars files were not read in this run",))
    else:
        result = check(ask, config, situation.inventory)
        if result.ok and result.edit is not None:
            assessment = replace(base, request=situation.change.request if situation.change is not None
                                 else change_request(ask, result.edit))
        else:
            assessment = replace(base, problem=result.problem, reasons=result.reasons)
    result_outcome = feature_requests.outcome(assessment, config, situation.prior, situation.change,
                                              situation.applied)
    context: dict[str, Any] = {**result_outcome.template_context, "platform": _view(ask, config)}
    if result_outcome.outcome == "done":
        context["body_template"] = DONE_TEMPLATE
    return replace(result_outcome, template_context=context)


def _ask(situation: Situation) -> PlatformAsk | None:
    return situation.filing.ask if situation.filing is not None else None


def _view(ask: PlatformAsk, config: Config) -> dict[str, Any]:
    """The request as the comment shows it: each answer it used, by the form's words."""
    rows: list[tuple[str, str]] = []
    platform = config.platform
    if ask.namespace:
        rows.append(("Namespace", ask.namespace))
    if ask.members:
        subjects = [f"{login} ({platform.namespaces.subject(login)})" if platform else login for login in ask.members]
        rows.append(("Members", ", ".join(subjects)))
    if ask.role:
        rows.append(("Role", ask.role))
    quota = {key: value for key, value in (("cpu", ask.cpu.text if ask.cpu else None),
                                           ("memory", ask.memory.text if ask.memory else None),
                                           ("pods", ask.pods)) if value is not None}
    if quota:
        rows.append(("Quota", quota_text(quota)))
    if ask.record is not None:
        rows.append(("Record", f"{ask.record.name} {ask.record.type} {ask.record.value}"))
    if ask.url:
        rows.append(("URL", ask.url))
    if ask.service_name:
        rows.append(("Monitor", f"{ask.service_name} ({ask.title}), tier {ask.tier or 'low'}"))
    return {"request": ask.kind.option, "kind": ask.kind.key, "rows": [{"label": k, "value": v} for k, v in rows],
            "terraform": ask.kind.key != "monitor"}
