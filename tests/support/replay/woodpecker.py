"""Woodpecker pipelines, run the way Woodpecker's local backend runs them, and its API stand-in.

A pipeline runs only if its `when:` lets the event through (event, branch,
path include, and the `evaluate:` expression). Each step's commands become
one script, as Woodpecker writes it (`set -e`, each command echoed with
`+` before it runs), run by `sh` in a clone of the repository, after
Woodpecker's own substitution: `${VAR}` and `$VAR` are replaced with the
pipeline's variables, and `$$` becomes a `$` left to the shell. The step's
`image:` is replaced by this machine with the project's virtualenv first
on PATH (the runner image installs the same package).

The API stand-in answers what `responder woodpecker run` calls (repo
lookup, start a pipeline, get a pipeline) and runs the started pipeline
for real, so a woodpecker-mode replay goes from the Actions job through
the pipeline to the issue.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.support.http_services import JsonHandler, base_url, serve
from tests.support.replay.model import JobResult, ReplayError, StepResult
from tests.support.replay.runner import system_path


def substitute(text: str, variables: Mapping[str, str]) -> str:
    """Woodpecker's substitution: ${VAR} and $VAR become their values (or ''), $$ becomes $."""
    placeholder = "\0"
    out = text.replace("$$", placeholder)
    out = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: variables.get(m[1] or m[2], ""), out)
    return out.replace(placeholder, "$")


def script(commands: list[str]) -> str:
    """The script Woodpecker generates for a step's commands."""
    lines = ["set -e"]
    for command in commands:
        quoted = command.replace("'", "'\"'\"'")
        lines.append(f"echo + '{quoted}'")
        lines.append(command)
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- `evaluate:` (expr-lang, the part we use)


def evaluate(expression: str, variables: Mapping[str, str]) -> bool:
    tokens = re.findall(r'"(?:[^"\\]|\\.)*"|&&|\|\||==|!=|[()!]|[A-Za-z_]\w*|\S', expression)
    position = 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> str:
        nonlocal position
        token = tokens[position]
        position += 1
        return token

    def value() -> Any:
        token = take()
        if token == "(":
            result = disjunction()
            if take() != ")":
                raise ReplayError(f"evaluate: {expression!r}: missing )")
            return result
        if token == "!":
            return not value()
        if token.startswith('"'):
            return json.loads(token)
        if token in ("true", "false"):
            return token == "true"
        if re.fullmatch(r"[A-Za-z_]\w*", token):
            return variables.get(token, "")
        raise ReplayError(f"evaluate: {expression!r}: unexpected {token!r}")

    def comparison() -> Any:
        left = value()
        while peek() in ("==", "!="):
            op = take()
            right = value()
            left = (left == right) if op == "==" else (left != right)
        return left

    def conjunction() -> Any:
        left = comparison()
        while peek() == "&&":
            take()
            right = comparison()
            left = bool(left) and bool(right)
        return left

    def disjunction() -> Any:
        left = conjunction()
        while peek() == "||":
            take()
            right = conjunction()
            left = bool(left) or bool(right)
        return left

    result = disjunction()
    if position != len(tokens):
        raise ReplayError(f"evaluate: {expression!r}: unexpected {tokens[position]!r}")
    return bool(result)


# ---------------------------------------------------------------- pipelines


@dataclass(frozen=True)
class PipelineEvent:
    name: str  # push, manual, ...
    sha: str
    branch: str = "main"
    previous_sha: str = ""
    variables: Mapping[str, str] = field(default_factory=dict)  # a manual pipeline's variables
    changed_files: tuple[str, ...] = ()


def _match_glob(pattern: str, text: str) -> bool:
    regex = re.escape(pattern).replace(r"\*\*", ".*").replace(r"\*", "[^/]*")
    return re.fullmatch(regex, text) is not None


def runs_for(pipeline: Mapping[str, Any], event: PipelineEvent, variables: Mapping[str, str]) -> str | None:
    """Why the pipeline would not run for this event, or None when one `when:` entry lets it through."""
    when = pipeline.get("when")
    entries = when if isinstance(when, list) else [when] if when else [{}]
    reasons = []
    for entry in entries:
        entry = {k: substitute(v, variables) if isinstance(v, str) else v for k, v in entry.items()}
        events = entry.get("event")
        if events is not None and event.name not in ([events] if isinstance(events, str) else events):
            reasons.append(f"event {event.name} not in {events}")
            continue
        branch = entry.get("branch")
        if branch is not None and not any(_match_glob(b, event.branch)
                                          for b in ([branch] if isinstance(branch, str) else branch)):
            reasons.append(f"branch {event.branch} not in {branch}")
            continue
        path = entry.get("path")
        if path is not None and event.name == "push":
            include = path.get("include", []) if isinstance(path, dict) else path
            include = [include] if isinstance(include, str) else include
            if not any(_match_glob(p, f) for p in include for f in event.changed_files):
                reasons.append(f"no changed file matches {include}")
                continue
        if "evaluate" in entry and not evaluate(str(entry["evaluate"]), variables):
            reasons.append(f"evaluate: {entry['evaluate']!r} is false")
            continue
        return None
    return "; ".join(reasons) or "no when: entry matched"


@dataclass
class PipelineRunner:
    """Runs a pipeline file's steps on this machine (Woodpecker's local backend, with our venv as the image)."""

    remote: Path  # the repository Woodpecker clones
    work: Path  # where the clones go
    repository: str
    bin_dir: Path  # the project's virtualenv bin (stands for the runner image)
    extra_env: Mapping[str, str] = field(default_factory=dict)  # e.g. GITHUB_TOKEN from Vault, GITHUB_API_URL
    runs: list[JobResult] = field(default_factory=list)
    number: int = 100

    def run(self, path: Path, event: PipelineEvent) -> JobResult:
        pipeline = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.number += 1
        owner, name = self.repository.split("/")
        workspace = self.work / f"pipeline-{self.number}"
        shutil.rmtree(workspace, ignore_errors=True)
        variables = {
            "CI": "woodpecker", "CI_REPO": self.repository, "CI_REPO_OWNER": owner, "CI_REPO_NAME": name,
            "CI_REPO_DEFAULT_BRANCH": "main", "CI_REPO_URL": f"https://github.com/{self.repository}",
            "CI_REPO_CLONE_URL": f"https://github.com/{self.repository}.git", "CI_COMMIT_SHA": event.sha,
            "CI_COMMIT_REF": f"refs/heads/{event.branch}", "CI_COMMIT_BRANCH": event.branch,
            "CI_PREV_COMMIT_SHA": event.previous_sha, "CI_PIPELINE_EVENT": event.name,
            "CI_PIPELINE_NUMBER": str(self.number), "CI_PIPELINE_FILES": json.dumps(list(event.changed_files)),
            "CI_WORKSPACE": str(workspace), "CI_WORKFLOW_NAME": path.stem, "CI_FORGE_TYPE": "github",
            "CI_SYSTEM_NAME": "woodpecker", "CI_SYSTEM_URL": "https://ci.acme-homelab.org",
            **event.variables,
        }
        why_not = runs_for(pipeline, event, variables)
        if why_not is not None:
            raise ReplayError(f"{path.name}: Woodpecker would not run this pipeline for the event: {why_not}")
        started = time.monotonic()
        # The clone step: the repository at the commit, with its history (the default clone plugin).
        subprocess.run(["git", "clone", "-q", str(self.remote), str(workspace)], check=True, capture_output=True)
        subprocess.run(["git", "checkout", "-q", event.sha], cwd=workspace, check=True, capture_output=True)
        result = JobResult(path.name, "pipeline", path.stem, "success")
        for step in pipeline.get("steps") or []:
            if "commands" not in step:
                raise ReplayError(f"{path.name}: step {step.get('name')}: only commands: steps are replayed")
            commands = [substitute(str(c), variables) for c in step["commands"]]
            text = script(commands)
            environment = {k: substitute(str(v), variables) for k, v in (step.get("environment") or {}).items()}
            home = self.work / "home"
            home.mkdir(parents=True, exist_ok=True)
            env = {k: v for k, v in os.environ.items() if k.startswith("PIP_") or k in ("LANG", "LC_ALL", "TZ")}
            env.update({**variables, **environment, **self.extra_env, "HOME": str(home),
                        "CI_STEP_NAME": str(step.get("name", "")),
                        "PATH": f"{self.bin_dir}{os.pathsep}{system_path((self.bin_dir.parent,))}"})
            step_started = time.monotonic()
            process = subprocess.run(["sh", "-c", text], cwd=workspace, env=env, capture_output=True, text=True,
                                     timeout=600, check=False)
            log = process.stdout + process.stderr
            outcome = "success" if process.returncode == 0 else "failure"
            result.steps.append(StepResult(str(step.get("name")), None, outcome, outcome, log=log, command=text,
                                           exit_code=process.returncode, seconds=time.monotonic() - step_started))
            if process.returncode != 0:
                result.result = "failure"
                break
        result.seconds = time.monotonic() - started
        self.runs.append(result)
        return result


# ---------------------------------------------------------------- the API stand-in


@dataclass
class WoodpeckerStandIn:
    url: str = ""
    token: str = ""
    repo_id: int = 12
    created: list[dict[str, Any]] = field(default_factory=list)
    pipelines: dict[int, dict[str, Any]] = field(default_factory=dict)
    on_start: Callable[[Mapping[str, str]], bool] | None = None  # runs the pipeline; True when it succeeded
    refused: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _pipeline(number: int, status: str, variables: Mapping[str, str]) -> dict[str, Any]:
    return {"id": 9000 + number, "number": number, "author": "issueops-responder", "parent": 0, "event": "manual",
            "status": status, "errors": None, "created": 1763906760, "updated": 1763906761,
            "started": 1763906762, "finished": 0, "commit": "4f1c0e2", "branch": "main", "ref": "refs/heads/main",
            "message": "MANUAL PIPELINE @ main", "sender": "issueops-responder", "variables": dict(variables)}


@contextmanager
def woodpecker_api(repository: str, token: str) -> Iterator[WoodpeckerStandIn]:
    state = WoodpeckerStandIn(token=token)

    class Handler(JsonHandler):
        def _authorized(self) -> bool:
            if self.headers.get("Authorization") != f"Bearer {state.token}":
                state.refused.append(f"{self.command} {self.path}: bad token")
                self.send_json(401, {"message": "Unauthorized"})
                return False
            return True

        def do_GET(self) -> None:
            if not self._authorized():
                return
            found = re.fullmatch(rf"/api/repos/{state.repo_id}/pipelines/(\d+)", self.path)
            if self.path == f"/api/repos/lookup/{repository}":
                owner, name = repository.split("/")
                self.send_json(200, {"id": state.repo_id, "owner": owner, "name": name, "full_name": repository,
                                     "default_branch": "main", "active": True})
            elif found and int(found.group(1)) in state.pipelines:
                self.send_json(200, state.pipelines[int(found.group(1))])
            else:
                state.refused.append(f"GET {self.path}: not found")
                self.send_json(404, {"message": "not found"})

        def do_POST(self) -> None:
            if not self._authorized():
                return
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            if self.path != f"/api/repos/{state.repo_id}/pipelines":
                state.refused.append(f"POST {self.path}: not found")
                self.send_json(404, {"message": "not found"})
                return
            with state.lock:
                state.created.append(body)
                number = 56 + len(state.created)
                variables = body.get("variables") or {}
                state.pipelines[number] = _pipeline(number, "running", variables)
            done = threading.Event()

            def work() -> None:
                ok = state.on_start(variables) if state.on_start is not None else True
                state.pipelines[number] = {**_pipeline(number, "success" if ok else "failure", variables),
                                           "finished": 1763906900}
                done.set()

            threading.Thread(target=work, daemon=True).start()
            # Answer the final status when the pipeline is quick, as a fast Woodpecker would; else "running".
            done.wait(10)
            self.send_json(200, state.pipelines[number])

    with serve(Handler) as server:
        state.url = base_url(server)
        yield state
