"""`responder export`: an issue, its comments and its events saved as GitHub returns them."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import pytest

from responder.adapters.github.export import read_export
from responder.cli.main import main
from tests.conftest import EXAMPLE_CONFIG
from tests.support.github_api import FakeGitHub
from tests.support.infra_repo import load_export

TOKEN = "ghs_" + "3xp0rt" * 6


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["export", "--config", str(EXAMPLE_CONFIG), *argv], env={"GITHUB_TOKEN": TOKEN}, stdout=out,
                stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_export_writes_the_three_rest_shapes_unchanged(tmp_path: Path, github: FakeGitHub) -> None:
    export = load_export()
    github.add_export(export)
    out_file = tmp_path / "incident.json"
    code, out, err = run("--issue", "42", "--out", str(out_file))
    assert code == 0, err
    assert out == f"wrote {out_file} (5 comments, 6 events, 3 GitHub requests)\n"
    saved = json.loads(out_file.read_text(encoding="utf-8"))
    assert saved["comments"] == export["comments"] and saved["events"] == export["events"]
    assert saved["issue"]["number"] == 42 and saved["issue"]["closed_by"]["login"] == "vbarzin"
    assert read_export(out_file).number == 42


def test_long_lists_are_read_a_hundred_at_a_time(github: FakeGitHub) -> None:
    export = load_export()
    for index in range(230):
        event = copy.deepcopy(export["events"][0])
        event["id"] = 20_000_000 + index
        export["events"].append(event)
    github.add_export(export)
    code, out, _ = run("--issue", "42", "--out", "-")
    assert code == 0
    assert len(json.loads(out)["events"]) == 236
    assert [path for _, path in github.log].count("/repos/acme-homelab/infra/issues/42/events") == 1
    assert len(github.log) == 5  # issue, comments, and three pages of events


def test_a_missing_issue_is_a_clear_error(github: FakeGitHub) -> None:
    code, _, err = run("--issue", "404", "--out", "-")
    assert code == 1
    assert "GitHub GET /repos/acme-homelab/infra/issues/404 failed: 404 Not Found" in err


@pytest.mark.parametrize(("content", "message"), [
    ('{"issue":' + "[" * 60_000 + "]" * 60_000 + "}", "not usable JSON: nested too deeply"),
    ("{not json", "not valid JSON"),
    (b"\xff\xfe\x00", "not UTF-8 text"),
])
def test_a_broken_export_is_one_line_of_bad_input(tmp_path: Path, content: str | bytes, message: str) -> None:
    from responder.errors import InputError

    path = tmp_path / "export.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(InputError, match=message):
        read_export(path)
