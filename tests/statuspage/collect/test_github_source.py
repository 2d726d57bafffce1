"""Reading issues from GitHub: one request per 100 issues, and nothing counted when nothing changed."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest

from responder.errors import GitHubError
from statuspage.cli import main
from statuspage.collect.github_source import PermissionLookup
from tests.conftest import EXAMPLE_CONFIG, ROOT
from tests.support.github_api import FakeGitHub
from tests.support.issues_export import comment, maintenance_body, outage_body, rest_issue

EXPORT = json.loads((ROOT / "examples" / "statuspage" / "issues.json").read_text())
NOW = "2026-11-23T15:00:00Z"
# The export's authors whose association could make them trusted: the maintainer and a write collaborator.
PERMISSIONS = {"vbarzin": "admin", "erin": "write", "alice": "write", "carol": "maintain", "dave": "write"}


@pytest.fixture
def github(github: FakeGitHub) -> FakeGitHub:
    for issue in EXPORT["issues"]:
        github.add_issue(issue)
    for number, items in EXPORT["comments"].items():
        github.issues[int(number)].comments.extend(items)
    github.permissions.update(PERMISSIONS)
    return github


def build(out: Path, previous: str, *extra: str) -> tuple[int, str]:
    err = io.StringIO()
    code = main(["build", "--config", str(EXAMPLE_CONFIG), "--out", str(out), "--no-probe", "--previous", previous,
                 "--now", NOW, *extra], env={"GITHUB_TOKEN": "ghs_test"}, stdout=io.StringIO(), stderr=err)
    return code, err.getvalue()


def requests_of(github: FakeGitHub, since: int) -> tuple[int, int]:
    statuses = github.statuses[since:]
    return len(statuses), sum(1 for s in statuses if s != 304)


def test_a_first_build_lists_issues_and_reads_comments_of_detailed_incidents(tmp_path: Path,
                                                                             github: FakeGitHub) -> None:
    code, log = build(tmp_path / "one", "none")
    assert code == 0, log
    paths = [path for _, path in github.log]
    assert paths == ["/repos/acme-homelab/infra/issues",
                     # the open report's author (COLLABORATOR) and the maintenance windows' author (OWNER)
                     "/repos/acme-homelab/infra/collaborators/erin/permission",
                     "/repos/acme-homelab/infra/collaborators/vbarzin/permission",
                     "/repos/acme-homelab/infra/issues",
                     "/repos/acme-homelab/infra/issues/42/comments", "/repos/acme-homelab/infra/issues/40/comments",
                     "/repos/acme-homelab/infra/issues/38/comments"]
    assert "GitHub requests: 7 (7 counted against the rate limit)" in log
    html = (tmp_path / "one" / "index.html").read_text()
    assert "The PostgreSQL connection pool is exhausted." in html
    assert "Read the post-mortem" in html


def test_an_unchanged_refresh_costs_no_rate_limit(tmp_path: Path, github: FakeGitHub) -> None:
    build(tmp_path / "one", "none")
    before = len(github.statuses)
    code, log = build(tmp_path / "two", str(tmp_path / "one"))
    assert code == 0, log
    assert requests_of(github, before) == (7, 0)  # the permissions too answer 304 when unchanged
    assert "GitHub requests: 7 (0 counted against the rate limit)" in log
    assert (tmp_path / "one" / "index.html").read_text() == (tmp_path / "two" / "index.html").read_text()


def test_a_change_costs_only_the_answers_that_changed(tmp_path: Path, github: FakeGitHub) -> None:
    build(tmp_path / "one", "none")
    issue = github.issues[42]
    issue.comments.append(comment(42, "/status monitoring: pods restarted, watching", "vbarzin", "OWNER",
                                  "2026-11-23T14:50:00Z"))
    issue.data["updated_at"] = "2026-11-23T14:50:00Z"
    before = len(github.statuses)
    build(tmp_path / "two", str(tmp_path / "one"))
    assert requests_of(github, before) == (7, 2)  # the open listing and #42's comments
    assert "pods restarted, watching" in (tmp_path / "two" / "index.html").read_text()


def test_listing_costs_one_request_per_hundred_issues(tmp_path: Path, github: FakeGitHub) -> None:
    for number in range(1000, 1250):
        github.add_issue(rest_issue(number, labels=("user-report",), association="NONE",
                                    body=outage_body("Mail"), created_at="2026-11-23T10:00:00Z"))
    build(tmp_path / "one", "none")
    listings = [path for _, path in github.log if path.endswith("/issues")]
    assert len(listings) == 4  # three pages of open issues (261), one of closed incidents
    assert [path for _, path in github.log].count("/repositories/123456/issues") == 2  # pages 2 and 3, by Link
    html = (tmp_path / "one" / "index.html").read_text()
    assert html.count('class="card report-item"') == 252
    before = len(github.statuses)
    build(tmp_path / "two", str(tmp_path / "one"))
    assert requests_of(github, before) == (9, 0)  # strangers' reports cost no permission request


def test_a_config_change_invalidates_the_cache(tmp_path: Path, github: FakeGitHub) -> None:
    build(tmp_path / "one", "none")
    cache = json.loads((tmp_path / "one" / "data" / "github-cache.json").read_text())
    cache["fingerprint"] = "from-another-config"
    (tmp_path / "one" / "data" / "github-cache.json").write_text(json.dumps(cache))
    before = len(github.statuses)
    build(tmp_path / "two", str(tmp_path / "one"))
    assert requests_of(github, before) == (7, 7)


def test_the_published_cache_holds_no_more_than_the_page_shows(tmp_path: Path, github: FakeGitHub) -> None:
    build(tmp_path / "one", "none")
    cache = (tmp_path / "one" / "data" / "github-cache.json").read_text()
    assert "photos are slow" not in cache  # the untrusted reporter's title
    assert "thumbnails take ages" not in cache  # their description
    assert "+1, same here" not in cache  # a bystander's comment
    assert "Everything is down forever" not in cache  # a stranger's maintenance announcement
    assert "more Nextcloud replicas" not in cache  # a feature request


def test_when_github_fails_the_previous_data_is_shown_with_a_note(tmp_path: Path, github: FakeGitHub,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    build(tmp_path / "one", "none")
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    github.fail_next(503, times=4)
    code, log = build(tmp_path / "two", str(tmp_path / "one"))
    assert code == 0, log
    html = (tmp_path / "two" / "index.html").read_text()
    assert "could not be refreshed from GitHub" in html
    assert "The PostgreSQL connection pool is exhausted." in html


def test_when_github_fails_on_a_first_build_the_build_fails(tmp_path: Path, github: FakeGitHub,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    github.fail_next(401, body={"message": "Bad credentials"})
    code, log = build(tmp_path / "one", "none")
    assert code == 1 and "Bad credentials" in log and "GITHUB_TOKEN" in log
    assert not (tmp_path / "one").exists()


def test_the_listing_asks_github_for_exactly_what_it_needs(github: FakeGitHub, tmp_path: Path) -> None:
    build(tmp_path / "one", "none")
    first, second = [call.request.url for call in github.rsps.calls if "/issues?" in call.request.url][:2]
    assert "state=open" in first and "per_page=100" in first and "sort=updated" in first
    assert "state=closed" in second and "labels=incident" in second
    assert "since=2026-08-25T00%3A00%3A00Z" in second  # 90 days back, day-aligned so the ETag holds all day


def test_a_read_only_member_can_neither_announce_maintenance_nor_post_updates(tmp_path: Path,
                                                                             github: FakeGitHub) -> None:
    github.permissions["carol"] = "read"  # an organisation member: author_association MEMBER
    github.add_issue(rest_issue(47, title="[Maintenance]: Nextcloud tuning", author="carol", association="MEMBER",
                                labels=("maintenance",), body=maintenance_body(
                                    "Nextcloud", "2026-11-23 14:00", "2026-11-23 18:00", details="Hides downtime.")))
    github.issues[42].comments.append(comment(42, "/status resolved: nothing to see here", "carol", "MEMBER",
                                              "2026-11-23T14:50:00Z"))
    code, log = build(tmp_path / "one", "none")
    assert code == 0, log
    site = tmp_path / "one"
    for name in ("index.html", "status.json", "feed.atom", "data/github-cache.json"):
        published = (site / name).read_text()
        assert "Nextcloud tuning" not in published and "nothing to see here" not in published, name
    status = json.loads((site / "status.json").read_text())
    assert [m["name"] for m in status["scheduled_maintenances"]] == [
        "Grafana storage migration", "PostgreSQL 16 -> 17 upgrade"]
    asked = [path for _, path in github.log if path.endswith("/permission")]
    assert sorted(asked) == [f"/repos/acme-homelab/infra/collaborators/{login}/permission"
                             for login in ("carol", "erin", "vbarzin")]  # once per login, however often they post


def test_when_github_fails_the_previous_verdicts_are_kept(tmp_path: Path, github: FakeGitHub,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    github.permissions["vbarzin"] = "read"
    build(tmp_path / "one", "none")
    github.permissions["vbarzin"] = "admin"
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    github.fail_next(503, times=4)
    code, log = build(tmp_path / "two", str(tmp_path / "one"))
    assert code == 0, log
    html = (tmp_path / "two" / "index.html").read_text()
    assert "could not be refreshed from GitHub" in html
    assert "PostgreSQL 16" not in html  # read-only when the data was read: still not believed


def test_a_permission_taken_away_is_noticed_at_the_next_build(tmp_path: Path, github: FakeGitHub) -> None:
    build(tmp_path / "one", "none")
    assert "PostgreSQL 16" in (tmp_path / "one" / "index.html").read_text()
    github.permissions["vbarzin"] = "read"
    before = len(github.statuses)
    build(tmp_path / "two", str(tmp_path / "one"))
    assert requests_of(github, before) == (7, 1)  # only the changed permission is counted
    html = (tmp_path / "two" / "index.html").read_text()
    assert "PostgreSQL 16" not in html and "The PostgreSQL connection pool is exhausted." not in html


class Refusing:
    repository = "acme-homelab/infra"

    def get_if_changed(self, path: str, *, params: object = None, etag: str | None = None) -> object:
        raise GitHubError("GitHub GET permission failed: 502 Bad Gateway", status=502)


def test_a_permission_that_cannot_be_read_is_a_refusal() -> None:
    lookup = PermissionLookup(Refusing(), "write", {})
    assert not lookup.trusted("vbarzin", "OWNER")
    assert not lookup.trusted("vbarzin", "OWNER") and lookup.requests == 1
    assert lookup.verified().logins == frozenset()
