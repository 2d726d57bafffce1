"""Local equivalents of the published actions the workflows use, keyed by action name.

Each one does on this machine what the action does on a hosted runner, with
the checks that would make the real one fail: a checkout clones the
example repository with the requested depth, setup-python hands out this
machine's Python 3 (refusing a request below 3.11), setup-terraform refuses
the wrapper (it rewrites terraform's stdout, which the responder parses as
JSON), actions/cache keeps real archives for the whole test session,
upload-pages-artifact needs an index.html, deploy-pages needs the pages and
id-token permissions and an uploaded artifact. The SHA a workflow pins does
not matter here; the name does. An action missing from the table fails the
replay.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.replay.runner import Host, LocalAction, StepContext, StepFailed


def _git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise StepFailed(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


# ---------------------------------------------------------------- actions/checkout


@dataclass
class Checkout:
    """actions/checkout: init, fetch the commit (`fetch-depth`, default 1; 0 = all history), check it out."""

    remote: Path  # the repository's bare "origin"
    inputs: Mapping[str, str | None] = field(default_factory=lambda: {
        "repository": "${{ github.repository }}", "ref": "", "token": "${{ github.token }}", "ssh-key": "",
        "ssh-known-hosts": "", "ssh-strict": "true", "ssh-user": "git", "persist-credentials": "true", "path": "",
        "clean": "true", "filter": "", "sparse-checkout": "", "sparse-checkout-cone-mode": "true",
        "fetch-depth": "1", "fetch-tags": "false", "show-progress": "true", "lfs": "false", "submodules": "false",
        "set-safe-directory": "true", "github-server-url": ""})
    checkouts: list[dict[str, str]] = field(default_factory=list)

    def run(self, step: StepContext, inputs: Mapping[str, str]) -> dict[str, str]:
        if inputs["repository"].lower() != step.github["repository"].lower():
            raise StepFailed(f"checking out another repository ({inputs['repository']}) is not replayed")
        for unsupported in ("ssh-key", "sparse-checkout", "filter"):
            if inputs[unsupported]:
                raise StepFailed(f"{unsupported} is not replayed")
        try:
            depth = int(inputs["fetch-depth"])
        except ValueError:
            raise StepFailed(f"fetch-depth {inputs['fetch-depth']!r} is not a number") from None
        dest = step.workspace / inputs["path"] if inputs["path"] else step.workspace
        dest.mkdir(parents=True, exist_ok=True)
        ref = inputs["ref"] or step.github["ref"]
        sha = step.github["sha"] if not inputs["ref"] else ""
        branch = ref.removeprefix("refs/heads/")
        _git(dest, "init", "--quiet", "-b", branch)
        _git(dest, "remote", "add", "origin", self.remote.resolve().as_uri())
        target = sha or f"refs/heads/{branch}"
        if depth > 0:
            _git(dest, "fetch", "--no-tags", "--prune", "--no-recurse-submodules", f"--depth={depth}", "origin",
                 f"+{target}:refs/remotes/origin/{branch}")
        else:
            _git(dest, "fetch", "--prune", "--no-recurse-submodules", "origin",
                 "+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*")
            if sha:
                _git(dest, "update-ref", f"refs/remotes/origin/{branch}", sha)
        _git(dest, "checkout", "--quiet", "--force", "-B", branch, f"refs/remotes/origin/{branch}")
        if inputs["persist-credentials"] == "true":
            auth = base64.b64encode(f"x-access-token:{inputs['token']}".encode()).decode()
            _git(dest, "config", "--local", f"http.{step.github['server_url']}/.extraheader",
                 f"AUTHORIZATION: basic {auth}")
        head = _git(dest, "rev-parse", "HEAD").strip()
        commits = _git(dest, "rev-list", "--count", "HEAD").strip()
        step.say(f"checked out {head} ({commits} commit(s) of history) into {dest}")
        self.checkouts.append({"path": str(dest), "sha": head, "depth": str(depth), "commits": commits})
        return {"ref": ref, "commit": head}


# ---------------------------------------------------------------- actions/setup-python

MIN_PYTHON = (3, 11)


@dataclass
class SetupPython:
    """actions/setup-python: this machine's python3, as a fresh interpreter in the job's tool cache."""

    inputs: Mapping[str, str | None] = field(default_factory=lambda: {
        "python-version": "", "python-version-file": "", "cache": "", "architecture": "", "check-latest": "false",
        "token": "${{ github.token }}", "cache-dependency-path": "", "update-environment": "true",
        "allow-prereleases": "false", "freethreaded": "false", "pip-version": "", "pip-install": ""})
    requested: list[str] = field(default_factory=list)

    def run(self, step: StepContext, inputs: Mapping[str, str]) -> dict[str, str]:
        wanted = inputs["python-version"]
        if not wanted and inputs["python-version-file"]:
            wanted = step.resolve(inputs["python-version-file"]).read_text().strip().splitlines()[0]
        if not wanted:
            raise StepFailed("no python-version given (the runner's default Python is not replayed)")
        match = re.fullmatch(r"(\d+)\.(\d+|x)(\.\d+)?", wanted.strip())
        if not match or (match.group(2) != "x" and (int(match.group(1)), int(match.group(2))) < MIN_PYTHON):
            raise StepFailed(f"python-version {wanted!r}: the responder needs Python 3.11 or newer")
        if inputs["cache"]:
            raise StepFailed("setup-python's own cache: is not replayed")
        self.requested.append(wanted)
        version = ".".join(str(p) for p in sys.version_info[:3]) if _machine_python() == sys.executable \
            else _version_of(_machine_python())
        prefix = step.host.tool_cache / "Python" / version / "x64"
        if not prefix.exists():
            make_python(step.host, prefix)
        step.say(f"python-version {wanted} requested; this machine's Python {version} stands in for it")
        if inputs["update-environment"] == "true":
            step.add_path(str(prefix / "bin"))
            for name in ("pythonLocation", "Python_ROOT_DIR", "Python2_ROOT_DIR", "Python3_ROOT_DIR"):
                step.set_env(name, str(prefix))
            step.set_env("PKG_CONFIG_PATH", str(prefix / "lib" / "pkgconfig"))
        return {"python-version": version, "python-path": str(prefix / "bin" / "python"), "cache-hit": "false"}


def _machine_python() -> str:
    from tests.support.replay.runner import system_path

    found = shutil.which("python3", path=system_path())
    if found is None:
        raise StepFailed("no python3 on this machine's PATH")
    return found


def _version_of(python: str) -> str:
    return subprocess.run([python, "-c", "import sys; print('.'.join(map(str, sys.version_info[:3])))"],
                          capture_output=True, text=True, check=True).stdout.strip()


def make_python(host: Host, prefix: Path) -> None:
    """A fresh interpreter for one job: a copy of a session-wide venv of the machine's python3, with pip."""
    template = host.root / "templates" / "python"
    if not (template / "bin" / "python").exists():
        subprocess.run([_machine_python(), "-m", "venv", str(template)], check=True, capture_output=True)
    prefix.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(template, prefix, symlinks=True)
    # Scripts carry their interpreter's absolute path: point them at the copy.
    old, new = f"#!{template}/bin/", f"#!{prefix}/bin/"
    for script in (prefix / "bin").iterdir():
        if script.is_file() and not script.is_symlink():
            data = script.read_bytes()
            if data.startswith(old.encode()):
                script.write_bytes(data.replace(old.encode(), new.encode(), 1))


# ---------------------------------------------------------------- Terraform and OpenTofu


@dataclass
class SetupTerraform:
    """hashicorp/setup-terraform (or opentofu/setup-opentofu): the binary already on this machine."""

    binary: str = "terraform"
    inputs: Mapping[str, str | None] = field(default_factory=dict)
    requested: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.inputs:
            prefix = "terraform" if self.binary == "terraform" else "tofu"
            self.inputs = {"cli_config_credentials_hostname": "app.terraform.io" if prefix == "terraform" else "",
                           "cli_config_credentials_token": "", f"{prefix}_version": "latest",
                           f"{prefix}_wrapper": "true", **({"github_token": ""} if prefix == "tofu" else {})}

    def run(self, step: StepContext, inputs: Mapping[str, str]) -> dict[str, str]:
        prefix = "terraform" if self.binary == "terraform" else "tofu"
        if inputs[f"{prefix}_wrapper"] != "false":
            raise StepFailed(f"{prefix}_wrapper is on: the wrapper rewrites {self.binary}'s stdout, so `show -json` "
                             f"no longer parses; set {prefix}_wrapper: false")
        found = shutil.which(self.binary, path=step.env["PATH"])
        if found is None:
            raise StepFailed(f"{self.binary} is not installed on this machine (the replay uses the local binary)")
        shown = subprocess.run([found, "version", "-json"], capture_output=True, text=True, check=False)
        version = json.loads(shown.stdout).get("terraform_version", "?") if shown.returncode == 0 else "?"
        wanted = inputs[f"{prefix}_version"]
        if wanted != "latest" and not re.fullmatch(r"[~^<>=\s]*\d+(\.\d+){0,2}(-[\w.]+)?", wanted):
            raise StepFailed(f"{prefix}_version {wanted!r} is not a version")
        self.requested.append(wanted)
        step.say(f"{self.binary} {wanted} requested; this machine's {self.binary} {version} stands in for it")
        step.add_path(str(Path(found).parent))
        return {}


# ---------------------------------------------------------------- actions/cache


@dataclass
class Cache:
    """actions/cache: restore by key, then restore-keys (newest first); save after a successful job."""

    inputs: Mapping[str, str | None] = field(default_factory=lambda: {
        "path": None, "key": None, "restore-keys": "", "upload-chunk-size": "", "enableCrossOsArchive": "false",
        "fail-on-cache-miss": "false", "lookup-only": "false", "save-always": "false"})
    events: list[tuple[str, str]] = field(default_factory=list)  # (restored|missed|saved, key)

    def run(self, step: StepContext, inputs: Mapping[str, str]) -> dict[str, str]:
        if not inputs["path"] or not inputs["key"]:
            raise StepFailed("Input required and not supplied: " + ("path" if not inputs["path"] else "key"))
        key = inputs["key"]
        if len(key) > 512 or "," in key:
            raise StepFailed(f"Key Validation Error: {key} cannot be longer than 512 characters or contain commas")
        paths = [p.strip() for p in inputs["path"].splitlines() if p.strip()]
        store = step.host.cache_store
        version = _version(paths)
        index = _index(store)
        candidates = [key] + [k.strip() for k in inputs["restore-keys"].splitlines() if k.strip()]
        found = None
        for i, wanted in enumerate(candidates):
            entries = [e for e in index if e["version"] == version and
                       (e["key"] == wanted if i == 0 else e["key"].startswith(wanted))]
            if entries:
                found = max(entries, key=lambda e: e["created"])
                break
        exact = found is not None and found["key"] == key
        if found is None:
            if inputs["fail-on-cache-miss"] == "true":
                raise StepFailed(f"Failed to restore cache entry. Exiting as fail-on-cache-miss is set. Input key: "
                                 f"{key}")
            step.say(f"Cache not found for input keys: {', '.join(candidates)}")
            self.events.append(("missed", key))
            outputs = {"cache-primary-key": key}
        else:
            if inputs["lookup-only"] != "true":
                with tarfile.open(store / found["file"]) as archive:
                    archive.extractall("/", filter="fully_trusted")  # noqa: S202 - our own archive
            step.say(f"Cache restored from key: {found['key']}")
            self.events.append(("restored", found["key"]))
            outputs = {"cache-hit": "true" if exact else "false", "cache-primary-key": key,
                       "cache-matched-key": found["key"]}

        def save(job_succeeded: bool) -> None:
            if exact or not (job_succeeded or inputs["save-always"] == "true"):
                return
            resolved = [step.resolve(p) for p in paths]
            if not any(p.exists() for p in resolved):
                step.job.annotations.append("warning: Path Validation Error: Path(s) specified in the action for "
                                            "caching do(es) not exist, hence no cache is being saved.")
                return
            with step.host.cache_lock:
                if any(e["key"] == key and e["version"] == version for e in _index(store)):
                    return  # entries are immutable: the first job to save a key wins
                name = f"{len(_index(store)):04d}.tar"
                with tarfile.open(store / name, "w") as archive:
                    for path in resolved:
                        if path.exists():
                            archive.add(path, arcname=str(path).lstrip("/"))
                _save_index(store, [*_index(store), {"key": key, "version": version, "file": name,
                                                     "created": time.time()}])
            self.events.append(("saved", key))

        step.job.post.append((f"actions/cache {key}", save))
        return outputs


def _version(paths: list[str]) -> str:
    import hashlib

    return hashlib.sha256("|".join([*paths, "gzip", "1.0"]).encode()).hexdigest()


def _index(store: Path) -> list[dict[str, object]]:
    path = store / "index.json"
    return json.loads(path.read_text()) if path.exists() else []


def _save_index(store: Path, entries: list[dict[str, object]]) -> None:
    (store / "index.json").write_text(json.dumps(entries, indent=1))


# ---------------------------------------------------------------- GitHub Pages


@dataclass
class Pages:
    """actions/upload-pages-artifact and actions/deploy-pages, sharing the run's artifacts."""

    site_url: str = "https://acme-homelab.github.io/infra/"
    deployed: list[Path] = field(default_factory=list)

    def uploader(self) -> UploadPagesArtifact:
        return UploadPagesArtifact(self)

    def deployer(self) -> DeployPages:
        return DeployPages(self)


@dataclass
class UploadPagesArtifact:
    pages: Pages
    inputs: Mapping[str, str | None] = field(default_factory=lambda: {
        "name": "github-pages", "path": "_site/", "retention-days": "1"})

    def run(self, step: StepContext, inputs: Mapping[str, str]) -> dict[str, str]:
        site = step.resolve(inputs["path"])
        if not site.is_dir():
            raise StepFailed(f"the artifact path {inputs['path']!r} is not a directory")
        if not (site / "index.html").is_file():
            raise StepFailed(f"{inputs['path']} has no index.html: GitHub Pages would serve a 404 at the root")
        links = [p for p in site.rglob("*") if p.is_symlink()]
        if links:
            raise StepFailed(f"the site contains symbolic links, which Pages refuses: {links[:3]}")
        target = step.host.root / "artifacts" / step.github["run_id"]
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(target / f"{inputs['name']}.tar", "w") as archive:
            archive.add(site, arcname=".")
        step.say(f"uploaded {sum(1 for _ in site.rglob('*'))} files as {inputs['name']}")
        return {"artifact_id": str(abs(hash(inputs["name"])) % 10**9)}


@dataclass
class DeployPages:
    pages: Pages
    inputs: Mapping[str, str | None] = field(default_factory=lambda: {
        "token": "${{ github.token }}", "timeout": "600000", "error_count": "10", "reporting_interval": "5000",
        "artifact_name": "github-pages", "preview": "false"})

    def run(self, step: StepContext, inputs: Mapping[str, str]) -> dict[str, str]:
        perms = step.job.permissions
        missing = [s for s, level in (("pages", "write"), ("id-token", "write")) if perms.get(s) != level]
        if missing:
            raise StepFailed(f"deploy-pages needs {', '.join(f'{m}: write' for m in missing)} on the job")
        archive = step.host.root / "artifacts" / step.github["run_id"] / f"{inputs['artifact_name']}.tar"
        if not archive.is_file():
            raise StepFailed(f"no artifact {inputs['artifact_name']!r} was uploaded in this run")
        site = step.host.root / "deployed" / step.github["run_id"]
        shutil.rmtree(site, ignore_errors=True)
        site.mkdir(parents=True)
        with tarfile.open(archive) as tar:
            tar.extractall(site, filter="data")
        self.pages.deployed.append(site)
        step.say(f"deployed to {self.pages.site_url}")
        return {"page_url": self.pages.site_url}


# ---------------------------------------------------------------- the table


def table(remote: Path, pages: Pages) -> dict[str, LocalAction]:
    return {
        "actions/checkout": Checkout(remote),
        "actions/setup-python": SetupPython(),
        "hashicorp/setup-terraform": SetupTerraform("terraform"),
        "opentofu/setup-opentofu": SetupTerraform("tofu"),
        "actions/cache": Cache(),
        "actions/upload-pages-artifact": pages.uploader(),
        "actions/deploy-pages": pages.deployer(),
    }
