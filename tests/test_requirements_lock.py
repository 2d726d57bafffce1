"""requirements.lock (the hash-pinned install of the action and the runner image) covers pyproject.toml.

Regenerating the lock needs the package index, so this test only reads: every runtime and `site`
dependency is pinned in the lock at a version its specifier allows, and every pin carries hashes.
"""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT

LOCK = ROOT / "requirements.lock"
PIN = re.compile(r"^(?P<name>[A-Za-z0-9_.\-]+)==(?P<version>[^\s;\\]+)(?P<marker>\s*;[^\\]*)?\s*\\$")


def pins() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            found.setdefault(canonicalize_name(match["name"]), []).append(match["version"])
    return found


def test_every_dependency_is_pinned_at_an_allowed_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [Requirement(text) for text in [*project["dependencies"], *project["optional-dependencies"]["site"]]]
    build = [Requirement(text) for text in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
             ["build-system"]["requires"]]
    locked = pins()
    for requirement in [*wanted, *build]:
        versions = locked.get(canonicalize_name(requirement.name))
        assert versions, f"{requirement.name} is not in requirements.lock: run `make lock`"
        for version in versions:
            assert requirement.specifier.contains(version, prereleases=True), \
                f"requirements.lock pins {requirement.name}=={version}, outside {requirement}: run `make lock`"


def test_every_pin_carries_hashes() -> None:
    lines = LOCK.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if PIN.match(line):
            assert lines[index + 1].strip().startswith("--hash=sha256:"), line
    assert len(pins()) > 20
