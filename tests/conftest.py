"""Shared fixtures. A safety net makes any real network call off loopback fail loudly."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import responses

from responder.config.loader import Config, load_config
from tests.support.github_api import FakeGitHub
from tests.support.infra import Infra, build_template, copy_of
from tests.support.prometheus import Prometheus

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLE_CONFIG = ROOT / "examples" / "responder.yml"

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: object) -> object:
    host = address[0] if isinstance(address, tuple) else address
    if self.family in (socket.AF_INET, socket.AF_INET6) and host not in ("127.0.0.1", "::1", "localhost"):
        raise RuntimeError(f"test tried to reach the network: {address!r}")
    return _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    """The GitHub stand-in at the HTTP boundary (tests/support/github_api.py), for acme-homelab/infra.

    Requests to loopback pass through to the real servers tests start there. A test module that needs
    collaborators overrides this fixture, asks for it, and adds them to `permissions`.
    """
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add_passthru("http://127.0.0.1")
        yield FakeGitHub(rsps)


@pytest.fixture(scope="session")
def prometheus() -> Iterator[Prometheus]:
    """A real Prometheus on loopback over backfilled series (tests/support/prometheus.py). Without the binary
    the tests that need it fail, with how to install it: they never skip."""
    from tests.support.prometheus import running_prometheus

    try:
        with running_prometheus() as server:
            yield server
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def example_config() -> Config:
    return load_config(EXAMPLE_CONFIG)


def issue_body(name: str) -> str:
    return (FIXTURES / "issues" / name).read_bytes().decode("utf-8")


@pytest.fixture(scope="session")
def infra_template(tmp_path_factory: pytest.TempPathFactory) -> Infra:
    """A real infrastructure repository, its stacks applied once per session (see tests/support/infra.py)."""
    return build_template(tmp_path_factory.mktemp("infra-template"))


@pytest.fixture
def infra(infra_template: Infra, tmp_path: Path) -> Infra:
    """A private copy of the applied infrastructure repository, with its own bare remote."""
    return copy_of(infra_template, tmp_path / "infra")
