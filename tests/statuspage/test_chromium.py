"""A real headless Chromium opens the built page from a local HTTP server."""

from __future__ import annotations

import io
import os
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from statuspage.cli import main
from tests.conftest import EXAMPLE_CONFIG, ROOT
from tests.support.chromium import INSTALL_HINT, chromium, errors_in, find_chromium, screenshot, set_clock
from tests.support.static_site import serving_directory

EXPORT = ROOT / "examples" / "statuspage" / "issues.json"
HISTORY = ROOT / "examples" / "statuspage" / "history.json"
DOCS_SCREENSHOT = ROOT / "docs" / "statuspage.png"
FIRST_BUILD_SCREENSHOT = ROOT / "docs" / "statuspage-first-build.png"
# What a visitor must never read: severities, the issue forms' title prefixes, tier names.
JARGON = re.compile(r"\bSEV\s?[1-4]\b|\[(Outage|Maintenance|Request)\]|\b(core|critical|standard|low)\b", re.IGNORECASE)
# The export's own moment: every page is built at it, and the browser's clock is set from it.
EXPORT_MOMENT = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def browser_binary() -> str:
    binary = find_chromium()
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is missing in CI: {INSTALL_HINT}")
        pytest.skip(f"Chromium is not installed: {INSTALL_HINT}")
    return binary


def build(out: Path, now: datetime) -> Path:
    err = io.StringIO()
    code = main(["build", "--config", str(EXAMPLE_CONFIG), "--out", str(out), "--issues-file", str(EXPORT),
                 "--history-file", str(HISTORY), "--no-probe", "--now", now.strftime("%Y-%m-%dT%H:%M:%SZ")],
                env={}, stdout=io.StringIO(), stderr=err)
    assert code == 0, err.getvalue()
    return out


def open_page(tools: Any, session: str, url: str) -> None:
    tools.send("Page.navigate", {"url": url}, session)
    tools.wait_for("Page.loadEventFired")
    tools.drain(0.5)


def evaluate(tools: Any, session: str, expression: str) -> Any:
    return tools.send("Runtime.evaluate", {"expression": expression, "returnByValue": True},
                      session)["result"].get("value")


def test_the_page_renders_without_errors_and_reads_without_javascript(browser_binary: str, tmp_path: Path) -> None:
    # Built at the export's moment and opened 47 minutes later by the visitor's clock:
    # the optional script must say the page is stale.
    build(tmp_path / "public" / "stale", EXPORT_MOMENT)
    with serving_directory(tmp_path / "public") as root, chromium(browser_binary, height=2200) as (tools, session):
        base = f"{root}/stale"
        for domain in ("Page", "Runtime", "Log"):
            tools.send(f"{domain}.enable", {}, session)
        set_clock(tools, session, EXPORT_MOMENT + timedelta(minutes=47))
        open_page(tools, session, f"{base}/index.html")
        assert errors_in(tools.events) == []
        assert evaluate(tools, session, "document.title") == "Partial outage · Service status"
        assert evaluate(tools, session, "getComputedStyle(document.querySelector('.bars li.o')).backgroundColor") \
            not in ("", "rgba(0, 0, 0, 0)")  # the stylesheet loaded under the CSP
        stale = evaluate(tools, session, "document.getElementById('freshness').innerText")
        assert "This page has not been updated for 47 minutes" in stale
        assert evaluate(tools, session, "document.getElementById('freshness').className") == "freshness is-stale"

        tools.events.clear()
        tools.send("Emulation.setScriptExecutionDisabled", {"value": True}, session)
        open_page(tools, session, f"{base}/index.html")
        assert errors_in(tools.events) == []
        document = tools.send("DOM.getDocument", {"depth": -1}, session)["root"]
        html = tools.send("DOM.getOuterHTML", {"nodeId": document["nodeId"]}, session)["outerHTML"]
        assert "Partial outage" in html and "The PostgreSQL connection pool is exhausted." in html
        assert "If that is more than 15 minutes ago, the data may be out of date." in html
        assert "This page has not been updated" not in html  # the script did not run

        tools.send("Accessibility.enable", {}, session)
        nodes = tools.send("Accessibility.getFullAXTree", {}, session)["nodes"]
        names = {str((node.get("name") or {}).get("value", "")) for node in nodes}
        assert any(name.startswith("Nextcloud: the last 90 days") for name in names)
        assert any(name.startswith("Today (") and "% up" in name for name in names)

        open_page(tools, session, f"{base}/index.html")  # as a visitor without JavaScript sees it
        assert errors_in(tools.events) == []
        assert JARGON.findall(evaluate(tools, session, "document.body.innerText")) == []
        shot = tmp_path / "statuspage.png"
        screenshot(tools, session, shot, width=1200, height=2200)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
        if os.environ.get("UPDATE_SCREENSHOT"):
            DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
            shutil.copyfile(shot, DOCS_SCREENSHOT)


def test_a_fresh_page_shows_no_warning_and_missing_paths_get_the_404_page(browser_binary: str,
                                                                          tmp_path: Path) -> None:
    site = build(tmp_path / "public", EXPORT_MOMENT)
    with serving_directory(site) as base, chromium(browser_binary) as (tools, session):
        for domain in ("Page", "Runtime", "Log"):
            tools.send(f"{domain}.enable", {}, session)
        set_clock(tools, session, EXPORT_MOMENT + timedelta(minutes=2))
        open_page(tools, session, f"{base}/index.html")
        assert errors_in(tools.events) == []
        assert evaluate(tools, session, "document.getElementById('freshness').className") == "freshness"
        assert_every_state_is_drawn_alike_but_patterned_apart(tools, session)
        tools.events.clear()
        open_page(tools, session, f"{base}/no/such/page")
        problems = [p for p in errors_in(tools.events) if "/no/such/page" not in p]  # the 404 itself is expected
        assert problems == []
        assert evaluate(tools, session, "document.querySelector('h1').innerText") == "This page does not exist"


def test_a_first_build_reads_no_data_yet_and_no_internal_jargon(browser_binary: str, tmp_path: Path) -> None:
    """A new user's first local build: the live site at statuspage.url does not exist yet, each service has
    been checked once, and the export's incidents carry severities, form prefixes and tier-worded reasons."""
    import yaml

    from tests.support.http_services import closed_port_url, serving

    raw = yaml.safe_load(EXAMPLE_CONFIG.read_text())
    raw["statuspage"]["url"] = closed_port_url().rstrip("/")
    with serving() as services:
        for service in raw["services"]:
            down = service["name"] == "nextcloud"
            service["url"] = services.add(f"/{service['name']}", status=502 if down else 200,
                                          body="Bad Gateway" if down else "ok")
            service["expect"] = {"timeout_seconds": 2}
        config = tmp_path / "responder.yml"
        config.write_text(yaml.safe_dump(raw))
        err = io.StringIO()
        code = main(["build", "--config", str(config), "--out", str(tmp_path / "public"), "--issues-file", str(EXPORT),
                     "--now", EXPORT_MOMENT.strftime("%Y-%m-%dT%H:%M:%SZ")], env={}, stdout=io.StringIO(), stderr=err)
    assert code == 0, err.getvalue()
    assert "could not be read" in err.getvalue() and "starting a new history" in err.getvalue()

    with serving_directory(tmp_path / "public") as base, chromium(browser_binary, height=2200) as (tools, session):
        for domain in ("Page", "Runtime", "Log"):
            tools.send(f"{domain}.enable", {}, session)
        tools.send("Emulation.setScriptExecutionDisabled", {"value": True}, session)
        open_page(tools, session, f"{base}/index.html")
        assert errors_in(tools.events) == []
        page = evaluate(tools, session, "document.body.innerText")
        uptime = evaluate(tools, session, "[...document.querySelectorAll('dl.uptime')].map(e => e.innerText)")
        shot = tmp_path / "statuspage-first-build.png"
        screenshot(tools, session, shot, width=1200, height=2200)
    assert JARGON.findall(page) == []
    assert "Partial outage Nextcloud returns 502 Bad Gateway" in page  # the impact, not SEV2, and no "[Outage]: "
    assert "Impact assessed: partial outage." in page and "Grafana storage migration" in page
    assert "Infrastructure" in page and "Main services" in page
    assert len(uptime) == 11 and all("No data yet" in block and "%" not in block.split("SLO")[0] for block in uptime)
    assert "100%" not in page and "data for 0%" not in page
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
    if os.environ.get("UPDATE_SCREENSHOT"):
        shutil.copyfile(shot, FIRST_BUILD_SCREENSHOT)


def assert_every_state_is_drawn_alike_but_patterned_apart(tools: Any, session: str) -> None:
    """The legend's swatches, and the days of the bars, have one size whatever the state (a major outage is no
    smaller a mark than a partial one), and each state has its own pattern, not only its own colour."""
    swatches = evaluate(tools, session, """[...document.querySelectorAll('.legend li')].map(li => {
        const swatch = li.querySelector('.swatch'), box = swatch.getBoundingClientRect();
        const css = getComputedStyle(swatch);
        return [li.innerText.trim(), box.width, box.height, css.backgroundImage, css.borderStyle];
    })""")
    assert [name for name, *_ in swatches] == ["Operational", "Degraded", "Partial outage", "Major outage",
                                               "Maintenance", "No data"]
    assert len({(width, height) for _, width, height, *_ in swatches}) == 1, swatches
    assert len({(image, border) for *_, image, border in swatches}) == len(swatches), swatches
    days = evaluate(tools, session, """[...document.querySelectorAll('.bars li')].map(
        li => [li.className, li.getBoundingClientRect().height])""")
    assert {css for css, _ in days} >= {"o", "p", "x", "m", "n"}
    assert len({height for _, height in days}) == 1
