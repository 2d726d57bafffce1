"""Demo part: build the status page offline from a saved export and a history file.

`statuspage build --issues-file examples/statuspage/issues.json --history-file
examples/statuspage/history.json --no-probe --now 2026-11-23T15:00:00Z` replays
the moment the export was saved: no GitHub, no probes, no network. A page built
for a moment long past tells its visitors it is stale, so the demo moves every
date of the export and the history forward by whole days, to the last such
moment before now, and builds the page now.
"""

from __future__ import annotations

import io
import json
import re
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from statuspage.cli import main

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "responder.yml"
EXPORT = HERE / "statuspage" / "issues.json"
HISTORY = HERE / "statuspage" / "history.json"
SAVED_AT = "2026-11-23T15:00:00Z"


_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def moved(value: Any, days: int) -> Any:
    """The JSON value with every date in it (keys, ISO times, dates in text) `days` days later."""
    def shift(text: str) -> str:
        def one(match: re.Match[str]) -> str:
            try:
                return (date(*map(int, match.groups())) + timedelta(days=days)).isoformat()
            except ValueError:
                return match.group(0)
        return _DATE.sub(one, text)

    if isinstance(value, str):
        return shift(value)
    if isinstance(value, list):
        return [moved(item, days) for item in value]
    if isinstance(value, dict):
        return {shift(key): moved(item, days) for key, item in value.items()}
    return value


def statuspage_demo(rule: Callable[[str], None], now: datetime | None = None) -> None:
    rule("Part 5, status page: built offline from a saved export")
    demo_dir = Path(tempfile.gettempdir()) / "issueops-responder-demo"
    out = demo_dir / "public"
    saved = datetime.fromisoformat(SAVED_AT.replace("Z", "+00:00"))
    current = (now or datetime.now(UTC)).replace(second=0, microsecond=0)
    days = max(0, (current - saved).days)  # whole days: the history's day slots stay aligned
    inputs = demo_dir / "input"
    inputs.mkdir(parents=True, exist_ok=True)
    export, history = inputs / "issues.json", inputs / "history.json"
    for source, target in ((EXPORT, export), (HISTORY, history)):
        target.write_text(json.dumps(moved(json.loads(source.read_text(encoding="utf-8")), days)), encoding="utf-8")
    built_at = max(current, saved + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    print(f"the export's dates moved forward {days} days, so the page is built now ({built_at}) and reads as live")
    argv = ["build", "--config", str(CONFIG), "--out", str(out), "--issues-file", str(export),
            "--history-file", str(history), "--no-probe", "--now", built_at]
    stdout, stderr = io.StringIO(), io.StringIO()
    if main(argv, env={}, stdout=stdout, stderr=stderr) != 0:
        print(stderr.getvalue(), file=sys.stderr)
        raise SystemExit(1)
    summary = json.loads((out / "status.json").read_text())
    print(f"headline: {summary['status']['description']} (indicator {summary['status']['indicator']})")
    for incident in summary["incidents"]:
        print(f"  active incident {incident['id']}: {incident['name']} [{incident['status']}, {incident['impact']}]")
    for window in summary["scheduled_maintenances"]:
        print(f"  maintenance {window['id']}: {window['name']} [{window['status']}]")
    troubled = [c for c in summary["components"] if not c["group"] and c["status"] != "operational"]
    for component in troubled:
        print(f"  {component['name']}: {component['status']}")
    print(stdout.getvalue().strip())
    print(f"open {out / 'index.html'} in a browser; also status.json, feed.atom, badges/*.json, 404.html")
    print("Replay the saved moment itself with:")
    print("  .venv/bin/statuspage build --config examples/responder.yml --out public/ --issues-file "
          "examples/statuspage/issues.json --history-file examples/statuspage/history.json --no-probe "
          f"--now {SAVED_AT}")
