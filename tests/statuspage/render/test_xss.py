"""Attacker-controlled text in every field: nothing in the built site can run."""

from __future__ import annotations

import io
import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from responder.model.state import IssueState, JournalEntry
from statuspage.cli import main
from tests.conftest import EXAMPLE_CONFIG
from tests.support.html_safety import unsafe_markup
from tests.support.issues_export import bot_comment, comment, maintenance_body, outage_body, rest_issue

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
    "[x](javascript:alert(1))",
    "<a href='javascript:alert(1)'>x</a>",
    "'><iframe src=//evil.example>",
    "</title><script>alert(1)</script>",
    "]]><script>alert(1)</script>",
    "<!--<script>alert(1)</script>-->",
    "{{ 7*7 }}{% raw %}",
]
P = " ".join(PAYLOADS)
ATOM = "{http://www.w3.org/2005/Atom}"


def hostile_config(tmp_path: Path) -> Path:
    raw = yaml.safe_load(EXAMPLE_CONFIG.read_text())
    raw["services"][4]["title"] = "Nextcloud <script>alert('svc')</script>"[:80]
    raw["services"][4]["description"] = P
    raw["services"][5]["title"] = '"><img src=x onerror=alert(1)>'
    raw["labels"] = {"incident": "<b>incident</b>", "sev2": "<script>sev</script>"}
    raw["statuspage"] = {"url": "https://status.acme-homelab.org", "title": "<script>alert('title')</script>",
                         "description": P[:500], "report_url": "https://github.com/acme-homelab/infra/issues/new"}
    path = tmp_path / "responder.yml"
    path.write_text(yaml.safe_dump(raw))
    return path


def hostile_export(tmp_path: Path) -> Path:
    state = IssueState(severity="SEV2", journal=(JournalEntry("2026-11-23T14:06:00Z", "finding", P, P),),
                       sections={"postmortem": {"url": "javascript:alert(1)", "path": "../<script>"}})
    incident = rest_issue(42, title=P, author="alice", association="OWNER",
                          labels=("user-report", "<b>incident</b>", "<script>sev</script>", P[:50]),
                          body=outage_body("Nextcloud <script>alert('svc')</script>", P, P, P),
                          created_at="2026-11-23T14:05:00Z")
    incident["html_url"] = "javascript:alert(1)"
    resolved = rest_issue(40, title=P, association="OWNER", labels=("<b>incident</b>",), state="closed",
                          closed_at="2026-11-22T10:00:00Z", body=P)
    report = rest_issue(43, title=P, author="mallory", association="NONE", labels=("user-report",),
                        body=outage_body(P, P, P, P))
    trusted_report = rest_issue(44, title=P, author="erin", association="COLLABORATOR", labels=("user-report",),
                                body=outage_body('"><img src=x onerror=alert(1)>', P, P, P))
    window = rest_issue(45, title=P, author="vbarzin", association="OWNER", labels=("maintenance",),
                        body=maintenance_body('"><img src=x onerror=alert(1)>', "2026-11-23 14:00",
                                              "2026-11-23 16:00", P, P))
    bad_window = rest_issue(46, title=P, author="vbarzin", association="OWNER", labels=("maintenance",),
                            body=maintenance_body(P, P, P, P, P))
    comments = {
        "42": [bot_comment(42, state, text=P),
               comment(42, f"/status identified: {P}", "vbarzin", "OWNER", "2026-11-23T14:30:00Z"),
               comment(42, f"/status {P}\n\n```\n{P}\n```\n> {P}\n- {P}", "carol", "MEMBER", "2026-11-23T14:31:00Z"),
               comment(42, P, "github-actions[bot]", "NONE", "2026-11-23T14:32:00Z", "Bot")],
        "40": [comment(40, f"/status resolved: {P}", "vbarzin", "OWNER", "2026-11-22T09:59:00Z")],
    }
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"issues": [incident, resolved, report, trusted_report, window, bad_window],
                                "comments": comments}))
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("xss")
    out = tmp / "public"
    err = io.StringIO()
    code = main(["build", "--config", str(hostile_config(tmp)), "--out", str(out), "--issues-file",
                 str(hostile_export(tmp)), "--no-probe", "--previous", "none", "--now", "2026-11-23T15:00:00Z"],
                env={}, stdout=io.StringIO(), stderr=err)
    assert code == 0, err.getvalue()
    return out


@pytest.mark.parametrize("name", ["index.html", "404.html"])
def test_the_html_contains_no_executable_script(site: Path, name: str) -> None:
    html = (site / name).read_text()
    assert unsafe_markup(html, allowed_tags={"meta", "link", "noscript"}, allowed_scripts={"stale.js"}) == []
    assert 'href="javascript' not in html.lower()


def test_the_payloads_are_shown_as_text(site: Path) -> None:
    html = (site / "index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html  # templates never evaluate data


def test_the_untrusted_reporter_text_is_not_on_the_page(site: Path) -> None:
    html = (site / "index.html").read_text()
    start = html.index('id="reports"')
    reports = html[start:html.index('id="resolved"')]
    assert "Report from a visitor" in reports
    # Only the trusted collaborator's title, as text; nothing the visitor wrote.
    assert reports.count("&lt;script&gt;alert(1)") == P.count("<script>alert(1)")


@pytest.mark.parametrize("name", ["status.json", "badge.json", "badges/nextcloud.json", "badges/immich.json",
                                  "data/github-cache.json", "data/build.json"])
def test_json_files_hold_no_raw_markup(site: Path, name: str) -> None:
    raw = (site / name).read_text()
    assert "<" not in raw and ">" not in raw
    json.loads(raw)


def test_the_atom_feed_and_its_html_contents_hold_no_script(site: Path) -> None:
    feed = ElementTree.fromstring((site / "feed.atom").read_bytes())  # noqa: S314 - our own build output
    contents = [e.findtext(f"{ATOM}content") or "" for e in feed.findall(f"{ATOM}entry")]
    assert contents
    for html in contents:
        assert unsafe_markup(html) == []
    for element in feed.iter():
        assert not element.tag.endswith(("script", "iframe"))
    links = [link.get("href") or "" for link in feed.iter(f"{ATOM}link")]
    assert all(link.startswith("https://") for link in links)


# Characters XML 1.0 forbids: escaping cannot write them, and one of them makes a whole feed unreadable.
FORBIDDEN = {"ESC": "\x1b", "VT": "\x0b", "NUL": "\x00", "U+FFFE": "\ufffe", "U+FFFF": "\uffff",
             "lone surrogate": "\ud800"}


@pytest.mark.parametrize("char", FORBIDDEN.values(), ids=FORBIDDEN.keys())
def test_characters_xml_forbids_are_removed_from_every_page_and_the_feed(tmp_path: Path, char: str) -> None:
    x = f"a{char}b"
    raw = yaml.safe_load(EXAMPLE_CONFIG.read_text())
    raw["services"][4]["title"] = f"Nextcloud {x}"
    raw["services"][4]["description"] = x
    raw["statuspage"] = {"url": "https://status.acme-homelab.org", "title": f"Status {x}", "description": x}
    config = tmp_path / "responder.yml"
    config.write_text(yaml.safe_dump(raw))
    state = IssueState(severity="SEV2", journal=(JournalEntry("2026-11-23T14:06:00Z", "finding", x),))
    export = {
        "issues": [
            rest_issue(42, title=f"Nextcloud {x} down", author="alice", association="OWNER",
                       labels=("user-report", "incident", "sev2"), body=outage_body(f"Nextcloud {x}", x, x, x),
                       created_at="2026-11-23T14:05:00Z"),
            rest_issue(44, title=f"Report {x}", author="erin", association="COLLABORATOR", labels=("user-report",),
                       body=outage_body(f"Nextcloud {x}")),
            rest_issue(45, title=f"Window {x}", author="vbarzin", association="OWNER", labels=("maintenance",),
                       body=maintenance_body(f"Nextcloud {x}", "2026-11-23 14:00", "2026-11-23 16:00", x, x)),
        ],
        "comments": {"42": [bot_comment(42, state),
                            comment(42, f"/status identified: {x}\n\n- {x}\n\n```\n{x}\n```", "vbarzin", "OWNER",
                                    "2026-11-23T14:30:00Z")]},
    }
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))  # ensure_ascii: a lone surrogate survives as \ud800
    err = io.StringIO()
    code = main(["build", "--config", str(config), "--out", str(tmp_path / "public"), "--issues-file", str(path),
                 "--no-probe", "--previous", "none", "--now", "2026-11-23T15:00:00Z"],
                env={}, stdout=io.StringIO(), stderr=err)
    assert code == 0, err.getvalue()
    site = tmp_path / "public"
    feed = ElementTree.fromstring((site / "feed.atom").read_bytes())  # noqa: S314 - our own build output
    [entry] = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "[Identified] Partial outage: Nextcloud ab down"
    assert entry.find(f"{ATOM}category").get("label") == "Nextcloud ab"  # type: ignore[union-attr]
    assert feed.findtext(f"{ATOM}title") == "Status ab: incidents"
    content = entry.findtext(f"{ATOM}content") or ""
    assert "<p>ab</p>" in content and "<li>ab</li>" in content
    ElementTree.fromstring(f"<div>{content}</div>")  # noqa: S314 - the entry's HTML is well-formed XML too
    pages = {name: (site / name).read_bytes().decode("utf-8") for name in ("index.html", "404.html")}
    assert not [name for name, html in pages.items() if char in html]
    assert all(f"{shown} ab" in pages["index.html"] for shown in ("Nextcloud", "Window", "Report", "Status"))
    for name in ("status.json", "data/github-cache.json"):
        json.loads((site / name).read_bytes().decode("utf-8"))
