"""The record of a change in the issue's state: what a re-run reads so it never applies twice."""

from __future__ import annotations

from responder.changes.change_record import (
    CHANGES_KEPT,
    KEEP,
    ChangeRecord,
    compact_verdict,
    find,
    record_for,
    records,
    with_record,
)
from responder.model.changes import AppliedChange, ChangeRequest, PreparedChange
from responder.model.state import IssueState, read_marker, render_marker

REQUEST = ChangeRequest("app", "replicas", " 3 ", "why", "feat")
VERDICT = {"allowed": True, "outcome": "ready", "reasons": ["ok"], "notes": [], "counts": {"update": 1},
           "changes": [{"address": "terraform_data.deployment", "type": "terraform_data", "action": "update",
                        "actions": ["update"], "attributes": [
                            {"path": "input.replicas", "before": "2", "after": "3"},
                            {"path": "output", "before": "{}", "after": "(known after apply)"}]}],
           "drift": [], "outputs": [], "terraform_version": "1.11.4", "format_version": "1.2"}
PREPARED = PreparedChange(REQUEST, "stacks/app", "ready", ("ok",), plan_sha256="ab" * 32, verdict=VERDICT,
                          plan_file="/tmp/x.tfplan", before="2", after="3", summary="raise app replicas from 2 to 3",
                          vars_file="stacks/app/app.auto.tfvars.json")


def test_the_status_says_what_happened() -> None:
    assert record_for(PREPARED).status == "planned"
    assert record_for(PREPARED, AppliedChange(PREPARED, ok=True, commit="c" * 40, pushed=True)).status == "applied"
    assert record_for(PREPARED, AppliedChange(PREPARED, ok=True, commit="c" * 40, error="push failed")).status == \
        "unrecorded"
    assert record_for(PREPARED, AppliedChange(PREPARED, ok=False, error="stale")).status == "apply-failed"
    blocked = PreparedChange(REQUEST, "stacks/app", "blocked", ("no",), blocked_by="guardrails")
    assert record_for(blocked).status == "blocked"


def test_a_record_survives_the_state_marker() -> None:
    applied = record_for(PREPARED, AppliedChange(PREPARED, ok=True, commit="c" * 40, pushed=True,
                                                 summary="Apply complete!"))
    state = IssueState(outcome="done").with_section("terraform", with_record(None, applied)["terraform"])
    restored = read_marker(render_marker(state))
    assert restored is not None
    [again] = records(restored)
    assert again == applied
    assert find(restored, ChangeRequest("app", "replicas", "3", "other words", "feat")) == applied
    assert find(restored, ChangeRequest("app", "replicas", "4", "why", "feat")) is None
    assert find(restored, ChangeRequest("app", "replicas", "3", "why", "fix")) is None


def test_the_kept_verdict_is_bounded_and_leaves_out_values_known_only_after_apply() -> None:
    many = dict(VERDICT, changes=VERDICT["changes"] * 50)
    kept = compact_verdict(many)
    assert len(kept["changes"]) == CHANGES_KEPT
    assert kept["more_changes"] == 50 - CHANGES_KEPT
    assert kept["changes"][0] == {"address": "terraform_data.deployment", "action": "update",
                                  "attributes": [{"path": "input.replicas", "before": "2", "after": "3"}]}


def test_a_newer_record_of_the_same_request_replaces_the_older_and_old_ones_fall_off() -> None:
    state = IssueState()
    for value in range(KEEP + 5):
        request = ChangeRequest("app", "replicas", str(value), "why")
        record = ChangeRecord("app", "replicas", str(value), "feat", "stacks/app", "blocked")
        state = IssueState(sections=with_record(state, record))
        assert find(state, request) == record
    assert len(records(state)) == KEEP
    newer = ChangeRecord("app", "replicas", str(KEEP + 4), "feat", "stacks/app", "applied", commit="c" * 40)
    state = IssueState(sections=with_record(state, newer))
    assert [r.status for r in records(state)].count("applied") == 1
    assert len(records(state)) == KEEP


def test_damaged_records_are_skipped() -> None:
    state = IssueState(sections={"terraform": {"changes": [{"service": 1}, "x", {"service": "app", "kind": "replicas",
                                                                                 "status": "applied",
                                                                                 "unknown": True}]}})
    [record] = records(state)
    assert (record.service, record.status) == ("app", "applied")
