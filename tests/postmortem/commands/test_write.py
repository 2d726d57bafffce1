"""`postmortem write` and `postmortem index` from the command line: files, GitHub reads, clear failures."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import pytest

from postmortem.cli import main
from tests.conftest import EXAMPLE_CONFIG, FIXTURES
from tests.support.github_api import FakeGitHub
from tests.support.infra_repo import SEV2_EXPORT, copy_site, load_export

TOKEN = "ghs_" + "Wr1t3r" * 6
DOC = "2026-11-23-nextcloud-502-since-14-00.md"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--config", str(EXAMPLE_CONFIG), *argv], env={"GITHUB_TOKEN": TOKEN}, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_site(tmp_path / "site")


def test_write_from_a_saved_export(site: Path) -> None:
    code, out, err = run("write", "--issue-file", str(SEV2_EXPORT), "--site-dir", str(site))
    assert code == 0, err
    assert out.splitlines()[0].endswith(f"{DOC} (SEV2, 47 min; nextcloud 21.8 % of the monthly error budget)")
    assert out.splitlines()[1] == ("link: https://status.acme-homelab.org/post-mortems/"
                                   "2026-11-23-nextcloud-502-since-14-00/")
    written = (site / "docs" / "post-mortems" / DOC).read_text(encoding="utf-8")
    assert written == (FIXTURES / "postmortem" / "nextcloud-sev2.expected.md").read_text(encoding="utf-8")
    index = (site / "docs" / "post-mortems" / "index.md").read_text(encoding="utf-8")
    assert f"| 2026-11-23 | [Nextcloud 502 since 14:00]({DOC}) | SEV2 | 47 min | nextcloud | Draft |" in index
    code, out, _ = run("write", "--issue-file", str(SEV2_EXPORT), "--site-dir", str(site))
    assert code == 0 and out.startswith("unchanged:")


def test_write_from_github_reads_the_issue_its_comments_and_events(site: Path, github: FakeGitHub) -> None:
    export = load_export()
    for index in range(150):  # two pages of comments
        extra = copy.deepcopy(export["comments"][1])
        extra.update({"id": 3_000_000 + index, "created_at": "2026-11-23T14:30:00Z", "body": f"+1 ({index})"})
        export["comments"].append(extra)
    github.add_export(export)
    code, _, err = run("write", "--issue", "42", "--site-dir", str(site))
    assert code == 0, err
    assert github.log == [
        ("GET", "/repos/acme-homelab/infra/issues/42"),
        ("GET", "/repos/acme-homelab/infra/issues/42/comments"),
        ("GET", "/repositories/123456/issues/42/comments"),
        ("GET", "/repos/acme-homelab/infra/issues/42/events"),
    ]
    assert "&#43;1 (149)" in (site / "docs" / "post-mortems" / DOC).read_text(encoding="utf-8")


def test_dry_run_prints_the_document_and_writes_nothing(site: Path) -> None:
    code, out, _ = run("write", "--issue-file", str(SEV2_EXPORT), "--site-dir", str(site), "--dry-run")
    assert code == 0 and out.startswith("---\ntitle: Nextcloud 502 since 14:00\n")
    assert not (site / "docs" / "post-mortems" / DOC).exists()


def test_a_sev3_incident_is_written_when_asked_with_a_note(site: Path, tmp_path: Path) -> None:
    export = load_export()
    for label in export["issue"]["labels"]:
        if label["name"] == "sev2":
            label["name"] = "sev3"
    path = tmp_path / "sev3.json"
    path.write_text(json.dumps(export))
    code, _, err = run("write", "--issue-file", str(path), "--site-dir", str(site))
    assert code == 0
    assert "postmortem: #42 is SEV3; post-mortems are required for SEV1, SEV2 only, written anyway as asked" in err


@pytest.mark.parametrize(("content", "message"), [
    (None, "no-such.json: no such file"),
    ("{not json", "not valid JSON"),
    ('["a list"]', "expected a JSON object with issue, comments and events"),
    ('{"issue": {"number": "7"}, "comments": {}}', "  - issue.number: expected a positive whole number\n"
                                                   "  - issue.created_at: expected an ISO 8601 time\n"
                                                   "  - comments: expected a list"),
])
def test_a_bad_export_file_is_a_clear_message(site: Path, tmp_path: Path, content: str | None,
                                              message: str) -> None:
    path = tmp_path / "no-such.json"
    if content is not None:
        path.write_text(content)
    code, _, err = run("write", "--issue-file", str(path), "--site-dir", str(site))
    assert code == 2
    assert message in err and "Traceback" not in err


def test_a_broken_front_matter_stops_the_rewrite_and_keeps_the_file(site: Path) -> None:
    run("write", "--issue-file", str(SEV2_EXPORT), "--site-dir", str(site))
    path = site / "docs" / "post-mortems" / DOC
    broken = path.read_text(encoding="utf-8").replace("severity: SEV2", "severity: [SEV2", 1)
    path.write_text(broken, encoding="utf-8")
    code, _, err = run("write", "--issue-file", str(SEV2_EXPORT), "--site-dir", str(site))
    assert code == 2
    assert f"{DOC}: its front matter is not valid YAML at line 5" in err
    assert "hint: Fix the front matter" in err
    assert path.read_text(encoding="utf-8") == broken
    code, _, _ = run("write", "--issue-file", str(SEV2_EXPORT), "--site-dir", str(site), "--force")
    assert code == 0 and "severity: SEV2" in path.read_text(encoding="utf-8")


def test_a_renamed_issue_keeps_its_file(site: Path, tmp_path: Path) -> None:
    run("write", "--issue-file", str(SEV2_EXPORT), "--site-dir", str(site))
    export = load_export()
    export["issue"]["title"] = "Nextcloud down: preview generator out of memory"
    path = tmp_path / "renamed.json"
    path.write_text(json.dumps(export))
    code, out, _ = run("write", "--issue-file", str(path), "--site-dir", str(site))
    assert code == 0 and DOC in out
    assert sorted(p.name for p in (site / "docs" / "post-mortems").iterdir()) == [DOC, "index.md", "platform.md"]


def test_another_incident_with_the_same_name_gets_its_own_file(site: Path, tmp_path: Path) -> None:
    run("write", "--issue-file", str(SEV2_EXPORT), "--site-dir", str(site))
    export = json.loads(json.dumps(load_export()).replace("/issues/42", "/issues/43"))
    export["issue"]["number"] = 43
    path = tmp_path / "other.json"
    path.write_text(json.dumps(export))
    code, out, _ = run("write", "--issue-file", str(path), "--site-dir", str(site))
    assert code == 0 and "2026-11-23-nextcloud-502-since-14-00-43.md" in out


def test_index_lists_every_post_mortem_and_flags_broken_ones(site: Path) -> None:
    run("write", "--issue-file", str(SEV2_EXPORT), "--site-dir", str(site))
    (site / "docs" / "post-mortems" / "2026-11-01-old.md").write_text("no front matter\n")
    code, out, err = run("index", "--site-dir", str(site))
    assert code == 0
    assert "(2 post-mortems)" in out
    assert "2026-11-01-old.md: it has no front matter" in err
    index = (site / "docs" / "post-mortems" / "index.md").read_text(encoding="utf-8")
    assert index.index(DOC) < index.index("2026-11-01-old.md")
    assert "| 2026-11-01 | [2026-11-01-old.md](2026-11-01-old.md) | – | – | – | front matter unreadable |" in index


def test_build_without_a_site_is_a_clear_message(tmp_path: Path) -> None:
    code, _, err = run("build", "--site-dir", str(tmp_path / "nowhere"))
    assert code == 2 and "mkdocs.yml: no such file" in err


def test_an_export_of_another_repository_is_refused(site: Path, tmp_path: Path) -> None:
    """Its service would match nothing in this catalogue: one clear line, exit 2, nothing written (#14, item 8)."""
    other = json.loads(json.dumps(load_export(SEV2_EXPORT)).replace("acme-homelab/infra", "someone-else/infra"))
    path = tmp_path / "other.export.json"
    path.write_text(json.dumps(other), encoding="utf-8")
    before = sorted(p.name for p in (site / "docs" / "post-mortems").iterdir())
    code, out, err = run("write", "--issue-file", str(path), "--site-dir", str(site))
    assert code == 2 and out == ""
    assert err.splitlines()[0] == (f"postmortem: error: {path}: the export is of someone-else/infra#42, but "
                                   "responder.yml is for acme-homelab/infra")
    assert sorted(p.name for p in (site / "docs" / "post-mortems").iterdir()) == before


def test_a_report_naming_no_known_service_is_written_with_a_warning(site: Path, tmp_path: Path,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    export = load_export(SEV2_EXPORT)
    export["issue"]["body"] = export["issue"]["body"].replace("\nNextcloud\n", "\nOther / not sure\n", 1)
    path = tmp_path / "unknown.export.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    code, _, _ = run("write", "--issue-file", str(path), "--site-dir", str(site), "--dry-run")
    assert code == 0
    assert ("#42: the report names no service of responder.yml's catalogue, so the post-mortem lists no "
            "services and no error budget; fill them in by hand") in caplog.text
