"""The stages agree on what they hand each other.

The post-mortem flow records the published link in the responder's state;
the status page takes the link of a resolved incident from that state alone.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from responder.cli.main import main
from statuspage.cli import main as statuspage_main
from tests.support import events
from tests.support.github_api import FakeGitHub
from tests.support.infra_repo import load_export, make_infra_repo


def test_a_closed_incidents_post_mortem_link_reaches_the_status_page(tmp_path: Path, github: FakeGitHub) -> None:
    repo = make_infra_repo(tmp_path)
    export = load_export()
    github.add_export(export)
    payload = events.issues_event("closed", number=42)
    payload["issue"] = export["issue"]
    payload["sender"] = events.user("vbarzin")
    event = events.write(tmp_path, payload)
    err = io.StringIO()
    code = main(["handle", "--config", str(repo.root / "responder.yml"), "--event", str(event)],
                env={"GITHUB_TOKEN": "ghs_" + "s" * 36, "RESPONDER_GITHUB_WRITE_INTERVAL": "0"},
                stdout=io.StringIO(), stderr=err)
    assert code == 0, err.getvalue()

    # What the status page would list from GitHub, saved in GitHub's REST shapes.
    issue = {k: v for k, v in github.issues[42].data.items() if not k.startswith("_")}
    issues_file = tmp_path / "issues.json"
    issues_file.write_text(json.dumps({"issues": [issue], "comments": {"42": github.issues[42].comments}}))
    out = tmp_path / "public"
    err = io.StringIO()
    code = statuspage_main(["--config", str(repo.root / "responder.yml"), "build", "--out", str(out),
                            "--issues-file", str(issues_file), "--no-probe", "--previous", "none",
                            "--now", "2026-11-24T09:00:00Z"], env={}, stdout=io.StringIO(), stderr=err)
    assert code == 0, err.getvalue()
    link = "https://status.acme-homelab.org/post-mortems/2026-11-23-nextcloud-502-since-14-00/"
    assert f'href="{link}"' in (out / "index.html").read_text(encoding="utf-8")
    assert link in (out / "feed.atom").read_text(encoding="utf-8")
