"""The guarded Terraform flow end to end: real terraform, real git, a local bare remote."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from responder.flows.change_engine import TerraformChangeEngine, commit_message, describe, seconds
from responder.model.changes import ChangeRequest, PreparedChange
from tests.support.infra import Infra, git, terraform

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def engine(infra: Infra) -> Iterator[TerraformChangeEngine]:
    with TerraformChangeEngine(infra.config()) as change_engine:
        yield change_engine


def request(service: str, kind: str, value: str, commit_type: str = "feat") -> ChangeRequest:
    return ChangeRequest(service, kind, value, "Monday sync storms overload one pod.", commit_type)


def push_from_elsewhere(infra: Infra, tmp_path: Path) -> None:
    """A colleague pushes a commit of their own to the remote."""
    other = tmp_path / "colleague"
    git(tmp_path, "clone", "--quiet", str(infra.remote), str(other))
    (other / "NOTES.md").write_text("a colleague's change\n")
    git(other, "add", "NOTES.md")
    git(other, "commit", "--quiet", "-m", "notes")
    git(other, "push", "--quiet", "origin", "main")


def assert_untouched(infra: Infra, stack: str, before: str) -> None:
    assert infra.vars_text(stack) == before
    assert infra.repo.changed() == ()
    assert infra.remote_log() == ["infrastructure as it runs"]


# ---------------------------------------------------------------- allowed, and applied exactly


def test_an_in_place_update_is_planned_applied_committed_and_pushed(infra: Infra,
                                                                    engine: TerraformChangeEngine) -> None:
    prepared = engine.prepare(request("app", "replicas", "3"), issue=7)
    assert prepared.outcome == "ready", prepared.reasons
    assert prepared.verdict["allowed"] is True
    assert prepared.summary == "raise app replicas from 2 to 3"
    assert (prepared.before, prepared.after) == ("2", "3")
    assert prepared.plan_summary == "Plan: 0 to add, 1 to change, 0 to destroy."
    assert len(prepared.plan_sha256 or "") == 64
    assert prepared.plan_file is not None and Path(prepared.plan_file).is_file()
    assert '"replicas": 3' in infra.vars_text("app")  # edited while the plan waits to be applied

    applied = engine.apply(prepared, issue=7)
    assert applied.ok and applied.pushed and applied.error is None, applied.error
    assert applied.summary == "Apply complete! Resources: 0 added, 1 changed, 0 destroyed."
    assert infra.state("app")["terraform_data.deployment"]["input"]["replicas"] == 3
    assert infra.remote_log() == ["feat: raise app replicas from 2 to 3 (fixes #7)", "infrastructure as it runs"]
    assert applied.commit == git(infra.remote, "rev-parse", "main").strip()
    assert applied.commit_url == f"https://github.com/acme-homelab/infra/commit/{applied.commit}"
    assert infra.head_message() == (
        "feat: raise app replicas from 2 to 3 (fixes #7)\n\n"
        f"Applied the checked plan sha256:{prepared.plan_sha256} to stacks/app.\n"
        "Plan: 0 to add, 1 to change, 0 to destroy.\n\n"
        "Reason: Monday sync storms overload one pod.\n\n"
        "Issue: https://github.com/acme-homelab/infra/issues/7")
    diff = git(infra.root, "show", "--format=", "--unified=0", "HEAD")
    assert [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")] == [
        '-  "replicas": 2,', '+  "replicas": 3,']
    assert not Path(prepared.plan_file).exists()
    assert infra.repo.changed() == ()


def test_an_incident_fix_is_committed_as_fix(infra: Infra, engine: TerraformChangeEngine) -> None:
    prepared = engine.prepare(request("app", "memory_limit", "2Gi", commit_type="fix"), issue=42)
    applied = engine.apply(prepared, issue=42)
    assert applied.ok, applied.error
    assert infra.remote_log()[0] == "fix: raise app memory limit from 1Gi to 2Gi (fixes #42)"
    assert infra.state("app")["terraform_data.deployment"]["input"]["memory"]["limit"] == "2Gi"


def test_the_same_prepared_change_is_never_applied_twice(infra: Infra, engine: TerraformChangeEngine) -> None:
    prepared = engine.prepare(request("app", "replicas", "3"), issue=7)
    assert engine.apply(prepared, issue=7).ok
    again = engine.apply(prepared, issue=7)
    assert not again.ok
    assert again.error == ("this change is not a prepared, checked plan (or it was already applied or "
                           "discarded): nothing was applied")
    assert len(infra.remote_log()) == 2


def test_a_repeated_request_finds_nothing_to_change(infra: Infra, engine: TerraformChangeEngine) -> None:
    assert engine.apply(engine.prepare(request("app", "replicas", "3"), issue=7), issue=7).ok
    second = engine.prepare(request("app", "replicas", "3"), issue=7)
    assert second.outcome == "no-op"
    assert second.reasons == ("stacks/app/app.auto.tfvars.json already sets replicas to 3: nothing to change",)
    assert len(infra.remote_log()) == 2


def test_a_tampered_plan_file_is_not_applied(infra: Infra, engine: TerraformChangeEngine, tmp_path: Path) -> None:
    before = infra.vars_text("app")
    prepared = engine.prepare(request("app", "replicas", "3"), issue=7)
    assert prepared.plan_file is not None
    # Swap in another valid plan: 5 replicas instead of the 3 that were checked.
    other = tmp_path / "other.tfplan"
    (infra.stack("app") / "app.auto.tfvars.json").write_text(before.replace('"replicas": 2', '"replicas": 5'))
    terraform(infra.stack("app"), "plan", "-input=false", "-lock=false", f"-out={other}")
    (infra.stack("app") / "app.auto.tfvars.json").write_text(infra.vars_text("app").replace(
        '"replicas": 5', '"replicas": 3'))
    shutil.copyfile(other, prepared.plan_file)
    applied = engine.apply(prepared, issue=7)
    assert not applied.ok
    assert applied.error is not None and applied.error.startswith("the plan file changed after it was checked")
    assert applied.error.endswith("nothing was applied")
    assert infra.state("app")["terraform_data.deployment"]["input"]["replicas"] == 2
    assert_untouched(infra, "app", before)


def test_an_apply_that_fails_is_reported_and_reverted_never_retried(infra: Infra,
                                                                    engine: TerraformChangeEngine) -> None:
    before = infra.vars_text("app")
    prepared = engine.prepare(request("app", "replicas", "3"), issue=7)
    # Someone applies by hand meanwhile: the checked plan is now stale, and terraform refuses it.
    terraform(infra.stack("app"), "apply", "-input=false", "-auto-approve", "-lock=false", "-var=image_tag=2.4.2")
    applied = engine.apply(prepared, issue=7)
    assert not applied.ok
    assert applied.error is not None
    assert "apply in stacks/app failed (exit 1): Error: Saved plan is stale" in applied.error
    assert applied.commit is None
    assert_untouched(infra, "app", before)


# ---------------------------------------------------------------- blocked, with the right reason


def test_a_delete_is_blocked_and_the_edit_reverted(infra: Infra, engine: TerraformChangeEngine) -> None:
    before = infra.vars_text("workers")
    prepared = engine.prepare(request("workers", "replicas", "0"), issue=7)
    assert (prepared.outcome, prepared.blocked_by) == ("blocked", "guardrails")
    assert prepared.reasons == ("the plan would delete 1 resource: terraform_data.worker[0]",)
    assert prepared.plan_file is None
    assert prepared.plan_sha256 is not None  # the hash of what was judged, for the record
    assert_untouched(infra, "workers", before)


def test_a_replace_is_blocked(infra: Infra, engine: TerraformChangeEngine) -> None:
    before = infra.vars_text("jobs")
    prepared = engine.prepare(request("jobs", "image_tag", "v1.1.0"), issue=7)
    assert prepared.blocked_by == "guardrails"
    assert prepared.reasons == ("the plan would replace (destroy and re-create) 1 resource: "
                                "terraform_data.migration_job",)
    assert_untouched(infra, "jobs", before)


def test_too_many_changes_are_blocked(infra: Infra, engine: TerraformChangeEngine) -> None:
    prepared = engine.prepare(request("workers", "replicas", "7"), issue=7)
    assert prepared.reasons == ("the plan changes 6 resources, more than guardrails.max_changes (5)",)
    assert infra.state("workers").keys() == {"terraform_data.worker[0]"}


def test_a_protected_stack_is_blocked_before_any_plan(infra: Infra, engine: TerraformChangeEngine,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    prepared = engine.prepare(request("vault", "replicas", "2"), issue=7)
    assert (prepared.outcome, prepared.blocked_by) == ("blocked", "protected-stack")
    assert prepared.reasons == ("stack stacks/vault is protected (guardrails.protected_stacks: vault): "
                                "changes there always need a person",)
    assert "terraform" not in caplog.text  # nothing ran
    assert_untouched(infra, "vault", '{"replicas": 1}\n')


def test_a_protected_service_is_blocked_before_any_plan(infra: Infra, caplog: pytest.LogCaptureFixture) -> None:
    infra.config_path.write_text(infra.config_path.read_text().replace(
        "guardrails:\n", "guardrails:\n  protected_services: [app]\n"))
    caplog.set_level(logging.INFO)
    with TerraformChangeEngine(infra.config()) as engine:
        prepared = engine.prepare(request("app", "replicas", "3"), issue=7)
    assert (prepared.outcome, prepared.blocked_by) == ("blocked", "protected-stack")
    assert prepared.reasons == ("service app is protected (guardrails.protected_services: app): changes to it always "
                                "need a person",)
    assert "terraform" not in caplog.text


def test_an_out_of_bounds_value_is_blocked_before_any_plan(infra: Infra, engine: TerraformChangeEngine) -> None:
    prepared = engine.prepare(request("app", "replicas", "9"), issue=7)
    assert (prepared.blocked_by, prepared.reasons) == (
        "out-of-bounds", ("9 replicas is above the maximum of 5 for app (terraform.limits.replicas: [1, 5])",))


def test_a_request_above_the_current_limit_is_blocked(infra: Infra, engine: TerraformChangeEngine) -> None:
    prepared = engine.prepare(request("app", "memory_request", "2Gi"), issue=7)
    assert prepared.reasons == ("memory request 2Gi would be above the memory limit 1Gi, which Kubernetes refuses",)


def test_an_edit_that_plans_nothing_is_a_no_op_and_reverted(infra: Infra, engine: TerraformChangeEngine) -> None:
    before = infra.vars_text("workers")
    prepared = engine.prepare(request("workers", "memory_limit", "2Gi"), issue=7)
    assert prepared.outcome == "no-op"
    assert prepared.reasons == ("the plan changes nothing: there is nothing to apply",)
    assert_untouched(infra, "workers", before)


def test_changes_already_waiting_in_the_stack_block_the_request(infra: Infra, engine: TerraformChangeEngine) -> None:
    # Someone merged a change to the stack without applying it.
    main_tf = infra.stack("app") / "main.tf"
    main_tf.write_text(main_tf.read_text().replace('cpu      = var.cpu_limit', 'cpu      = "4"'))
    infra.commit_all("bump cpu by hand")
    before = infra.vars_text("app")
    prepared = engine.prepare(request("app", "replicas", "3"), issue=7)
    assert prepared.blocked_by == "pending-changes"
    assert prepared.reasons == ("stack stacks/app already had changes waiting to be applied before this request "
                                "(1 to change): the responder applies only its own change",)
    assert prepared.verdict["changes"][0]["address"] == "terraform_data.deployment"
    assert infra.vars_text("app") == before


def test_a_variable_missing_from_the_vars_file_is_not_added(infra: Infra, engine: TerraformChangeEngine) -> None:
    prepared = engine.prepare(request("app", "cpu_request", "500m"), issue=7)
    assert (prepared.blocked_by, prepared.reasons) == (
        "not-configured", ("stacks/app/app.auto.tfvars.json has no 'cpu_request' variable",))


def test_a_directory_that_is_not_a_git_checkout_is_refused(infra: Infra, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    shutil.copytree(infra.root, plain, ignore=shutil.ignore_patterns(".git"))
    from responder.config.loader import load_config

    with TerraformChangeEngine(load_config(plain / "responder.yml")) as outside_git:
        prepared = outside_git.prepare(request("app", "replicas", "3"), issue=7)
    assert prepared.blocked_by == "checkout"
    assert prepared.reasons == (f"{plain} is not a git checkout: every change is committed, so it must be one",)


def test_an_uncommitted_stack_is_refused(infra: Infra, engine: TerraformChangeEngine) -> None:
    (infra.stack("app") / "extra.tf").write_text("# work in progress\n")
    prepared = engine.prepare(request("app", "replicas", "3"), issue=7)
    assert prepared.blocked_by == "checkout"
    assert prepared.reasons == ("stacks/app has uncommitted changes (stacks/app/extra.tf): the plan would not "
                                "match any commit",)


def add_service(infra: Infra, name: str, stack: str, vars_file: str, limits: str = "{replicas: [1, 5]}") -> None:
    """A service added to responder.yml and committed, as a maintainer (or a careless pull request) would."""
    config = infra.config_path.read_text()
    entry = (f"  - name: {name}\n    title: {name}\n    tier: standard\n    terraform:\n      stack: {stack}\n"
             f"      vars_file: {vars_file}\n      limits: {limits}\n\n")
    infra.config_path.write_text(config.replace("guardrails:\n", entry + "guardrails:\n", 1))


def test_a_stack_linked_into_a_protected_stack_is_blocked_before_any_plan(infra: Infra) -> None:
    # stacks/secrets-ui -> vault: the configured name is harmless, the real directory is protected.
    (infra.stack("secrets-ui")).symlink_to("vault")
    add_service(infra, "secrets-ui", "stacks/secrets-ui", "vault.auto.tfvars.json", "{replicas: [1, 3]}")
    infra.commit_all("secrets UI")
    with TerraformChangeEngine(infra.config()) as engine:
        prepared = engine.prepare(request("secrets-ui", "replicas", "2"), issue=7)
    assert (prepared.outcome, prepared.blocked_by) == ("blocked", "protected-stack")
    assert prepared.reasons == ("stack stacks/secrets-ui -> stacks/vault is protected (guardrails.protected_stacks: "
                                "vault): changes there always need a person",)
    assert not (infra.stack("vault") / ".terraform").exists()  # nothing was initialised, planned or applied
    assert not (infra.stack("vault") / "terraform.tfstate").exists()
    assert infra.vars_text("vault") == '{"replicas": 1}\n'
    assert infra.remote_log() == ["secrets UI", "infrastructure as it runs"]


def test_a_stack_linked_elsewhere_in_the_repository_is_changed_and_recorded_where_it_really_is(infra: Infra) -> None:
    # Before, the commit named the path through the link, git found nothing to commit, and the
    # applied change was never recorded.
    infra.stack("frontend").symlink_to("app")
    add_service(infra, "frontend", "stacks/frontend", "app.auto.tfvars.json")
    infra.commit_all("frontend alias")
    with TerraformChangeEngine(infra.config()) as engine:
        prepared = engine.prepare(request("frontend", "replicas", "3"), issue=7)
        assert prepared.outcome == "ready", prepared.reasons
        assert (prepared.stack, prepared.vars_file) == ("stacks/frontend -> stacks/app",
                                                        "stacks/app/app.auto.tfvars.json")
        applied = engine.apply(prepared, issue=7)
    assert applied.recorded, applied.error
    assert infra.remote_log()[0] == "feat: raise frontend replicas from 2 to 3 (fixes #7)"
    assert git(infra.root, "show", "--format=", "--name-only", "HEAD").split() == ["stacks/app/app.auto.tfvars.json"]
    assert infra.state("app")["terraform_data.deployment"]["input"]["replicas"] == 3


def test_two_names_for_one_stack_share_its_lock(infra: Infra) -> None:
    infra.stack("frontend").symlink_to("app")
    add_service(infra, "frontend", "stacks/frontend", "app.auto.tfvars.json")
    infra.commit_all("frontend alias")
    with TerraformChangeEngine(infra.config()) as first, TerraformChangeEngine(infra.config()) as second:
        assert first.prepare(request("app", "replicas", "3"), issue=7).outcome == "ready"
        busy = second.prepare(request("frontend", "replicas", "4"), issue=8)
    assert busy.blocked_by == "stack-busy"
    assert busy.reasons[0].startswith("another run is changing stack stacks/app (pid ")


def test_an_ignored_vars_file_is_refused_before_any_plan(infra: Infra) -> None:
    # Applied but never committed, before: git would not commit an ignored file.
    git(infra.root, "rm", "--cached", "--quiet", "stacks/workers/workers.auto.tfvars.json")
    (infra.root / ".gitignore").write_text((infra.root / ".gitignore").read_text() + "workers.auto.tfvars.json\n")
    infra.commit_all("stop tracking the workers' vars")
    before = infra.vars_text("workers")
    with TerraformChangeEngine(infra.config()) as engine:
        prepared = engine.prepare(request("workers", "replicas", "2"), issue=7)
    assert (prepared.outcome, prepared.blocked_by) == ("blocked", "not-configured")
    assert prepared.reasons == (f"stacks/workers/workers.auto.tfvars.json is not tracked by git in {infra.root} (it "
                                "is new, ignored or outside the work tree): a change to it could never be "
                                "committed, so none is made",)
    assert prepared.verdict == {}  # refused before any plan
    assert infra.vars_text("workers") == before
    assert infra.state("workers").keys() == {"terraform_data.worker[0]"}


@pytest.mark.parametrize("dry_run", [False, True])
@pytest.mark.parametrize("flag", ["--assume-unchanged", "--skip-worktree"])
def test_a_vars_file_git_would_not_see_change_is_refused_before_any_plan(infra: Infra, flag: str,
                                                                         dry_run: bool) -> None:
    git(infra.root, "update-index", flag, "stacks/app/app.auto.tfvars.json")
    before = infra.vars_text("app")
    with TerraformChangeEngine(infra.config(), dry_run=dry_run) as engine:
        prepared = engine.prepare(request("app", "replicas", "3"), issue=7)
    assert (prepared.outcome, prepared.blocked_by) == ("blocked", "checkout")
    assert prepared.reasons == ("git does not see edits to stacks/app/app.auto.tfvars.json (it is marked "
                                "assume-unchanged or skip-worktree, or a filter hides the change): a change to it "
                                "could never be committed, so none is made",)
    assert prepared.verdict == {}
    assert infra.vars_text("app") == before
    assert infra.state("app")["terraform_data.deployment"]["input"]["replicas"] == 2


def test_an_edit_git_stops_seeing_before_the_apply_is_not_applied(infra: Infra) -> None:
    before = infra.vars_text("app")
    with TerraformChangeEngine(infra.config()) as engine:
        prepared = engine.prepare(request("app", "replicas", "3"), issue=7)
        assert prepared.outcome == "ready"
        git(infra.root, "update-index", "--assume-unchanged", "stacks/app/app.auto.tfvars.json")
        applied = engine.apply(prepared, issue=7)
    assert not applied.ok
    assert applied.error == ("git no longer sees the edit to stacks/app/app.auto.tfvars.json, so it could not be "
                             "committed: nothing was applied")
    assert infra.vars_text("app") == before
    assert infra.state("app")["terraform_data.deployment"]["input"]["replicas"] == 2


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for stack in ("app", "vault", "jobs"):
        (root / "stacks" / stack).mkdir(parents=True)
        (root / "stacks" / stack / f"{stack}.auto.tfvars.json").write_text("{}")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "x.auto.tfvars.json").write_text("{}")
    (root / "stacks" / "secrets-ui").symlink_to("vault")
    (root / "stacks" / "outside").symlink_to(tmp_path / "elsewhere")
    (root / "stacks" / "app" / "shared.auto.tfvars.json").symlink_to("../vault/vault.auto.tfvars.json")
    (root / "stacks" / "app" / "jobs.auto.tfvars.json").symlink_to("../jobs/jobs.auto.tfvars.json")
    return root


@pytest.mark.parametrize(("stack", "vars_file", "expected"), [
    ("stacks/app", "app.auto.tfvars.json", None),
    ("stacks/secrets-ui", "vault.auto.tfvars.json",
     ("protected-stack", "stack stacks/secrets-ui -> stacks/vault is protected (guardrails.protected_stacks: vault): "
                         "changes there always need a person")),
    ("stacks/app", "shared.auto.tfvars.json",
     ("protected-stack", "the vars file stacks/app/shared.auto.tfvars.json -> stacks/vault/vault.auto.tfvars.json is "
                         "inside a protected stack (guardrails.protected_stacks: vault): changes there always need "
                         "a person")),
    ("stacks/app", "../vault/vault.auto.tfvars.json",
     ("protected-stack", "the vars file stacks/vault/vault.auto.tfvars.json is inside a protected stack "
                         "(guardrails.protected_stacks: vault): changes there always need a person")),
    ("stacks/outside", "x.auto.tfvars.json",
     ("not-configured", "the stack stacks/outside leads outside the repository (to {elsewhere}): the responder "
                        "changes only files it can commit")),
    ("../elsewhere", "x.auto.tfvars.json",
     ("not-configured", "the stack ../elsewhere leads outside the repository (to {elsewhere}): the responder "
                        "changes only files it can commit")),
    ("stacks/app", "jobs.auto.tfvars.json",
     ("not-configured", "the vars file stacks/app/jobs.auto.tfvars.json -> stacks/jobs/jobs.auto.tfvars.json is not "
                        "in the stack directory stacks/app: terraform reads *.auto.tfvars.json only from there")),
])
def test_stacks_and_vars_files_are_judged_where_they_really_lead(tmp_path: Path, stack: str, vars_file: str,
                                                                  expected: tuple[str, str] | None) -> None:
    from responder.changes.repository_paths import locate
    from responder.config.guardrails import Policy
    from responder.flows.change_engine import path_refusal

    root = _tree(tmp_path)
    refusal = path_refusal(locate(root, stack), locate(root, f"{stack}/{vars_file}"), Policy())
    found = (refusal.blocked_by, refusal.reason) if refusal else None
    if expected is not None:
        expected = (expected[0], expected[1].format(elsewhere=(tmp_path / "elsewhere").resolve()))
    assert found == expected


def test_a_checkout_behind_its_remote_is_refused(infra: Infra, engine: TerraformChangeEngine, tmp_path: Path) -> None:
    push_from_elsewhere(infra, tmp_path)
    prepared = engine.prepare(request("app", "replicas", "3"), issue=7)
    assert prepared.blocked_by == "checkout"
    assert prepared.reasons == ("the checkout is behind origin/main: re-run on a fresh checkout so the plan "
                                "includes every change already merged",)


def test_a_locked_state_is_escalated_not_retried(infra: Infra, engine: TerraformChangeEngine) -> None:
    before = infra.vars_text("app")
    holder = subprocess.Popen(["terraform" if shutil.which("terraform") else "tofu", "console"],
                              cwd=infra.stack("app"), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not (infra.stack("app") / ".terraform.tfstate.lock.info").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        started = time.monotonic()
        prepared = engine.prepare(request("app", "replicas", "3"), issue=7)
        assert time.monotonic() - started < 10
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)
    assert prepared.blocked_by == "state-locked"
    assert prepared.reasons[0].startswith("the Terraform state of stacks/app is locked (id ")
    assert infra.vars_text("app") == before


def test_a_second_run_on_the_same_stack_is_refused_while_the_first_holds_it(infra: Infra) -> None:
    """Two processes: the first prepares and holds the stack; the second gives up after lock_timeout."""
    first = subprocess.Popen([sys.executable, "-m", "tests.support.holder", "apply", str(infra.config_path), "app",
                              "replicas", "3", "7"], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True)
    try:
        assert first.stdout is not None
        assert json.loads(first.stdout.readline()) == {"prepared": "ready", "reasons": [
            "no resource would be deleted or replaced", "1 resource would change (at most 5)",
            "no resource of a protected type is touched", "stack stacks/app is not protected"]}
        with TerraformChangeEngine(infra.config()) as second:
            busy = second.prepare(request("app", "replicas", "4"), issue=8)
        assert busy.blocked_by == "stack-busy"
        assert busy.reasons[0].startswith(f"another run is changing stack stacks/app (pid {first.pid}, host ")
        assert ", issue #7, since " in busy.reasons[0]
        assert first.stdin is not None
        first.stdin.close()
        assert json.loads(first.stdout.readline())["ok"] is True
    finally:
        first.wait(timeout=30)
    # Once the first is done, the second plans against what the first applied.
    with TerraformChangeEngine(infra.config()) as second:
        later = second.prepare(request("app", "replicas", "4"), issue=8)
        assert (later.outcome, later.before) == ("ready", "3")
        assert second.apply(later, issue=8).ok
    assert infra.remote_log()[:2] == ["feat: raise app replicas from 3 to 4 (fixes #8)",
                                      "feat: raise app replicas from 2 to 3 (fixes #7)"]


def test_a_lock_directory_others_can_write_is_refused_before_any_plan(infra: Infra,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    shared = infra.root / ".responder-locks"
    shared.mkdir(exist_ok=True)
    shared.chmod(0o777)
    caplog.set_level(logging.INFO)
    with TerraformChangeEngine(infra.config()) as engine:
        prepared = engine.prepare(request("app", "replicas", "3"), issue=7)
    assert (prepared.outcome, prepared.blocked_by) == ("blocked", "lock-unsafe")
    assert prepared.reasons == (f"the lock directory {shared} can be written by other users (mode 0777): another "
                                "user could replace the lock files, so the stack lock is not used",)
    assert "terraform" not in caplog.text


def test_a_rejected_push_leaves_the_change_applied_but_unrecorded(infra: Infra, engine: TerraformChangeEngine,
                                                                  tmp_path: Path) -> None:
    prepared = engine.prepare(request("app", "replicas", "3"), issue=7)
    push_from_elsewhere(infra, tmp_path)
    applied = engine.apply(prepared, issue=7)
    assert applied.ok and not applied.pushed and not applied.recorded
    assert applied.error is not None and applied.error.startswith(
        f"applied and committed as {(applied.commit or '')[:12]}, but the push failed: git push")


# ---------------------------------------------------------------- dry runs, secrets, details


def test_discarding_a_prepared_change_reverts_it_and_frees_the_stack(infra: Infra,
                                                                      engine: TerraformChangeEngine) -> None:
    before = infra.vars_text("app")
    prepared = engine.prepare(request("app", "replicas", "3"), issue=7)
    assert prepared.outcome == "ready"
    engine.discard(prepared)
    engine.discard(prepared)  # twice is harmless
    assert infra.vars_text("app") == before
    assert prepared.plan_file is not None and not Path(prepared.plan_file).exists()
    assert not engine.apply(prepared, issue=7).ok
    with TerraformChangeEngine(infra.config()) as other:
        assert other.prepare(request("app", "replicas", "3"), issue=7).outcome == "ready"


class VarsFileWatch:
    """Every command the engine runs, with the vars file's bytes and mtime at that moment."""

    def __init__(self, vars_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        from responder.adapters import terraform as adapter

        self.vars_path = vars_path
        self.seen: list[tuple[list[str], bytes, int]] = []
        self.var_files: list[tuple[Path, bool, int]] = []  # each -var-file: where, present, mode
        real_run = adapter.run

        def watched(argv: list[str], **options: object) -> object:
            stat = vars_path.stat()
            self.seen.append((list(argv), vars_path.read_bytes(), stat.st_mtime_ns))
            for arg in argv:
                if arg.startswith("-var-file="):
                    named = Path(arg.split("=", 1)[1])
                    self.var_files.append((named, named.is_file(), named.stat().st_mode & 0o777))
            return real_run(argv, **options)  # type: ignore[arg-type]

        monkeypatch.setattr(adapter, "run", watched)

    @property
    def commands(self) -> list[str]:
        return [argv[1] for argv, _, _ in self.seen]


def test_a_dry_run_never_writes_the_vars_file_even_while_it_plans(infra: Infra,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    vars_path = infra.stack("app") / "app.auto.tfvars.json"
    before, mtime = vars_path.read_bytes(), vars_path.stat().st_mtime_ns
    watch = VarsFileWatch(vars_path, monkeypatch)
    with TerraformChangeEngine(infra.config(), dry_run=True) as dry:
        prepared = dry.prepare(request("app", "replicas", "3"), issue=7)
        assert watch.commands == ["version", "init", "plan", "show", "plan", "show"]
        assert {(content, stamp) for _, content, stamp in watch.seen} == {(before, mtime)}
        assert (prepared.outcome, prepared.plan_summary) == ("ready", "Plan: 0 to add, 1 to change, 0 to destroy.")
        assert len(prepared.plan_sha256 or "") == 64
        assert prepared.plan_file is None  # nothing is kept: a dry run's plan can never be applied
        assert dry.apply(prepared, issue=7).error == "a dry run applies nothing: nothing was applied"
    # The edit went to a private file outside the repository, named to the second plan only, and is gone.
    [(copy, present, mode)] = watch.var_files
    assert present and mode == 0o600
    assert infra.root.resolve() not in copy.resolve().parents
    assert not copy.exists()
    assert (vars_path.read_bytes(), vars_path.stat().st_mtime_ns) == (before, mtime)
    assert infra.repo.changed() == ()


def test_a_dry_run_plans_while_another_run_holds_the_stack(infra: Infra) -> None:
    """The stack lock guards an apply: a dry run applies nothing, so it neither takes it nor waits for it."""
    config = infra.config()
    assert config.guardrails.lock_dir is not None and config.repository is not None
    holder = subprocess.Popen([sys.executable, "-m", "tests.support.holder", "lock", str(config.guardrails.lock_dir),
                               config.repository, "stacks/app", "41"], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with TerraformChangeEngine(config, dry_run=True) as dry:
            planned = dry.prepare(request("app", "replicas", "3"), issue=7)
        with TerraformChangeEngine(config) as real:
            busy = real.prepare(request("app", "replicas", "3"), issue=8)
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)
    assert (planned.outcome, planned.blocked_by) == ("ready", ""), planned.reasons
    assert busy.blocked_by == "stack-busy"
    assert busy.reasons[0].startswith(f"another run is changing stack stacks/app (pid {holder.pid}, host ")
    with TerraformChangeEngine(config) as real:
        assert real.prepare(request("app", "replicas", "3"), issue=8).verdict == planned.verdict


def decision_of(prepared: PreparedChange) -> tuple[object, ...]:
    return (prepared.outcome, prepared.blocked_by, prepared.reasons, prepared.verdict, prepared.plan_summary,
            prepared.plan_sha256 is not None, prepared.before, prepared.after, prepared.summary)


@pytest.mark.parametrize(("service", "kind", "value", "outcome"), [
    ("app", "replicas", "3", "ready"),
    ("app", "image_tag", "2.5.0", "ready"),  # a sensitive value in the plan
    ("workers", "replicas", "0", "blocked"),  # a delete
    ("jobs", "image_tag", "v1.1.0", "blocked"),  # a replace
    ("workers", "replicas", "7", "blocked"),  # too many changes
    ("workers", "memory_limit", "2Gi", "no-op"),  # an edit that plans nothing
])
def test_a_dry_run_judges_the_plan_a_real_run_would(infra: Infra, service: str, kind: str, value: str,
                                                    outcome: str) -> None:
    before = infra.vars_text(service)
    with TerraformChangeEngine(infra.config(), dry_run=True) as dry:
        planned = dry.prepare(request(service, kind, value), issue=7)
    assert infra.vars_text(service) == before
    with TerraformChangeEngine(infra.config()) as real:
        prepared = real.prepare(request(service, kind, value), issue=7)
    assert planned.outcome == outcome, planned.reasons
    assert decision_of(planned) == decision_of(prepared)
    assert_untouched(infra, service, before)


@pytest.mark.parametrize(("later", "outcome"), [
    # terraform reads zz.auto.tfvars.json after app.auto.tfvars.json: its replicas win over the edit.
    ('{"replicas": 2}\n', "no-op"),
    # ... unless it is the vars file itself under another name: then it reads the edit too.
    (Path("app.auto.tfvars.json"), "ready"),
])
def test_a_dry_run_gives_a_later_vars_file_the_last_word_as_terraform_does(infra: Infra, later: str | Path,
                                                                           outcome: str) -> None:
    later_file = infra.stack("app") / "zz.auto.tfvars.json"
    if isinstance(later, Path):
        later_file.symlink_to(later)
    else:
        later_file.write_text(later)
    infra.commit_all("a later vars file")
    with TerraformChangeEngine(infra.config(), dry_run=True) as dry:
        planned = dry.prepare(request("app", "replicas", "3"), issue=7)
    with TerraformChangeEngine(infra.config()) as real:
        prepared = real.prepare(request("app", "replicas", "3"), issue=7)
    assert planned.outcome == outcome, planned.reasons
    assert decision_of(planned) == decision_of(prepared)


@pytest.mark.parametrize("dry_run", [False, True])
def test_an_edit_a_git_filter_hides_is_refused_before_the_plan(infra: Infra, dry_run: bool) -> None:
    # A clean filter that puts the committed value back: git would store the file unchanged.
    git(infra.root, "config", "filter.pin.clean", "sed -e 's/\"replicas\": [0-9]*/\"replicas\": 2/'")
    (infra.root / ".git" / "info" / "attributes").write_text("stacks/app/app.auto.tfvars.json filter=pin\n")
    before = infra.vars_text("app")
    with TerraformChangeEngine(infra.config(), dry_run=dry_run) as engine:
        prepared = engine.prepare(request("app", "replicas", "3"), issue=7)
    assert (prepared.outcome, prepared.blocked_by) == ("blocked", "checkout")
    assert prepared.reasons == ("git does not see edits to stacks/app/app.auto.tfvars.json (it is marked "
                                "assume-unchanged or skip-worktree, or a filter hides the change): a change to it "
                                "could never be committed, so none is made",)
    assert prepared.verdict == {}
    assert_untouched(infra, "app", before)


def test_closing_the_engine_discards_what_was_not_applied(infra: Infra) -> None:
    before = infra.vars_text("app")
    engine = TerraformChangeEngine(infra.config())
    prepared: PreparedChange = engine.prepare(request("app", "replicas", "3"), issue=7)
    engine.close()
    assert infra.vars_text("app") == before
    assert prepared.plan_file is not None and not Path(prepared.plan_file).exists()


def test_sensitive_values_never_reach_the_verdict_or_the_log(infra: Infra, engine: TerraformChangeEngine,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    from responder.render.redaction import process_redactor

    caplog.set_level(logging.INFO)
    prepared = engine.prepare(request("app", "image_tag", "2.5.0"), issue=7)
    assert prepared.outcome == "ready"
    assert "correct-horse-battery-staple" not in json.dumps(prepared.verdict)
    # terraform prints terraform_data's copy of the password in clear; the job log masks it.
    assert "correct-horse-battery-staple" not in process_redactor(caplog.text)
    assert "[REDACTED]" in process_redactor(caplog.text)
    engine.apply(prepared, issue=7)
    assert "correct-horse-battery-staple" not in process_redactor(caplog.text)


def test_a_short_sensitive_value_never_reaches_a_dry_run_or_the_log(infra: Infra,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    # A 7-character admin password, applied and committed; terraform_data copies it into its unmarked output.
    vars_path = infra.stack("app") / "app.auto.tfvars.json"
    vars_path.write_text(infra.vars_text("app").replace('"cpu_limit": "1"', '"cpu_limit": "1",\n  '
                                                                              '"admin_password": "hunter2"'))
    infra.commit_all("short password")
    terraform(infra.stack("app"), "apply", "-input=false", "-auto-approve")
    caplog.set_level(logging.INFO)
    with TerraformChangeEngine(infra.config(), dry_run=True) as dry:
        prepared = dry.prepare(request("app", "image_tag", "2.5.0"), issue=7)
        assert prepared.outcome == "ready", prepared.reasons
        dry.discard(prepared)
    decision = json.dumps({"verdict": prepared.verdict, "reasons": prepared.reasons, "summary": prepared.summary})
    assert "hunter2" not in decision
    assert "values were masked: " in prepared.verdict["notes"][0]
    assert "hunter2" not in caplog.text  # terraform printed it in the plan; the log masks it however short
    assert "(values were masked: terraform's output below has every occurrence of a sensitive value" in caplog.text


@pytest.mark.parametrize(("kind", "before", "after", "text"), [
    ("replicas", "2", "3", "raise app replicas from 2 to 3"),
    ("replicas", "3", "1", "lower app replicas from 3 to 1"),
    ("memory_limit", "1Gi", "1536Mi", "raise app memory limit from 1Gi to 1536Mi"),
    ("cpu_request", "500m", "0.25", "lower app cpu request from 500m to 0.25"),
    ("image_tag", "2.4.1", "2.5.0", "update app image tag from 2.4.1 to 2.5.0"),
    ("memory_limit", None, "2Gi", "set app memory limit to 2Gi"),
])
def test_changes_are_described_in_words(kind: str, before: str | None, after: str, text: str) -> None:
    assert describe(request("app", kind, after), before, after) == text


def test_untrusted_reason_text_cannot_shape_the_commit() -> None:
    prepared = PreparedChange(
        request=ChangeRequest("app", "replicas", "3", "Ping @org/admins about #12\n\nSigned-off-by: x <x@y>",
                              "feat"),
        stack="stacks/app", outcome="ready", reasons=(), plan_sha256="ab" * 32, summary="raise app replicas "
        "from 2 to 3")
    message = commit_message(prepared, 7, None)
    assert message.splitlines()[0] == "feat: raise app replicas from 2 to 3 (fixes #7)"
    assert "Reason: Ping @\u200borg/admins about #\u200b12 Signed-off-by: x <x@\u200by>" in message
    assert "\nSigned-off-by" not in message


@pytest.mark.parametrize(("text", "value"), [("60s", 60), ("5m", 300), ("1h30m", 5400), ("2s", 2)])
def test_durations(text: str, value: float) -> None:
    assert seconds(text) == value


@pytest.mark.parametrize(("names", "later"), [
    (["app.auto.tfvars.json", "main.tf"], []),
    (["zz.auto.tfvars", "app.auto.tfvars.json", "b.auto.tfvars.json", "a.auto.tfvars.json"],
     ["b.auto.tfvars.json", "zz.auto.tfvars"]),
    # terraform.tfvars(.json) are read before every *.auto.tfvars(.json); other files not at all.
    (["terraform.tfvars", "terraform.tfvars.json", "zz.tfvars.json", "zz.auto.tfvars.json.bak"], []),
])
def test_the_vars_files_terraform_reads_after_the_vars_file(names: list[str], later: list[str]) -> None:
    from responder.flows.change_engine import auto_vars_read_after

    assert auto_vars_read_after("app.auto.tfvars.json", names) == later
