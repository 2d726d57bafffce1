"""Reading the previous deployment's history back: a directory, the live site, or the gh-pages branch."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from responder.adapters.git import GitRepo
from responder.errors import InputError
from statuspage.collect.previous import PreviousUnavailable, read_previous
from statuspage.model import history
from tests.support.http_services import closed_port_url, serving
from tests.support.static_site import serving_directory

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@pytest.fixture
def deployed(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "data").mkdir(parents=True)
    recorded = history.record(history.History(), [history.Check("mail", NOW, "x")], NOW, 90)
    (site / "data" / "history.json").write_text(history.dumps(recorded))
    (site / "data" / "github-cache.json").write_text('{"version": 1, "fingerprint": "f", "pages": {}}')
    return site


def read(spec: str, root: Path, url: str | None = None) -> object:
    return read_previous(spec, root=root, site_url=url, branch="gh-pages", timeout=2)


def test_from_a_directory(deployed: Path, tmp_path: Path) -> None:
    previous = read_previous(str(deployed), root=tmp_path, site_url=None, branch="gh-pages")
    assert previous.history is not None and previous.history.of("mail").last.code == "x"  # type: ignore[union-attr]
    assert previous.cache == {"version": 1, "fingerprint": "f", "pages": {}}


def test_from_the_live_site(deployed: Path, tmp_path: Path) -> None:
    with serving_directory(deployed) as url:
        previous = read_previous(url, root=tmp_path, site_url=None, branch="gh-pages", timeout=2)
    assert previous.history is not None and "mail" in previous.history.services


def test_auto_falls_back_to_the_site_url_without_a_branch(deployed: Path, tmp_path: Path) -> None:
    with serving_directory(deployed) as url:
        previous = read_previous("auto", root=tmp_path, site_url=url, branch="gh-pages", timeout=2)
    assert previous.history is not None and previous.origin == url


def test_a_first_deployment_starts_a_new_history(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with serving_directory(empty) as url:
        previous = read_previous(url, root=tmp_path, site_url=None, branch="gh-pages", timeout=2)
    assert previous.history is None and previous.cache is None


def test_an_unreachable_site_stops_the_build_rather_than_erase_the_history(tmp_path: Path) -> None:
    with pytest.raises(PreviousUnavailable, match="could not be read") as error:
        read_previous(closed_port_url(), root=tmp_path, site_url=None, branch="gh-pages", timeout=2)
    assert "--previous none" in str(error.value.hint)


def test_a_server_error_stops_the_build_too(tmp_path: Path) -> None:
    with serving() as services:
        url = services.add("/data/history.json", status=503, body="busy").rsplit("/data/", 1)[0]
        with pytest.raises(PreviousUnavailable, match="HTTP 503"):
            read_previous(url, root=tmp_path, site_url=None, branch="gh-pages", timeout=2)


def test_a_damaged_history_is_a_clear_error(deployed: Path, tmp_path: Path) -> None:
    (deployed / "data" / "history.json").write_text('{"version": 7}')
    with pytest.raises(InputError, match="not a status page history file"):
        read_previous(str(deployed), root=tmp_path, site_url=None, branch="gh-pages")


def test_a_damaged_cache_only_costs_a_full_refresh(deployed: Path, tmp_path: Path) -> None:
    (deployed / "data" / "github-cache.json").write_text("{not json")
    previous = read_previous(str(deployed), root=tmp_path, site_url=None, branch="gh-pages")
    assert previous.cache is None and previous.history is not None


def test_from_the_gh_pages_branch_fetched_from_the_remote(deployed: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "-b", "main", str(remote)], check=True)
    pages = GitRepo(tmp_path / "pages")
    subprocess.run(["git", "init", "--quiet", "-b", "gh-pages", str(pages.root)], check=True)
    shutil.copytree(deployed, pages.root, dirs_exist_ok=True)
    pages.git("add", "-A")
    pages.git("commit", "--quiet", "-m", "site")
    pages.git("push", "--quiet", str(remote), "gh-pages")
    infra = tmp_path / "infra"
    subprocess.run(["git", "clone", "--quiet", str(remote), str(infra)], check=True, capture_output=True)
    previous = read("auto", infra)
    assert previous.history is not None and previous.origin.startswith("refs/remotes/origin/gh-pages")  # type: ignore[attr-defined]
    assert read("none", infra).history is None  # type: ignore[attr-defined]
    assert read("branch:missing", infra).history is None  # type: ignore[attr-defined]
