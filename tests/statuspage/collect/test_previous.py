"""Reading the previous deployment's history back: a directory, the live site, or the gh-pages branch."""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
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


def test_a_first_deployment_starts_a_new_history_and_says_so(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with serving_directory(empty) as url:
        previous = read_previous(url, root=tmp_path, site_url=None, branch="gh-pages", timeout=2)
    assert previous.history is None and previous.cache is None
    assert previous.problem == f"there is no previous history at {url}/data/history.json (HTTP 404)"


@contextmanager
def unresolvable_host(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A host name the resolver does not know, without asking a real resolver."""
    def lookup(host: object, *args: object, **kwargs: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    yield "http://status.acme-homelab.invalid"


@contextmanager
def previous_site(kind: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The base URL of a previous deployment that cannot be read, in one of the ways a first build meets."""
    if kind == "connection refused":
        yield closed_port_url().rstrip("/")
    elif kind == "DNS failure":
        with unresolvable_host(monkeypatch) as url:
            yield url
    else:
        with serving() as services:
            if kind == "timeout":
                services.add("/data/history.json", body="{}", delay=1.5)
                yield services.base
            elif kind == "TLS error":  # https:// to a server that speaks plain HTTP
                yield services.base.replace("http://", "https://")
            elif kind == "server error":
                services.add("/data/history.json", status=503, body="busy")
                yield services.base
            else:  # garbage: a 200 whose body is no history (a captive portal, a proxy's page)
                services.add("/data/history.json", body="<html>Please log in to the Wi-Fi</html>")
                yield services.base


UNREADABLE = [
    ("connection refused", "connection refused"),
    ("DNS failure", "the host name could not be resolved (DNS)"),
    ("timeout", "no answer within 0.5 s"),
    ("TLS error", "TLS error"),
    ("server error", "HTTP 503"),
]


@pytest.mark.parametrize("kind, reason", UNREADABLE)
def test_outside_ci_an_unreadable_previous_site_starts_a_new_history_with_the_reason(
        kind: str, reason: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with previous_site(kind, monkeypatch) as url:
        previous = read_previous("auto", root=tmp_path, site_url=url, branch="gh-pages", timeout=0.5, strict=False)
    assert previous.history is None and previous.cache is None
    assert previous.problem == f"the previous history could not be read from {url}/data/history.json: {reason}"


@pytest.mark.parametrize("kind, reason", UNREADABLE)
def test_strict_an_unreadable_previous_site_stops_the_build_rather_than_erase_the_history(
        kind: str, reason: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with previous_site(kind, monkeypatch) as url, pytest.raises(PreviousUnavailable) as error:
        read_previous("auto", root=tmp_path, site_url=url, branch="gh-pages", timeout=0.5, strict=True)
    assert str(error.value) == f"the previous history could not be read from {url}/data/history.json: {reason}"
    assert "--no-require-previous" in str(error.value.hint) and "--previous none" in str(error.value.hint)


def test_a_garbage_answer_is_a_damaged_history_a_new_one_outside_ci_an_error_in_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with previous_site("garbage", monkeypatch) as url:
        previous = read_previous(url, root=tmp_path, site_url=None, branch="gh-pages", timeout=2, strict=False)
        assert previous.history is None
        assert previous.problem is not None and previous.problem.startswith(f"{url}/data/history.json: ")
        with pytest.raises(InputError, match=r"data/history\.json") as error:
            read_previous(url, root=tmp_path, site_url=None, branch="gh-pages", timeout=2, strict=True)
    assert "--no-require-previous" in str(error.value.hint)


def test_a_damaged_history_is_a_clear_error(deployed: Path, tmp_path: Path) -> None:
    (deployed / "data" / "history.json").write_text('{"version": 7}')
    with pytest.raises(InputError, match="not a status page history file"):
        read_previous(str(deployed), root=tmp_path, site_url=None, branch="gh-pages")
    fresh = read_previous(str(deployed), root=tmp_path, site_url=None, branch="gh-pages", strict=False)
    assert fresh.history is None and "not a status page history file" in str(fresh.problem)


def test_a_mistyped_directory_is_an_error_even_outside_ci(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a directory"):
        read_previous(str(tmp_path / "no-such-dir"), root=tmp_path, site_url=None, branch="gh-pages", strict=False)


def test_a_readable_history_is_read_whatever_the_mode(deployed: Path, tmp_path: Path) -> None:
    with serving_directory(deployed) as url:
        for strict in (True, False):
            previous = read_previous(url, root=tmp_path, site_url=None, branch="gh-pages", timeout=2, strict=strict)
            assert previous.history is not None and previous.problem is None


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
