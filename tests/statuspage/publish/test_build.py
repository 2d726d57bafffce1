"""`statuspage build` end to end, from the saved export and history in examples/."""

from __future__ import annotations

import gzip
import io
import json
import os
from pathlib import Path
from xml.etree import ElementTree

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from responder.model.state import JournalEntry, read_marker, render_marker
from statuspage.cli import main
from tests.conftest import EXAMPLE_CONFIG, FIXTURES, ROOT

EXPORT = ROOT / "examples" / "statuspage" / "issues.json"
HISTORY = ROOT / "examples" / "statuspage" / "history.json"
SCHEMA = ROOT / "statuspage" / "render" / "schema" / "summary.schema.json"
EXPECTED = FIXTURES / "statuspage" / "expected"
ATOM = "{http://www.w3.org/2005/Atom}"
NOW = "2026-11-23T15:00:00Z"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), env={}, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def build_example(out: Path, *extra: str) -> Path:
    code, stdout, stderr = run("build", "--config", str(EXAMPLE_CONFIG), "--out", str(out), "--issues-file",
                               str(EXPORT), "--history-file", str(HISTORY), "--no-probe", "--now", NOW, *extra)
    assert code == 0, stderr
    assert f"to {out}" in stdout
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example(tmp_path_factory.mktemp("site") / "public")


def text(site: Path, name: str) -> str:
    return (site / name).read_text(encoding="utf-8")


def section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    end = html.find("<section id=", start + 1)
    return html[start:end if end > 0 else len(html)]


def test_writes_every_file_of_the_site(site: Path) -> None:
    names = {str(p.relative_to(site)) for p in site.rglob("*") if p.is_file()}
    assert {"index.html", "404.html", "status.json", "feed.atom", "badge.json", "style.css", "stale.js",
            ".nojekyll", "data/history.json", "data/github-cache.json", "data/build.json",
            "badges/nextcloud.json"} <= names
    assert len([n for n in names if n.startswith("badges/")]) == 11


@pytest.mark.parametrize("name", ["index.html", "feed.atom", "status.json"])
def test_output_matches_the_expected_file(site: Path, name: str) -> None:
    expected = EXPECTED / name
    if os.environ.get("UPDATE_EXPECTED"):
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_text(text(site, name), encoding="utf-8")
    assert text(site, name) == expected.read_text(encoding="utf-8")


def test_the_headline_names_the_partial_outage(site: Path) -> None:
    html = text(site, "index.html")
    assert "<title>Partial outage · Service status</title>" in html
    assert "1 service down. 1 under maintenance. 1 active incident." in " ".join(section(html, "headline").split())


def test_active_incidents_show_impact_services_start_and_updates(site: Path) -> None:
    html = section(text(site, "index.html"), "incidents")
    assert 'id="incident-42"' in html
    assert '<h3><span class="impact">Partial outage</span> Nextcloud returns 502 Bad Gateway</h3>' in html
    assert "<dt>Affected</dt><dd>Nextcloud</dd>" in html
    assert '<time datetime="2026-11-23T14:05:12Z">23 Nov 2026, 14:05 UTC</time>' in html
    assert "The PostgreSQL connection pool is exhausted." in html
    assert "+1, same here" not in html  # a bystander's comment is not an update
    assert "evil.example" not in html  # nor is a forged post-mortem link


def test_maintenance_lists_the_running_and_the_upcoming_window_but_not_the_strangers(site: Path) -> None:
    html = section(text(site, "index.html"), "maintenance")
    assert html.index("Grafana storage migration") < html.index("PostgreSQL 16 -&gt; 17 upgrade")
    assert "In progress" in html and "Scheduled" in html
    assert "Everything is down forever" not in html
    assert "<strong>read-only</strong>" in html


def test_services_show_state_uptime_budget_and_ninety_named_days(site: Path) -> None:
    html = section(text(site, "index.html"), "services")
    nextcloud = html[html.index('id="service-nextcloud"'):html.index('id="service-immich"')]
    assert '<span class="icon" aria-hidden="true">✕</span> Down' in nextcloud
    assert nextcloud.count("<li class=") == 90
    assert "<li class=\"x\"><span>Today (Nov 23, so far): 93.33% up, 1 incident</span></li>" in nextcloud
    assert "<dt>90 days</dt><dd>99.91%</dd>" in nextcloud
    assert "Error budget this month (SLO 99.5%)" in nextcloud
    grafana = html[html.index('id="service-grafana"'):html.index('id="service-woodpecker"')]
    assert "⚙</span> Under maintenance" in grafana
    kuma = html[html.index('id="service-uptime-kuma"'):]
    assert "(data for 22%)" in kuma  # a service added 20 days ago: its gap is not counted as up


def test_user_reports_hide_untrusted_titles(site: Path) -> None:
    html = section(text(site, "index.html"), "reports")
    assert "Report from a visitor" in html and "awaiting review" in html
    assert "onerror" not in html and "&lt;img" not in html
    assert "Home Assistant app disconnects" in html


def test_recently_resolved_incidents_link_their_post_mortem(site: Path) -> None:
    html = section(text(site, "index.html"), "resolved")
    assert '<a href="post-mortems/2026-11-21-authentik-login/">Read the post-mortem</a>' in html
    assert "Grafana dashboards load slowly" in html and "none needed" in html
    assert "Mail not sending" not in html  # closed three weeks ago


def test_the_page_has_a_csp_report_link_and_works_without_scripts(site: Path) -> None:
    html = text(site, "index.html")
    assert '<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;' in html
    assert '<a class="button" href="https://github.com/acme-homelab/infra/issues/new?template=outage-report.yml"' \
        in html
    assert html.count("<script") == 1 and '<script src="stale.js" defer></script>' in html
    assert "<noscript>If that is more than 15 minutes ago" in html


def test_status_json_validates_against_the_statuspage_summary_schema(site: Path) -> None:
    summary = json.loads(text(site, "status.json"))
    validator = Draft202012Validator(json.loads(SCHEMA.read_text()), format_checker=FormatChecker())
    assert [e.message for e in validator.iter_errors(summary)] == []
    assert summary["status"] == {"indicator": "major", "description": "Partial outage"}
    assert [i["id"] for i in summary["incidents"]] == ["issue-42"]
    assert [m["status"] for m in summary["scheduled_maintenances"]] == ["in_progress", "scheduled"]
    components = {c["id"]: c["status"] for c in summary["components"]}
    assert components["nextcloud"] == "major_outage" and components["grafana"] == "under_maintenance"
    assert components["tier-critical"] == "major_outage"


def test_the_schema_rejects_what_statuspage_would_not_send() -> None:
    validator = Draft202012Validator(json.loads(SCHEMA.read_text()))
    assert not validator.is_valid({"page": {}, "status": {"indicator": "fine"}, "components": [{}],
                                   "incidents": [], "scheduled_maintenances": []})


def test_feed_atom_is_a_valid_atom_feed(site: Path) -> None:
    feed = ElementTree.fromstring((site / "feed.atom").read_bytes())  # noqa: S314 - our own build output
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None
    assert feed.find(f"{ATOM}link[@rel='self']") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries][:2] == [
        "[Identified] Partial outage: Nextcloud returns 502 Bad Gateway",
        "[Resolved] Major outage: Cannot log in anywhere (Authentik)",
    ]
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert entry.findtext(f"{ATOM}{required}")
        assert entry.find(f"{ATOM}content").get("type") == "html"  # type: ignore[union-attr]
    assert len({e.findtext(f"{ATOM}id") for e in entries}) == len(entries)


def test_badges_follow_the_shields_endpoint_schema(site: Path) -> None:
    badge = json.loads(text(site, "badges/nextcloud.json"))
    assert badge == {"schemaVersion": 1, "label": "Nextcloud", "message": "down", "color": "red",
                     "cacheSeconds": 300}
    assert json.loads(text(site, "badge.json"))["message"] == "partial outage"


def test_the_404_page_links_back_with_site_absolute_paths(site: Path) -> None:
    html = text(site, "404.html")
    assert '<link rel="stylesheet" href="/style.css">' in html
    assert '<a href="/">Go to the current status of all services</a>' in html


def test_index_html_stays_small(site: Path) -> None:
    assert len(gzip.compress((site / "index.html").read_bytes())) < 200_000


def test_the_post_mortem_site_is_copied_under_post_mortems(tmp_path: Path) -> None:
    built = tmp_path / "site-build"
    (built / "2026-11-21-authentik-login").mkdir(parents=True)
    (built / "index.html").write_text("<h1>Post-mortems</h1>")
    (built / "2026-11-21-authentik-login" / "index.html").write_text("<h1>Authentik</h1>")
    (built / "escape").symlink_to("/etc")
    out = build_example(tmp_path / "public", "--postmortems", str(built))
    assert (out / "post-mortems" / "2026-11-21-authentik-login" / "index.html").read_text() == "<h1>Authentik</h1>"
    assert not (out / "post-mortems" / "escape").exists()
    assert '<a href="post-mortems/">Post-mortems</a>' in text(out, "index.html")


def test_a_rebuild_replaces_the_previous_build(tmp_path: Path) -> None:
    out = build_example(tmp_path / "public")
    (out / "stale-file.txt").write_text("from an older build")
    build_example(out)
    assert not (out / "stale-file.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["public"]  # no staging directories left behind


def test_a_directory_that_is_not_a_build_is_never_replaced(tmp_path: Path) -> None:
    precious = tmp_path / "docs"
    precious.mkdir()
    (precious / "notes.md").write_text("keep me")
    code, _, stderr = run("build", "--config", str(EXAMPLE_CONFIG), "--out", str(precious), "--issues-file",
                          str(EXPORT), "--history-file", str(HISTORY), "--no-probe")
    assert code == 2 and "is not a status page build; refusing to replace it" in stderr
    assert (precious / "notes.md").read_text() == "keep me"


@pytest.mark.parametrize("content, message", [
    ("{", "not valid JSON"),
    ('{"issues": {}}', "expected a mapping with an 'issues' list"),
    ('{"issues": [{"title": "no number"}]}', "1 entries are not issues or comment lists: issues[0]"),
    ('{"issues": [], "comments": {"x": []}}', "comments.x"),
])
def test_a_bad_export_is_a_clear_input_error(tmp_path: Path, content: str, message: str) -> None:
    export = tmp_path / "export.json"
    export.write_text(content)
    code, _, stderr = run("build", "--config", str(EXAMPLE_CONFIG), "--out", str(tmp_path / "out"),
                          "--issues-file", str(export), "--no-probe", "--previous", "none")
    assert code == 2 and message in stderr and "Traceback" not in stderr
    assert not (tmp_path / "out").exists()


def test_building_from_github_needs_a_token(tmp_path: Path) -> None:
    code, _, stderr = run("build", "--config", str(EXAMPLE_CONFIG), "--out", str(tmp_path / "out"),
                          "--no-probe", "--previous", "none")
    assert code == 1 and "no GitHub token" in stderr


def test_live_probes_and_uptime_kuma_feed_the_page_and_the_history(tmp_path: Path) -> None:
    import yaml

    from tests.support.http_services import closed_port_url, serving

    kuma_dir = FIXTURES / "uptime-kuma"
    with serving() as services:
        raw = yaml.safe_load(EXAMPLE_CONFIG.read_text())
        urls = {
            "dns": services.add("/dns", body="ok"),
            "traefik": services.add("/ping", body="OK"),
            "nextcloud": services.add("/status.php", status=502, body="Bad Gateway"),
            "immich": services.add("/api/server/ping", body="pong", delay=0.3),
            "mail": closed_port_url("/health"),
        }
        services.add("/api/status-page/homelab", body=(kuma_dir / "status-page.json").read_text())
        services.add("/api/status-page/heartbeat/homelab", body=(kuma_dir / "heartbeat.json").read_text())
        for service in raw["services"]:
            service.pop("url", None)
            service.pop("expect", None)
            if service["name"] in urls:
                service["url"] = urls[service["name"]]
                service["expect"] = {"timeout_seconds": 2}
        raw["services"][5]["expect"]["slow_ms"] = 100
        raw["statuspage"]["sources"] = [{"type": "uptime-kuma", "url": services.base, "slug": "homelab",
                                         "monitors": {"Technitium DNS": "dns"}}]
        config = tmp_path / "responder.yml"
        config.write_text(yaml.safe_dump(raw))
        argv = ["build", "--config", str(config), "--issues-file", str(EXPORT), "--previous", "none",
                "--now", "2026-11-23T14:58:30Z"]
        code, _, stderr = run(*argv, "--out", str(tmp_path / "one"))
        assert code == 0, stderr
        code, _, stderr = run(*argv[:-4], "--previous", str(tmp_path / "one"), "--now", "2026-11-23T15:03:00Z",
                              "--out", str(tmp_path / "two"))
        assert code == 0, stderr
    # A long build tells its progress on stderr: a line per stage, with counts and the time it took (#14, item 12).
    stages = [line.split(": ", 1)[1].rsplit(" in ", 1)[0] for line in stderr.splitlines() if line.endswith(" s")]
    assert stages == ["read 10 issues", f"probed {len(raw['services'])} services",
                      f"read 1 monitors of {services.base}", "assembled the page", "rendered and wrote 23 files"]
    status = json.loads((tmp_path / "two" / "status.json").read_text())
    components = {c["id"]: c["status"] for c in status["components"]}
    assert components["traefik"] == "operational"
    assert components["nextcloud"] == "major_outage"
    assert components["immich"] == "degraded_performance"
    assert components["mail"] == "major_outage"
    assert "woodpecker" not in components  # no URL and no monitor: not called operational
    recorded = json.loads((tmp_path / "two" / "data" / "history.json").read_text())["services"]
    from statuspage.model.history import decode_day

    nextcloud = decode_day(recorded["nextcloud"]["days"]["2026-11-23"])
    assert nextcloud is not None and nextcloud.count("x") >= 2  # both builds' probes are kept
    dns = decode_day(recorded["dns"]["days"]["2026-11-23"])
    assert dns is not None and dns[179] == "m"  # Kuma's maintenance heartbeat at 14:58


def test_reminders_and_escalations_reach_neither_the_page_nor_the_feed(tmp_path: Path) -> None:
    export = json.loads(EXPORT.read_text())
    bot = export["comments"]["42"][0]
    state = read_marker(bot["body"])
    assert state is not None
    internal = (JournalEntry("2026-11-23T14:36:00Z", "reminder", "Update due (SEV2: every 30 min).", ""),
                JournalEntry("2026-11-23T14:40:00Z", "escalated", "No root cause: escalated to a person.", ""))
    bot["body"] = bot["body"].replace(render_marker(state), render_marker(state.with_entries(internal)))
    export["comments"]["42"].append({**bot, "id": 1, "body": "The responder's job failed: see the run log."})
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))
    code, _, err = run("build", "--config", str(EXAMPLE_CONFIG), "--out", str(tmp_path / "site"), "--issues-file",
                       str(path), "--history-file", str(HISTORY), "--no-probe", "--now", NOW)
    assert code == 0, err
    feed = ElementTree.fromstring((tmp_path / "site" / "feed.atom").read_bytes())  # noqa: S314
    published = [ElementTree.tostring(feed, encoding="unicode"), text(tmp_path / "site", "index.html"),
                 text(tmp_path / "site", "status.json")]
    for words in ("Update due", "escalated to a person", "job failed"):
        assert not [page for page in published if words in page], words
    assert "2 of 3 pods are not ready" in published[0]  # the responder's public summary is still there


def test_without_a_repository_in_the_config_the_workflows_repository_is_used(tmp_path: Path) -> None:
    config = tmp_path / "responder.yml"
    config.write_text("\n".join(line for line in EXAMPLE_CONFIG.read_text(encoding="utf-8").splitlines()
                                if not line.startswith("repository:")) + "\n", encoding="utf-8")
    argv = ["build", "--config", str(config), "--issues-file", str(EXPORT), "--history-file", str(HISTORY),
            "--no-probe", "--now", NOW, "--previous", "none"]
    pages = {}
    for name, env in (("bare", {}), ("actions", {"GITHUB_REPOSITORY": "acme-homelab/infra"})):
        err = io.StringIO()
        code = main([*argv, "--out", str(tmp_path / name)], env=env, stdout=io.StringIO(), stderr=err)
        assert code == 0, err.getvalue()
        pages[name] = (tmp_path / name / "index.html").read_text(encoding="utf-8")
    assert "github.com/acme-homelab/infra/issues/new" in pages["actions"]
    assert "github.com/acme-homelab/infra/issues/new" not in pages["bare"]


def test_a_first_local_build_warns_that_the_previous_site_is_unreachable_and_starts_a_new_history(
        tmp_path: Path) -> None:
    import yaml

    from tests.support.http_services import closed_port_url

    raw = yaml.safe_load(EXAMPLE_CONFIG.read_text())
    raw["statuspage"]["url"] = site_url = closed_port_url().rstrip("/")
    config = tmp_path / "responder.yml"
    config.write_text(yaml.safe_dump(raw))
    argv = ["build", "--config", str(config), "--issues-file", str(EXPORT), "--no-probe", "--now", NOW]

    code, _, stderr = run(*argv, "--out", str(tmp_path / "local"))
    assert code == 0, stderr
    warnings = [line for line in stderr.splitlines() if "warning" in line]
    assert warnings == [f"statuspage: warning: the previous history could not be read from {site_url}"
                        "/data/history.json: connection refused; starting a new history"]
    assert json.loads(text(tmp_path / "local", "data/history.json"))["services"] == {}

    # In CI the page is about to replace the live one: the build stops instead, and says how to go on.
    for env in ({"CI": "true"}, {}):
        out, err = io.StringIO(), io.StringIO()
        extra = ["--require-previous"] if not env else []
        code = main([*argv, *extra, "--out", str(tmp_path / "ci")], env=env, stdout=out, stderr=err)
        assert code == 1, err.getvalue()
        assert "statuspage: error: the previous history could not be read" in err.getvalue()
        assert "statuspage: hint: Retry later, or pass --no-require-previous" in err.getvalue()
        assert not (tmp_path / "ci").exists()
    err = io.StringIO()
    code = main([*argv, "--no-require-previous", "--out", str(tmp_path / "ci")], env={"CI": "true"},
                stdout=io.StringIO(), stderr=err)
    assert code == 0 and "starting a new history" in err.getvalue()


def test_a_first_build_says_no_data_yet_rather_than_a_made_up_100_percent(tmp_path: Path) -> None:
    import re

    import yaml

    from tests.support.http_services import serving

    raw = yaml.safe_load(EXAMPLE_CONFIG.read_text())
    with serving() as services:
        for service in raw["services"]:
            service["url"] = services.add(f"/{service['name']}", body="ok")
            service["expect"] = {"timeout_seconds": 2}
        config = tmp_path / "responder.yml"
        config.write_text(yaml.safe_dump(raw))
        code, _, stderr = run("build", "--config", str(config), "--issues-file", str(EXPORT), "--previous", "none",
                              "--now", NOW, "--out", str(tmp_path / "site"))
    assert code == 0, stderr
    html = text(tmp_path / "site", "index.html")
    uptime = re.findall(r'<dl class="uptime">(.*?)</dl>', html, re.DOTALL)
    assert len(uptime) == 11
    for block in uptime:  # one check each: the services are operational, but there is no uptime to speak of yet
        assert "<dt>Uptime</dt><dd>No data yet</dd>" in block and "%</dd>" not in block
        assert "%" not in block.split("(SLO", 1)[-1].split("</dt>", 1)[-1]
    assert "data for 0%" not in html and "% up" not in html
    assert "too little data yet for a percentage" in html
    for name in ("status.json", "badge.json", "badges/nextcloud.json"):
        assert "%" not in text(tmp_path / "site", name), name


def test_the_workflows_cadence_sets_the_check_interval_and_when_the_page_is_stale(tmp_path: Path) -> None:
    """The one scheduled workflow passes its cadence: a page built every 15 minutes is stale after 35."""
    build_example(tmp_path / "fifteen", "--cadence", "15")
    assert 'data-stale-after="35"' in (tmp_path / "fifteen" / "index.html").read_text()
    build_example(tmp_path / "five", "--cadence", "5")
    assert 'data-stale-after="15"' in (tmp_path / "five" / "index.html").read_text()  # the configured 15 stays
    with pytest.raises(SystemExit) as refused:  # argparse: one usage line and the error, exit 2
        run("build", "--config", str(EXAMPLE_CONFIG), "--out", str(tmp_path / "x"), "--cadence", "0")
    assert refused.value.code == 2
