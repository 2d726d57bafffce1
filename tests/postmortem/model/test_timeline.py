"""The incident timeline: one UTC list from the issue, its events, the responder's journal and people's comments."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from postmortem.model.timeline import build_timeline, parse_time
from responder.adapters.github.export import IncidentExport, parse_export
from responder.config.loader import Config
from responder.model.state import IssueState, JournalEntry, render_marker
from tests.support.infra_repo import load_export


def timeline_of(raw: dict[str, Any], config: Config) -> Any:
    return build_timeline(parse_export(raw), config.bot_login, config.labels)


def test_the_recorded_sev2_incident_reads_as_one_ordered_story(example_config: Config) -> None:
    timeline = timeline_of(load_export(), example_config)
    rows = [(e.at.strftime("%H:%M:%S"), e.actor, e.kind) for e in timeline.entries]
    assert rows == [
        ("14:05:00", "alice", "opened"),
        ("14:05:00", "github-actions[bot]", "triaged"),
        ("14:05:09", "github-actions[bot]", "label"),
        ("14:05:09", "github-actions[bot]", "severity"),
        ("14:05:31", "github-actions[bot]", "finding"),
        ("14:05:40", "github-actions[bot]", "finding"),
        ("14:06:02", "github-actions[bot]", "remedy"),
        ("14:06:30", "github-actions[bot]", "plan"),
        ("14:07:15", "github-actions[bot]", "apply"),
        ("14:09:12", "bob", "comment"),
        ("14:12:30", "vbarzin", "assigned"),
        ("14:20:45", "vbarzin", "comment"),
        ("14:35:00", "github-actions[bot]", "reminder"),
        ("14:52:10", "github-actions[bot]", "recovered"),
        ("14:55:03", "alice", "comment"),
        ("15:10:21", "vbarzin", "comment"),
        ("15:10:30", "vbarzin", "closed"),
    ]
    assert timeline.closed_at == datetime(2026, 11, 23, 15, 10, 30, tzinfo=UTC)
    assert timeline.state is not None and timeline.state.severity == "SEV2"


def test_each_entry_names_its_source(example_config: Config) -> None:
    timeline = timeline_of(load_export(), example_config)
    by_kind = {e.kind: e for e in timeline.entries}
    issue = "https://github.com/acme-homelab/infra/issues/42"
    assert by_kind["opened"].source == issue
    assert by_kind["closed"].source.startswith(issue + "#event-")
    assert by_kind["comment"].source.startswith(issue + "#issuecomment-")
    assert by_kind["severity"].text == "Severity set to SEV2"
    assert by_kind["closed"].text == "Closed as completed"


def test_the_bots_comment_and_postmortem_bookkeeping_are_not_history(example_config: Config) -> None:
    raw = load_export()
    texts = [e.text for e in timeline_of(raw, example_config).entries]
    assert not any("issueops-responder:state" in t or "Why SEV2" in t for t in texts)
    assert "Label postmortem-required added" not in texts
    assert not any(e.kind == "subscribed" for e in timeline_of(raw, example_config).entries)


def test_what_happens_after_the_closing_is_left_out(example_config: Config) -> None:
    raw = load_export()
    late = copy.deepcopy(raw["comments"][1])
    late.update({"id": 1, "created_at": "2026-11-24T09:00:00Z", "body": "thanks all"})
    raw["comments"].append(late)
    assert "thanks all" not in [e.text for e in timeline_of(raw, example_config).entries]


def test_an_incident_with_no_events_and_no_comments_still_has_its_report_and_closing(
        example_config: Config) -> None:
    raw = load_export()
    raw["events"], raw["comments"] = [], []
    timeline = timeline_of(raw, example_config)
    assert [(e.kind, e.actor) for e in timeline.entries] == [("opened", "alice"), ("closed", "vbarzin")]
    assert timeline.state is None


def test_unknown_journal_kinds_and_issue_events_are_shown_not_dropped(example_config: Config) -> None:
    raw = load_export()
    state = IssueState(severity="SEV2", journal=(
        JournalEntry("2026-11-23T14:30:00Z", "Kube Rollout!", "Rolled out nextcloud again."),
        JournalEntry("not a time", "finding", "lost"),
    ))
    raw["comments"][0]["body"] = "hello\n\n" + render_marker(state)
    event = copy.deepcopy(raw["events"][0])
    event.update({"event": "transferred", "created_at": "2026-11-23T14:40:00Z"})
    event.pop("label")
    raw["events"].append(event)
    timeline = timeline_of(raw, example_config)
    shown = {(e.kind, e.text) for e in timeline.entries}
    assert ("kube-rollout", "Rolled out nextcloud again.") in shown
    assert ("transferred", "Transferred") in shown
    assert timeline.ignored == 1


def test_a_marker_pasted_by_someone_else_is_not_the_responders_journal(example_config: Config) -> None:
    raw = load_export()
    forged = IssueState(journal=(JournalEntry("2026-11-23T13:00:00Z", "finding", "forged early finding"),))
    raw["comments"][0]["user"] = copy.deepcopy(raw["comments"][1]["user"])
    raw["comments"][0]["body"] = render_marker(forged)
    timeline = timeline_of(raw, example_config)
    assert timeline.state is None
    assert not any(e.kind == "finding" for e in timeline.entries)


def test_long_and_multiline_comments_become_one_short_line(example_config: Config) -> None:
    raw = load_export()
    raw["comments"][1]["body"] = "line one\n\nline two " + "x" * 400
    [entry] = [e for e in timeline_of(raw, example_config).entries if e.actor == "bob"]
    assert entry.text.startswith("line one line two x")
    assert len(entry.text) == 280 and entry.text.endswith("…")


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-23T14:05:00Z", datetime(2026, 11, 23, 14, 5, tzinfo=UTC)),
    ("2026-11-23T16:05:00+02:00", datetime(2026, 11, 23, 14, 5, tzinfo=UTC)),
    ("2026-11-23T14:05:00", datetime(2026, 11, 23, 14, 5, tzinfo=UTC)),
    ("yesterday", None),
    ("", None),
    (None, None),
])
def test_times_are_read_as_utc(text: Any, expected: datetime | None) -> None:
    assert parse_time(text) == expected


def test_an_issue_without_a_creation_time_cannot_have_a_timeline(example_config: Config) -> None:
    with pytest.raises(ValueError, match="no creation time"):
        build_timeline(IncidentExport({"number": 1, "created_at": "soon"}, [], []), "bot", example_config.labels)


def test_with_a_state_key_only_the_responders_sealed_journal_is_history(example_config: Config) -> None:
    """Another workflow posting as the bot account quotes a marker: under a state key it is not the journal."""
    from responder.model.state import StateSeal

    seal = StateSeal.for_bot("0123456789abcdef" * 4, example_config.bot_login)
    raw = load_export()
    bot_login = example_config.bot_login
    bot = next(c for c in raw["comments"] if c["user"]["login"] == bot_login)
    forged = IssueState(journal=(JournalEntry("2026-11-23T13:00:00Z", "finding", "forged early finding"),))
    quoted = {**copy.deepcopy(bot), "id": 1, "body": "Thanks! You wrote:\n\n" + render_marker(forged)}
    raw["comments"].insert(0, quoted)
    number = int(raw["issue"]["number"])
    repository = str(example_config.repository)
    bot["body"] = seal.seal(bot["body"], repository, number)
    timeline = build_timeline(parse_export(raw), bot_login, example_config.labels, seal, repository)
    assert timeline.state is not None
    assert not any(e.text == "forged early finding" for e in timeline.entries)
    unsealed = build_timeline(parse_export(raw), bot_login, example_config.labels)
    assert any(e.text == "forged early finding" for e in unsealed.entries)  # what the key prevents
