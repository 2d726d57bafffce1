"""Reading incidents, user reports and maintenance from GitHub issues (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from responder.config.loader import Config
from responder.model.state import IssueState, JournalEntry, render_marker
from statuspage.collect import issues
from statuspage.collect.issues import Reading, Verified
from statuspage.model.settings import settings_from
from tests.support.issues_export import (
    BOT,
    bot_comment,
    comment,
    maintenance_body,
    outage_body,
    rest_issue,
)

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@pytest.fixture
def reading(example_config: Config) -> Reading:
    return Reading.of(example_config, settings_from(example_config))


def incident_issue(number: int = 42, **fields: object) -> dict[str, object]:
    defaults: dict[str, object] = {
        "title": "[Outage]: Nextcloud returns 502", "body": outage_body("Nextcloud"),
        "labels": ("user-report", "incident", "sev2"), "created_at": "2026-11-23T14:05:00Z",
    }
    defaults.update(fields)
    return rest_issue(number, **defaults)  # type: ignore[arg-type]


def test_an_open_incident_is_active_with_its_service_and_severity(reading: Reading) -> None:
    facts = issues.collect([incident_issue()], {}, reading, NOW)
    (incident,) = facts.incidents
    assert incident.active and incident.status == "investigating"
    assert (incident.number, incident.severity, incident.services) == (42, "SEV2", ("nextcloud",))
    assert incident.started_at == datetime(2026, 11, 23, 14, 5, tzinfo=UTC)


@pytest.mark.parametrize("title, public", [
    ("[Outage]: Nextcloud returns 502", "Nextcloud returns 502"),
    ("[outage]:Nextcloud returns 502", "Nextcloud returns 502"),
    ("[Outage] Nextcloud returns 502", "Nextcloud returns 502"),
    ("[Outage]: [Outage]: Nextcloud returns 502", "Nextcloud returns 502"),
    ("[Outage]: ", "Incident #42"),
    ("Nextcloud returns 502 [Outage]: again", "Nextcloud returns 502 [Outage]: again"),
    ("[Request]: more replicas", "more replicas"),
    ("[URGENT] Nextcloud", "[URGENT] Nextcloud"),
])
def test_titles_lose_the_prefix_their_issue_form_gave_them(reading: Reading, title: str, public: str) -> None:
    (incident,) = issues.collect([incident_issue(title=title)], {}, reading, NOW).incidents
    assert incident.title == public


def test_maintenance_and_report_titles_lose_their_form_prefix_too(reading: Reading) -> None:
    window = rest_issue(45, title="[Maintenance]: Grafana storage migration", labels=("maintenance",),
                        body=maintenance_body("Grafana dashboards", "2026-11-23 14:30", "2026-11-23 16:00"),
                        author="vbarzin", association="OWNER")
    report = rest_issue(44, title="[Outage]: Home Assistant app disconnects", labels=("user-report",),
                        body=outage_body("Home Assistant"), author="vbarzin", association="OWNER")
    facts = issues.collect([window, report], {}, reading, NOW)
    assert [w.title for w in facts.maintenance] == ["Grafana storage migration"]
    assert [r.title for r in facts.reports] == ["Home Assistant app disconnects"]


@pytest.mark.parametrize("kind, text, public", [
    ("triaged", "Classified SEV1. Single sign-on (Authentik) is core infrastructure and it is down.",
     "Impact assessed: major outage."),
    ("triaged", "Classified SEV2. Nextcloud is a critical service and it is down (502 Bad Gateway).",
     "Impact assessed: partial outage."),
    ("triaged", "Classified SEV3: Grafana dashboards is a standard service and is degraded.",
     "Impact assessed: degraded performance."),
    ("triaged", "Classified SEV4. A low-tier service is slow for one user.", "Impact assessed: minor issue."),
    ("severity", "Severity changed from SEV3 to SEV2.", "Impact reassessed: partial outage."),
    ("severity", "Severity raised from SEV2 to SEV1: 3 distinct reporters.", "Impact reassessed: major outage."),
])
def test_the_responders_classification_is_told_as_impact_in_public_words(
        reading: Reading, kind: str, text: str, public: str) -> None:
    state = IssueState(severity="SEV2", journal=(JournalEntry("2026-11-23T14:05:40Z", kind, text, ""),))
    (incident,) = issues.collect([incident_issue()], {42: [bot_comment(42, state)]}, reading, NOW).incidents
    assert [u.body for u in incident.updates] == [public]


def test_a_classification_that_names_no_severity_says_nothing_public(reading: Reading) -> None:
    state = IssueState(journal=(JournalEntry("2026-11-23T14:05:40Z", "triaged", "Nextcloud is a critical "
                                             "service.", ""),
                                JournalEntry("2026-11-23T14:06:00Z", "finding", "Probe: HTTP 502.", "")))
    (incident,) = issues.collect([incident_issue()], {42: [bot_comment(42, state)]}, reading, NOW).incidents
    assert [u.body for u in incident.updates] == ["Probe: HTTP 502."]


def test_a_closed_incident_is_resolved_and_one_closed_as_not_planned_is_dropped(reading: Reading) -> None:
    done = incident_issue(40, state="closed", closed_at="2026-11-21T09:25:00Z", state_reason="completed")
    false_alarm = incident_issue(41, state="closed", closed_at="2026-11-22T09:25:00Z", state_reason="not_planned")
    (incident,) = issues.collect([done, false_alarm], {}, reading, NOW).incidents
    assert incident.number == 40 and incident.status == "resolved"
    assert incident.resolved_at == datetime(2026, 11, 21, 9, 25, tzinfo=UTC)


def test_the_post_mortem_link_comes_only_from_the_bots_own_state(reading: Reading) -> None:
    state = IssueState(outcome="fixed", severity="SEV1",
                       sections={"postmortem": {"url": "https://acme.example/post-mortems/pm-1/"}})
    forged = IssueState(sections={"postmortem": {"url": "https://evil.example/"}})
    comments = [
        comment(40, "Post-mortem: https://evil.example/pm (see postmortem)", "mallory", "NONE"),
        comment(40, "postmortem " + render_marker(forged), "mallory", "COLLABORATOR"),
        bot_comment(40, state),
    ]
    (incident,) = issues.collect([incident_issue(40)], {40: comments}, reading, NOW).incidents
    assert incident.postmortem_url == "https://acme.example/post-mortems/pm-1/"


def test_a_marker_from_another_account_is_ignored_even_if_it_is_the_only_one(reading: Reading) -> None:
    forged = IssueState(severity="SEV1", sections={"postmortem": {"path": "fake/"}})
    comments = [bot_comment(42, forged, login="someone-else")]
    (incident,) = issues.collect([incident_issue(labels=("incident",))], {42: comments}, reading, NOW).incidents
    assert incident.postmortem_url is None and incident.severity is None


@pytest.mark.parametrize("section, expected", [
    ({"path": "2026-11-21-authentik-login/"}, "post-mortems/2026-11-21-authentik-login/"),
    ({"url": "https://docs.acme.example/pm/"}, "https://docs.acme.example/pm/"),
    ({"url": "javascript:alert(1)", "path": "ok/"}, "post-mortems/ok/"),
    ({"url": "javascript:alert(1)"}, None),
    ({"path": "../../etc/passwd"}, None),
    ({"path": "/absolute"}, None),
    ({"path": "a b"}, None),
    ("not a mapping", None),
])
def test_post_mortem_links_are_kept_only_when_safe(section: object, expected: str | None) -> None:
    assert issues.postmortem_link(IssueState(sections={"postmortem": section})) == expected


def test_severity_from_a_persons_label_wins_over_the_state(reading: Reading) -> None:
    state = IssueState(severity="SEV3")
    labelled = incident_issue(labels=("incident", "sev1"))
    unlabelled = incident_issue(43, labels=("incident",))
    facts = issues.collect([labelled, unlabelled], {42: [bot_comment(42, state)], 43: [bot_comment(43, state)]},
                           reading, NOW)
    assert {i.number: i.severity for i in facts.incidents} == {42: "SEV1", 43: "SEV3"}


def test_updates_are_the_bots_journal_and_collaborators_status_comments(reading: Reading) -> None:
    state = IssueState(severity="SEV2", journal=(
        JournalEntry("2026-11-23T14:05:40Z", "triaged", "Classified SEV2.", ""),
        JournalEntry("2026-11-23T14:06:00Z", "queued", "Queued for review.", ""),
    ))
    comments = [
        bot_comment(42, state),
        comment(42, "+1 same here", "bob", "NONE", "2026-11-23T14:10:00Z"),
        comment(42, "/status identified: the pool is exhausted", "vbarzin", "OWNER", "2026-11-23T14:31:00Z"),
        comment(42, "/status monitoring: fixed, watching", "stranger", "NONE", "2026-11-23T14:32:00Z"),
        comment(42, "/statusquo is not a command", "vbarzin", "OWNER", "2026-11-23T14:33:00Z"),
        comment(42, "/status Still looking at the graphs.", "carol", "MEMBER", "2026-11-23T14:40:00Z"),
    ]
    (incident,) = issues.collect([incident_issue()], {42: comments}, reading, NOW).incidents
    assert [(u.status, u.body, u.author, u.by_bot) for u in incident.updates] == [
        ("investigating", "Impact assessed: partial outage.", BOT, True),
        ("identified", "the pool is exhausted", "vbarzin", False),
        ("identified", "Still looking at the graphs.", "carol", False),
    ]
    assert incident.status == "identified"


INTERNAL = ("Update due (SEV2: every 30 min); last update 31 min ago.",
            "No root cause after 2 h (SEV2 escalates after 2 h): escalated to a person.",
            "Also reported in #44 by bob; 3 distinct reporters.",
            "The responder's job failed: terraform exited 1.")


def internal_and_public_comments() -> list[dict[str, object]]:
    state = IssueState(severity="SEV2", journal=(
        JournalEntry("2026-11-23T14:05:40Z", "triaged", "Classified SEV2.", ""),
        JournalEntry("2026-11-23T14:20:00Z", "remedy", "Rolled out nextcloud again.", ""),
        JournalEntry("2026-11-23T14:36:00Z", "reminder", INTERNAL[0], ""),
        JournalEntry("2026-11-23T14:40:00Z", "escalated", INTERNAL[1], ""),
        JournalEntry("2026-11-23T14:41:00Z", "duplicate", INTERNAL[2], ""),
        JournalEntry("2026-11-23T14:42:00Z", "some-future-kind", "Not meant for visitors.", ""),
    ))
    return [bot_comment(42, state, text=f"### Update due\n\n{INTERNAL[0]}"),
            comment(42, INTERNAL[3], BOT, "NONE", "2026-11-23T14:50:00Z", "Bot", 41898282)]


def test_reminders_escalations_and_the_bots_other_comments_stay_off_the_page(reading: Reading) -> None:
    (incident,) = issues.collect([incident_issue()], {42: internal_and_public_comments()}, reading, NOW).incidents
    assert [(u.status, u.body, u.by_bot) for u in incident.updates] == [
        ("investigating", "Impact assessed: partial outage.", True),
        ("monitoring", "Rolled out nextcloud again.", True)]


def test_the_cached_copy_of_the_bots_comments_holds_only_their_public_part(reading: Reading) -> None:
    comments = internal_and_public_comments()
    slim = [c for c in (issues.slim_comment(c, reading) for c in comments) if c is not None]
    assert len(slim) == 1
    cached = str(slim)
    assert not [text for text in (*INTERNAL, "Not meant for visitors") if text in cached]
    assert issues.collect([incident_issue()], {42: slim}, reading, NOW) == \
        issues.collect([incident_issue()], {42: comments}, reading, NOW)


@pytest.mark.parametrize("body, expected", [
    ("/status identified: disk full", ("identified", "disk full")),
    ("/status Monitoring the fix", ("monitoring", "the fix")),
    ("  /status   resolved", None),
    ("/status\nnew line text", (None, "new line text")),
    ("/statuses", None),
    ("please /status x", None),
])
def test_status_comments(body: str, expected: tuple[str | None, str] | None) -> None:
    assert issues.parse_status_comment(body, "/status") == expected


def test_a_report_from_an_untrusted_author_shows_only_checked_dropdown_answers(reading: Reading) -> None:
    report = rest_issue(43, title="<img src=x onerror=alert(1)>", author="stranger", association="NONE",
                        labels=("user-report", "needs-triage"),
                        body=outage_body("Immich (photos)", "Slow / degraded performance", "Just me"))
    bogus = rest_issue(44, author="stranger2", association="NONE", labels=("user-report",),
                       body=outage_body("Immich (photos)", "<script>x</script>", "Everyone, really"))
    facts = issues.collect([report, bogus], {}, reading, NOW)
    first, second = sorted(facts.reports, key=lambda r: r.number)
    assert (first.title, first.service, first.error_type, first.scope, first.awaiting_review) == \
        (None, "immich", "Slow / degraded performance", "Just me", True)
    assert (second.error_type, second.scope) == (None, None)


def test_triaged_and_duplicate_reports_are_not_listed_as_reports(reading: Reading) -> None:
    open_report = rest_issue(50, association="COLLABORATOR", labels=("user-report", "needs-info"),
                             body=outage_body("Mail"))
    duplicate = rest_issue(51, labels=("user-report", "duplicate"), body=outage_body("Mail"))
    closed = rest_issue(52, labels=("user-report",), state="closed", body=outage_body("Mail"))
    facts = issues.collect([open_report, duplicate, closed, incident_issue()], {}, reading, NOW)
    assert [r.number for r in facts.reports] == [50]
    assert facts.reports[0].title == "Outage report" and not facts.reports[0].awaiting_review


def test_maintenance_counts_only_from_trusted_authors(reading: Reading) -> None:
    body = maintenance_body("Databases (PostgreSQL), Nextcloud", "2026-11-25 22:00", "2026-11-25 23:30 UTC",
                            "Unavailable during the window", "Upgrade.")
    owner = rest_issue(41, title="[Maintenance]: PostgreSQL upgrade", author="vbarzin", association="OWNER",
                       labels=("maintenance",), body=body)
    stranger = rest_issue(46, author="mallory", association="NONE", labels=("maintenance",), body=body)
    (window,) = issues.collect([owner, stranger], {}, reading, NOW).maintenance
    assert window.number == 41 and window.services == ("postgres", "nextcloud")
    assert window.window.start == datetime(2026, 11, 25, 22, 0, tzinfo=UTC)
    assert window.impact == "Unavailable during the window" and window.phase(NOW) == "scheduled"


def test_with_permissions_checked_only_those_authors_count_whatever_their_association(
        example_config: Config) -> None:
    reading = Reading.of(example_config, settings_from(example_config), Verified(frozenset({"vbarzin"})))
    body = maintenance_body("Nextcloud", "2026-11-23 14:00", "2026-11-23 18:00")
    windows = [rest_issue(41, author="vbarzin", association="OWNER", labels=("maintenance",), body=body),
               rest_issue(47, author="carol", association="MEMBER", labels=("maintenance",), body=body)]
    comments = [comment(42, "/status identified: found it", "vbarzin", "OWNER", "2026-11-23T14:31:00Z"),
                comment(42, "/status resolved: all good", "carol", "MEMBER", "2026-11-23T14:40:00Z")]
    facts = issues.collect([incident_issue(), *windows], {42: comments}, reading, NOW)
    assert [w.number for w in facts.maintenance] == [41]
    assert [(u.author, u.body) for u in facts.incidents[0].updates] == [("vbarzin", "found it")]
    assert issues.authors_to_check([incident_issue(), *windows], {42: comments}, reading) == {
        ("vbarzin", "OWNER"), ("carol", "MEMBER")}


@pytest.mark.parametrize(("min_permission", "trusted"), [
    ("write", {"OWNER", "MEMBER", "COLLABORATOR"}),
    ("admin", {"OWNER"}),
])
def test_an_offline_export_is_judged_by_author_association_as_the_responder_judges_it(
        example_config: Config, min_permission: str, trusted: set[str]) -> None:
    config = replace(example_config, min_permission=min_permission)
    reading = Reading.of(config, settings_from(config))
    associations = ("OWNER", "MEMBER", "COLLABORATOR", "CONTRIBUTOR", "NONE")
    body = maintenance_body("Nextcloud", "2026-11-25 22:00", "2026-11-25 23:00")
    windows = [rest_issue(70 + i, author=f"user{i}", association=a, labels=("maintenance",), body=body)
               for i, a in enumerate(associations)]
    facts = issues.collect(windows, {}, reading, NOW)
    assert {associations[w.number - 70] for w in facts.maintenance} == trusted


def test_a_window_that_cannot_be_read_is_kept_with_a_warning(reading: Reading) -> None:
    owner = rest_issue(41, association="OWNER", labels=("maintenance",),
                       body=maintenance_body("Mail", "tomorrow evening", "2026-11-25 23:30"))
    facts = issues.collect([owner], {}, reading, NOW)
    assert facts.maintenance[0].phase(NOW) == "unknown"
    assert facts.warnings == ("maintenance #41: the start time is not in the form YYYY-MM-DD HH:MM in UTC, "
                              "e.g. 2026-11-25 22:00 (or with an offset: 2026-11-25 23:00 +01:00)",)


def test_pull_requests_and_other_issues_are_ignored(reading: Reading) -> None:
    pr = incident_issue(60)
    pr["pull_request"] = {"url": "https://api.github.com/repos/acme-homelab/infra/pulls/60"}
    feature = rest_issue(61, labels=("feature-request",))
    assert issues.collect([pr, feature], {}, reading, NOW) == issues.collect([], {}, reading, NOW)


def test_comments_are_needed_only_for_active_and_recently_resolved_incidents(reading: Reading) -> None:
    recent = incident_issue(40, state="closed", closed_at="2026-11-20T09:00:00Z")
    old = incident_issue(35, state="closed", closed_at="2026-11-02T09:00:00Z")
    report = rest_issue(43, labels=("user-report",))
    assert [issues.needs_comments(i, reading, NOW) for i in (incident_issue(), recent, old, report)] == \
        [True, True, False, False]


def test_the_cached_copy_of_an_issue_holds_only_what_the_page_shows(reading: Reading) -> None:
    report = rest_issue(43, title="my secret title", association="NONE", labels=("user-report",),
                        body=outage_body("Mail", description="internal host db-3.corp, password hunter2"))
    slim = issues.slim_issue(report, reading)
    assert slim is not None
    assert slim["title"] == ""
    assert "hunter2" not in str(slim) and "db-3" not in str(slim)
    assert issues.collect([slim], {}, reading, NOW).reports == issues.collect([report], {}, reading, NOW).reports
    assert issues.slim_issue(rest_issue(61, labels=("feature-request",)), reading) is None


def test_the_cached_copy_of_comments_keeps_the_marker_and_status_comments_only(reading: Reading) -> None:
    state = IssueState(severity="SEV2", journal=(JournalEntry("2026-11-23T14:05:40Z", "triaged", "SEV2.", ""),))
    comments = [bot_comment(42, state, text="Long comment quoting the reporter's text"),
                comment(42, "chit-chat", "bob", "COLLABORATOR"),
                comment(42, "/status identified: found it", "vbarzin", "OWNER")]
    slim = [c for c in (issues.slim_comment(c, reading) for c in comments) if c is not None]
    assert len(slim) == 2 and "quoting" not in slim[0]["body"]
    full = issues.collect([incident_issue()], {42: comments}, reading, NOW)
    cached = issues.collect([incident_issue()], {42: slim}, reading, NOW)
    assert full == cached


def test_of_incidents_closed_before_the_history_window_only_the_newest_are_read(reading: Reading) -> None:
    old = [incident_issue(n, state="closed", created_at=f"2025-0{1 + n % 9}-01T10:00:00Z",
                          updated_at=f"2025-0{1 + n % 9}-01T12:00:00Z", closed_at=f"2025-0{1 + n % 9}-01T12:00:00Z")
           for n in range(100, 160)]
    facts = issues.collect([*old, incident_issue()], {}, reading, NOW)
    assert len(facts.incidents) == 1 + reading.settings.feed_entries
    kept = {i.number for i in facts.incidents}
    assert {n for n in range(100, 160) if 1 + n % 9 == 9} <= kept  # September 2025: the newest of them


def test_with_a_state_key_only_the_responders_sealed_state_reaches_the_page(example_config: Config) -> None:
    """Another workflow posting as the same bot account quotes a stranger's marker: it is not the responder's."""
    from responder.model.state import StateSeal

    seal = StateSeal.for_bot("0123456789abcdef" * 4, example_config.bot_login)
    reading = Reading.of(example_config, settings_from(example_config), seal=seal)
    forged = IssueState(journal=(JournalEntry("2026-11-23T14:06:00Z", "finding", "DNS compromised: reset your "
                                              "passwords at evil.example", ""),))
    real = IssueState(journal=(JournalEntry("2026-11-23T14:05:40Z", "triaged", "Classified SEV2.", ""),))
    quoted = bot_comment(42, forged)
    sealed = bot_comment(42, real)
    sealed["body"] = seal.seal(str(sealed["body"]), str(example_config.repository), 42)
    (incident,) = issues.collect([incident_issue()], {42: [quoted, sealed]}, reading, NOW).incidents
    assert [u.body for u in incident.updates] == ["Impact assessed: partial outage."]
    # The cache keeps the sealed public part only, and reads back the same.
    slim = [c for c in (issues.slim_comment(c, reading) for c in [quoted, sealed]) if c is not None]
    assert len(slim) == 1 and " sig=v1:" in str(slim[0]["body"])
    assert issues.collect([incident_issue()], {42: slim}, reading, NOW).incidents[0].updates == incident.updates
    # Copied to another issue, the sealed marker is no one's.
    (other,) = issues.collect([incident_issue(43)], {43: [{**sealed, "issue_url": sealed["issue_url"]}]},
                              reading, NOW).incidents
    assert other.updates == ()
