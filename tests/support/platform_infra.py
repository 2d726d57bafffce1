"""A real infrastructure repository for the platform-request tests: the example platform and dns stacks.

examples/stacks/platform and examples/stacks/dns with a responder.yml that configures them, in a git
repository with a local bare remote, both stacks applied once with the machine's terraform (or tofu),
as if the cluster already ran them. A session builds a template once; each test gets a copy.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.conftest import ROOT
from tests.support.infra import Infra, binary, commit_and_apply, git

STACKS = ("platform", "dns")
CONFIG = """\
# A small infrastructure repository with self-service platform requests.
version: 1
repository: acme-homelab/infra

escalation:
  assignees: [vbarzin]

services:
  - name: ingress
    title: Ingress
    tier: core
    url: https://ingress.acme-homelab.org/ping

platform:
  stack: stacks/platform
  vars_file: platform.auto.tfvars.json
  namespaces:
    reserved: [default, kube-system, kube-public, vault, monitoring]
    quota_default: {cpu: "2", memory: 4Gi, pods: 20}
    quota_max: {cpu: "8", memory: 16Gi, pods: 50}
    roles: [view, edit]
  dns:
    stack: stacks/dns
    vars_file: dns.auto.tfvars.json
    zones: [apps.acme-homelab.org]

guardrails:
  binary: terraform
  lock_timeout: 2s
  lock_dir: .responder-locks
"""


class PlatformInfra(Infra):
    def vars(self, stack: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.stack(stack) / f"{stack}.auto.tfvars.json").read_text())
        return data


def build_platform_template(base: Path) -> PlatformInfra:
    root, remote = base / "work", base / "remote.git"
    root.mkdir(parents=True)
    config = CONFIG if binary() == "terraform" else CONFIG.replace("binary: terraform", "binary: tofu")
    (root / "responder.yml").write_text(config)
    for name in STACKS:
        shutil.copytree(ROOT / "examples" / "stacks" / name, root / "stacks" / name,
                        ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*", "*.tfplan"))
    (root / ".gitignore").write_text(".terraform/\n*.tfstate\n*.tfstate.*\n*.tfplan\n.terraform.lock.hcl\n"
                                     ".responder-locks/\n")
    commit_and_apply(root, remote, STACKS)
    return PlatformInfra(root, remote)


def platform_copy(template: PlatformInfra, base: Path) -> PlatformInfra:
    shutil.copytree(template.root.parent, base, symlinks=True, dirs_exist_ok=True)
    infra = PlatformInfra(base / "work", base / "remote.git")
    git(infra.root, "remote", "set-url", "origin", str(infra.remote))
    return infra
