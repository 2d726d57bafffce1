"""A real infrastructure repository for the post-mortem tests: responder.yml, the site, git and a bare remote."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from postmortem.site.build import copy_without_postmortems
from responder.adapters.git import GitRepo
from tests.conftest import EXAMPLE_CONFIG, FIXTURES, ROOT

SITE = ROOT / "site"
SEV2_EXPORT = FIXTURES / "postmortem" / "nextcloud-sev2.export.json"


def load_export(path: Path = SEV2_EXPORT) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def copy_site(target: Path) -> Path:
    """The project's mkdocs site (every page in its nav) without any post-mortem."""
    return copy_without_postmortems(SITE, target)


def make_infra_repo(tmp_path: Path, config_extra: str = "") -> GitRepo:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "-b", "main", str(remote)], check=True)
    work = tmp_path / "infra"
    subprocess.run(["git", "init", "--quiet", "-b", "main", str(work)], check=True)
    (work / "responder.yml").write_text(EXAMPLE_CONFIG.read_text(encoding="utf-8") + config_extra, encoding="utf-8")
    copy_site(work / "site")
    repo = GitRepo(work)
    repo.git("add", "-A")
    repo.git("commit", "--quiet", "-m", "initial")
    repo.git("remote", "add", "origin", str(remote))
    repo.push()
    return repo


def remote_log(tmp_path: Path) -> list[str]:
    out = subprocess.run(["git", "--git-dir", str(tmp_path / "remote.git"), "log", "--format=%s", "main"],
                         capture_output=True, text=True, check=True).stdout
    return out.splitlines()
