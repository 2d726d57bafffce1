"""Demo part: build the status page offline from a saved export and a history file.

`statuspage build --issues-file examples/statuspage/issues.json --history-file
examples/statuspage/history.json --no-probe` replays the moment the export was
saved (23 Nov 2026, 15:00 UTC): no GitHub, no probes, no network.
"""

from __future__ import annotations

import io
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from statuspage.cli import main

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "responder.yml"
EXPORT = HERE / "statuspage" / "issues.json"
HISTORY = HERE / "statuspage" / "history.json"
SAVED_AT = "2026-11-23T15:00:00Z"


def statuspage_demo(rule: Callable[[str], None]) -> None:
    rule("Part 5, status page: built offline from a saved export")
    out = Path(tempfile.gettempdir()) / "issueops-responder-demo" / "public"
    argv = ["build", "--config", str(CONFIG), "--out", str(out), "--issues-file", str(EXPORT),
            "--history-file", str(HISTORY), "--no-probe", "--now", SAVED_AT]
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
    print("Replay it with:")
    print("  statuspage build --config examples/responder.yml --out public/ --issues-file "
          "examples/statuspage/issues.json --history-file examples/statuspage/history.json --no-probe "
          f"--now {SAVED_AT}")
