"""The issue-form body parser: GitHub's issue-ops shape, on the edge cases people produce."""

from __future__ import annotations

import pytest

from responder.config.loader import Config
from responder.forms.answers import parse_body
from responder.forms.specs import Field, FormSpec, feature_form, outage_form, platform_form
from tests.conftest import issue_body


@pytest.fixture
def outage(example_config: Config) -> FormSpec:
    return outage_form(example_config)


def test_a_rendered_form_becomes_answers_keyed_by_field_id(outage: FormSpec) -> None:
    parsed = parse_body(issue_body("outage-nextcloud-502.md"), outage)
    assert parsed.values == {
        "service": ["Nextcloud"],
        "description": "Nextcloud returns 502 Bad Gateway since about 14:00 UTC.\n\n"
                       "Other sites (Immich, Grafana) work fine. Tried incognito, same result.",
        "error_type": ["502 Bad Gateway"],
        "scope": ["Everyone"],
        "when": "14:00 UTC",
        "url": "https://cloud.acme-homelab.org/apps/files/",
    }
    assert parsed.valid
    assert parsed.problems == ()


def test_crlf_bodies_parse_like_lf_and_no_response_omits_the_key(outage: FormSpec) -> None:
    body = issue_body("outage-immich-slow-crlf.md")
    assert "\r\n" in body
    parsed = parse_body(body, outage)
    assert parsed.values["description"] == (
        "The timeline never finishes loading.\n\nUploads from the phone app time out.")
    assert parsed.values["error_type"] == ["Slow / degraded performance"]
    assert "url" not in parsed.values
    assert parsed.valid


def test_headings_inside_fenced_code_stay_in_the_answer(outage: FormSpec) -> None:
    parsed = parse_body(issue_body("outage-code-fence.md"), outage)
    description = parsed.values["description"]
    assert "### What kind of error?\nError: datasource" in description
    assert "~~~~yaml\n### Which URL were you using?\nurl: http://prometheus:9090\n~~~~" in description
    assert parsed.values["error_type"] == ["Specific feature broken"]
    assert parsed.values["scope"] == ["Just me"]
    assert parsed.values["url"] == "https://grafana.acme-homelab.org/d/node-exporter"
    assert "when" not in parsed.values
    assert parsed.valid


def test_an_edited_body_keeps_unknown_headings_as_content_and_warns_for_dropdowns(outage: FormSpec) -> None:
    parsed = parse_body(issue_body("outage-edited.md"), outage)
    # Text before the first heading is ignored.
    assert all("Update 15:10" not in str(v) for v in parsed.values.values())
    # Headings people type inside a textarea answer are part of that answer.
    assert parsed.values["description"] == (
        "Outgoing mail is stuck in the queue.\n\n### Steps I tried\n\n1. Restarted Thunderbird\n"
        "2. Sent from the web UI: same\n\n### Logs\n\nQueue has 214 messages."
    )
    # After a dropdown the extra text is left out of the value and reported.
    assert parsed.values["scope"] == ["Multiple people affected"]
    assert [p.line(outage) for p in parsed.problems] == [
        "warning: scope (Who is affected?): extra text after the answer was left out of the value"
    ]
    assert parsed.valid
    assert parsed.values["when"] == "around 14:40 UTC"


def test_empty_text_answers_are_omitted_unanswered_dropdowns_are_empty_and_required_ones_reported(
        outage: FormSpec) -> None:
    """An unanswered dropdown is [], as GitHub's issue-ops parser (and its published fixtures) give it."""
    parsed = parse_body(issue_body("outage-empty-answers.md"), outage)
    assert parsed.values == {"service": ["Other / not sure"], "scope": [], "error_type": []}
    assert not parsed.valid
    assert [p.line(outage) for p in parsed.errors] == [
        "error: description (What do you see?): required, but no answer was given",
        "error: error_type (What kind of error?): required, but no answer was given",
    ]


def test_unicode_markdown_and_emoji_survive_unchanged(outage: FormSpec) -> None:
    parsed = parse_body(issue_body("outage-unicode.md"), outage)
    assert parsed.values["description"].startswith("Die Lichter reagieren nicht mehr 💡❌ — 灯不亮了 — الأضواء لا تعمل")
    assert "**Bold** and _italic_ and a [link](https://example.org) and `code`" in parsed.values["description"]
    assert parsed.values["when"] == "🕑 2 Uhr nachts"
    assert parsed.valid


def test_values_that_are_not_options_are_reported_by_field(outage: FormSpec) -> None:
    parsed = parse_body(issue_body("outage-invalid-options.md"), outage)
    assert [p.line(outage) for p in parsed.errors] == [
        'error: service (Which service is affected?): "Jellyfin" is not one of the options',
        'error: error_type (What kind of error?): "It is broken @everyone <img src=x onerror=alert(1)>" '
        "is not one of the options",
    ]


def test_an_option_containing_a_comma_is_one_choice(outage: FormSpec) -> None:
    parsed = parse_body(issue_body("outage-data-loss.md"), outage)
    assert parsed.values["error_type"] == ["Data missing, incorrect or lost"]
    assert parsed.valid


def test_multi_select_dropdowns_split_on_known_options() -> None:
    form = FormSpec("f", "unknown", "f.yml", "", "", (), (
        Field("areas", "dropdown", "Areas", options=("Storage, backups", "Network", "DNS"), multiple=True),
    ))
    parsed = parse_body("### Areas\n\nStorage, backups, DNS\n", form)
    assert parsed.values == {"areas": ["Storage, backups", "DNS"]}
    assert parse_body("### Areas\n\nNone\n", form).values == {"areas": []}


def test_checkboxes_become_selected_and_unselected() -> None:
    form = FormSpec("f", "unknown", "f.yml", "", "", (), (
        Field("checks", "checkboxes", "Before filing", options=("I checked the status page", "I tried incognito"),
              required_options=("I checked the status page",)),
    ))
    body = "### Before filing\n\n- [X] I checked the status page\n- [ ] I tried incognito\n\nthanks!\n"
    parsed = parse_body(body, form)
    assert parsed.values == {"checks": {"selected": ["I checked the status page"], "unselected": ["I tried incognito"]}}
    assert [p.message for p in parsed.problems] == ["extra text after the answer was left out of the value"]
    unticked = parse_body("### Before filing\n\n- [ ] I checked the status page\n- [ ] I tried incognito\n", form)
    assert [p.message for p in unticked.errors] == ['"I checked the status page" must be ticked']


def test_without_a_template_every_heading_is_a_string_field() -> None:
    parsed = parse_body(issue_body("not-a-form.md"))
    assert parsed.values == {"Details": "The link points to an old Headscale URL."}
    parsed = parse_body("### A\n\nNone\n\n### B\n\n_No response_\n\n### C\n\nx\n```\n### D\n```\n")
    assert parsed.values == {"A": "None", "C": "x\n```\n### D\n```"}


@pytest.mark.parametrize("body", [None, "", "   \n\n", "no headings at all", "###\n\n", "#### deep\n\nx",
                                  "### \n\n", "```\n### unterminated fence", "\x00\x01### weird"])
def test_degenerate_bodies_never_raise(outage: FormSpec, body: str | None) -> None:
    parsed = parse_body(body, outage)
    assert not parsed.valid
    assert {p.field for p in parsed.errors} == {"service", "description", "error_type"}


def test_a_repeated_label_is_content_of_the_first_answer(outage: FormSpec) -> None:
    body = issue_body("outage-nextcloud-502.md").replace(
        "Other sites", "### What do you see?\n\nstill the same\n\nOther sites", 1
    )
    parsed = parse_body(body, outage)
    assert "### What do you see?\n\nstill the same" in parsed.values["description"]
    assert parsed.valid


def test_a_body_at_githubs_size_limit_parses(outage: FormSpec) -> None:
    filler = ("A long log line that repeats itself " * 3 + "\n") * 600
    body = issue_body("outage-nextcloud-502.md").replace("Other sites", filler + "Other sites")
    body = body[:65_536]
    assert len(body) <= 65_536
    parsed = parse_body(body, outage)
    assert parsed.values["service"] == ["Nextcloud"]


def test_heading_matching_tolerates_case_and_spacing(outage: FormSpec) -> None:
    body = issue_body("outage-nextcloud-502.md").replace("### What kind of error?", "###   what KIND of  error?")
    assert parse_body(body, outage).values["error_type"] == ["502 Bad Gateway"]


def test_feature_form_parses(example_config: Config) -> None:
    parsed = parse_body(issue_body("feature-nextcloud-replicas.md"), feature_form(example_config))
    assert parsed.values["change"] == ["Replica count"]
    assert parsed.values["value"] == "3"
    assert parsed.valid


def platform_body(request: str, **answers: str) -> str:
    return "\n\n".join([f"### What do you need?\n\n{request}",
                         *(f"### {label}\n\n{value}" for label, value in answers.items()),
                         "### Why is it needed?\n\nThe new team starts Monday."])


def test_a_platform_request_needs_the_fields_its_kind_needs_named(example_config: Config) -> None:
    form = platform_form(example_config)
    assert form is not None
    parsed = parse_body(platform_body("Grant namespace access", Namespace="team-a"), form)
    assert [(p.field, p.message) for p in parsed.errors] == [
        ("members", 'required for "Grant namespace access", but no answer was given'),
        ("role", 'required for "Grant namespace access", but no answer was given'),
    ]


def test_a_quota_change_needs_at_least_one_quota(example_config: Config) -> None:
    form = platform_form(example_config)
    assert form is not None
    parsed = parse_body(platform_body("Change a namespace quota", Namespace="team-a"), form)
    assert [(p.field, p.message) for p in parsed.errors] == [
        ("cpu", '"Change a namespace quota" needs at least one of: CPU quota, Memory quota, Pod limit')]
    assert parse_body(platform_body("Change a namespace quota", Namespace="team-a", **{"Pod limit": "30"}),
                      form).valid


def test_fields_another_request_would_need_are_not_asked_for(example_config: Config) -> None:
    form = platform_form(example_config)
    assert form is not None
    parsed = parse_body(platform_body("New namespace", Namespace="team-a", **{"CPU quota": "2"}), form)
    assert parsed.valid
    assert (parsed.choice("request"), parsed.text("namespace"), parsed.text("cpu")) == ("New namespace", "team-a", "2")
