"""A real infrastructure repository for the guarded-Terraform tests.

A working copy of tests/fixtures/terraform/infra with a local bare remote,
its stacks applied once with the machine's terraform (or tofu), as if the
cluster already ran them. Building it costs one init and apply per stack,
so a session builds a template once and each test gets a copy.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from responder.adapters.git import GitRepo
from responder.config.loader import Config, load_config

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "terraform" / "infra"
STACKS = ("app", "jobs", "workers")  # vault is protected: never applied, never planned


def binary() -> str:
    found = shutil.which("terraform") or shutil.which("tofu")
    if found is None:
        raise RuntimeError("terraform (>= 1.5) or tofu must be on PATH for these tests; .ci/run checks this")
    return Path(found).name


def terraform(stack_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """terraform run directly, the way a person would (for setting the scene, never by the responder)."""
    env = {**os.environ, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
    return subprocess.run([binary(), *args], cwd=stack_dir, capture_output=True, text=True, check=check, env=env)


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Maintainer", "GIT_AUTHOR_EMAIL": "m@example.org",
           "GIT_COMMITTER_NAME": "Maintainer", "GIT_COMMITTER_EMAIL": "m@example.org"}
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True, env=env).stdout


@dataclass
class Infra:
    root: Path  # the working copy (responder.yml at its top)
    remote: Path  # the bare remote

    @property
    def config_path(self) -> Path:
        return self.root / "responder.yml"

    def config(self) -> Config:
        return load_config(self.config_path)

    @property
    def repo(self) -> GitRepo:
        return GitRepo(self.root)

    def stack(self, name: str) -> Path:
        return self.root / "stacks" / name

    def vars_text(self, name: str) -> str:
        return (self.stack(name) / f"{name}.auto.tfvars.json").read_text()

    def state(self, name: str) -> dict[str, Any]:
        """The stack's applied resources, read from its state with `terraform show -json`."""
        shown = json.loads(terraform(self.stack(name), "show", "-json").stdout)
        resources = shown.get("values", {}).get("root_module", {}).get("resources", [])
        return {r["address"]: r["values"] for r in resources}

    def remote_log(self) -> list[str]:
        return git(self.remote, "log", "--format=%s", "main").splitlines()

    def head_message(self) -> str:
        return git(self.root, "log", "-1", "--format=%B").strip()

    def commit_all(self, message: str) -> None:
        git(self.root, "add", "-A")
        git(self.root, "commit", "--quiet", "-m", message)
        git(self.root, "push", "--quiet", "origin", "main")


def build_template(base: Path) -> Infra:
    root, remote = base / "work", base / "remote.git"
    shutil.copytree(FIXTURE, root)
    (root / "gitignore").rename(root / ".gitignore")
    if binary() == "tofu":
        config = root / "responder.yml"
        config.write_text(config.read_text().replace("binary: terraform", "binary: tofu"))
    commit_and_apply(root, remote, STACKS)
    return Infra(root, remote)


def commit_and_apply(root: Path, remote: Path, stacks: tuple[str, ...]) -> None:
    """The checkout committed and pushed to a new bare remote, and its stacks applied, as if already running."""
    git(remote.parent, "init", "--quiet", "--bare", "-b", "main", str(remote))
    git(root, "init", "--quiet", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "infrastructure as it runs")
    git(root, "remote", "add", "origin", str(remote))
    git(root, "push", "--quiet", "origin", "main")
    for name in stacks:
        terraform(root / "stacks" / name, "init", "-input=false", "-no-color")
        terraform(root / "stacks" / name, "apply", "-input=false", "-no-color", "-auto-approve")


def copy_of(template: Infra, base: Path) -> Infra:
    shutil.copytree(template.root.parent, base, symlinks=True, dirs_exist_ok=True)
    infra = Infra(base / "work", base / "remote.git")
    git(infra.root, "remote", "set-url", "origin", str(infra.remote))
    return infra


def plan_json(infra: Infra, stack: str, **values: Any) -> str:
    """A real `terraform show -json` plan of the stack with these vars changed; the vars file is restored."""
    stack_dir = infra.stack(stack)
    vars_path = stack_dir / f"{stack}.auto.tfvars.json"
    original = vars_path.read_text()
    try:
        vars_path.write_text(json.dumps({**json.loads(original), **values}))
        terraform(stack_dir, "plan", "-input=false", "-no-color", "-out=test.tfplan")
        return terraform(stack_dir, "show", "-json", "test.tfplan").stdout
    finally:
        vars_path.write_text(original)
        (stack_dir / "test.tfplan").unlink(missing_ok=True)
