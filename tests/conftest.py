"""Shared fixtures. A safety net makes any real network call off loopback fail loudly."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from responder.config import Config, load_config

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
def example_config() -> Config:
    return load_config(EXAMPLE_CONFIG)


def issue_body(name: str) -> str:
    return (FIXTURES / "issues" / name).read_bytes().decode("utf-8")
