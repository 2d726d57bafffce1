"""The responder's memory lives in one marker that cannot break out of its HTML comment."""

from __future__ import annotations

from responder.state import IssueState, JournalEntry, has_marker, read_marker, render_marker


def test_state_round_trips_through_the_marker() -> None:
    state = IssueState(kind="outage-report", outcome="triaged", severity="SEV2", digest="abc",
                       journal=(JournalEntry("2026-11-23T14:05:00Z", "triaged", "Classified SEV2.", "https://x"),),
                       sections={"terraform": {"plan_sha256": "f" * 64}})
    body = "Hello\n\n" + render_marker(state)
    assert has_marker(body)
    assert read_marker(body) == state


def test_text_in_the_state_cannot_close_the_html_comment() -> None:
    state = IssueState(journal=(JournalEntry("t", "k", "--> <script>alert(1)</script> &"),))
    marker = render_marker(state)
    assert marker.count("-->") == 1 and marker.endswith("-->")
    assert "<script>" not in marker
    assert read_marker(marker) == state


def test_damaged_or_foreign_markers_are_no_state() -> None:
    assert read_marker(None) is None
    assert read_marker("no marker") is None
    assert read_marker("<!-- issueops-responder:state {not json} -->") is None
    assert read_marker('<!-- issueops-responder:state {"v":99} -->') is None


def test_journal_entries_are_recorded_once() -> None:
    entry = JournalEntry("2026-11-23T14:05:00Z", "triaged", "Classified SEV2.")
    state = IssueState().with_entries((entry,)).with_entries((entry,))
    assert state.journal == (entry,)


def test_the_journal_is_bounded_keeping_the_start_and_the_end() -> None:
    entries = tuple(JournalEntry(f"t{i:04}", "reminder", f"r{i}") for i in range(1000))
    state = IssueState().with_entries(entries)
    assert len(state.journal) == 300
    assert state.journal[0].text == "r0" and state.journal[-1].text == "r999"


def test_the_marker_stays_small_enough_for_a_github_comment() -> None:
    entries = tuple(JournalEntry(f"2026-11-{i:05}", "finding", "x" * 2000, "https://github.com/o/r/issues/1")
                    for i in range(400))
    state = IssueState().with_entries(entries)
    marker = render_marker(state)
    assert len(marker) < 30_000
    assert state.journal[0].at == "2026-11-00000"
    assert state.journal[-1].at == "2026-11-00399"
    assert all(len(e.text) <= 500 for e in state.journal)
