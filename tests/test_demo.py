"""`make demo` as a new user sees it: it runs, and what it prints is right and still there afterwards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from tests.conftest import ROOT


def test_the_demo_runs_and_says_what_it_did(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    run = subprocess.run([sys.executable, str(ROOT / "examples" / "demo.py")], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    out = run.stdout
    lines = out.splitlines()
    # The guarded Terraform part really plans and applies (terraform is found on the machine's PATH).
    feature = lines.index(next(line for line in lines if line.startswith("── a. feature request #105")))
    assert lines[feature + 1] == "  responder handle --offline → outcome done"
    assert "not installed or not on PATH" not in out
    # A problem contained to the reported service is good news about the rest.
    assert "  ✅ [blast-radius] Only nextcloud is down; the other 10 probed services answer." in lines
    assert not [line for line in lines if "❌ [blast-radius] Only" in line]
    # Headings never conjugate a service title.
    assert "  → comment: ### 🟢 Grafana dashboards: healthy, closing this report" in lines
    assert "looks healthy" not in out
    # A bad deploy is rolled back through guarded Terraform, and the re-probe confirms it (#16).
    rollback = lines.index(next(line for line in lines if line.startswith("── #103 Immich answers 503")))
    assert lines[rollback + 1] == "outcome fixed  severity SEV2"
    assert "  remedy: rollback (roll back immich from v1.999.0 to v1.121.0)" in lines
    assert any(line.startswith("  commit ") and line.endswith(
        "by issueops-responder: fix: roll back immich from v1.999.0 to v1.121.0 (fixes #103)") for line in lines)
    assert any("[changes] Helm release immich-server revision 4 (deployed)" in line for line in lines)
    # Each lettered section once, in order.
    letters = [line[3] for line in lines if line.startswith("── ") and line[4:6] == ". "]
    assert letters == ["a", "b", "c", "d"]
    # What it points at is still there when it has exited.
    written = next(line for line in lines if line.startswith("  wrote ") and "post-mortems" in line)
    assert Path(written.split()[1]).is_file()
    assert (tmp_path / "issueops-responder-demo" / "public" / "index.html").is_file()
    # The commands it suggests work in a fresh shell, without activating the venv.
    suggested = [line.strip() for line in lines if line.strip().split(" ", 1)[0].endswith(
        ("responder", "postmortem", "statuspage")) and "--config" in line]
    assert len(suggested) >= 4
    assert all(command.startswith(".venv/bin/") for command in suggested), suggested


def test_the_demo_status_page_reads_as_live(tmp_path: Path) -> None:
    """The saved export's dates move forward by whole days, and the page is built at the given moment."""
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import demo_statuspage
    finally:
        sys.path.remove(str(ROOT / "examples"))
    os.environ["TMPDIR"], previous = str(tmp_path), os.environ.get("TMPDIR")
    try:
        import tempfile

        tempfile.tempdir = None
        now = datetime(2027, 3, 9, 8, 7, tzinfo=UTC)  # 105 days and 17 hours after the export was saved
        demo_statuspage.statuspage_demo(lambda title: None, now=now)
    finally:
        if previous is None:
            os.environ.pop("TMPDIR")
        else:
            os.environ["TMPDIR"] = previous
        tempfile.tempdir = None
    summary = json.loads((tmp_path / "issueops-responder-demo" / "public" / "status.json").read_text())
    assert summary["page"]["updated_at"].startswith("2027-03-09T08:07")
    history = json.loads((tmp_path / "issueops-responder-demo" / "input" / "history.json").read_text())
    assert history["updated_at"] == "2027-03-08T14:55:00Z"
    assert demo_statuspage.moved({"2026-11-23": "due 2026-11-30, at 2026-11-23T15:00:00Z"}, 2) == {
        "2026-11-25": "due 2026-12-02, at 2026-11-25T15:00:00Z"}
