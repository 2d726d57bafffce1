"""Runs the jobs of a GitHub Actions workflow step by step, the way the hosted runner does.

What the runner does and this replay does too:

- jobs in `needs` order, job `if:` (default `success()`), job outputs, reusable
  workflows (`jobs.<id>.uses: ./.github/workflows/x.yml`, as a workflow_call
  with `with:` and `secrets: inherit`, whose jobs may not ask for more
  permissions than the caller grants), a matrix;
- steps: `if:` (an implicit `success() &&`), `continue-on-error`, `id`,
  `env` layered workflow -> job -> GITHUB_ENV -> step, `working-directory`,
  `shell` (unspecified: `bash -e {0}`; `bash`: `bash --noprofile --norc -eo
  pipefail {0}`; `sh -e {0}`; `python {0}`; a custom `cmd {0}`), `defaults.run`,
  the script written to a file in RUNNER_TEMP and run from there;
- the files a step writes to (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH,
  GITHUB_STEP_SUMMARY, GITHUB_STATE) in both formats (`name=value` and
  `name<<DELIMITER`), and the `::add-mask::`, `::error::` and `::warning::`
  workflow commands; a masked value is replaced by *** in every later line of
  the log, as GitHub does (a value printed before its mask stays visible);
- `uses:` steps: composite actions from their action.yml, and the other
  actions through an explicit table of local equivalents (actions.py);
  anything else fails loudly;
- the environment of a hosted Ubuntu runner (GITHUB_*, RUNNER_*, CI, HOME,
  PATH), with paths that stay the same from job to job, as on GitHub, so a
  cached virtualenv restored by a later job still works.

Nothing is guessed: an unknown context, function, action or key that GitHub
would refuse fails the replay with the workflow, job and step in the message.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import re
import shlex
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from tests.support.replay import expressions as ex
from tests.support.replay.model import JobResult, ReplayError, StepResult, WorkflowRun

# ---------------------------------------------------------------- settings


class TokenAuthority(Protocol):
    """The GitHub stand-in: it issues each job's GITHUB_TOKEN for the job's permissions and counts requests."""

    def issue_token(self, permissions: Mapping[str, str]) -> str: ...

    def request_count(self) -> int: ...


@dataclass
class NoGitHub:
    """For replays that never call the API: tokens are issued, nothing is served."""

    issued: list[dict[str, str]] = field(default_factory=list)

    def issue_token(self, permissions: Mapping[str, str]) -> str:
        self.issued.append(dict(permissions))
        return "ghs_" + uuid.uuid4().hex + "x" * 4

    def request_count(self) -> int:
        return 0


@dataclass
class Repository:
    """The repository the workflow runs in, and what its settings hold."""

    full_name: str = "acme-homelab/infra"
    vars: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    default_branch: str = "main"
    server_url: str = "https://github.com"
    api_url: str = "https://api.github.com"
    repository_id: int = 771234


@dataclass
class Event:
    """What triggered the run: the event name, its webhook payload, the ref and commit it ran on."""

    name: str
    payload: dict[str, Any] = field(default_factory=dict)
    ref: str = "refs/heads/main"
    sha: str = ""  # empty: the checkout source's head
    inputs: dict[str, Any] = field(default_factory=dict)  # workflow_dispatch inputs


# ---------------------------------------------------------------- the runner host


SYSTEM_KEEP = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE",
               "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY")


def system_path(exclude: tuple[Path, ...] = ()) -> str:
    """The machine's PATH without any virtualenv: a runner starts with no project installed."""
    entries = []
    virtual = os.environ.get("VIRTUAL_ENV")
    for entry in os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin").split(os.pathsep):
        if not entry:
            continue
        resolved = Path(entry).resolve()
        if virtual and resolved.is_relative_to(Path(virtual).resolve()):
            continue
        if any(resolved.is_relative_to(p.resolve()) for p in exclude):
            continue
        if (resolved / "pyvenv.cfg").exists() or (resolved.parent / "pyvenv.cfg").exists():
            continue
        entries.append(entry)
    for fallback in ("/usr/local/bin", "/usr/bin", "/bin"):
        if fallback not in entries:
            entries.append(fallback)
    return os.pathsep.join(entries)


@dataclass
class Host:
    """The runner machine. Its paths stay the same for every job (as /home/runner/work on GitHub)."""

    root: Path
    exclude_from_path: tuple[Path, ...] = ()

    def __post_init__(self) -> None:
        for name in ("work", "temp", "toolcache", "home", "cache", "artifacts", "templates"):
            (self.root / name).mkdir(parents=True, exist_ok=True)
        self._run_ids = itertools.count(9_100_000_001)
        self.cache_lock = threading.Lock()

    @property
    def temp(self) -> Path:
        return self.root / "temp"

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def tool_cache(self) -> Path:
        return self.root / "toolcache"

    @property
    def cache_store(self) -> Path:
        return self.root / "cache"

    def workspace(self, repository: str) -> Path:
        name = repository.split("/")[-1]
        return self.root / "work" / name / name

    def fresh_job(self, repository: str) -> Path:
        """A new job on a new machine: empty workspace, RUNNER_TEMP, HOME and tool cache."""
        for name in ("work", "temp", "home", "toolcache"):
            shutil.rmtree(self.root / name, ignore_errors=True)
            (self.root / name).mkdir()
        workspace = self.workspace(repository)
        workspace.mkdir(parents=True)
        return workspace

    def next_run_id(self) -> int:
        return next(self._run_ids)

    def base_env(self) -> dict[str, str]:
        env = {key: os.environ[key] for key in SYSTEM_KEEP if key in os.environ}
        # The machine's pip settings (index, certificates) stand for the runner's network access.
        env.update({k: v for k, v in os.environ.items() if k.startswith("PIP_") and k != "PIP_REQUIRE_VIRTUALENV"})
        env.update({"PATH": system_path(self.exclude_from_path), "HOME": str(self.home), "CI": "true",
                    "GITHUB_ACTIONS": "true", "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64",
                    "RUNNER_NAME": "GitHub Actions 1", "RUNNER_ENVIRONMENT": "github-hosted",
                    "RUNNER_TEMP": str(self.temp), "RUNNER_TOOL_CACHE": str(self.tool_cache),
                    "RUNNER_WORKSPACE": str(self.root / "work"), "ImageOS": "ubuntu24",
                    "DEBIAN_FRONTEND": "noninteractive", "LANG": env.get("LANG", "C.UTF-8")})
        return env


# ---------------------------------------------------------------- local actions


class LocalAction(Protocol):
    """A stand-in for a published action: it does locally what the action does on a runner."""

    #: the inputs the action declares, with their defaults (None: no default)
    inputs: Mapping[str, str | None]

    def run(self, step: StepContext, inputs: Mapping[str, str]) -> dict[str, str]: ...


#: In Runner.composite_roots: `uses: ./...` is read from the job's checkout, as GitHub does.
WORKSPACE = Path("<the job's workspace>")


class StepFailed(Exception):
    """A local action failed, as the real one would; the message goes to the step's log."""


# ---------------------------------------------------------------- YAML


def load_yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ReplayError(f"{path}: not a mapping")
    if True in data:  # YAML 1.1 reads the key `on` as True
        data["on"] = data.pop(True)
    return data


def _as_mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ReplayError(f"{where}: expected a mapping, got {value!r}")
    return value


def triggers(workflow: Mapping[str, Any]) -> dict[str, Any]:
    on = workflow.get("on")
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return _as_mapping(on, "on")


# ---------------------------------------------------------------- permissions

LEVEL = {"none": 0, "read": 1, "write": 2}
SCOPES = ("actions", "attestations", "checks", "contents", "deployments", "discussions", "id-token", "issues",
          "models", "packages", "pages", "pull-requests", "repository-projects", "security-events", "statuses")
# A repository's default for GITHUB_TOKEN when nothing is declared ("restricted").
DEFAULT_PERMISSIONS = {"contents": "read", "packages": "read", "metadata": "read"}


def permission_set(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return dict(DEFAULT_PERMISSIONS)
    if value == "read-all":
        return {**dict.fromkeys(SCOPES, "read"), "id-token": "none", "metadata": "read"}
    if value == "write-all":
        return {**dict.fromkeys(SCOPES, "write"), "metadata": "read"}
    if value == {}:
        return {"metadata": "read"}
    perms = _as_mapping(value, where)
    for scope, level in perms.items():
        if scope not in SCOPES and scope != "metadata":
            raise ReplayError(f"{where}: unknown permission scope {scope!r}")
        if level not in LEVEL or (scope == "id-token" and level == "read"):
            raise ReplayError(f"{where}: {scope}: {level!r} is not a permission level here")
    return {"metadata": "read", **{k: str(v) for k, v in perms.items()}}


def allows(granted: Mapping[str, str], wanted: Mapping[str, str]) -> list[str]:
    """The scopes `wanted` asks for beyond `granted` (a called workflow may not exceed its caller)."""
    return [f"{scope}: {level}" for scope, level in wanted.items()
            if LEVEL.get(level, 0) > LEVEL.get(granted.get(scope, "none"), 0)]


# ---------------------------------------------------------------- the files a step writes

_HEREDOC = re.compile(r"^([^=<\s][^=<]*?)<<(.+)$")


def parse_command_file(text: str, where: str) -> dict[str, str]:
    """GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STATE: `name=value` lines and `name<<DELIMITER` blocks."""
    values: dict[str, str] = {}
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip("\r")
        i += 1
        if line == "":
            continue
        heredoc = _HEREDOC.match(line)
        equals = line.find("=")
        if heredoc and (equals < 0 or line.find("<<") < equals):
            name, delimiter = heredoc.group(1), heredoc.group(2)
            block: list[str] = []
            while True:
                if i >= len(lines):
                    raise ReplayError(f"{where}: the value of {name!r} has no closing delimiter {delimiter!r}")
                current = lines[i].rstrip("\r")
                i += 1
                if current == delimiter:
                    break
                block.append(current)
            values[name] = "\n".join(block)
        elif equals > 0:
            values[line[:equals]] = line[equals + 1:]
        else:
            raise ReplayError(f"{where}: invalid line {line!r} (expected name=value or name<<DELIMITER)")
    return values


_COMMAND = re.compile(r"^::([A-Za-z-]+)(?: ([^:]*))?::(.*)$")


# ---------------------------------------------------------------- job state


@dataclass
class JobState:
    """What the runner keeps for one job while its steps run."""

    workflow: str
    job_id: str
    workspace: Path
    permissions: dict[str, str]
    token: str
    env: dict[str, str] = field(default_factory=dict)  # set through GITHUB_ENV
    path: list[str] = field(default_factory=list)  # added through GITHUB_PATH, newest first
    masks: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    annotations: list[str] = field(default_factory=list)
    post: list[tuple[str, Callable[[bool], None]]] = field(default_factory=list)
    failed: bool = False

    def mask(self, value: str) -> None:
        value = value.strip()
        if value and value not in self.masks:
            self.masks.append(value)
            self.masks.sort(key=len, reverse=True)

    def masked(self, line: str) -> str:
        for value in self.masks:
            line = line.replace(value, "***")
        return line


@dataclass
class StepContext:
    """What a local action sees: the runner's environment for the step, the job and the host."""

    runner: Runner
    job: JobState
    env: dict[str, str]
    log: list[str]
    github: dict[str, Any]

    @property
    def workspace(self) -> Path:
        return self.job.workspace

    @property
    def host(self) -> Host:
        return self.runner.host

    def say(self, line: str) -> None:
        self.log.append(self.job.masked(line))

    def add_path(self, directory: str) -> None:
        self.job.path.insert(0, directory)

    def set_env(self, name: str, value: str) -> None:
        self.job.env[name] = value

    def resolve(self, path: str) -> Path:
        expanded = str(Path(self.env["HOME"]) / path[2:]) if path.startswith("~/") else path
        candidate = Path(expanded)
        return candidate if candidate.is_absolute() else self.workspace / candidate

    def which(self, program: str) -> str | None:
        return shutil.which(program, path=self.env["PATH"])


# ---------------------------------------------------------------- the runner


@dataclass
class Runner:
    host: Host
    repository: Repository
    actions: Mapping[str, LocalAction]
    github: TokenAuthority = field(default_factory=NoGitHub)
    #: where `uses: ./` and `uses: OWNER/issueops-responder@SHA` find their action.yml
    composite_roots: Mapping[str, Path] = field(default_factory=dict)
    #: the repository's files (its .github/workflows), for `jobs.<id>.uses: ./...`
    source: Path | None = None
    step_timeout: float = 900.0
    #: called with each finished job (durations, request counts)
    on_job: Callable[[JobResult], None] | None = None

    # ------------------------------------------------------------ workflows

    def run_workflow(self, path: Path, event: Event, *, skip: Mapping[str, str] | None = None,
                     call_inputs: Mapping[str, Any] | None = None, caller: _CallerJob | None = None) -> WorkflowRun:
        workflow = load_yaml(path)
        name = path.name
        on = triggers(workflow)
        event_name = "workflow_call" if caller is not None else event.name
        if event_name not in on:
            raise ReplayError(f"{name}: not triggered by {event_name!r} (on: {sorted(on)})")
        if caller is None:
            _check_filters(name, on[event_name], event, self.source)
        run = WorkflowRun(name, event.name, run_id=caller.run_id if caller else self.host.next_run_id())
        inputs = self._inputs(name, on, event, call_inputs, event_name)
        jobs = _as_mapping(workflow.get("jobs"), f"{name}: jobs")
        if not jobs:
            raise ReplayError(f"{name}: no jobs")
        workflow_perms = workflow.get("permissions")
        base_contexts = {"github": self._github_context(event, name), "vars": dict(self.repository.vars),
                         "inputs": inputs}
        self._evaluate_concurrency(name, workflow.get("concurrency"), base_contexts, "concurrency")
        order = _job_order(name, jobs)
        for job_id in order:
            job = _as_mapping(jobs[job_id], f"{name}: jobs.{job_id}")
            if skip and job_id in skip:
                run.jobs[job_id] = JobResult(name, job_id, str(job.get("name", job_id)), "skipped",
                                             reason=f"not replayed: {skip[job_id]}")
                continue
            needs = _needs(job)
            needs_ctx = {n: {"result": run.jobs[n].result, "outputs": run.jobs[n].outputs} for n in needs}
            result = self._run_job(name, workflow, job_id, job, event, inputs, needs_ctx, workflow_perms,
                                   run, caller)
            run.jobs[job_id] = result
            if self.on_job is not None:
                self.on_job(result)
        if caller is not None:
            outputs = _as_mapping(_as_mapping(on.get("workflow_call"), "on.workflow_call").get("outputs"),
                                  "on.workflow_call.outputs")
            jobs_ctx = {j: {"result": r.result, "outputs": r.outputs} for j, r in run.jobs.items()}
            ev = ex.evaluator({**base_contexts, "jobs": jobs_ctx})
            for key, spec in outputs.items():
                run.outputs[key] = self._render_text(spec.get("value", ""), ev,
                                                     f"{name}: on.workflow_call.outputs.{key}")
        return run

    def _inputs(self, name: str, on: Mapping[str, Any], event: Event, call_inputs: Mapping[str, Any] | None,
                event_name: str) -> dict[str, Any]:
        declared: dict[str, Any] = {}
        given: Mapping[str, Any] = {}
        if event_name == "workflow_call":
            declared = _as_mapping(_as_mapping(on.get("workflow_call"), "workflow_call").get("inputs"), "inputs")
            given = call_inputs or {}
        elif event_name == "workflow_dispatch":
            declared = _as_mapping(_as_mapping(on.get("workflow_dispatch"), "workflow_dispatch").get("inputs"),
                                   "inputs")
            given = event.inputs
        unknown = set(given) - set(declared)
        if unknown:
            raise ReplayError(f"{name}: inputs {sorted(unknown)} are not declared by {event_name}")
        inputs: dict[str, Any] = {}
        for key, spec in declared.items():
            spec = _as_mapping(spec, f"{name}: inputs.{key}")
            if key in given:
                value = given[key]
            elif spec.get("required") and "default" not in spec:
                raise ReplayError(f"{name}: required input {key!r} not given")
            else:
                value = spec.get("default")
            kind_ = spec.get("type", "string")
            if kind_ == "boolean" and isinstance(value, str):
                value = value == "true"
            elif kind_ == "number" and isinstance(value, str):
                value = ex.js_number(value)
            inputs[key] = "" if value is None and kind_ == "string" else value
        return inputs

    def _github_context(self, event: Event, workflow: str) -> dict[str, Any]:
        repo = self.repository
        owner = repo.full_name.split("/")[0]
        sender = (event.payload.get("sender") or {}).get("login", owner)
        ref_name = event.ref.split("/", 2)[-1] if event.ref.startswith("refs/") else event.ref
        return {
            "event_name": event.name, "event": event.payload, "repository": repo.full_name,
            "repository_owner": owner, "repository_id": str(repo.repository_id),
            "repository_owner_id": "90000", "repositoryUrl": f"git://github.com/{repo.full_name}.git",
            "ref": event.ref, "ref_name": ref_name, "ref_type": "tag" if "/tags/" in event.ref else "branch",
            "ref_protected": False, "sha": event.sha, "actor": sender, "actor_id": "1000",
            "triggering_actor": sender, "server_url": repo.server_url, "api_url": repo.api_url,
            "graphql_url": repo.api_url.rstrip("/") + "/graphql", "workflow": workflow,
            "workflow_ref": f"{repo.full_name}/.github/workflows/{workflow}@{event.ref}",
            "workflow_sha": event.sha, "run_number": "17", "run_attempt": "1", "retention_days": "90",
            "secret_source": "Actions", "head_ref": "", "base_ref": "",
        }

    def _evaluate_concurrency(self, name: str, concurrency: Any, contexts: Mapping[str, Any], where: str) -> None:
        if concurrency is None:
            return
        ev = ex.evaluator(contexts)
        group = concurrency.get("group") if isinstance(concurrency, dict) else concurrency
        text = self._render_text(group, ev, f"{name}: {where}.group")
        if not text:
            raise ReplayError(f"{name}: {where}: the concurrency group evaluates to an empty string")
        if isinstance(concurrency, dict):
            unknown = set(concurrency) - {"group", "cancel-in-progress", "queue"}
            if unknown:
                raise ReplayError(f"{name}: {where}: unknown keys {sorted(unknown)}")
            self._render(concurrency.get("cancel-in-progress", False), ev, f"{name}: {where}.cancel-in-progress")

    # ------------------------------------------------------------ jobs

    def _run_job(self, name: str, workflow: Mapping[str, Any], job_id: str, job: Mapping[str, Any], event: Event,
                 inputs: Mapping[str, Any], needs_ctx: dict[str, Any], workflow_perms: Any, run: WorkflowRun,
                 caller: _CallerJob | None) -> JobResult:
        title = str(job.get("name", job_id))
        where = f"{name}: jobs.{job_id}"
        github = {**self._github_context(event, name), "job": job_id, "run_id": str(run.run_id)}
        base = {"github": github, "vars": dict(self.repository.vars), "inputs": dict(inputs), "needs": needs_ctx}
        # Job-level `if`: status functions look at the jobs this one needs.
        statuses = [n["result"] for n in needs_ctx.values()]
        status_funcs = _status_functions(lambda: all(s == "success" for s in statuses),
                                         lambda: any(s == "failure" for s in statuses))
        ev = ex.evaluator(base, status_funcs)
        perms = permission_set(job.get("permissions", workflow_perms),
                               f"{where}.permissions")
        if caller is not None:
            if "permissions" not in job and workflow_perms is None:
                perms = dict(caller.permissions)
            beyond = allows(caller.permissions, perms)
            if beyond:
                raise ReplayError(f"{caller.workflow}: job {caller.job_id} calls {name}, whose job {job_id!r} asks "
                                  f"for {', '.join(beyond)}, but the caller allows only {caller.permissions}: "
                                  f"GitHub refuses to start the workflow")
        try:
            wanted = ex.condition(job.get("if"), ev)
        except (ex.ExpressionError, ex.EvaluationError) as exc:
            raise ReplayError(f"{where}.if: {exc}") from None
        if not wanted:
            return JobResult(name, job_id, title, "skipped", reason=f"if: {job.get('if')!r} is false"
                             if "if" in job else "a job it needs did not succeed", permissions=perms)
        if "uses" in job:
            return self._call_workflow(name, job_id, job, event, base, perms, run)
        for unsupported in ("container", "services"):
            if unsupported in job:
                raise ReplayError(f"{where}: {unsupported} is not replayed (add it to the harness)")
        strategy = _as_mapping(job.get("strategy"), f"{where}.strategy")
        combos = _matrix(self._render(strategy.get("matrix"), ex.evaluator(base), f"{where}.strategy.matrix"))
        results = [self._run_job_once(name, workflow, job_id, job, base, perms, matrix, caller)
                   for matrix in combos]
        if len(results) == 1:
            return results[0]
        merged = JobResult(name, job_id, title, "failure" if any(r.result == "failure" for r in results)
                           else "success", permissions=perms)
        for r in results:
            merged.steps.extend(r.steps)
            merged.outputs.update(r.outputs)
            merged.seconds += r.seconds
            merged.github_requests += r.github_requests
        return merged

    def _call_workflow(self, name: str, job_id: str, job: Mapping[str, Any], event: Event,
                       base: Mapping[str, Any], perms: dict[str, str], run: WorkflowRun) -> JobResult:
        where = f"{name}: jobs.{job_id}"
        uses = str(job["uses"])
        if not uses.startswith("./"):
            raise ReplayError(f"{where}: uses {uses!r}: only reusable workflows of the same repository are replayed")
        if self.source is None:
            raise ReplayError(f"{where}: uses {uses!r} but the runner has no repository source")
        target = self.source / uses[2:]
        if not target.is_file():
            raise ReplayError(f"{where}: uses {uses!r}, which does not exist")
        ev = ex.evaluator(base)
        call_inputs = {k: self._render(v, ev, f"{where}.with.{k}") for k, v in
                       _as_mapping(job.get("with"), f"{where}.with").items()}
        secrets = job.get("secrets")
        if secrets not in (None, "inherit"):
            raise ReplayError(f"{where}: only `secrets: inherit` (or none) is replayed")
        inner = Runner(self.host, self.repository if secrets == "inherit" else
                       Repository(**{**self.repository.__dict__, "secrets": {}}),
                       self.actions, self.github, self.composite_roots, self.source, self.step_timeout, self.on_job)
        started = time.monotonic()
        called = inner.run_workflow(target, event, call_inputs=call_inputs,
                                    caller=_CallerJob(name, job_id, perms, run.run_id))
        result = JobResult(name, job_id, str(job.get("name", job_id)), called.result, outputs=dict(called.outputs),
                           permissions=perms, called={f"{target.name}/{k}": v for k, v in called.jobs.items()})
        result.seconds = time.monotonic() - started
        return result

    def _run_job_once(self, name: str, workflow: Mapping[str, Any], job_id: str, job: Mapping[str, Any],
                      base: Mapping[str, Any], perms: dict[str, str], matrix: dict[str, Any],
                      caller: _CallerJob | None) -> JobResult:
        where = f"{name}: jobs.{job_id}"
        started = time.monotonic()
        requests_before = self.github.request_count()
        workspace = self.host.fresh_job(self.repository.full_name)
        token = self.github.issue_token(perms)
        state = JobState(name, job_id, workspace, perms, token)
        state.mask(token)
        for secret in self.repository.secrets.values():
            state.mask(secret)
        github = {**base["github"], "token": token, "workspace": str(workspace),
                  "action_path": "", "action": "", "event_path": str(self.host.temp / "_github_workflow" /
                                                                      "event.json")}
        runner_ctx = {"os": "Linux", "arch": "X64", "name": "GitHub Actions 1", "temp": str(self.host.temp),
                      "tool_cache": str(self.host.tool_cache), "environment": "github-hosted", "debug": ""}
        contexts: dict[str, Any] = {**base, "github": github, "secrets": {"GITHUB_TOKEN": token,
                                                                          **self.repository.secrets},
                                    "matrix": matrix, "strategy": {"fail-fast": True, "job-index": 0,
                                                                   "job-total": 1, "max-parallel": 1},
                                    "runner": runner_ctx, "job": {"status": "success"}}
        ev = ex.evaluator(contexts)
        title = self._render_text(job.get("name", job_id), ev, f"{where}.name")
        runs_on = self._render(job.get("runs-on"), ev, f"{where}.runs-on")
        labels = runs_on if isinstance(runs_on, list) else [runs_on]
        if not labels or not all(isinstance(x, str) and x.startswith("ubuntu-") for x in labels):
            raise ReplayError(f"{where}: runs-on {runs_on!r}: only hosted Ubuntu runners are replayed")
        timeout = self._render(job.get("timeout-minutes", 360), ev, f"{where}.timeout-minutes")
        if not ex.is_number(timeout) or timeout <= 0:
            raise ReplayError(f"{where}: timeout-minutes {timeout!r} is not a positive number")
        self._evaluate_concurrency(name, job.get("concurrency"), contexts, f"jobs.{job_id}.concurrency")
        workflow_env = {k: self._render_text(v, ex.evaluator({**{c: contexts[c] for c in
                                                                  ("github", "secrets", "inputs", "vars")}}),
                                             f"{name}: env.{k}")
                        for k, v in _as_mapping(workflow.get("env"), f"{name}: env").items()}
        contexts["env"] = dict(workflow_env)
        job_env = {k: self._render_text(v, ex.evaluator(contexts), f"{where}.env.{k}")
                   for k, v in _as_mapping(job.get("env"), f"{where}.env").items()}
        defaults = {**_as_mapping(_as_mapping(workflow.get("defaults"), "defaults").get("run"), "defaults.run"),
                    **_as_mapping(_as_mapping(job.get("defaults"), f"{where}.defaults").get("run"),
                                  f"{where}.defaults.run")}
        event_dir = self.host.temp / "_github_workflow"
        event_dir.mkdir(parents=True, exist_ok=True)
        (event_dir / "event.json").write_text(json.dumps(github["event"], indent=2), encoding="utf-8")
        deadline = started + float(timeout) * 60
        result = JobResult(name, job_id, title, "success", permissions=perms)
        steps_ctx: dict[str, Any] = {}
        steps = job.get("steps")
        if not isinstance(steps, list) or not steps:
            raise ReplayError(f"{where}: a job needs steps (or uses:)")
        for index, step in enumerate(steps):
            step = _as_mapping(step, f"{where}.steps[{index}]")
            scope = _Scope(where=f"{where}.steps[{index}]", contexts=contexts, steps=steps_ctx,
                           env_layers=(workflow_env, job_env), defaults=defaults, action_path="", inputs=None)
            step_result = self._run_step(state, step, scope, deadline)
            result.steps.append(step_result)
        for label, post in reversed(state.post):
            log: list[str] = []
            try:
                post(not state.failed)
            except StepFailed as exc:
                log.append(str(exc))
                state.failed = True
                result.steps.append(StepResult(f"Post {label}", None, "failure", "failure", log="\n".join(log),
                                               command=f"post: {label}", error=str(exc)))
        # Job outputs see the steps, as GitHub evaluates them once the steps are done.
        contexts["steps"] = steps_ctx
        contexts["job"] = {"status": "failure" if state.failed else "success"}
        contexts["env"] = {**workflow_env, **job_env, **state.env}
        out_ev = ex.evaluator(contexts)
        for key, value in _as_mapping(job.get("outputs"), f"{where}.outputs").items():
            result.outputs[key] = self._render_text(value, out_ev, f"{where}.outputs.{key}")
        environment = job.get("environment")
        if isinstance(environment, dict) and "url" in environment:
            self._render_text(environment["url"], out_ev, f"{where}.environment.url")
        result.result = "failure" if state.failed else "success"
        result.summary = "\n".join(state.summary)
        result.annotations = list(state.annotations)
        result.seconds = time.monotonic() - started
        result.github_requests = self.github.request_count() - requests_before
        leaked = [value for value in state.masks if any(value in step.log for step in result.steps)]
        if leaked:
            raise ReplayError(f"{where}: a masked value appears in the job's log (printed before it was masked)")
        return result

    # ------------------------------------------------------------ steps

    def _run_step(self, state: JobState, step: Mapping[str, Any], scope: _Scope, deadline: float) -> StepResult:
        where = scope.where
        step_id = step.get("id")
        failed_before = state.failed if scope.inputs is None else scope.failed
        contexts = self._step_contexts(state, scope)
        status = _status_functions(lambda: not failed_before, lambda: failed_before)
        ev = ex.evaluator(contexts, {**status, "hashfiles": self._hash_files(state)})
        title = str(step.get("name") or step.get("uses") or str(step.get("run", "")).strip().split("\n")[0])
        if "name" in step:
            title = self._render_text(step["name"], ev, f"{where}.name")
        try:
            run_it = ex.condition(step.get("if"), ev)
        except (ex.ExpressionError, ex.EvaluationError) as exc:
            raise ReplayError(f"{where}.if ({title}): {exc}") from None
        if step_id is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", str(step_id)):
            raise ReplayError(f"{where}: invalid step id {step_id!r}")
        if not run_it:
            result = StepResult(title, step_id, "skipped", "skipped", command=str(step.get("run") or step.get("uses")))
            self._record(scope, result)
            return result
        if ("run" in step) == ("uses" in step):
            raise ReplayError(f"{where}: a step has exactly one of run: and uses:")
        step_env = {k: self._render_text(v, ex.evaluator(contexts, {"hashfiles": self._hash_files(state)}),
                                         f"{where}.env.{k}")
                    for k, v in _as_mapping(step.get("env"), f"{where}.env").items()}
        env = self._process_env(state, scope, step_env)
        contexts["env"] = {**contexts["env"], **step_env}
        ev = ex.evaluator(contexts, {**status, "hashfiles": self._hash_files(state)})
        continue_on_error = ex.truthy(self._render(step.get("continue-on-error", False), ev,
                                                   f"{where}.continue-on-error"))
        timeout_minutes = self._render(step.get("timeout-minutes", 360), ev, f"{where}.timeout-minutes")
        step_deadline = min(deadline, time.monotonic() + float(timeout_minutes) * 60)
        started = time.monotonic()
        if "run" in step:
            result = self._run_script(state, step, scope, env, ev, title, step_deadline)
        else:
            result = self._run_uses(state, step, scope, env, step_env, ev, title, step_deadline)
        result.seconds = time.monotonic() - started
        result.id = step_id
        result.conclusion = result.outcome
        if result.outcome == "failure":
            result.conclusion = "success" if continue_on_error else "failure"
            if not continue_on_error:
                if scope.inputs is None:
                    state.failed = True
                else:
                    scope.failed = True
        self._record(scope, result)
        return result

    def _record(self, scope: _Scope, result: StepResult) -> None:
        if result.id:
            scope.steps[str(result.id)] = {"outputs": dict(result.outputs), "outcome": result.outcome,
                                           "conclusion": result.conclusion}

    def _step_contexts(self, state: JobState, scope: _Scope) -> dict[str, Any]:
        contexts = dict(scope.contexts)
        env_ctx: dict[str, str] = {}
        for layer in scope.env_layers:
            env_ctx.update(layer)
        env_ctx.update(state.env)
        contexts["env"] = env_ctx
        contexts["steps"] = scope.steps
        contexts["job"] = {"status": "failure" if state.failed else "success"}
        if scope.inputs is not None:
            contexts["inputs"] = scope.inputs
            contexts["github"] = {**contexts["github"], "action_path": scope.action_path}
        return contexts

    def _process_env(self, state: JobState, scope: _Scope, step_env: Mapping[str, str]) -> dict[str, str]:
        repo = self.repository
        github = scope.contexts["github"]
        env = self.host.base_env()
        files = self.host.temp / "_runner_file_commands"
        files.mkdir(parents=True, exist_ok=True)
        env.update({
            "GITHUB_EVENT_NAME": github["event_name"], "GITHUB_EVENT_PATH": github["event_path"],
            "GITHUB_REPOSITORY": repo.full_name, "GITHUB_REPOSITORY_OWNER": github["repository_owner"],
            "GITHUB_REPOSITORY_ID": github["repository_id"], "GITHUB_REPOSITORY_OWNER_ID": "90000",
            "GITHUB_WORKSPACE": str(state.workspace), "GITHUB_SHA": github["sha"], "GITHUB_REF": github["ref"],
            "GITHUB_REF_NAME": github["ref_name"], "GITHUB_REF_TYPE": github["ref_type"],
            "GITHUB_REF_PROTECTED": "false", "GITHUB_RUN_ID": github["run_id"], "GITHUB_RUN_NUMBER": "17",
            "GITHUB_RUN_ATTEMPT": "1", "GITHUB_SERVER_URL": repo.server_url, "GITHUB_API_URL": repo.api_url,
            "GITHUB_GRAPHQL_URL": github["graphql_url"], "GITHUB_ACTOR": github["actor"],
            "GITHUB_ACTOR_ID": "1000", "GITHUB_TRIGGERING_ACTOR": github["triggering_actor"],
            "GITHUB_WORKFLOW": github["workflow"], "GITHUB_WORKFLOW_REF": github["workflow_ref"],
            "GITHUB_WORKFLOW_SHA": github["sha"], "GITHUB_JOB": state.job_id, "GITHUB_HEAD_REF": "",
            "GITHUB_BASE_REF": "", "GITHUB_RETENTION_DAYS": "90", "GITHUB_ACTION": "",
        })
        if scope.action_path:
            env["GITHUB_ACTION_PATH"] = scope.action_path
        for layer in scope.env_layers:
            env.update(layer)
        env.update(state.env)
        env.update(step_env)
        if state.path:
            env["PATH"] = os.pathsep.join([*state.path, env["PATH"]])
        return env

    def _command_files(self) -> dict[str, Path]:
        base = self.host.temp / "_runner_file_commands"
        base.mkdir(parents=True, exist_ok=True)
        suffix = uuid.uuid4().hex
        files = {}
        for key in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY", "GITHUB_STATE"):
            path = base / f"{key.lower().removeprefix('github_')}_{suffix}"
            path.write_text("", encoding="utf-8")
            files[key] = path
        return files

    def _after_step(self, state: JobState, files: Mapping[str, Path], where: str) -> dict[str, str]:
        outputs = parse_command_file(files["GITHUB_OUTPUT"].read_text(encoding="utf-8"), f"{where}: GITHUB_OUTPUT")
        for key, value in parse_command_file(files["GITHUB_ENV"].read_text(encoding="utf-8"),
                                             f"{where}: GITHUB_ENV").items():
            if key.upper() in ("NODE_OPTIONS",) or key.startswith(("GITHUB_", "RUNNER_")):
                state.annotations.append(f"warning: {where}: GITHUB_ENV may not set {key}")
                continue
            state.env[key] = value
        for line in files["GITHUB_PATH"].read_text(encoding="utf-8").splitlines():
            if line.strip():
                state.path.insert(0, line.strip())
        summary = files["GITHUB_STEP_SUMMARY"].read_text(encoding="utf-8")
        if summary:
            state.summary.append(state.masked(summary))
        parse_command_file(files["GITHUB_STATE"].read_text(encoding="utf-8"), f"{where}: GITHUB_STATE")
        return outputs

    def _run_script(self, state: JobState, step: Mapping[str, Any], scope: _Scope, env: dict[str, str],
                    ev: ex.Evaluator, title: str, deadline: float) -> StepResult:
        where = scope.where
        script = step["run"]
        if not isinstance(script, str):
            script = ex.to_string(script)
        script = self._render_text(script, ev, f"{where}.run")
        shell = step.get("shell", scope.defaults.get("shell"))
        if scope.inputs is not None and shell is None:
            raise ReplayError(f"{where} ({title}): a composite action's run step must set shell:")
        shell_text = self._render_text(shell, ev, f"{where}.shell") if shell is not None else None
        directory = step.get("working-directory", scope.defaults.get("working-directory"))
        cwd = state.workspace
        if directory is not None:
            candidate = Path(self._render_text(directory, ev, f"{where}.working-directory"))
            cwd = candidate if candidate.is_absolute() else state.workspace / candidate
        extension = {"python": ".py", "pwsh": ".ps1", "powershell": ".ps1", "cmd": ".cmd"}.get(
            (shell_text or "bash").split()[0], ".sh")
        script_path = self.host.temp / f"{uuid.uuid4()}{extension}"
        script_path.write_text(script, encoding="utf-8")
        argv = _shell_argv(shell_text, str(script_path), env["PATH"], where)
        files = self._command_files()
        env.update({key: str(path) for key, path in files.items()})
        log: list[str] = []
        if not cwd.is_dir():
            return StepResult(title, None, "failure", "failure", log=f"No such directory: {cwd}",
                              command=script, error=f"working-directory {cwd} does not exist")
        code, timed_out = self._execute(argv, cwd, env, state, log, deadline)
        result = StepResult(title, None, "success" if code == 0 else "failure", "", command=script,
                            log="\n".join(log), exit_code=code)
        if timed_out:
            result.error = "the step ran out of time (timeout-minutes)"
        try:
            result.outputs = self._after_step(state, files, where)
        except ReplayError as exc:
            result.outcome, result.error = "failure", str(exc)
        return result

    def _execute(self, argv: list[str], cwd: Path, env: Mapping[str, str], state: JobState, log: list[str],
                 deadline: float) -> tuple[int, bool]:
        """Run a process, reading its output line by line as the runner does (workflow commands, masks)."""
        process = subprocess.Popen(argv, cwd=cwd, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        timed_out = False
        remaining = max(1.0, min(deadline, time.monotonic() + self.step_timeout) - time.monotonic())
        timer = threading.Timer(remaining, _kill_group, args=(process,))
        timer.start()
        try:
            assert process.stdout is not None
            for raw in process.stdout:
                self._line(raw.decode("utf-8", "replace").rstrip("\n").rstrip("\r"), state, log)
            code = process.wait()
        finally:
            if not timer.is_alive():
                timed_out = True
            timer.cancel()
        return code, timed_out and code != 0

    def _line(self, line: str, state: JobState, log: list[str]) -> None:
        command = _COMMAND.match(line)
        if command:
            name, value = command.group(1), command.group(3)
            if name == "add-mask":
                state.mask(value)
                log.append("::add-mask::***")
                return
            if name in ("error", "warning", "notice"):
                state.annotations.append(f"{name}: {state.masked(value)}")
            elif name in ("set-output", "save-state", "set-env", "add-path"):
                state.annotations.append(f"error: the ::{name}:: command is disabled on GitHub")
        log.append(state.masked(line))

    # ------------------------------------------------------------ uses

    def _run_uses(self, state: JobState, step: Mapping[str, Any], scope: _Scope, env: dict[str, str],
                  step_env: dict[str, str], ev: ex.Evaluator, title: str, deadline: float) -> StepResult:
        where = scope.where
        uses = str(step["uses"])
        given = {k: self._render_text(v, ev, f"{where}.with.{k}")
                 for k, v in _as_mapping(step.get("with"), f"{where}.with").items()}
        command = f"uses: {uses}" + "".join(f"\n  {k}: {state.masked(v)}" for k, v in given.items())
        root = self._composite_root(uses, where, state)
        if root is not None:
            return self._run_composite(state, root, uses, given, scope, step_env, title, deadline, command)
        name = _action_name(uses, where)
        action = self.actions.get(name)
        if action is None:
            raise ReplayError(f"{where}: uses {uses!r}: no local equivalent for {name!r} in the replay's table "
                              f"(tests/support/replay/actions.py); add one that does what the action does")
        unknown = sorted(set(given) - set(action.inputs))
        log: list[str] = []
        if unknown:
            state.annotations.append(f"warning: {where}: Unexpected input(s) {unknown} for {name}")
            log.append(f"Warning: Unexpected input(s) {', '.join(repr(u) for u in unknown)}")
        inputs = {key: given.get(key, default) for key, default in action.inputs.items()}
        inputs = {k: (self._render_text(v, ev, f"{where}.with.{k}") if v is not None else "")
                  for k, v in inputs.items()}
        context = StepContext(self, state, env, log, scope.contexts["github"])
        try:
            outputs = action.run(context, inputs)
        except StepFailed as exc:
            log.append(f"Error: {exc}")
            return StepResult(title, None, "failure", "", log="\n".join(state.masked(x) for x in log),
                              command=command, error=str(exc))
        return StepResult(title, None, "success", "", outputs=outputs, command=command,
                          log="\n".join(state.masked(x) for x in log))

    def _composite_root(self, uses: str, where: str, state: JobState) -> Path | None:
        if uses.startswith("./"):
            root = self.composite_roots.get("./" + uses[2:].strip("/")) or self.composite_roots.get(uses)
            if root is None:
                raise ReplayError(f"{where}: uses {uses!r}: the replay knows no local action at that path")
            return state.workspace / uses[2:] if root == WORKSPACE else root
        name = _action_name(uses, where)
        return self.composite_roots.get(name)

    def _run_composite(self, state: JobState, root: Path, uses: str, given: Mapping[str, str], scope: _Scope,
                       step_env: dict[str, str], title: str, deadline: float, command: str) -> StepResult:
        where = f"{scope.where} ({uses})"
        metadata_path = root / "action.yml" if (root / "action.yml").is_file() else root / "action.yaml"
        if not metadata_path.is_file():
            raise ReplayError(f"{where}: no action.yml in {root}")
        action = load_yaml(metadata_path)
        runs = _as_mapping(action.get("runs"), f"{where}: runs")
        if runs.get("using") != "composite":
            raise ReplayError(f"{where}: runs.using {runs.get('using')!r}: only composite actions are replayed")
        declared = _as_mapping(action.get("inputs"), f"{where}: inputs")
        unknown = sorted(set(given) - set(declared))
        if unknown:
            state.annotations.append(f"warning: {where}: Unexpected input(s) {unknown}")
        # Defaults are expressions evaluated in the caller's contexts (e.g. ${{ github.token }}).
        caller_ev = ex.evaluator(self._step_contexts(state, scope))
        inputs: dict[str, str] = {}
        for key, spec in declared.items():
            spec = _as_mapping(spec, f"{where}: inputs.{key}")
            if key in given:
                inputs[key] = given[key]
            elif spec.get("required") and "default" not in spec:
                raise ReplayError(f"{where}: the required input {key!r} is not given")
            else:
                inputs[key] = self._render_text(spec.get("default", ""), caller_ev, f"{where}: inputs.{key}.default")
        # The composite's steps inherit the calling step's env.
        inner = _Scope(where=f"{scope.where}[{uses}]", contexts={**scope.contexts}, steps={},
                       env_layers=(*scope.env_layers, step_env), defaults={}, action_path=str(root),
                       inputs=inputs)
        inner.contexts["github"] = {**scope.contexts["github"], "action_path": str(root)}
        log: list[str] = []
        steps = runs.get("steps")
        if not isinstance(steps, list):
            raise ReplayError(f"{where}: runs.steps must be a list")
        inner_results: list[StepResult] = []
        for index, step in enumerate(steps):
            step = _as_mapping(step, f"{where}: steps[{index}]")
            inner.where = f"{scope.where}[{uses}].steps[{index}]"
            result = self._run_step(state, step, inner, deadline)
            inner_results.append(result)
            log.append(f"##[group]{result.name} ({result.outcome})")
            log.append(result.log)
            log.append("##[endgroup]")
        outputs_ev = ex.evaluator({**self._step_contexts(state, inner)})
        outputs = {k: self._render_text(_as_mapping(v, f"{where}: outputs.{k}").get("value", ""), outputs_ev,
                                        f"{where}: outputs.{k}")
                   for k, v in _as_mapping(action.get("outputs"), f"{where}: outputs").items()}
        failed = [r for r in inner_results if r.outcome == "failure" and r.conclusion == "failure"]
        result = StepResult(title, None, "failure" if failed else "success", "", outputs=outputs, command=command,
                            log="\n".join(log))
        if failed:
            inner_failed = failed[0]
            result.exit_code = inner_failed.exit_code
            result.error = f"the action's step {inner_failed.name!r} failed: {inner_failed.error}".rstrip(": ")
            result.command = f"{command}\n--- the action's failing step ---\n{inner_failed.command}"
        return result

    # ------------------------------------------------------------ expressions

    def _render(self, value: Any, ev: ex.Evaluator, where: str) -> Any:
        try:
            return ex.render(value, ev)
        except (ex.ExpressionError, ex.EvaluationError) as exc:
            raise ReplayError(f"{where}: {exc}") from None

    def _render_text(self, value: Any, ev: ex.Evaluator, where: str) -> str:
        try:
            return ex.render_text(value, ev, where)
        except (ex.ExpressionError, ex.EvaluationError) as exc:
            raise ReplayError(f"{where}: {exc}") from None

    def _hash_files(self, state: JobState) -> ex.Function:
        workspace = state.workspace

        def hash_files(*patterns: Any) -> str:
            # As the runner: globs relative to GITHUB_WORKSPACE; files outside it are ignored;
            # '' when nothing matched; else sha256 over each file's sha256.
            included: list[Path] = []
            excluded: set[Path] = set()
            for pattern in patterns:
                text = ex.to_string(pattern)
                negate = text.startswith("!")
                text = text[1:] if negate else text
                base = Path(text)
                matches = ([base] if base.is_absolute() and base.exists() else
                           sorted(Path("/").glob(text.lstrip("/"))) if base.is_absolute() else
                           sorted(workspace.glob(text)))
                for match in matches:
                    if negate:
                        excluded.add(match.resolve())
                    else:
                        included.append(match)
            total = hashlib.sha256()
            count = 0
            for path in included:
                resolved = path.resolve()
                if resolved in excluded or not resolved.is_relative_to(workspace.resolve()) or resolved.is_dir():
                    continue
                total.update(hashlib.sha256(resolved.read_bytes()).digest())
                count += 1
            return total.hexdigest() if count else ""

        return ex.Function(1, 255, hash_files)


@dataclass
class _Scope:
    where: str
    contexts: dict[str, Any]
    steps: dict[str, Any]
    env_layers: tuple[Mapping[str, str], ...]
    defaults: Mapping[str, Any]
    action_path: str
    inputs: dict[str, str] | None  # a composite action's inputs; None for the job's own steps
    failed: bool = False


@dataclass(frozen=True)
class _CallerJob:
    workflow: str
    job_id: str
    permissions: dict[str, str]
    run_id: int


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, 9)


def _status_functions(success: Callable[[], bool], failure: Callable[[], bool]) -> dict[str, ex.Function]:
    return {"success": ex.Function(0, 0, lambda: success()), "failure": ex.Function(0, 0, lambda: failure()),
            "always": ex.Function(0, 0, lambda: True), "cancelled": ex.Function(0, 0, lambda: False)}


def _shell_argv(shell: str | None, script: str, path: str, where: str) -> list[str]:
    if shell is None:
        # GitHub: bash -e {0} when bash is found, else sh -e {0}.
        bash = shutil.which("bash", path=path)
        return [bash, "-e", script] if bash else ["sh", "-e", script]
    builtin = {"bash": "bash --noprofile --norc -eo pipefail {0}", "sh": "sh -e {0}", "python": "python {0}"}
    template = builtin.get(shell, shell)
    if "{0}" not in template:
        if shell in ("pwsh", "powershell", "cmd"):
            raise ReplayError(f"{where}: shell {shell!r} is not replayed on Linux")
        raise ReplayError(f"{where}: a custom shell must contain {{0}}, got {shell!r}")
    words = shlex.split(template)
    program = shutil.which(words[0], path=path)
    if program is None:
        raise ReplayError(f"{where}: shell {words[0]!r} is not on PATH")
    return [program, *[w.replace("{0}", script) for w in words[1:]]]


def _action_name(uses: str, where: str) -> str:
    if "@" not in uses:
        raise ReplayError(f"{where}: uses {uses!r} has no @ref")
    name, ref = uses.split("@", 1)
    parts = name.split("/")
    if len(parts) < 2 or not ref:
        raise ReplayError(f"{where}: uses {uses!r} is not OWNER/REPO[/PATH]@REF")
    return "/".join(parts[:2]).lower() + ("/" + "/".join(parts[2:]) if len(parts) > 2 else "")


def _needs(job: Mapping[str, Any]) -> list[str]:
    needs = job.get("needs") or []
    return [needs] if isinstance(needs, str) else list(needs)


def _job_order(name: str, jobs: Mapping[str, Any]) -> list[str]:
    order: list[str] = []
    visiting: set[str] = set()

    def visit(job_id: str) -> None:
        if job_id in order:
            return
        if job_id in visiting:
            raise ReplayError(f"{name}: jobs.{job_id}: needs form a cycle")
        visiting.add(job_id)
        for need in _needs(_as_mapping(jobs[job_id], f"{name}: jobs.{job_id}")):
            if need not in jobs:
                raise ReplayError(f"{name}: jobs.{job_id} needs {need!r}, which is not a job of this workflow")
            visit(need)
        visiting.discard(job_id)
        order.append(job_id)

    for job_id in jobs:
        visit(job_id)
    return order


def _matrix(matrix: Any) -> list[dict[str, Any]]:
    if matrix is None:
        return [{}]
    if not isinstance(matrix, dict):
        raise ReplayError(f"strategy.matrix: expected a mapping, got {matrix!r}")
    include = matrix.get("include") or []
    exclude = matrix.get("exclude") or []
    axes = {k: v for k, v in matrix.items() if k not in ("include", "exclude")}
    combos = [dict(zip(axes, values, strict=True)) for values in itertools.product(*axes.values())] if axes else []
    combos = [c for c in combos if not any(all(c.get(k) == v for k, v in e.items()) for e in exclude)]
    for extra in include:
        matched = [c for c in combos if all(c.get(k) == v for k, v in extra.items() if k in axes)]
        if matched and axes:
            for c in matched:
                c.update(extra)
        else:
            combos.append(dict(extra))
    return combos or [{}]


def _check_filters(name: str, spec: Any, event: Event, source: Path | None) -> None:
    """The trigger's filters (types, branches, paths) must let this event through, or GitHub would not run."""
    if event.name == "schedule":
        crons = [entry.get("cron") for entry in spec or []]
        if event.payload.get("schedule") not in crons:
            raise ReplayError(f"{name}: on.schedule {crons} has no {event.payload.get('schedule')!r}")
        return
    spec = spec or {}
    if not isinstance(spec, dict):
        raise ReplayError(f"{name}: on.{event.name}: expected a mapping")
    action = event.payload.get("action")
    types = spec.get("types")
    if types is not None and action not in types:
        raise ReplayError(f"{name}: on.{event.name}.types {types} does not include {action!r}")
    if event.name == "push":
        branch = event.ref.removeprefix("refs/heads/")
        branches = spec.get("branches")
        if branches is not None and not any(_glob_match(b, branch) for b in branches):
            raise ReplayError(f"{name}: on.push.branches {branches} does not include {branch!r}")
        paths = spec.get("paths")
        if paths is not None:
            changed = _changed_files(event, source)
            if not any(_glob_match(p, f) for p in paths for f in changed):
                raise ReplayError(f"{name}: on.push.paths {paths} matches none of the pushed files {changed}")


def _changed_files(event: Event, source: Path | None) -> list[str]:
    before, after = event.payload.get("before"), event.payload.get("after")
    if not (before and after and source is not None):
        raise ReplayError("a push event needs before and after commits and a repository to compare them in")
    out = subprocess.run(["git", "diff", "--name-only", before, after], cwd=source, capture_output=True, text=True,
                         check=True).stdout
    return [line for line in out.splitlines() if line]


def _glob_match(pattern: str, text: str) -> bool:
    """GitHub's filter patterns: * (not /), ** (anything), ? and character classes; ! is not replayed."""
    if pattern.startswith("!"):
        raise ReplayError(f"negated filter {pattern!r} is not replayed")
    regex = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            regex += ".*"
            i += 2
        elif pattern[i] == "*":
            regex += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            regex += "[^/]"
            i += 1
        else:
            regex += re.escape(pattern[i])
            i += 1
    return re.fullmatch(regex, text) is not None

