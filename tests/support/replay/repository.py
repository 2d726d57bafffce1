"""The example infrastructure repository the replayed workflows check out.

A real git repository with several commits and a bare `origin` the
checkouts fetch from and the responder pushes to:

1. "infrastructure as it runs": examples/responder.yml (its service URLs
   pointed at loopback probe stand-ins and its status page at a loopback
   "previous deployment", so no step reaches past this machine) and the
   example Terraform stacks;
2. "the incident desk": the workflows, pipelines and issue forms under
   test, and the post-mortem site (site/);
3. "post-mortem: ...": a post-mortem whose alert action item a maintainer
   accepted (status TODO), which `postmortem todos` files as an issue.

Built once per session (`Template`); each test gets its own copy of the
bare remote, since the workflows push to it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from postmortem.site.build import copy_without_postmortems

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
POSTMORTEM = ROOT / "tests" / "fixtures" / "postmortem" / "nextcloud-sev2.expected.md"
POSTMORTEM_PATH = "site/docs/post-mortems/2026-11-23-nextcloud-502-since-14-00.md"
IDENTITY = ("-c", "user.name=Maintainer", "-c", "user.email=maintainer@acme-homelab.org")


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *IDENTITY, *args], cwd=cwd, capture_output=True, text=True,
                          check=True).stdout.strip()


def probed_config(text: str, probe_base: str, pages_base: str) -> str:
    """examples/responder.yml with every URL on loopback: service probes, and the published status page."""
    text = re.sub(r"url: https://[a-z0-9.-]+\.acme-homelab\.org(/\S*)",
                  lambda m: f"url: {probe_base}{m.group(1)}", text)
    moved = text.replace("url: https://status.acme-homelab.org\n", f"url: {pages_base}\n")
    assert moved != text, "examples/responder.yml no longer sets statuspage.url: update the replay's repository"
    # Any URL left on the example's domain would leave this machine (a DNS zone name is not an address).
    assert not re.search(r"[a-z]+://[^\s'\"]*acme-homelab\.org", re.sub(r"#.*", "", moved)), \
        "an address in responder.yml still leaves this machine"
    return moved


def service_paths(config_text: str) -> dict[str, str]:
    """Each service's probe path (from examples/responder.yml), by service name."""
    paths: dict[str, str] = {}
    name = None
    for line in config_text.splitlines():
        found = re.match(r"\s*- name: (\S+)", line)
        if found:
            name = found.group(1)
        url = re.match(r"\s*url: https://[a-z0-9.-]+\.acme-homelab\.org(/\S*)", line)
        if url and name:
            paths[name] = url.group(1)
    return paths


@dataclass(frozen=True)
class Template:
    work: Path  # the working tree (the repository's files, for reusable workflows and paths filters)
    remote: Path  # the bare remote
    commits: tuple[str, ...]  # oldest first

    @property
    def head(self) -> str:
        return self.commits[-1]

    def copy_remote(self, target: Path) -> Path:
        shutil.copytree(self.remote, target)
        return target


def desk_files(work: Path, project: Path = ROOT) -> None:
    """What a maintainer copies from the project: workflows, pipelines, forms and the site."""
    for relative in (".github/workflows", ".github/ISSUE_TEMPLATE", ".woodpecker"):
        source = project / relative
        if source.is_dir():
            shutil.copytree(source, work / relative, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("image", "__pycache__"))
    for relative in (".github/responder-requirements.txt",):
        if (project / relative).is_file():
            (work / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(project / relative, work / relative)
    copy_without_postmortems(project / "site", work / "site")


def build(base: Path, probe_base: str, pages_base: str, terraform_binary: str = "terraform") -> Template:
    work, remote = base / "work", base / "remote.git"
    work.mkdir(parents=True)
    text = probed_config((EXAMPLES / "responder.yml").read_text(encoding="utf-8"), probe_base, pages_base)
    if terraform_binary == "tofu":
        text = text.replace("  binary: terraform", "  binary: tofu")
    (work / "responder.yml").write_text(text, encoding="utf-8")
    shutil.copytree(EXAMPLES / "stacks", work / "stacks",
                    ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*", "*.tfplan"))
    (work / ".gitignore").write_text(".terraform/\n*.tfstate\n*.tfstate.*\n*.tfplan\n.terraform.lock.hcl\n"
                                     "/public/\nsite/build/\n", encoding="utf-8")
    git(base, "init", "-q", "--bare", "-b", "main", str(remote))
    git(work, "init", "-q", "-b", "main")
    commits = []
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "infrastructure as it runs")
    commits.append(git(work, "rev-parse", "HEAD"))
    desk_files(work)
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "the incident desk: workflows, pipelines, forms and the post-mortem site")
    commits.append(git(work, "rev-parse", "HEAD"))
    # The maintainer accepts the proposed alert: `postmortem todos` files it as a follow-up issue.
    document = POSTMORTEM.read_text(encoding="utf-8")
    accepted = document.replace("  type: alert\n  owner: '@vbarzin'\n  priority: P2\n  due: 2026-12-07\n"
                                "  status: PROPOSED", "  type: alert\n  owner: '@vbarzin'\n  priority: P2\n"
                                "  due: 2026-12-07\n  status: TODO")
    assert accepted != document, "the post-mortem fixture changed: update the accepted action item"
    (work / POSTMORTEM_PATH).write_text(accepted, encoding="utf-8")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "post-mortem: Nextcloud 502 since 14:00 (alert accepted)")
    commits.append(git(work, "rev-parse", "HEAD"))
    git(work, "remote", "add", "origin", str(remote))
    git(work, "push", "-q", "origin", "main")
    return Template(work, remote, tuple(commits))


def build_from_init(base: Path, probe_base: str, responder: Path, repository: str, action_ref: str) -> Template:
    """What a maintainer has after `responder init --woodpecker` in an empty repository, then filling in the
    service addresses (here: the loopback probe stand-in), and later pushing a post-mortem."""
    work, remote = base / "work", base / "remote.git"
    work.mkdir(parents=True)
    git(base, "init", "-q", "--bare", "-b", "main", str(remote))
    git(work, "init", "-q", "-b", "main")
    subprocess.run([str(responder), "init", "--repository", repository, "--action-ref", action_ref, "--woodpecker",
                    str(work)], check=True, capture_output=True, text=True)
    config = work / "responder.yml"
    text = config.read_text(encoding="utf-8")
    moved = re.sub(r"url: https://[^/\s]+(/\S*)", lambda m: f"url: {probe_base}{m.group(1)}", text)
    assert moved != text, "responder init's responder.yml has no service URL to point at the probes"
    config.write_text(moved, encoding="utf-8")
    commits = []
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "responder init")
    commits.append(git(work, "rev-parse", "HEAD"))
    document = POSTMORTEM.read_text(encoding="utf-8").replace("  status: PROPOSED", "  status: TODO")
    (work / POSTMORTEM_PATH).write_text(document, encoding="utf-8")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "post-mortem: Nextcloud 502 since 14:00 (alert accepted)")
    commits.append(git(work, "rev-parse", "HEAD"))
    git(work, "remote", "add", "origin", str(remote))
    git(work, "push", "-q", "origin", "main")
    return Template(work, remote, tuple(commits))


def probe_paths(config: Path) -> list[str]:
    """The paths of the service URLs in a responder.yml already pointed at the probe stand-in."""
    return re.findall(r"url: http://127\.0\.0\.1:\d+(/\S*)", config.read_text(encoding="utf-8"))
