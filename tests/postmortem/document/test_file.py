"""The post-mortem document: exact output, names, escaping, and what a regeneration keeps."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from postmortem.document.file import (
    check_can_update,
    compose,
    generated_digest,
    human_sections,
    page_title,
    parse_document,
    slugify,
)
from postmortem.document.rendering import page_text, safe_url
from postmortem.model.incident import describe_incident
from responder.adapters.github.export import parse_export
from responder.config.loader import Config, load_config
from responder.errors import InputError
from tests.conftest import EXAMPLE_CONFIG, FIXTURES
from tests.support.infra_repo import load_export

EXPECTED = FIXTURES / "postmortem" / "nextcloud-sev2.expected.md"
LINK = "https://status.acme-homelab.org/post-mortems/2026-11-23-nextcloud-502-since-14-00/"


def write(raw: dict[str, Any], config: Config, existing: str | None = None) -> str:
    document = parse_document(existing) if existing is not None else None
    if document is not None:
        check_can_update(document, "the post-mortem")
    return compose(describe_incident(parse_export(raw), config), existing=document, link=LINK,
                   default_owner="@vbarzin", templates_dir=config.templates_dir).text


def test_the_sev2_post_mortem_is_exactly_the_reviewed_fixture(example_config: Config) -> None:
    assert write(load_export(), example_config) == EXPECTED.read_text(encoding="utf-8")


def test_the_front_matter_is_data_with_duration_budget_and_action_items(example_config: Config) -> None:
    front = parse_document(write(load_export(), example_config)).front_matter
    assert front is not None
    assert {k: front[k] for k in ("title", "severity", "status", "duration", "duration_minutes", "services",
                                  "issue_number")} == {
        "title": "Nextcloud 502 since 14:00", "severity": "SEV2", "status": "Draft", "duration": "47 min",
        "duration_minutes": 47, "services": ["nextcloud"], "issue_number": 42}
    assert front["error_budget"] == [{"service": "nextcloud", "slo": 99.5, "budget_minutes": 216.0,
                                      "consumed_percent": 21.8}]
    assert [(i["id"], i["type"], i["status"]) for i in front["action_items"]] == [
        (1, "investigation", "TODO"), (2, "alert", "PROPOSED")]


def test_regenerating_an_unchanged_incident_changes_nothing(example_config: Config) -> None:
    first = write(load_export(), example_config)
    assert write(load_export(), example_config, existing=first) == first


def test_regenerating_keeps_what_people_wrote_and_updates_the_facts(example_config: Config) -> None:
    text = write(load_export(), example_config)
    text = text.replace("status: Draft", "status: Final")
    text = text.replace("> **TODO:** what should change in how we build and run things.",
                        "Upgrades need a memory test first.\n\n  Two spaces and *markdown* stay as written.  ")
    text = text.replace("action_items:\n", "owner_team: platform\naction_items:\n- id: 7\n  action: Add a memory "
                        "alert for nextcloud\n  type: monitor\n  owner: '@bob'\n  priority: P1\n  due: 2026-12-01\n"
                        "  status: TODO\n", 1)
    raw = load_export()
    raw["comments"].insert(3, {**raw["comments"][2], "id": 77, "created_at": "2026-11-23T14:30:00Z",
                               "body": "Preview generator disabled for now."})
    updated = write(raw, example_config, existing=text)
    front = parse_document(updated).front_matter
    assert front is not None
    assert front["status"] == "Final" and front["owner_team"] == "platform"
    assert front["action_items"][0]["id"] == 7
    sections = human_sections(parse_document(updated).body)
    # Verbatim, trailing spaces (a Markdown line break) included.
    assert sections["lessons-learned"] == (
        "Upgrades need a memory test first.\n\n  Two spaces and *markdown* stay as written.  ")
    assert "Preview generator disabled for now." in updated
    assert "| 7 | Add a memory alert for nextcloud | monitor | @bob | P1 | 2026-12-01 | TODO |  |" in updated
    assert "| **Status** | Final |" in updated


def test_hand_edits_outside_the_human_sections_are_never_overwritten(example_config: Config) -> None:
    text = write(load_export(), example_config).replace("## Timeline (UTC)", "## Timeline (UTC)\n\nMy note.")
    with pytest.raises(InputError, match="the generated part was edited by hand") as caught:
        write(load_export(), example_config, existing=text)
    assert caught.value.hint is not None and "--force" in caught.value.hint


@pytest.mark.parametrize(("front", "message"), [
    ("title: [unclosed\n", r"not valid YAML at line 2, column 17"),
    ("- just\n- a list\n", "not a mapping"),
])
def test_a_front_matter_a_person_broke_is_reported_not_overwritten(example_config: Config, front: str,
                                                                   message: str) -> None:
    text = write(load_export(), example_config)
    broken = "---\n" + front + "---\n" + text.split("\n---\n", 1)[1]
    with pytest.raises(InputError, match=message):
        write(load_export(), example_config, existing=broken)


def test_a_file_without_front_matter_is_reported(example_config: Config) -> None:
    document = parse_document("# just a page\n")
    assert document.problem is not None and "no front matter" in document.problem


def test_a_human_section_the_template_dropped_is_kept_at_the_end(example_config: Config) -> None:
    text = write(load_export(), example_config)
    text = text.replace("## Lessons learned", "## Lessons learned\n\n<!-- human:begin customers -->\n\nCalled "
                        "the two affected families.\n\n<!-- human:end customers -->\n")
    # Re-sign the generated part, as if the generator had written that section itself.
    digest = re.search(r"digest: (\w+)", text)
    assert digest is not None
    body = parse_document(text).body
    text = text.replace(digest.group(1), generated_digest(body))
    updated = write(load_export(), example_config, existing=text)
    assert "## Notes kept from an earlier version" in updated
    assert human_sections(parse_document(updated).body)["customers"] == "Called the two affected families."


def test_a_template_in_templates_dir_replaces_the_built_in_one(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "postmortem.md.j2").write_text(
        "# {{ title }}\n\nLasted {{ duration }}.\n\n{{ action_items }}\n", encoding="utf-8")
    config_path = tmp_path / "responder.yml"
    config_path.write_text(EXAMPLE_CONFIG.read_text(encoding="utf-8") + "\ntemplates_dir: templates\n")
    text = write(load_export(), load_config(config_path))
    assert "\n# Nextcloud 502 since 14:00\n\nLasted 47 min.\n" in text


def test_a_broken_user_template_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "postmortem.md.j2").write_text("{% if %}\n", encoding="utf-8")
    config_path = tmp_path / "responder.yml"
    config_path.write_text(EXAMPLE_CONFIG.read_text(encoding="utf-8") + "\ntemplates_dir: templates\n")
    with pytest.raises(InputError, match=r"post-mortem template .*postmortem.md.j2:1"):
        write(load_export(), load_config(config_path))


@pytest.mark.parametrize(("title", "slug"), [
    ("Nextcloud 502 since 14:00", "nextcloud-502-since-14-00"),
    ("Ünïcödé — Straße café", "unicode-strae-cafe"),
    ("Can't log in: “Flow does not apply”", "cant-log-in-flow-does-not-apply"),
    ("🔥🔥🔥", "incident-42"),
    ("../../etc/passwd", "etc-passwd"),
    ("<script>alert(1)</script>", "script-alert-1-script"),
    ("a" * 300, "a" * 60),
    ("word " * 60, "-".join(["word"] * 12)),
    ("", "incident-42"),
])
def test_file_names_are_ascii_and_safe_whatever_the_title(title: str, slug: str) -> None:
    assert slugify(title, 42) == slug
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)


@pytest.mark.parametrize(("title", "shown"), [
    ("<script>alert(1)</script>", "script alert(1) /script"),
    ("R&D \"wiki\" down", "R and D 'wiki' down"),
    ("\u202eevil\u202c title", "evil title"),
    ("🔥", "🔥"),
    ("", "Incident #42"),
])
def test_page_titles_cannot_open_markup_where_themes_print_them_raw(title: str, shown: str) -> None:
    assert page_title(title, 42) == shown


@pytest.mark.parametrize(("text", "escaped"), [
    ("<img src=x onerror=alert(1)>", "&#60;img src=x onerror=alert(1)&#62;"),
    ("**bold** _it_ `code` [x](javascript:alert(1))",
     "&#42;&#42;bold&#42;&#42; &#95;it&#95; &#96;code&#96; &#91;x&#93;(javascript:alert(1))"),
    ("a | b", "a &#124; b"),
    ("{: onclick=alert(1) }", "&#123;: onclick=alert(1) &#125;"),
    ("# heading", "&#35; heading"),
    ("- item", "&#45; item"),
    ("1. item", "1&#46; item"),
    ("99.5", "99.5"),
    ("line\nbreak\r\n", "line break"),
    ("<!-- human:end lessons-learned -->", "&#60;!-- human:end lessons-learned --&#62;"),
])
def test_untrusted_text_is_inert_on_the_page(text: str, escaped: str) -> None:
    assert page_text(text) == escaped


@pytest.mark.parametrize(("url", "kept"), [
    ("https://github.com/acme-homelab/infra/issues/42#event-1", True),
    ("javascript:alert(1)", False),
    ("https://x.org/a) [b](c", False),
    ("https://x.org/\"onmouseover=", False),
    ("", False),
])
def test_only_plain_http_urls_become_links(url: str, kept: bool) -> None:
    assert safe_url(url) == (url if kept else "")
