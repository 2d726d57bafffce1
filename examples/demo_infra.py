"""A scratch copy of the example infrastructure repository, for the demo parts that change it.

The stacks under examples/stacks/ are copied into a temporary git
repository with a local bare remote, committed, and applied once with the
machine's terraform (or tofu), as if the cluster already ran them. The
project's own tree is never touched.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from responder.adapters.git import GitRepo
from responder.adapters.terraform import Terraform

HERE = Path(__file__).resolve().parent


def terraform_binary() -> str:
    binary = shutil.which("terraform") or shutil.which("tofu")
    if binary is None:
        raise SystemExit("this part of the demo needs terraform >= 1.5 or OpenTofu (tofu) on PATH")
    return Path(binary).name


def scratch_infrastructure(scratch: Path, *, stacks: tuple[str, ...] | None = None, config_text: str | None = None,
                           author: tuple[str, str] = ("Maintainer", "maintainer@acme-homelab.org"),
                           quiet: bool = False) -> Path:
    """root/ (a working copy with responder.yml and the stacks, applied) and root.git (its bare remote)."""
    binary = terraform_binary()
    root, remote = scratch / "infra", scratch / "infra.git"
    root.mkdir()
    text = config_text if config_text is not None else (HERE / "responder.yml").read_text(encoding="utf-8")
    if binary == "tofu":  # this machine has OpenTofu only
        text = text.replace("  binary: terraform", "  binary: tofu")
    (root / "responder.yml").write_text(text, encoding="utf-8")
    names = stacks if stacks is not None else tuple(sorted(p.name for p in (HERE / "stacks").iterdir()))
    for name in names:
        shutil.copytree(HERE / "stacks" / name, root / "stacks" / name, ignore=shutil.ignore_patterns(
            ".terraform*", "*.tfstate*", "*.tfplan"))
    (root / ".gitignore").write_text(".terraform/\n*.tfstate\n*.tfstate.*\n*.tfplan\n.terraform.lock.hcl\n",
                                     encoding="utf-8")
    GitRepo(scratch).git("init", "--quiet", "--bare", "-b", "main", str(remote))
    repo = GitRepo(root, author_name=author[0], author_email=author[1])
    repo.git("init", "--quiet", "-b", "main")
    repo.git("add", "-A")
    repo.git("commit", "--quiet", "-m", "infrastructure as it runs")
    repo.git("remote", "add", "origin", str(remote))
    repo.push("origin", "main")
    for name in names:
        apply_stack(root, name, scratch, quiet=quiet)
    if not quiet:
        print(f"  {root}: git repository with a bare remote ({remote.name})")
    return root


def apply_stack(root: Path, name: str, scratch: Path, *, quiet: bool = False) -> None:
    """Apply a stack as a maintainer would (plan, then apply that plan)."""
    binary = terraform_binary()
    terraform = Terraform(root / "stacks" / name, binary=binary, label=f"stacks/{name}")
    terraform.init()
    plan = scratch / f"{name}.tfplan"
    terraform.plan(plan)
    summary = terraform.apply(plan).summary
    if not quiet:
        print(f"  stacks/{name}: {summary}")
