"""The published site, built for real with `mkdocs build --strict` (mkdocs-material).

Hostile and awkward incidents go in (script in titles and comments, a
300-character title, an emoji-only title, no events, a service without an
slo, a front matter a person broke); the build must pass and the HTML must
carry no script or event handler that came from an issue.
"""

from __future__ import annotations

import copy
import io
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from postmortem.cli import main
from responder.model.state import IssueState, JournalEntry, render_marker
from tests.conftest import EXAMPLE_CONFIG
from tests.support.infra_repo import copy_site, load_export

# Characters XML 1.0 forbids (the pages are HTML, the sitemap XML); a lone surrogate cannot even be UTF-8.
FORBIDDEN = ("\x1b", "\x0b", "\x00", "\ufffe", "\uffff", "\ud800")
FORBIDDEN_IN_XML = "ESC\x1b VT\x0b NUL\x00 FFFE\ufffe FFFF\uffff surrogate\ud800 end"
ATTACKS = [
    "<script>alert('comment')</script>",
    "<img src=x onerror=alert('img')>",
    "[click me](javascript:alert('link'))",
    "{: onclick=\"alert('attr')\" }",
    "<!-- human:end root-cause --> <a href='javascript:alert(1)'>x</a>",
    "| broken | table |\n# Heading injection\n---",
    "\u202egnp.exe\u202c ⚠️ ünïcödé 👩‍💻 **bold** _it_",
    FORBIDDEN_IN_XML,
]


def incident(number: int, title: str, day: int, *, comments: list[str] = (), events: bool = True,  # type: ignore[assignment]
             service: str = "Nextcloud", journal_text: str | None = None) -> dict[str, Any]:
    raw = load_export()
    shift = f"2026-11-{day:02d}"
    text = json.dumps(raw).replace("2026-11-23", shift)
    raw = json.loads(text)
    raw["issue"].update({"number": number, "title": title,
                         "html_url": f"https://github.com/acme-homelab/infra/issues/{number}"})
    raw["issue"]["body"] = raw["issue"]["body"].replace("Nextcloud\n", f"{service}\n", 1)
    template = raw["comments"][1]
    for index, body in enumerate(comments):
        comment = copy.deepcopy(template)
        comment.update({"id": 10_000 + index, "body": body, "created_at": f"{shift}T14:1{index}:00Z"})
        raw["comments"].append(comment)
    if journal_text is not None:
        state = IssueState(severity="SEV2", journal=(JournalEntry(f"{shift}T14:06:00Z", "finding", journal_text),))
        raw["comments"][0]["body"] = "### SEV2\n\n" + render_marker(state)
    if not events:
        raw["events"] = []
    return raw


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.attrs: list[tuple[str, str, str]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs += [(tag, name, value or "") for name, value in attrs]
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), env={}, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site-build")
    site = copy_site(root / "site")
    exports = {
        "sev2": load_export(),
        "hostile": incident(43, "<script>alert('title')</script> Nextcloud & \"friends\"\x1b\ufffe", 24,
                            comments=ATTACKS, journal_text="<iframe src=javascript:alert('journal')>\x0b"),
        "long": incident(44, "Very long title " * 19, 25),
        "emoji": incident(45, "🔥🔥🔥", 26, events=False),
        "no-slo": incident(46, "CI is down", 27, service="CI (Woodpecker)"),
    }
    for name, raw in exports.items():
        path = root / f"{name}.json"
        path.write_text(json.dumps(raw), encoding="utf-8")
        code, _, err = run("--config", str(EXAMPLE_CONFIG), "write", "--issue-file", str(path), "--site-dir",
                           str(site))
        assert code == 0, err
    (site / "docs" / "post-mortems" / "2026-11-28-broken.md").write_text(
        "---\ntitle: [oops\n---\n\n# Someone's draft\n", encoding="utf-8")
    code, out, err = run("--config", str(EXAMPLE_CONFIG), "build", "--site-dir", str(site))
    assert code == 0, err
    assert "built" in out
    return site / "build"


def pages(build: Path) -> list[Path]:
    return sorted(build.rglob("*.html"))


def test_the_site_builds_strictly_with_every_post_mortem(built: Path) -> None:
    names = sorted(p.parent.name for p in built.glob("20*/index.html"))
    assert names == [
        "2026-11-23-nextcloud-502-since-14-00",
        "2026-11-24-script-alert-title-script-nextcloud-friends",
        "2026-11-25-very-long-title-very-long-title-very-long-title-very-long",
        "2026-11-26-incident-45",
        "2026-11-27-ci-is-down",
        "2026-11-28-broken",
    ]


def test_no_page_carries_script_or_handlers_from_an_issue(built: Path) -> None:
    for page in pages(built):
        html = page.read_text(encoding="utf-8")
        parser = Elements()
        parser.feed(html)
        assert not any("alert(" in script for script in parser.scripts), page
        assert not [a for a in parser.attrs if a[1].startswith("on")], page
        assert not [a for a in parser.attrs if a[2].strip().lower().startswith("javascript:")], page
        assert "<iframe" not in html and "<img src=x" not in html, page


def test_hostile_text_is_shown_as_text(built: Path) -> None:
    html = (built / "2026-11-24-script-alert-title-script-nextcloud-friends"
            / "index.html").read_text(encoding="utf-8")
    parser = Elements()
    parser.feed(html)
    shown = "\n".join(parser.text)
    # What a reader sees is exactly what was written, as text.
    for attack in ATTACKS[:5]:
        assert attack in shown
    assert "| broken | table | # Heading injection ---" in shown
    assert "<iframe src=javascript:alert('journal')>" in shown
    assert "<title>script alert('title') /script Nextcloud and 'friends' - " in html
    assert "👩‍💻" in html and "\u202e" not in html
    # The page's own structure survived: every section heading is still there.
    for heading in ("Timeline (UTC)", "Root cause analysis", "Action items", "Lessons learned"):
        assert f">{heading}<" in html


def test_no_page_or_sitemap_carries_a_character_xml_forbids(built: Path) -> None:
    files = [*pages(built), built / "sitemap.xml"]
    found = {str(f.relative_to(built)): [hex(ord(ch)) for ch in FORBIDDEN if ch in f.read_text(encoding="utf-8")]
             for f in files}
    assert {name: chars for name, chars in found.items() if chars} == {}
    ElementTree.fromstring((built / "sitemap.xml").read_bytes())  # noqa: S314 - our own build output
    html = (built / "2026-11-24-script-alert-title-script-nextcloud-friends"
            / "index.html").read_text(encoding="utf-8")
    assert "ESC VT NUL FFFE FFFF surrogate end" in html


def test_the_index_lists_newest_first_with_severity_and_duration(built: Path) -> None:
    html = (built / "index.html").read_text(encoding="utf-8")
    order = [html.index(f'href="{name}/"') for name in (
        "2026-11-28-broken", "2026-11-27-ci-is-down", "2026-11-26-incident-45",
        "2026-11-25-very-long-title-very-long-title-very-long-title-very-long",
        "2026-11-24-script-alert-title-script-nextcloud-friends", "2026-11-23-nextcloud-502-since-14-00")]
    assert order == sorted(order)
    assert "<td>SEV2</td>" in html and "<td>47 min</td>" in html
    assert "front matter unreadable" in html


def test_a_missing_slo_and_missing_events_give_a_sensible_page(built: Path) -> None:
    ci = (built / "2026-11-27-ci-is-down" / "index.html").read_text(encoding="utf-8")
    assert "not computed: add <code>slo</code> to this service in responder.yml" in ci
    emoji = (built / "2026-11-26-incident-45" / "index.html").read_text(encoding="utf-8")
    assert "🔥🔥🔥" in emoji and "<strong>closed</strong>" in emoji


def test_the_site_has_search_and_a_dark_mode_toggle(built: Path) -> None:
    home = (built / "index.html").read_text(encoding="utf-8")
    assert (built / "search" / "search_index.json").is_file()
    assert 'data-md-color-scheme="slate"' in home and "Switch to dark mode" in home
    # The site's home is the list of post-mortems, each served at the site's top: no /post-mortems/post-mortems/.
    assert "service is on the status page, one level up from this site." in home
    assert 'href="2026-11-23-nextcloud-502-since-14-00/"' in home


def test_the_platform_page_is_built_from_the_vars_files(built: Path) -> None:
    page = (built / "platform" / "index.html").read_text(encoding="utf-8")
    parsed = Elements()
    parsed.feed(page)
    text = " ".join(" ".join(parsed.text).split())
    assert "team-data cpu 4, memory 8Gi, pods 30 dana (view), vbarzin (edit)" in text
    assert "wiki.apps.acme-homelab.org CNAME ingress.acme-homelab.org" in text
    assert 'href="https://github.com/acme-homelab/infra/issues/new?template=platform-request.yml"' in page
    # Not a post-mortem: the index does not list it.
    assert "platform" not in (built / "index.html").read_text(encoding="utf-8").split("<table")[-1].lower()


def test_the_projects_own_site_builds_as_committed_and_its_index_is_current(tmp_path: Path) -> None:
    import shutil

    from postmortem.site.collection import index_text
    from postmortem.site.build import build_site
    from postmortem.site.layout import load_settings
    from postmortem.site.platform import platform_page_path, platform_page_text
    from responder.config.loader import load_config
    from tests.support.infra_repo import SITE

    config = load_config(EXAMPLE_CONFIG)
    settings = load_settings(config, SITE)
    assert settings.index_path.read_text(encoding="utf-8") == index_text(settings)
    # The Platform page of the example, as `postmortem build` regenerates it from examples/stacks/.
    assert platform_page_path(settings).read_text(encoding="utf-8") == platform_page_text(config)
    copy = tmp_path / "site"
    shutil.copytree(SITE, copy, ignore=shutil.ignore_patterns("build"))
    built = build_site(copy)
    assert (built.output_dir / "index.html").is_file()
