"""From an issue event to a decision: screen, trust, parse, classify.

Everything here is pure: the caller gathers the trust verdict and the
remembered state (I/O) and passes them in, and gets a Decision back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from responder.changes import change_record
from responder.config.loader import Config
from responder.decision.actions import (
    Action,
    AddLabels,
    Assign,
    Close,
    Comment,
    Decision,
    RemoveLabels,
    fingerprint,
    ignored,
)
from responder.decision.notify_actions import Notify
from responder.forms import specs as forms
from responder.forms.answers import ParsedForm
from responder.forms.filing import detect_kind
from responder.forms.specs import FormSpec
from responder.model.changes import ChangeRequest
from responder.model.events import Issue, IssueEvent
from responder.model.severity import Classification, classify
from responder.model.state import IssueState, render_marker
from responder.model.trust import TrustVerdict
from responder.render.comments import render
from responder.triage import feature_requests, platform_requests
from responder.triage import outage as incident
from responder.triage.notices import with_notices
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

if TYPE_CHECKING:
    pass

COMMAND_PREFIX = "/responder"
APPROVE = "approve"


# ---------------------------------------------------------------- screening


def screen(event: IssueEvent, config: Config) -> Decision | None:
    """Reasons to ignore an event before any API call. None: go on."""
    issue_number = event.issue.number if event.issue else None

    def skip(reason: str) -> Decision:
        return ignored(event.key, issue_number, reason)

    if event.problem:
        return skip(f"nothing to do: {event.problem}")
    if not event.handled:
        return skip(f"{event.key} is not an event the responder handles")
    if config.repository and event.repository and event.repository.lower() != config.repository.lower():
        return skip(f"the event is from {event.repository}, not the configured repository {config.repository}")
    if event.sender is not None and event.sender.login == config.bot_login:
        return skip("the event was caused by the responder itself")
    issue = event.issue
    assert issue is not None  # event.problem covers a missing issue
    if issue.is_pull_request:
        return skip("pull requests are not handled")
    if event.action == "closed":
        from responder.triage.closing import screen_closed

        reason = screen_closed(event, config)
        return skip(reason) if reason else None
    if issue.state != "open":
        return skip("the issue is closed")
    if event.name == "issue_comment":
        comment = event.comment
        assert comment is not None
        if comment.author.login == config.bot_login:
            return skip("the comment is the responder's own")
        if command_of(comment.body) != APPROVE:
            return skip("the comment is not a responder command")
    if event.action == "labeled":
        form_labels = {config.labels["user-report"], config.labels["feature-request"],
                       config.labels["platform-request"]}
        if event.label not in form_labels:
            return skip(f"the label {event.label!r} does not concern the responder")
    kind, _ = detect_kind(issue, config)
    if kind == forms.KIND_UNKNOWN:
        return replace(skip("the issue was not filed through a known form"), kind=kind)
    return None


def command_of(body: str | None) -> str | None:
    """`/responder approve` on the first line of a comment -> "approve"."""
    parts = _command_words(body)
    return parts[1].lower() if len(parts) >= 2 else None


def command_argument(body: str | None) -> str | None:
    """`/responder approve 3f2a9c1b0d4e` -> "3f2a9c1b0d4e" (the report digest the maintainer reviewed)."""
    parts = _command_words(body)
    return parts[2].strip("`").lower() if len(parts) >= 3 else None


def _command_words(body: str | None) -> list[str]:
    if not body:
        return []
    parts = body.strip().split("\n", 1)[0].strip().split()
    return parts if len(parts) >= 2 and parts[0].lower() == COMMAND_PREFIX else []


def subject(event: IssueEvent) -> tuple[str, str]:
    """Whose input is acted on: the issue author, or the maintainer approving it."""
    if event.name == "issue_comment" and event.comment is not None:
        return event.comment.author.login, event.comment.author_association
    assert event.issue is not None
    return event.issue.author.login, event.issue.author_association


def report_digest(issue: Issue) -> str:
    """What a maintainer reviews: the title and the body. The queued comment shows it, and
    `/responder approve <digest>` covers exactly that text, so a report swapped or retitled
    after the review is never approved by it."""
    text = f"{issue.title or ''}\n\0\n{issue.body or ''}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


@dataclass(frozen=True)
class Approval:
    """The trust verdict after approvals: who approved (if anyone), or why an approval did not count."""

    trust: TrustVerdict
    approved_by: str | None = None
    problem: str | None = None

    @property
    def granted(self) -> bool:
        """Automation may act on the report as it reads now."""
        return self.trust.trusted and self.problem is None


def effective_trust(situation: Situation) -> Approval:
    event, trust, prior = situation.event, situation.trust, situation.prior
    assert event.issue is not None
    current = report_digest(event.issue)
    if event.name == "issue_comment":
        # An approval: the verdict is about the commenter, and it covers only the digest they name.
        if not trust.trusted:
            return Approval(trust)
        assert event.comment is not None
        named = command_argument(event.comment.body)
        if named == current:
            return Approval(trust, trust.login)
        if named is None:
            problem = (f"{trust.login} approved without naming the report's digest; approve with "
                       f"`/responder approve {current}` after reading the report as it is now")
        else:
            problem = (f"{trust.login} approved digest {named}, but the report now reads as {current}: "
                       "it changed after their review, so it needs a fresh one")
        return Approval(trust, problem=problem)
    if trust.trusted:
        return Approval(trust)
    if prior and prior.approved_by and prior.approved_digest == current:
        return Approval(TrustVerdict(True, trust.login, "approval", f"approved by {prior.approved_by}"),
                        prior.approved_by)
    return Approval(trust)


# ---------------------------------------------------------------- deciding


def decide(situation: Situation) -> Decision:
    event = situation.event
    issue = event.issue
    assert issue is not None
    kind, form, parsed = situation.kind, situation.form, situation.parsed
    assert form is not None and parsed is not None
    approval = effective_trust(situation)
    trust, approved_by = approval.trust, approval.approved_by
    if approval.problem is not None:
        if situation.prior is not None and situation.prior.outcome not in (None, "queued"):
            return ignored(event.key, issue.number, "the report is not waiting for an approval", kind=kind)
        plan = _queued(situation, kind, trust, approval.problem)
    elif not trust.trusted:
        if event.name == "issue_comment":
            return ignored(event.key, issue.number,
                           f"{trust.login} may not approve reports ({trust.detail})", kind=kind)
        plan = _queued(situation, kind, trust)
    else:
        if not parsed.valid:
            plan = _needs_info(situation, kind, form, parsed, trust)
        elif kind == forms.KIND_OUTAGE:
            done = incident.settled(situation)
            if done is not None:
                return done
            plan = incident.plan(situation, parsed, trust) if situation.investigation else \
                _triaged(situation, parsed, trust)
        elif kind == forms.KIND_PLATFORM:
            plan = _change_plan(situation, forms.KIND_PLATFORM, platform_requests.outcome(situation), trust)
        else:
            plan = _feature_recorded(situation, parsed, trust)
        if kind == forms.KIND_OUTAGE:
            plan = with_notices(situation, plan)
    if approved_by:
        plan = replace(plan, state_changes={
            **plan.state_changes,
            "approved_by": approved_by,
            "approved_digest": report_digest(issue),
        })
    return assemble(situation, plan, approved_by=approved_by)


def assemble(situation: Situation, plan: Plan, approved_by: str | None = None) -> Decision:
    """Turn a plan into delta actions, remember it, and drop it all if it is already done."""
    event, config = situation.event, situation.config
    issue = event.issue
    assert issue is not None
    present = set(issue.labels)
    add = tuple(label for label in _unique(plan.want_labels) if label not in present)
    remove = tuple(label for label in _unique(plan.drop_labels) if label in present and label not in add)
    assign = tuple(login for login in plan.assignees if login not in issue.assignees)

    context = {
        "event": event.key,
        "outcome": plan.outcome,
        "kind": plan.kind,
        "approved_by": approved_by,
        **plan.template_context,
    }
    text = render("comments/comment.md.j2", context, config.templates_dir)
    # A notification is said once and remembered in the state; it is no part of the end state itself.
    extra_actions = [a.to_json() for a in (*plan.leading_actions, *plan.trailing_actions) if not isinstance(a, Notify)]
    digest = fingerprint({
        "outcome": plan.outcome,
        "severity": plan.severity,
        "labels": sorted(set(plan.want_labels)),
        "unlabels": sorted(set(plan.drop_labels)),
        "assignees": sorted(plan.assignees),
        "close": plan.close,
        "comment": text,
        "extra": plan.extra,
        **({"actions": extra_actions} if extra_actions else {}),
    })
    prior = situation.prior or IssueState()
    state = prior.with_entries(plan.journal) if _changed(prior, plan) else prior
    state = replace(state, kind=plan.kind, outcome=plan.outcome, severity=plan.severity, digest=digest,
                    **plan.state_changes)
    reasons = plan.reasons
    actions: list[Action] = []
    if situation.prior is not None and situation.prior.digest == digest:
        reasons = (*reasons, "nothing changed since the last run: no action needed")
    else:
        actions.extend(plan.leading_actions)
        if remove:
            actions.append(RemoveLabels(remove))
        if add:
            actions.append(AddLabels(add))
        if assign:
            actions.append(Assign(assign))
        if plan.close and issue.state == "open":
            actions.append(Close(plan.close))
        actions.extend(plan.trailing_actions)
        # The comment goes last: it records the digest only once everything else succeeded.
        actions.append(Comment(fit_comment(text, render_marker(state))))
    return Decision(
        event=event.key,
        issue=issue.number,
        kind=plan.kind,
        trusted=plan.trusted,
        severity=plan.severity,
        outcome=plan.outcome,
        reasons=reasons,
        actions=tuple(actions),
        state=state,
        digest=digest,
        extra=dict(plan.extra),
    )


COMMENT_LIMIT = 65_536  # GitHub refuses longer comments


def fit_comment(text: str, marker: str) -> str:
    """The report plus the marker, cut to fit GitHub's limit; the marker always survives."""
    room = COMMENT_LIMIT - len(marker) - 200
    if len(text) > room:
        text = text[:room].rsplit("\n", 1)[0] + "\n\n… (the report was cut to fit GitHub's comment size limit)"
    return text + "\n\n" + marker


def _changed(prior: IssueState, plan: Plan) -> bool:
    return prior.outcome != plan.outcome or prior.severity != plan.severity


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def _queued(situation: Situation, kind: str, trust: TrustVerdict, approval_problem: str | None = None) -> Plan:
    config, prior = situation.config, situation.prior
    issue = situation.event.issue
    assert issue is not None
    # Approved before (or acted on, when the approval could not be read back from an unsigned marker).
    changed = prior is not None and (bool(prior.approved_by) or prior.outcome not in (None, "queued"))
    # A report that loses its approval loses what the approval gave it: the incident and severity
    # labels (which put it on the public status page) and the post-mortem requirement.
    withdrawn = (config.labels["incident"], config.labels["postmortem-required"],
                 *(config.labels[level.lower()] for level in ("SEV1", "SEV2", "SEV3", "SEV4"))) if changed else ()
    reasons = (trust_reason(trust), "queued for a maintainer's review; nothing else runs")
    if approval_problem:
        reasons = (f"not approved: {approval_problem}", "queued for a maintainer's review; nothing else runs")
    return Plan(
        outcome="queued",
        kind=kind,
        trusted=False,
        severity=None,
        reasons=reasons,
        template_context={
            "min_permission": config.min_permission,
            "statuspage_url": config.statuspage_url,
            "changed_after_approval": changed,
            "report_digest": report_digest(issue),
            "approval_problem": approval_problem,
        },
        want_labels=(config.labels["needs-triage"],),
        drop_labels=withdrawn,
        journal=(journal_entry(situation, "queued", f"Queued for review: {approval_problem or trust.detail}."),),
        state_changes={"approved_by": None, "approved_digest": None} if changed else {},
    )


def _needs_info(situation: Situation, kind: str, form: FormSpec, parsed: ParsedForm,
                trust: TrustVerdict) -> Plan:
    config = situation.config
    problems = []
    for problem in parsed.errors:
        spec = form.field_by_id(problem.field) if problem.field else None
        problems.append({"label": spec.label if spec else "The issue body", "message": problem.message})
    reasons = tuple(p.line(form) for p in parsed.errors)
    return Plan(
        outcome="needs-info",
        kind=kind,
        trusted=True,
        severity=None,
        reasons=(trust_reason(trust), *reasons),
        template_context={
            "problems": problems,
            "kind_text": "outage report" if kind == forms.KIND_OUTAGE else "request",
        },
        want_labels=(config.labels["needs-info"],),
        drop_labels=(config.labels["needs-triage"],),
        journal=(journal_entry(situation, "needs-info", f"Form incomplete: {len(problems)} problem(s)."),),
    )


def _triaged(situation: Situation, parsed: ParsedForm, trust: TrustVerdict) -> Plan:
    config, issue, prior = situation.config, situation.event.issue, situation.prior
    assert issue is not None
    facts, service = report_facts(parsed, config)
    result: Classification = classify(facts, config.severity)
    # Offline the responder cannot see its own past labels, so it cannot tell a person's from its own.
    kept = human_severity(issue, prior, config) if situation.prior_known else None
    level = kept or result.level
    want, drop = severity_labels(level, config)
    journal = [journal_entry(situation, "triaged", f"Classified {level}. " + " ".join(r.reason for r in result.fired))]
    severity_change = None
    if prior and prior.severity and prior.severity != str(level):
        severity_change = {"before": prior.severity, "after": str(level)}
        journal.append(journal_entry(situation, "severity", f"Severity changed from {prior.severity} to {level}."))
    reasons = [trust_reason(trust), *result.reasons]
    if kept:
        reasons.append(f"{kept}: set by a person with the {config.labels.severity(kept)} label; kept")
    responders = first_responders(config, service)
    context = {
        "severity": str(level),
        "rule_severity": str(result.level),
        "human_severity": kept is not None and kept != result.level,
        "severity_change": severity_change,
        "fired": [{"level": str(r.level), "reason": r.reason} for r in result.fired],
        "service": service,
        "service_title": service.title if service else (parsed.choice("service") or "Unknown service"),
        "error_type": parsed.choice("error_type"),
        "scope": parsed.choice("scope"),
        "since": parsed.text("when"),
        "labels_text": ", ".join(want),
        "postmortem": level.needs_postmortem,
        "update_every": config.escalation.target(level).update.total_seconds(),
        "assignees": list(responders),
        "mentions": mentioned(config, responders),
        "runbook": service.runbook if service else None,
    }
    return Plan(
        outcome="triaged",
        kind=forms.KIND_OUTAGE,
        trusted=True,
        severity=str(level),
        reasons=tuple(reasons),
        template_context=context,
        want_labels=want,
        drop_labels=drop,
        assignees=responders,
        journal=tuple(journal),
        summary=f"Classified {level}: " + (result.fired[0].reason if result.fired else "by the default rule"),
    )


def wanted_change(situation: Situation) -> ChangeRequest | None:
    """The change to plan before deciding: a trusted, valid, supported, in-bounds feature or platform
    request that has not already been applied (or failed to apply) for this issue."""
    parsed = situation.parsed
    if situation.kind == forms.KIND_PLATFORM and parsed is not None and parsed.valid:
        return platform_requests.wanted_change(situation, effective_trust(situation).granted)
    if situation.kind != forms.KIND_FEATURE or parsed is None or not effective_trust(situation).granted:
        return None
    if not parsed.valid:
        return None
    request = feature_requests.assess(parsed, situation.config).request
    if request is None:
        return None
    found = change_record.find(situation.prior, request)
    return None if found is not None and found.terminal else request


def _feature_recorded(situation: Situation, parsed: ParsedForm, trust: TrustVerdict) -> Plan:
    """A valid request from a trusted author: carried out through Terraform, or assessed for a person."""
    assessment = feature_requests.assess(parsed, situation.config)
    result = feature_requests.outcome(assessment, situation.config, situation.prior, situation.change,
                                      situation.applied)
    return _change_plan(situation, forms.KIND_FEATURE, result, trust)


def _change_plan(situation: Situation, kind: str, result: feature_requests.FeatureOutcome,
                 trust: TrustVerdict) -> Plan:
    """The end state of a request carried out through a change, or assessed for a person."""
    config = situation.config
    labels = config.labels
    return Plan(
        outcome=result.outcome,
        kind=kind,
        trusted=True,
        severity=None,
        reasons=(trust_reason(trust), *result.reasons),
        template_context=result.template_context,
        want_labels=(labels["needs-human"],) if result.escalate else (),
        drop_labels=(labels["needs-info"], labels["needs-triage"],
                     *(() if result.escalate else (labels["needs-human"],))),
        assignees=config.assignees if result.escalate else (),
        close=result.close,
        journal=tuple(journal_entry(situation, entry, text) for entry, text in result.journal),
        state_changes={"sections": result.sections} if result.sections is not None else {},
        extra=result.extra,
        leading_actions=result.leading_actions,
    )
