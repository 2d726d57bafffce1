"""Benchmark of the post-mortem stage (figures in the README, "Post-mortems").

Measures, on this machine:
- rendering the post-mortem of an incident with 2,000 timeline entries (timeline, facts and
  document; median of several runs), and regenerating it over an existing version;
- regenerating the index over 500 post-mortems;
- building the site with 500 post-mortems with the real `mkdocs build --strict`.

Run: .venv/bin/python bench/postmortem.py  (needs the dev or site extra for mkdocs-material)
"""

from __future__ import annotations

import copy
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from postmortem.document.file import compose, file_name, parse_document  # noqa: E402
from postmortem.model.incident import describe_incident  # noqa: E402
from postmortem.site.build import build_site, copy_without_postmortems, mkdocs_available  # noqa: E402
from postmortem.site.collection import index_text  # noqa: E402
from postmortem.site.layout import load_settings  # noqa: E402
from responder.adapters.files import write_if_changed  # noqa: E402
from responder.adapters.github.export import parse_export  # noqa: E402
from responder.config.loader import load_config  # noqa: E402
from responder.model.state import IssueState, JournalEntry, read_marker, render_marker  # noqa: E402

CONFIG = ROOT / "examples" / "responder.yml"
EXPORT = ROOT / "tests" / "fixtures" / "postmortem" / "nextcloud-sev2.export.json"
START = datetime(2026, 11, 23, 14, 5, tzinfo=UTC)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def large_export(entries: int = 2000) -> dict[str, Any]:
    """The recorded SEV2 incident, stretched to `entries` timeline entries over 20 hours."""
    raw: dict[str, Any] = json.loads(EXPORT.read_text(encoding="utf-8"))
    base_comment, base_event = raw["comments"][1], raw["events"][0]
    journal = [JournalEntry(stamp(START + timedelta(seconds=36 * i)), "finding", f"Probe {i}: 502 Bad Gateway")
               for i in range(300)]
    journal.append(JournalEntry(stamp(START + timedelta(hours=20)), "recovered", "Back."))
    state = read_marker(raw["comments"][0]["body"]) or IssueState()
    raw["comments"][0]["body"] = "### SEV2\n\n" + render_marker(
        IssueState(kind=state.kind, outcome=state.outcome, severity=state.severity, journal=tuple(journal)))
    raw["comments"], raw["events"] = raw["comments"][:1], []
    people = (entries - len(journal) - 2) // 2
    for i in range(people):
        comment = copy.deepcopy(base_comment)
        comment.update({"id": 10_000_000 + i, "created_at": stamp(START + timedelta(seconds=30 * i + 7)),
                        "body": f"Update {i}: still **502** for <b>me</b> | see `logs` #{i} @ops"})
        raw["comments"].append(comment)
    for i in range(entries - len(journal) - 2 - people):
        event = copy.deepcopy(base_event)
        event.update({"id": 20_000_000 + i, "created_at": stamp(START + timedelta(seconds=30 * i + 11)),
                      "event": "labeled" if i % 2 else "unlabeled"})
        raw["events"].append(event)
    raw["issue"]["closed_at"] = stamp(START + timedelta(hours=21))
    return raw


def bench_render(rounds: int = 7) -> dict[str, float]:
    config = load_config(CONFIG)
    export = parse_export(large_export())
    timings, regen = [], []
    text = compose(describe_incident(export, config), existing=None, link=None, default_owner=None).text  # warm up
    for _ in range(rounds):
        start = time.perf_counter()
        incident = describe_incident(export, config)
        text = compose(incident, existing=None, link=None, default_owner=None).text
        timings.append(time.perf_counter() - start)
    existing = parse_document(text)
    for _ in range(rounds):
        start = time.perf_counter()
        compose(describe_incident(export, config), existing=existing, link=None, default_owner=None)
        regen.append(time.perf_counter() - start)
    return {"entries": len(incident.timeline.entries), "median_ms": statistics.median(timings) * 1000,
            "regenerate_ms": statistics.median(regen) * 1000, "kib": len(text.encode()) / 1024}


def write_many(site: Path, count: int = 500) -> None:
    config = load_config(CONFIG)
    settings = load_settings(config, site)
    raw = json.loads(EXPORT.read_text(encoding="utf-8"))
    for i in range(count):
        day = START - timedelta(days=i)
        text = json.dumps(raw).replace("2026-11-23", day.strftime("%Y-%m-%d"))
        export = json.loads(text)
        export["issue"].update({"number": 1000 + i, "title": f"Incident {i}: Nextcloud 502 <again> & again"})
        incident = describe_incident(parse_export(export), config)
        write_if_changed(settings.postmortems_dir / file_name(incident),
                   compose(incident, existing=None, link=None, default_owner=None).text)


def bench_site(count: int = 500) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        site = copy_without_postmortems(ROOT / "site", Path(tmp) / "site")
        start = time.perf_counter()
        write_many(site, count)
        written = time.perf_counter() - start
        settings = load_settings(load_config(CONFIG), site)
        start = time.perf_counter()
        write_if_changed(settings.index_path, index_text(settings))
        indexed = time.perf_counter() - start
        result = {"count": count, "write_s": written, "index_s": indexed}
        if mkdocs_available():
            start = time.perf_counter()
            built = build_site(site)
            result["build_s"] = time.perf_counter() - start
            result["pages"] = built.pages
        return result


def main() -> int:
    render = bench_render()
    print(f"render, {render['entries']} timeline entries: median {render['median_ms']:.0f} ms "
          f"({render['kib']:.0f} KiB of Markdown); regenerate over the existing file: "
          f"{render['regenerate_ms']:.0f} ms")
    site = bench_site()
    print(f"write {site['count']} post-mortems: {site['write_s']:.1f} s; index over them: "
          f"{site['index_s'] * 1000:.0f} ms")
    if "build_s" in site:
        print(f"mkdocs build --strict with {site['count']} post-mortems: {site['build_s']:.1f} s "
              f"({site['pages']:.0f} pages)")
    else:
        print("mkdocs-material is not installed: site build not measured (pip install 'issueops-responder[site]')")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
