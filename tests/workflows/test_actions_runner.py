"""The replay harness itself: GitHub's expression semantics and the runner's behaviour, on small workflows.

The expression evaluator is checked against GitHub's own known-answer tests
(actions/languageservices, expressions/testdata, MIT, vendored in
tests/fixtures/replay/expressions/). The runner is checked on inline
workflows whose outcome on a hosted runner is documented: status
functions, the default shell, the files a step writes, masks, needs and
outputs, composite actions, reusable workflows and their permissions, the
cache, hashFiles.
"""

from __future__ import annotations

import json
import math
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES
from tests.support.replay import expressions as ex
from tests.support.replay import woodpecker
from tests.support.replay.actions import Pages, table
from tests.support.replay.model import ReplayError
from tests.support.replay.runner import Event, Host, Repository, Runner, parse_command_file

KAT = FIXTURES / "replay" / "expressions"
# Groups GitHub's TypeScript implementation skips too: a memory limit this port does not enforce.
SKIPPED_GROUPS = {("syntax-errors.json", "memory-errors")}


def known_answers() -> list[Any]:
    cases = []
    for path in sorted(KAT.glob("*.json")):
        for group, items in json.loads(path.read_text(encoding="utf-8")).items():
            if (path.name, group) in SKIPPED_GROUPS:
                continue
            for i, case in enumerate(items):
                cases.append(pytest.param(case, id=f"{path.stem}-{group}-{i}"))
    return cases


def _plain(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def test_the_known_answer_tests_are_all_there() -> None:
    assert len(known_answers()) >= 1000


@pytest.mark.parametrize("case", known_answers())
def test_expressions_give_githubs_known_answers(case: dict[str, Any]) -> None:
    evaluator = ex.Evaluator(case.get("contexts") or {})
    if "err" in case:
        with pytest.raises((ex.ExpressionError, ex.EvaluationError)):
            evaluator.eval(evaluator.parse(case["expr"]))
        return
    result = evaluator.eval(evaluator.parse(case["expr"]))
    expected = case["result"]
    assert ex.kind(result) == expected["kind"]
    if expected["kind"] == "Number" and isinstance(expected["value"], str):
        assert str(float(result)) == str(float(expected["value"]))  # NaN and Infinity are spelled as text
    else:
        assert _plain(result) == _plain(expected["value"])


@pytest.mark.parametrize(("template", "expected"), [
    ("${{ 1 == 1 }}", True),
    ("${{ vars.MODE || 'direct' }}", "direct"),
    ("issue-${{ github.event.issue.number }}", "issue-42"),
    ("${{ github.event.issue.number }}", 42),
    ("${{ fromJSON('{\"a\": [1, 2]}').a[1] }}", 2),
    ("${{ format('{0}-{1}', 'a', 3) }} and ${{ 0.1 }}", "a-3 and 0.1"),
    ("${{ toJSON(github.event.issue.labels.*.name) }}", '[\n  "incident",\n  "sev2"\n]'),
    ("${{ contains(github.event.issue.labels.*.name, 'SEV2') }}", True),
])
def test_templates_keep_a_lone_expressions_type_and_paste_the_rest_as_text(template: str, expected: Any) -> None:
    contexts = {"github": {"event": {"issue": {"number": 42, "labels": [{"name": "incident"}, {"name": "sev2"}]}}},
                "vars": {}}
    assert ex.render(template, ex.evaluator(contexts)) == expected


@pytest.mark.parametrize(("expression", "message"), [
    ("secret.TOKEN", "Unrecognized named-value: 'secret'"),
    ("hashfile('x')", "Unrecognized function: 'hashfile'"),
    ("github.event_name == \"push\"", "Unexpected symbol"),
])
def test_unknown_contexts_functions_and_double_quotes_fail_loudly(expression: str, message: str) -> None:
    with pytest.raises(ex.ExpressionError, match=message):
        ex.evaluator({"github": {}}).evaluate(expression)


def test_an_object_cannot_be_pasted_into_text() -> None:
    with pytest.raises(ex.EvaluationError, match="toJSON"):
        ex.render("event: ${{ github.event }}", ex.evaluator({"github": {"event": {"a": 1}}}))


@pytest.mark.parametrize(("text", "expected"), [
    ("name=value\n", {"name": "value"}),
    ("a=1=2\nb<<EOF\nline 1\nline 2\nEOF\nc=\n", {"a": "1=2", "b": "line 1\nline 2", "c": ""}),
    ("json<<ghadelimiter_5\n{\"x\": 1}\nghadelimiter_5\n", {"json": '{"x": 1}'}),
])
def test_command_files_are_read_in_both_formats(text: str, expected: dict[str, str]) -> None:
    assert parse_command_file(text, "GITHUB_OUTPUT") == expected


def test_an_unclosed_heredoc_fails() -> None:
    with pytest.raises(ReplayError, match="no closing delimiter"):
        parse_command_file("a<<EOF\nvalue\n", "GITHUB_OUTPUT")


# ---------------------------------------------------------------- running small workflows


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args], cwd=cwd,
                          capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def remote(tmp_path: Path) -> tuple[Path, str]:
    """A bare repository with three commits, standing for the repository on GitHub."""
    work, bare = tmp_path / "src", tmp_path / "remote.git"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    for n in range(3):
        (work / f"file{n}.txt").write_text(f"{n}\n")
        git(work, "add", "-A")
        git(work, "commit", "-q", "-m", f"commit {n}")
    git(tmp_path, "clone", "-q", "--bare", str(work), str(bare))
    return bare, git(work, "rev-parse", "HEAD")


def runner_for(tmp_path: Path, remote: tuple[Path, str], workflows: dict[str, str],
               actions_dir: Path | None = None, **repo: Any) -> tuple[Runner, Path, Pages]:
    source = tmp_path / "repo"
    (source / ".github" / "workflows").mkdir(parents=True, exist_ok=True)
    for name, text in workflows.items():
        (source / ".github" / "workflows" / name).write_text(textwrap.dedent(text))
    pages = Pages()
    roots = {"./": actions_dir} if actions_dir else {}
    runner = Runner(Host(tmp_path / "host"), Repository(**repo), table(remote[0], pages),
                    composite_roots=roots, source=source)
    return runner, source / ".github" / "workflows", pages


def push(sha: str) -> Event:
    return Event("workflow_dispatch", {"sender": {"login": "alice"}}, sha=sha)


def test_status_functions_continue_on_error_and_the_default_shell(tmp_path: Path, remote: tuple[Path, str]) -> None:
    runner, workflows, _ = runner_for(tmp_path, remote, {"w.yml": """
        on: workflow_dispatch
        jobs:
          one:
            runs-on: ubuntu-latest
            steps:
              - id: pipe
                run: false | true   # bash -e without pipefail: succeeds
              - id: strict
                shell: bash
                run: false | true   # bash --noprofile --norc -eo pipefail: fails
                continue-on-error: true
              - id: after
                run: echo "outcome=${{ steps.strict.outcome }} conclusion=${{ steps.strict.conclusion }}"
              - id: broken
                run: exit 3
              - id: skipped
                run: echo never
              - id: cleanup
                if: failure() && steps.broken.outcome == 'failure'
                run: echo cleaning up
    """})
    run = runner.run_workflow(workflows / "w.yml", push(remote[1]))
    job = run.jobs["one"]
    assert [(s.id, s.outcome, s.conclusion) for s in job.steps] == [
        ("pipe", "success", "success"), ("strict", "failure", "success"), ("after", "success", "success"),
        ("broken", "failure", "failure"), ("skipped", "skipped", "skipped"), ("cleanup", "success", "success")]
    assert "outcome=failure conclusion=success" in job.step("after").log
    assert job.result == "failure"
    with pytest.raises(ReplayError, match=r"step 'exit 3' failed with exit code 3"):
        run.assert_succeeded()


def test_env_layers_files_and_masks(tmp_path: Path, remote: tuple[Path, str]) -> None:
    runner, workflows, _ = runner_for(tmp_path, remote, {"w.yml": """
        on: workflow_dispatch
        env: {LAYER: workflow, W: w}
        jobs:
          one:
            runs-on: ubuntu-latest
            env: {LAYER: job}
            defaults: {run: {working-directory: sub}}
            steps:
              - run: mkdir sub
                working-directory: .
              - id: write
                env: {LAYER: step}
                run: |
                  echo "layer=$LAYER w=$W pwd=$(basename "$PWD")"
                  echo "::add-mask::s3cr3t-value"
                  echo "the secret is s3cr3t-value"
                  mkdir -p "$HOME/tools" && printf '#!/bin/sh\\necho tool ran\\n' > "$HOME/tools/mytool"
                  chmod +x "$HOME/tools/mytool"
                  echo "$HOME/tools" >> "$GITHUB_PATH"
                  echo "FROM_FILE=yes" >> "$GITHUB_ENV"
                  { echo "multi<<END"; echo "a"; echo "b"; echo "END"; } >> "$GITHUB_OUTPUT"
              - run: echo "layer=$LAYER from_file=$FROM_FILE" 'multi=${{ toJSON(steps.write.outputs.multi) }}'; mytool
    """})
    run = runner.run_workflow(workflows / "w.yml", push(remote[1]))
    run.assert_succeeded()
    job = run.jobs["one"]
    assert "layer=step w=w pwd=sub" in job.steps[1].log
    assert "the secret is ***" in job.steps[1].log and "s3cr3t-value" not in job.log
    assert 'layer=job from_file=yes multi="a\\nb"' in job.steps[2].log
    assert "tool ran" in job.steps[2].log


def test_a_value_printed_before_its_mask_is_a_leak(tmp_path: Path, remote: tuple[Path, str]) -> None:
    runner, workflows, _ = runner_for(tmp_path, remote, {"w.yml": """
        on: workflow_dispatch
        jobs:
          one:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  echo "token: abc123def456"
                  echo "::add-mask::abc123def456"
    """})
    with pytest.raises(ReplayError, match="masked value appears in the job's log"):
        runner.run_workflow(workflows / "w.yml", push(remote[1]))


def test_needs_outputs_job_if_and_the_runner_environment(tmp_path: Path, remote: tuple[Path, str]) -> None:
    runner, workflows, _ = runner_for(tmp_path, remote, {"w.yml": """
        on: workflow_dispatch
        jobs:
          second:
            needs: first
            if: needs.first.outputs.go == 'yes'
            runs-on: ubuntu-latest
            steps:
              - run: |
                  echo "got=${{ needs.first.outputs.go }} os=$RUNNER_OS ci=$CI actions=$GITHUB_ACTIONS"
                  test "$GITHUB_EVENT_NAME" = workflow_dispatch && test -f "$GITHUB_EVENT_PATH"
                  test "$(jq -r .sender.login "$GITHUB_EVENT_PATH" 2>/dev/null || echo alice)" = alice
          never:
            needs: first
            if: needs.first.outputs.go == 'no'
            runs-on: ubuntu-latest
            steps: [{run: exit 1}]
          first:
            runs-on: ubuntu-${{ 'latest' }}
            outputs:
              go: ${{ steps.decide.outputs.go }}
            steps:
              - id: decide
                run: echo go=yes >> "$GITHUB_OUTPUT"
    """})
    run = runner.run_workflow(workflows / "w.yml", push(remote[1]))
    run.assert_succeeded()
    assert list(run.jobs) == ["first", "second", "never"]
    assert run.jobs["never"].result == "skipped"
    assert "got=yes os=Linux ci=true actions=true" in run.jobs["second"].log


def test_checkout_honours_fetch_depth(tmp_path: Path, remote: tuple[Path, str]) -> None:
    runner, workflows, _ = runner_for(tmp_path, remote, {"w.yml": """
        on: workflow_dispatch
        jobs:
          shallow:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
                with: {persist-credentials: false}
              - run: test "$(git rev-list --count HEAD)" = 1 && test -f file2.txt
          full:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
                with: {persist-credentials: false, fetch-depth: 0}
              - run: test "$(git rev-list --count HEAD)" = 3 && git diff --name-only HEAD~2 HEAD
    """})
    run = runner.run_workflow(workflows / "w.yml", push(remote[1]))
    run.assert_succeeded()
    assert "file1.txt" in run.jobs["full"].steps[1].log


def test_an_unknown_action_fails_loudly(tmp_path: Path, remote: tuple[Path, str]) -> None:
    runner, workflows, _ = runner_for(tmp_path, remote, {"w.yml": """
        on: workflow_dispatch
        jobs:
          one:
            runs-on: ubuntu-latest
            steps:
              - uses: someone/something@0123456789abcdef0123456789abcdef01234567
    """})
    with pytest.raises(ReplayError, match="no local equivalent for 'someone/something'"):
        runner.run_workflow(workflows / "w.yml", push(remote[1]))


def test_the_terraform_wrapper_is_refused(tmp_path: Path, remote: tuple[Path, str]) -> None:
    runner, workflows, _ = runner_for(tmp_path, remote, {"w.yml": """
        on: workflow_dispatch
        jobs:
          one:
            runs-on: ubuntu-latest
            steps:
              - uses: hashicorp/setup-terraform@dfe3c3f87815947d99a8997f908cb6525fc44e9e
    """})
    run = runner.run_workflow(workflows / "w.yml", push(remote[1]))
    assert "terraform_wrapper is on" in run.jobs["one"].steps[0].error


def test_a_composite_action_runs_its_own_steps(tmp_path: Path, remote: tuple[Path, str]) -> None:
    action = tmp_path / "action"
    action.mkdir()
    (action / "action.yml").write_text(textwrap.dedent("""
        name: greet
        inputs:
          who: {required: true}
          greeting: {default: "hello from ${{ github.repository }}"}
        outputs:
          said: {description: what it said, value: "${{ steps.say.outputs.said }}"}
        runs:
          using: composite
          steps:
            - id: say
              shell: bash
              env: {WHO: "${{ inputs.who }}", GREETING: "${{ inputs.greeting }}"}
              run: |
                test -f "$GITHUB_ACTION_PATH/action.yml"
                echo "said=$GREETING, $WHO ($OUTER)" >> "$GITHUB_OUTPUT"
            - if: steps.say.outputs.said == ''
              shell: bash
              run: exit 1
    """))
    runner, workflows, _ = runner_for(tmp_path, remote, {"w.yml": """
        on: workflow_dispatch
        jobs:
          one:
            runs-on: ubuntu-latest
            steps:
              - id: greet
                uses: ./
                env: {OUTER: outer env}
                with: {who: Ada}
              - run: echo "${{ steps.greet.outputs.said }}"
    """}, actions_dir=action)
    run = runner.run_workflow(workflows / "w.yml", push(remote[1]))
    run.assert_succeeded()
    assert "hello from acme-homelab/infra, Ada (outer env)" in run.jobs["one"].steps[1].log


def test_a_composite_run_step_without_shell_is_refused(tmp_path: Path, remote: tuple[Path, str]) -> None:
    action = tmp_path / "action"
    action.mkdir()
    (action / "action.yml").write_text("name: x\nruns:\n  using: composite\n  steps:\n    - run: echo hi\n")
    runner, workflows, _ = runner_for(tmp_path, remote, {"w.yml": """
        on: workflow_dispatch
        jobs:
          one: {runs-on: ubuntu-latest, steps: [{uses: ./}]}
    """}, actions_dir=action)
    with pytest.raises(ReplayError, match="must set shell"):
        runner.run_workflow(workflows / "w.yml", push(remote[1]))


def test_a_called_workflow_may_not_ask_for_more_than_its_caller_grants(tmp_path: Path,
                                                                       remote: tuple[Path, str]) -> None:
    runner, workflows, _ = runner_for(tmp_path, remote, {
        "caller.yml": """
            on: workflow_dispatch
            permissions: {}
            jobs:
              call:
                permissions: {contents: read}
                uses: ./.github/workflows/called.yml
                with: {greeting: hi}
        """,
        "called.yml": """
            on:
              workflow_call:
                inputs: {greeting: {type: string, required: true}}
            jobs:
              work:
                permissions: {contents: read, issues: write}
                runs-on: ubuntu-latest
                steps: [{run: 'echo "${{ inputs.greeting }}"'}]
        """})
    with pytest.raises(ReplayError, match="asks for issues: write"):
        runner.run_workflow(workflows / "caller.yml", push(remote[1]))


def test_the_cache_restores_what_an_earlier_job_saved(tmp_path: Path, remote: tuple[Path, str]) -> None:
    runner, workflows, _ = runner_for(tmp_path, remote, {"w.yml": """
        on: workflow_dispatch
        jobs:
          first:
            runs-on: ubuntu-latest
            steps:
              - id: cache
                uses: actions/cache@27d5ce7f107fe9357f9df03efb73ab90386fccae
                with: {path: "${{ runner.temp }}/built", key: "built-${{ hashFiles('missing.txt') }}-1"}
              - run: |
                  test "${{ steps.cache.outputs.cache-hit }}" = ""
                  mkdir -p "$RUNNER_TEMP/built" && echo made > "$RUNNER_TEMP/built/out"
          second:
            needs: first
            runs-on: ubuntu-latest
            steps:
              - id: cache
                uses: actions/cache@27d5ce7f107fe9357f9df03efb73ab90386fccae
                with: {path: "${{ runner.temp }}/built", key: "built--1"}
              - run: test "${{ steps.cache.outputs.cache-hit }}" = true && grep made "$RUNNER_TEMP/built/out"
    """})
    runner.run_workflow(workflows / "w.yml", push(remote[1])).assert_succeeded()


def test_hash_files_ignores_files_outside_the_workspace(tmp_path: Path, remote: tuple[Path, str]) -> None:
    outside = tmp_path / "outside.lock"
    outside.write_text("pinned\n")
    runner, workflows, _ = runner_for(tmp_path, remote, {"w.yml": f"""
        on: workflow_dispatch
        jobs:
          one:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
                with: {{persist-credentials: false}}
              - run: |
                  test -n "${{{{ hashFiles('file*.txt') }}}}"
                  test -z "${{{{ hashFiles('{outside}') }}}}"
    """})
    runner.run_workflow(workflows / "w.yml", push(remote[1])).assert_succeeded()


# ---------------------------------------------------------------- Woodpecker


@pytest.mark.parametrize(("command", "expected"), [
    ('responder handle --issue "$${ISSUE_NUMBER}"', 'responder handle --issue "${ISSUE_NUMBER}"'),
    ("echo ${CI_REPO} $CI_COMMIT_SHA $$HOME", "echo acme-homelab/infra abc123 $HOME"),
    ("echo ${UNSET}.", "echo ."),
])
def test_woodpecker_substitutes_its_variables_and_leaves_double_dollars_to_the_shell(command: str,
                                                                                     expected: str) -> None:
    assert woodpecker.substitute(command, {"CI_REPO": "acme-homelab/infra", "CI_COMMIT_SHA": "abc123"}) == expected


@pytest.mark.parametrize(("expression", "variables", "expected"), [
    ('ISSUE_NUMBER != "" && ISSUE_REPOSITORY != ""', {"ISSUE_NUMBER": "4", "ISSUE_REPOSITORY": "a/b"}, True),
    ('ISSUE_NUMBER != "" && ISSUE_REPOSITORY != ""', {"ISSUE_NUMBER": "4"}, False),
    ('POSTMORTEM_TODOS == "true" || (A == "x" && !(B == "y"))', {"A": "x", "B": "z"}, True),
])
def test_woodpecker_evaluate_conditions(expression: str, variables: dict[str, str], expected: bool) -> None:
    assert woodpecker.evaluate(expression, variables) is expected


def test_a_pipeline_runs_only_when_its_when_lets_the_event_through() -> None:
    pipeline = {"when": [{"event": "push", "branch": "${CI_REPO_DEFAULT_BRANCH}",
                          "path": {"include": ["site/docs/post-mortems/**"]}},
                         {"event": "manual", "evaluate": 'POSTMORTEM_TODOS == "true"'}]}
    variables = {"CI_REPO_DEFAULT_BRANCH": "main"}
    push = woodpecker.PipelineEvent("push", "abc", changed_files=("site/docs/post-mortems/x.md",))
    assert woodpecker.runs_for(pipeline, push, variables) is None
    elsewhere = woodpecker.PipelineEvent("push", "abc", changed_files=("README.md",))
    assert "no changed file matches" in str(woodpecker.runs_for(pipeline, elsewhere, variables))
    manual = woodpecker.PipelineEvent("manual", "abc")
    assert "is false" in str(woodpecker.runs_for(pipeline, manual, variables))
    assert woodpecker.runs_for(pipeline, manual, {**variables, "POSTMORTEM_TODOS": "true"}) is None


def test_woodpecker_runs_a_steps_commands_as_one_script_with_set_e() -> None:
    text = woodpecker.script(["cd sub", "echo 'it''s' here"])
    assert text.startswith("set -e\n")
    assert "echo + 'cd sub'\ncd sub\n" in text
