"""Decisions as data: `responder handle --dry-run --offline` on events of each kind."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from responder.cli.main import main
from tests.conftest import EXAMPLE_CONFIG, issue_body
from tests.support import events


def decide(tmp_path: Path, payload: dict[str, Any], config: Path = EXAMPLE_CONFIG) -> dict[str, Any]:
    event = events.write(tmp_path, payload)
    out, err = io.StringIO(), io.StringIO()
    code = main(["handle", "--config", str(config), "--event", str(event), "--dry-run", "--offline", "--no-probe",
                 "--no-plan"],
                env={}, stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    return json.loads(out.getvalue())


def comment_text(decision: dict[str, Any]) -> str:
    [comment] = [a for a in decision["actions"] if a["type"] == "comment"]
    return comment["body"].split("\n\n<sub>")[0]


def test_the_decision_has_the_documented_shape(tmp_path: Path) -> None:
    decision = decide(tmp_path, events.issues_event(body=issue_body("outage-nextcloud-502.md")))
    assert list(decision) == ["event", "issue", "kind", "trusted", "severity", "outcome", "reasons", "actions"]
    assert decision["event"] == "issues.opened"
    assert decision["issue"] == 42
    assert decision["kind"] == "outage-report"
    assert decision["trusted"] is True
    assert decision["severity"] == "SEV2"
    assert decision["outcome"] == "triaged"
    assert decision["reasons"] == [
        "trusted: alice (author_association COLLABORATOR)",
        "SEV2: Nextcloud is a critical service and it is down (502 Bad Gateway).",
        "SEV2: The reporter says everyone is affected.",
    ]
    assert decision["actions"][0] == {"type": "add_labels", "labels": ["incident", "sev2", "postmortem-required"]}


def test_the_triage_comment_explains_the_rules_in_plain_words(tmp_path: Path) -> None:
    decision = decide(tmp_path, events.issues_event(body=issue_body("outage-nextcloud-502.md")))
    assert comment_text(decision) == """\
### 🟠 SEV2 · Nextcloud: 502 Bad Gateway

**Why SEV2:**
- Nextcloud is a critical service and it is down (502 Bad Gateway).
- The reporter says everyone is affected.

| | |
|---|---|
| **Service** | Nextcloud · critical tier |
| **Kind of error** | 502 Bad Gateway |
| **Who is affected** | Everyone |
| **Since** | `14:00 UTC` |

**Next:** this is now an incident (incident, sev2, postmortem-required). Updates are due every 30 minutes \
until it is resolved.
A post-mortem will be drafted when the issue is closed."""


def test_the_queued_comment(tmp_path: Path) -> None:
    decision = decide(tmp_path, events.issues_event(body=issue_body("outage-nextcloud-502.md"),
                                                    author="stranger", association="NONE"))
    assert decision["outcome"] == "queued"
    assert decision["trusted"] is False
    assert decision["severity"] is None
    assert decision["actions"][0] == {"type": "add_labels", "labels": ["needs-triage"]}
    assert comment_text(decision) == """\
### 👋 Thanks — your report is queued for review

The responder acts automatically only on reports from people with **write** access to this repository, \
so a maintainer will read this one and take it from here. Nothing else will happen automatically.

While you wait, the [status page](https://status.acme-homelab.org) shows whether the service is already \
known to be down."""


@pytest.mark.parametrize(("fixture", "labels", "outcome", "severity"), [
    ("outage-immich-slow-crlf.md", ("user-report",), "triaged", "SEV3"),
    ("outage-code-fence.md", ("user-report",), "triaged", "SEV3"),
    ("outage-edited.md", ("user-report",), "triaged", "SEV3"),  # mail degraded, not down
    ("outage-unicode.md", ("user-report",), "triaged", "SEV3"),
    ("outage-data-loss.md", ("user-report",), "triaged", "SEV1"),
    ("outage-empty-answers.md", ("user-report",), "needs-info", None),
    ("outage-invalid-options.md", ("user-report",), "needs-info", None),
    ("feature-nextcloud-replicas.md", ("feature-request",), "escalated", None),
    ("not-a-form.md", (), "ignored", None),
    ("outage-nextcloud-502.md", (), "triaged", "SEV2"),  # label removed: recognised by its headings
])
def test_each_kind_of_report(tmp_path: Path, fixture: str, labels: tuple[str, ...], outcome: str,
                             severity: str | None) -> None:
    decision = decide(tmp_path, events.issues_event(body=issue_body(fixture), labels=labels))
    assert decision["outcome"] == outcome
    assert decision["severity"] == severity


def test_user_text_in_a_needs_info_comment_cannot_ping_or_inject(tmp_path: Path) -> None:
    decision = decide(tmp_path, events.issues_event(body=issue_body("outage-invalid-options.md")))
    text = comment_text(decision)
    assert "@everyone" not in text  # neutralised with a zero-width space
    assert "<img" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text


def test_an_issue_title_never_reaches_the_comment(tmp_path: Path) -> None:
    decision = decide(tmp_path, events.issues_event(body=issue_body("outage-nextcloud-502.md"),
                                                    title="@org/everyone <script>alert(1)</script> $(id)"))
    assert "<script>" not in json.dumps(decision)
    assert "$(id)" not in json.dumps(decision)


@pytest.mark.parametrize(("payload", "reason"), [
    (events.issues_event("closed", body="x"), "the closed issue is not an incident"),
    (events.issues_event("labeled", added_label="bug", body=issue_body("outage-nextcloud-502.md")),
     "the label 'bug' does not concern the responder"),
    (events.issues_event(body=issue_body("outage-nextcloud-502.md"), repo="someone/else"),
     "the event is from someone/else, not the configured repository acme-homelab/infra"),
    (events.issues_event(body=issue_body("outage-nextcloud-502.md"), sender="github-actions[bot]"),
     "the event was caused by the responder itself"),
    (events.issues_event("reopened", body=issue_body("outage-nextcloud-502.md"), state="closed"),
     "the issue is closed"),
    (events.comment_event("thanks, works again!", body=issue_body("outage-nextcloud-502.md")),
     "the comment is not a responder command"),
])
def test_events_that_are_ignored_say_why(tmp_path: Path, payload: dict[str, Any], reason: str) -> None:
    decision = decide(tmp_path, payload)
    assert decision["outcome"] == "ignored"
    assert decision["reasons"] == [reason]
    assert decision["actions"] == []


def test_an_edited_body_gets_a_second_look(tmp_path: Path) -> None:
    payload = events.issues_event("edited", body=issue_body("outage-nextcloud-502.md"),
                                  labels=("user-report", "needs-info"))
    decision = decide(tmp_path, payload)
    assert decision["outcome"] == "triaged"
    assert decision["actions"][0] == {"type": "remove_labels", "labels": ["needs-info"]}


def test_renamed_labels_are_used_everywhere(tmp_path: Path) -> None:
    config = tmp_path / "responder.yml"
    config.write_text("""\
services:
  - {name: web, title: Website, tier: critical}
labels: {user-report: "kind/outage", incident: "type/incident", sev2: "sev/2", postmortem-required: "pm/required"}
""")
    body = issue_body("outage-nextcloud-502.md").replace("\nNextcloud\n", "\nWebsite\n", 1)
    decision = decide(tmp_path, events.issues_event(body=body, labels=("kind/outage",), repo="any/repo"), config)
    assert decision["actions"][0] == {"type": "add_labels", "labels": ["type/incident", "sev/2", "pm/required"]}


def test_a_huge_report_is_cut_but_the_state_marker_survives() -> None:
    from responder.model.state import IssueState, read_marker, render_marker
    from responder.triage.intake import fit_comment

    marker = render_marker(IssueState(outcome="triaged", severity="SEV2"))
    body = fit_comment("line of evidence\n" * 10_000, marker)
    assert len(body) <= 65_536
    assert body.endswith(marker)
    assert "(the report was cut to fit GitHub's comment size limit)" in body
    assert read_marker(body) == IssueState(outcome="triaged", severity="SEV2")
