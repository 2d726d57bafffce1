"""The Woodpecker runner image, checked without a Docker engine.

Static: the Dockerfile is parsed (continuations joined, comments dropped) and
read as a specification: every base image pinned by digest, every download
pinned by version and followed by a `sha256sum -c` of the same file against a
pinned SHA-256, Python packages only from the hash-pinned lock, and a final
user that is not root. The pipelines must run in that image and install
nothing at run time.

Dynamic: each download step is run by the image's own shell with `curl`,
`unzip` and `install` replaced by stand-ins, to show the check fails closed:
a wrong or empty checksum stops the build.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

IMAGE_DIR = ROOT / ".woodpecker" / "image"
DOCKERFILE = IMAGE_DIR / "Dockerfile"
PIPELINES = sorted((ROOT / ".woodpecker").glob("*.yml"))
PYTHON_BASE = re.compile(r"docker\.io/library/python:3\.12-slim@sha256:[0-9a-f]{64}")
RUNNER = re.compile(r"[a-z0-9.-]+(/[a-z0-9._-]+)+/issueops-responder-runner:[\w.-]+@sha256:[0-9a-f]{64}")


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str
    stage: int  # index of the FROM it belongs to


def instructions(text: str) -> list[Instruction]:
    """The Dockerfile's instructions, as the builder reads them."""
    out: list[Instruction] = []
    logical = ""
    stage = -1
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue  # comments are dropped, even between continuation lines
        logical += " " + line[:-1] if line.endswith("\\") else " " + line
        if line.endswith("\\"):
            continue
        keyword, _, args = logical.strip().partition(" ")
        if keyword.upper() == "FROM":
            stage += 1
        out.append(Instruction(keyword.upper(), args.strip(), stage))
        logical = ""
    assert not logical, "the Dockerfile ends inside a continuation"
    return out


def args_of(steps: list[Instruction], stage: int) -> dict[str, str]:
    """ARG name -> default, for one stage."""
    found = {}
    for step in steps:
        if step.keyword == "ARG" and step.stage == stage:
            name, _, default = step.args.partition("=")
            found[name] = default
    return found


def commands(run: str) -> list[str]:
    """The shell commands of one RUN, split at && (enough for this Dockerfile's style)."""
    return [part.strip() for part in run.split("&&")]


def downloads(run: str) -> list[tuple[str, str]]:
    """(command, output file) for every curl or wget in a RUN."""
    found = []
    for command in commands(run):
        if not re.search(r"\b(curl|wget)\b", command) or command.startswith("apt-get install "):
            continue  # installing curl itself is not a download
        assert re.match(r"(curl|wget)\s", command), f"a download must be a command of its own: {command}"
        output = re.search(r"\s(?:-o|-O|--output|--output-document)\s+(\S+)", command)
        assert output, f"a download must go to a named file, not a pipe: {command}"
        found.append((command, output.group(1)))
    return found


STEPS = instructions(DOCKERFILE.read_text(encoding="utf-8"))
RUNS = [step for step in STEPS if step.keyword == "RUN"]
FINAL = max(step.stage for step in STEPS)


# ---------------------------------------------------------------- static


def test_every_base_image_is_python_3_12_slim_pinned_by_digest() -> None:
    froms = [step.args.split() for step in STEPS if step.keyword == "FROM"]
    assert len(froms) == 2  # the downloads, then the runner
    for words in froms:
        assert PYTHON_BASE.fullmatch(words[0]), words[0]
    assert len({words[0] for words in froms}) == 1, "both stages start from the same pinned base"


def test_every_download_is_pinned_by_version_and_checked_against_its_sha256() -> None:
    checked = []
    for run in RUNS:
        parts = commands(run.args)
        for command, output in downloads(run.args):
            assert "|" not in command, f"a download must not be piped anywhere: {command}"
            assert command.count("https://") == 1 and "http://" not in command
            url = re.search(r'"?(https://[^"\s]+)', command)
            assert url, command
            assert re.search(r"\$\{\w+_VERSION\}", url.group(1)), f"the version is not an ARG: {url.group(1)}"
            assert "latest" not in url.group(1)
            check = next((p for p in parts[parts.index(command) + 1:] if "sha256sum -c" in p), None)
            assert check is not None, f"{output} is not checked"
            match = re.fullmatch(r'echo "\$\{(\w+_SHA256):\?[^}]+\}  ' + re.escape(output) + r'" \| sha256sum -c -',
                                 check)
            assert match, f"{output}: expected its pinned sha256 checked with sha256sum -c, got {check!r}"
            checked.append((url.group(1), match.group(1), run.stage))
    assert {url.rsplit("/", 1)[-1] for url, _, _ in checked} == {
        "terraform_${TERRAFORM_VERSION}_linux_amd64.zip", "tofu_${TOFU_VERSION}_linux_amd64.zip", "kubectl"}
    for url, checksum_arg, stage in checked:
        declared = args_of(STEPS, stage)
        assert re.fullmatch(r"[0-9a-f]{64}", declared.get(checksum_arg, "")), f"{checksum_arg} is not pinned"
        for version in re.findall(r"\$\{(\w+_VERSION)\}", url):
            assert re.fullmatch(r"\d+\.\d+\.\d+", declared.get(version, "")), f"{version} is not pinned"


def test_the_final_user_is_not_root() -> None:
    users = [step.args for step in STEPS if step.keyword == "USER" and step.stage == FINAL]
    assert users, "the runner sets a user"
    user, _, group = users[-1].partition(":")
    assert user not in ("root", "0") and group not in ("root", "0")
    assert user.isdigit(), "numeric, so Kubernetes can check runAsNonRoot"
    assert STEPS[-1].keyword == "USER", "nothing after it runs as root"


def test_python_packages_come_only_from_the_hash_pinned_lock() -> None:
    installs = [c for run in RUNS for c in commands(run.args) if re.search(r"pip install", c)]
    assert installs == [
        "python -m pip install --require-hashes --no-deps -r /tmp/responder/requirements.lock",
        "python -m pip install --no-deps --no-build-isolation /tmp/responder",
    ]
    copies = [step.args for step in STEPS if step.keyword == "COPY" and not step.args.startswith("--from")]
    assert copies[0] == "requirements.lock /tmp/responder/requirements.lock"


def test_the_context_sends_only_what_the_image_copies() -> None:
    """Built from the repository root: every COPY source exists, and the ignore file lets exactly those through."""
    allowed = {line[1:].rstrip("/") for line in (IMAGE_DIR / "Dockerfile.dockerignore").read_text().splitlines()
               if line.startswith("!")}
    sources = {source for step in STEPS if step.keyword == "COPY" and not step.args.startswith("--from")
               for source in step.args.split()[:-1]}
    assert sources == allowed
    for source in sources:
        assert (ROOT / source).exists(), f"{source} is missing from the repository"


def test_the_tools_a_pipeline_needs_are_in_the_image() -> None:
    final_runs = " ".join(run.args for run in RUNS if run.stage == FINAL)
    assert "apt-get install -y --no-install-recommends ca-certificates git" in final_runs
    assert "terraform version && tofu version && kubectl version --client" in final_runs
    assert "responder --help" in final_runs and "postmortem --help" in final_runs


# ---------------------------------------------------------------- the pipelines run in it


@pytest.mark.parametrize("path", PIPELINES, ids=lambda p: p.name)
def test_the_pipelines_run_in_the_runner_image_and_install_nothing(path: Path) -> None:
    pipeline = yaml.safe_load(path.read_text())
    uid = next(step.args for step in reversed(STEPS) if step.keyword == "USER").split(":")[0]
    for step in pipeline["steps"]:
        assert RUNNER.fullmatch(step["image"]), step["image"]
        for command in step["commands"]:
            assert not re.search(r"pip install|apt-get|curl|wget", command), command
        context = step["backend_options"]["kubernetes"]["securityContext"]
        assert context == {"runAsNonRoot": True, "runAsUser": int(uid), "runAsGroup": int(uid), "fsGroup": int(uid)}


def test_both_pipelines_pin_the_same_image() -> None:
    """One reference to replace when a new image is pushed."""
    images = {step["image"] for path in PIPELINES for step in yaml.safe_load(path.read_text())["steps"]}
    assert len(images) == 1


# ---------------------------------------------------------------- the checks fail closed


def stand_ins(bin_dir: Path, content: bytes) -> None:
    """curl writes `content` to its -o file; unzip and install succeed without doing anything."""
    bin_dir.mkdir()
    scripts = {
        "curl": "import sys\nargs = sys.argv[1:]\n"
                f"open(args[args.index('-o') + 1], 'wb').write({content!r})\n",
        "unzip": "",
        "install": "",
    }
    for name, body in scripts.items():
        tool = bin_dir / name
        tool.write_text(f"#!{os.sys.executable}\n{body}")
        tool.chmod(tool.stat().st_mode | stat.S_IEXEC)


def shell_of(stage: int) -> list[str]:
    declared = [step.args for step in STEPS if step.keyword == "SHELL" and step.stage == stage]
    return json.loads(declared[-1])


DOWNLOAD_RUNS = [run for run in RUNS if downloads(run.args)]


@pytest.mark.parametrize("run", DOWNLOAD_RUNS, ids=lambda r: downloads(r.args)[0][1])
@pytest.mark.parametrize("checksum", ["matching", "pinned-but-different", "empty"])
def test_a_download_whose_checksum_does_not_match_stops_the_build(tmp_path: Path, run: Instruction,
                                                                  checksum: str) -> None:
    content = b"not the published binary"
    stand_ins(tmp_path / "bin", content)
    env = {"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), **args_of(STEPS, run.stage)}
    [(_, output)] = downloads(run.args)
    name = next(key for key in env if key.endswith("_SHA256") and key.split("_")[0].lower() in output)
    if checksum == "matching":
        env[name] = hashlib.sha256(content).hexdigest()
    elif checksum == "empty":
        env[name] = ""
    result = subprocess.run([*shell_of(run.stage), run.args], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=30, check=False)
    if checksum == "matching":
        assert result.returncode == 0, result.stderr
    elif checksum == "empty":
        assert result.returncode != 0
        assert f"{name}: no {name.split('_')[0].lower()} checksum pinned" in result.stderr
    else:
        assert result.returncode != 0
        assert f"{output}: FAILED" in result.stdout


def test_a_platform_without_pinned_checksums_stops_the_build(tmp_path: Path) -> None:
    guard = next(run for run in RUNS if "TARGETARCH" in run.args)
    (tmp_path / "bin").mkdir()
    result = subprocess.run([*shell_of(guard.stage), guard.args], cwd=tmp_path, capture_output=True, text=True,
                            env={"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin", "TARGETARCH": "arm64"},
                            timeout=30, check=False)
    assert result.returncode == 1
    assert "only linux/amd64 checksums are pinned" in result.stderr
