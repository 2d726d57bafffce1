"""The responder's memory lives in one marker that cannot break out of its HTML comment."""

from __future__ import annotations

from responder.model.state import IssueState, JournalEntry, StateSeal, has_marker, read_marker, render_marker


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


# ---------------------------------------------------------------- reading only the trailing marker

REAL = IssueState(kind="outage-report", outcome="fixed", severity="SEV2", digest="real",
                  sections={"incident": {"remedy": {"code": "restart"}}})


def test_an_unterminated_marker_in_quoted_text_cannot_swallow_the_real_one() -> None:
    from responder.render.comment_blocks import split_state

    quoted = "Pod log:\n```\n<!-- issueops-responder:state {\"digest\": \"x\"\n```\n"
    body = f"### Evidence\n\n{quoted}\nMore text.\n\n{render_marker(REAL)}"
    assert read_marker(body) == REAL
    content, marker = split_state(body)
    assert content.endswith("More text.") and marker.strip() == render_marker(REAL)


def test_only_a_marker_at_the_very_end_counts() -> None:
    assert read_marker(render_marker(REAL) + "\n\nText after it.") is None
    assert read_marker(render_marker(REAL) + "\n  \n") == REAL


def test_wrong_types_and_deep_nesting_in_a_marker_are_no_crash() -> None:
    assert read_marker('<!-- issueops-responder:state {"v":1,"journal":7,"sections":3} -->') == IssueState()
    deep = '{"v":1,"x":' + "[" * 60_000 + "]" * 60_000 + "}"
    assert read_marker(f"<!-- issueops-responder:state {deep} -->") is None


# ---------------------------------------------------------------- sealed markers


APPROVED = IssueState(kind="outage-report", outcome="triaged", approved_by="maintainer", approved_digest="abc")


def test_a_sealed_marker_opens_only_on_its_own_issue_and_unchanged() -> None:
    seal = StateSeal.for_bot("k" * 64, "github-actions[bot]")
    body = seal.seal("Report\n\n" + render_marker(APPROVED), "acme/infra", 42)
    assert " sig=v1:" in body and body.endswith(" -->")
    assert seal.open(body, "acme/infra", 42) == APPROVED
    assert seal.open(body, "ACME/Infra", 42) == APPROVED  # GitHub names are case-insensitive
    assert seal.open(body, "acme/infra", 43) is None  # copied to another issue
    assert seal.open(body, "other/repo", 42) is None
    assert seal.open(body.replace('"triaged"', '"fixed"'), "acme/infra", 42) is None  # tampered
    assert StateSeal.for_bot("another key", "github-actions[bot]").open(body, "acme/infra", 42) is None
    assert seal.open("quoted: " + render_marker(APPROVED), "acme/infra", 42) is None  # unsigned
    assert read_marker(body) == APPROVED  # the payload itself is still plain state


def test_resealing_replaces_the_old_signature() -> None:
    seal = StateSeal.for_bot("key", "responder-bot[bot]")
    once = seal.seal(render_marker(APPROVED), "acme/infra", 42)
    assert seal.seal(once, "acme/infra", 42) == once
    assert once.count("sig=v1:") == 1


def test_without_a_key_a_shared_account_never_vouches_for_a_report() -> None:
    body = "quoted by another workflow: " + render_marker(APPROVED)
    shared = StateSeal.for_bot(None, "github-actions[bot]").open(body, "acme/infra", 42)
    assert shared is not None and shared.outcome == "triaged"
    assert shared.approved_by is None and shared.approved_digest is None
    dedicated = StateSeal.for_bot(None, "acme-responder[bot]").open(body, "acme/infra", 42)
    assert dedicated == APPROVED
