"""Feature requests end to end: `responder handle` with real terraform, a real git remote, and
GitHub answered at the HTTP boundary."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from responder.config.loader import Config
from responder.flows.change_engine import TerraformChangeEngine
from responder.flows.handle import handle
from responder.flows.outage import IncidentTools
from responder.flows.run import Options
from responder.model.changes import AppliedChange, ChangeRequest, PreparedChange
from responder.model.state import read_marker
from tests.responder.flows.test_handle import TOKEN, Run, github
from tests.responder.flows.test_handle import handle as handle_event
from tests.support import events
from tests.support.github_api import FakeGitHub
from tests.support.infra import Infra, terraform

__all__ = ["github"]  # the FakeGitHub fixture, shared with test_handle


def body(service: str, change: str, value: str, why: str = "Monday sync storms overload one pod.") -> str:
    return (f"### Which service?\n\n{service}\n\n### What should change?\n\n{change}\n\n"
            f"### New value\n\n{value}\n\n### Why is it needed?\n\n{why}")


def request_event(service: str, change: str, value: str, number: int = 7, **fields: Any) -> dict[str, Any]:
    fields.setdefault("author", "alice")
    return events.issues_event(number=number, body=body(service, change, value), labels=("feature-request",),
                               title=f"[Request]: {change} for {service}", **fields)


def run(infra: Infra, tmp_path: Path, payload: dict[str, Any], *args: str) -> Run:
    return handle_event(tmp_path, payload, "--no-probe", *args, config=infra.config_path)


def comment_text(github: FakeGitHub, number: int = 7) -> str:
    [comment] = github.bot_comments(number)
    return str(comment["body"]).split("\n\n<sub>")[0]


def test_a_trusted_request_is_applied_committed_and_closed(infra: Infra, tmp_path: Path,
                                                           github: FakeGitHub) -> None:
    payload = request_event("App", "Replica count", "3")
    github.add_issue(payload["issue"])
    result = run(infra, tmp_path, payload)
    assert result.code == 0, result.stderr
    [commit] = [line for line in infra.remote_log() if line.startswith("feat:")]
    assert commit == "feat: raise app replicas from 2 to 3 (fixes #7)"
    assert infra.state("app")["terraform_data.deployment"]["input"]["replicas"] == 3
    state = read_marker(github.bot_comments(7)[0]["body"])
    assert state is not None and state.outcome == "done"
    [record] = state.sections["terraform"]["changes"]
    sha, plan = record["commit"], record["plan_sha256"]
    assert comment_text(github) == f"""\
### ✅ Done: raise app replicas from 2 to 3

App: the replica count goes from `2` to `3`, set in `stacks/app/app.auto.tfvars.json` and applied with Terraform.

| | |
|---|---|
| **Guardrails** | ✅ allowed: no resource would be deleted or replaced; 1 resource would change (at most 5); no \
resource of a protected type is touched; stack stacks/app is not protected |
| **Plan** | Plan: 0 to add, 1 to change, 0 to destroy. · `sha256:{plan}` |
| **Applied** | Apply complete! Resources: 0 added, 1 changed, 0 destroyed. |
| **Commit** | [`{sha[:12]}`](https://github.com/acme-homelab/infra/commit/{sha}) |

| Resource | Action | What changes |
|---|---|---|
| `terraform_data.deployment` | update | `input.replicas`: `2` → `3` |"""
    assert github.issues[7].data["state"] == "closed"
    assert github.issues[7].data["state_reason"] == "completed"
    assert github.labels(7) == ["feature-request"]
    assert github.log == [
        ("GET", "/repos/acme-homelab/infra/collaborators/alice/permission"),
        ("GET", "/repos/acme-homelab/infra/issues/7/comments"),
        ("PATCH", "/repos/acme-homelab/infra/issues/7"),
        ("POST", "/repos/acme-homelab/infra/issues/7/comments"),
    ]
    assert [entry.kind for entry in state.journal] == ["plan", "apply"]
    assert record["status"] == "applied" and record["pushed"] is True


def test_a_rerun_never_applies_twice(infra: Infra, tmp_path: Path, github: FakeGitHub,
                                     caplog: pytest.LogCaptureFixture) -> None:
    payload = request_event("App", "Replica count", "3")
    github.add_issue(payload["issue"])
    assert run(infra, tmp_path, payload).code == 0
    commits, writes = infra.remote_log(), github.writes()
    caplog.clear()
    caplog.set_level(logging.INFO)
    again = run(infra, tmp_path, payload)  # the same event delivered again (a re-run of the job)
    assert again.code == 0
    assert infra.remote_log() == commits
    assert github.writes() == writes
    assert "GitHub requests: 2" in again.stderr
    assert "terraform" not in caplog.text  # not even planned


def test_a_dry_run_plans_shows_the_verdict_and_changes_nothing(infra: Infra, tmp_path: Path,
                                                               github: FakeGitHub) -> None:
    payload = request_event("App", "Memory limit", "2Gi")
    github.add_issue(payload["issue"])
    before = infra.vars_text("app")
    result = run(infra, tmp_path, payload, "--dry-run")
    assert result.code == 0, result.stderr
    decision = result.decision
    assert decision["outcome"] == "done"
    assert [a["type"] for a in decision["actions"]] == ["apply_change", "close", "comment"]
    apply = decision["actions"][0]
    assert {k: apply[k] for k in ("service", "kind", "value", "commit_type", "stack")} == {
        "service": "app", "kind": "memory_limit", "value": "2Gi", "commit_type": "feat", "stack": "stacks/app"}
    assert len(apply["plan_sha256"]) == 64
    assert decision["verdict"]["allowed"] is True
    assert decision["verdict"]["changes"][0]["attributes"][0] == {"path": "input.memory.limit", "before": '"1Gi"',
                                                                  "after": '"2Gi"'}
    assert "### ✅ Ready to apply: raise app memory limit from 1Gi to 2Gi" in decision["actions"][2]["body"]
    assert "| **Commit** | made once exactly this plan is applied |" in decision["actions"][2]["body"]
    assert infra.vars_text("app") == before
    assert infra.remote_log() == ["infrastructure as it runs"]
    assert infra.state("app")["terraform_data.deployment"]["input"]["memory"]["limit"] == "1Gi"
    assert github.writes() == []


def test_offline_the_change_is_still_planned_applied_and_committed(infra: Infra, tmp_path: Path,
                                                                   github: FakeGitHub) -> None:
    result = run(infra, tmp_path, request_event("App", "Image tag", "2.5.0"), "--offline")
    assert result.code == 0, result.stderr
    assert result.decision["outcome"] == "done"
    assert infra.remote_log()[0] == "feat: update app image tag from 2.4.1 to 2.5.0 (fixes #7)"
    assert github.log == []


def test_an_out_of_bounds_request_gets_an_assessment(infra: Infra, tmp_path: Path, github: FakeGitHub) -> None:
    payload = request_event("App", "Replica count", "9")
    github.add_issue(payload["issue"])
    assert run(infra, tmp_path, payload).code == 0
    assert comment_text(github) == """\
### 🙋 Request recorded: a person will take it from here

| | |
|---|---|
| **Service** | App |
| **Change** | Replica count |
| **New value** | `9` |

**Why a person is needed:**
- 9 replicas is above the maximum of 5 for app (terraform.limits.replicas: \\[1, 5\\])

**What would be needed:** if the value is intended, a maintainer raises the bound in \
`services[].terraform.limits` and the request is re-run, or the change is made by hand.

**Risks:** values outside the configured bounds can exhaust the cluster or starve the service.

Assigned to vbarzin."""
    assert github.labels(7) == ["feature-request", "needs-human"]
    assert [a["login"] for a in github.issues[7].data["assignees"]] == ["vbarzin"]
    assert github.issues[7].data["state"] == "open"
    assert infra.remote_log() == ["infrastructure as it runs"]


def test_a_protected_stack_is_escalated_without_any_plan(infra: Infra, tmp_path: Path, github: FakeGitHub,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    payload = request_event("Vault", "Replica count", "2")
    github.add_issue(payload["issue"])
    assert run(infra, tmp_path, payload).code == 0
    text = comment_text(github)
    assert "- stack stacks/vault is protected (guardrails.protected\\_stacks: vault): changes there always need a " \
           "person" in text
    assert "**What would be needed:** a maintainer makes the change by hand and reviews the plan." in text
    assert "terraform" not in caplog.text
    dry = run(infra, tmp_path, payload, "--dry-run")
    assert dry.decision["verdict"]["outcome"] == "blocked"
    assert dry.decision["verdict"]["stack"] == "stacks/vault"


def test_a_plan_the_guardrails_refuse_is_escalated_with_the_verdict(infra: Infra, tmp_path: Path,
                                                                    github: FakeGitHub) -> None:
    payload = request_event("Workers", "Replica count", "0")
    github.add_issue(payload["issue"])
    before = infra.vars_text("workers")
    assert run(infra, tmp_path, payload).code == 0
    text = comment_text(github)
    state = read_marker(github.bot_comments(7)[0]["body"])
    assert state is not None
    [record] = state.sections["terraform"]["changes"]
    assert text.startswith("### 🙋 Not done automatically: lower workers replicas from 1 to 0\n")
    assert "**Why a person is needed:**\n- the plan would delete 1 resource: terraform\\_data.worker\\[0\\]\n" in text
    assert ("**Risks:** deleting or replacing resources can lose data and cause downtime. The verdict below says "
            "what the plan would do.") in text
    assert f"**Guardrail verdict:** ⛔ blocked · plan `sha256:{record['plan_sha256']}`" in text
    assert "| `terraform_data.worker[0]` | delete |  |" in text
    assert text.count("the plan would delete 1 resource") == 1  # the verdict does not repeat the reasons
    assert text.endswith("Nothing was applied, and the vars file was left as it was.\n\nAssigned to vbarzin.")
    assert infra.vars_text("workers") == before
    assert github.labels(7) == ["feature-request", "needs-human"]


def test_something_else_is_assessed_for_a_person(infra: Infra, tmp_path: Path, github: FakeGitHub) -> None:
    payload = request_event("App", "Something else", "a new ingress route")
    github.add_issue(payload["issue"])
    assert run(infra, tmp_path, payload).code == 0
    text = comment_text(github)
    assert ("- only replica counts, memory and CPU limits and requests, and image tags are changed "
            "automatically") in text
    assert ("**Risks:** unknown until someone looks: the request is free text and could touch anything."
            in text)


def test_an_untrusted_request_never_reaches_terraform(infra: Infra, tmp_path: Path, github: FakeGitHub,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    payload = request_event("App", "Replica count", "5", author="mallory", association="NONE")
    github.add_issue(payload["issue"])
    assert run(infra, tmp_path, payload).code == 0
    assert comment_text(github).startswith("### 👋 Thanks — your report is queued for review")
    assert "terraform" not in caplog.text
    assert infra.remote_log() == ["infrastructure as it runs"]


class StaleBeforeApply:
    """The real engine, with a person applying by hand between the plan and the apply."""

    def __init__(self, engine: TerraformChangeEngine, infra: Infra) -> None:
        self.engine, self.infra = engine, infra

    def prepare(self, request: ChangeRequest, *, issue: int) -> PreparedChange:
        return self.engine.prepare(request, issue=issue)

    def apply(self, prepared: PreparedChange, *, issue: int) -> AppliedChange:
        terraform(self.infra.stack("app"), "apply", "-input=false", "-auto-approve", "-lock=false",
                  "-var=image_tag=2.4.2")
        return self.engine.apply(prepared, issue=issue)

    def discard(self, prepared: PreparedChange) -> None:
        self.engine.discard(prepared)

    def close(self) -> None:
        self.engine.close()


def test_a_failed_apply_is_escalated_with_the_error_and_never_retried(infra: Infra, github: FakeGitHub) -> None:
    payload = request_event("App", "Replica count", "3")
    github.add_issue(payload["issue"])
    before = infra.vars_text("app")
    config: Config = infra.config()

    def stale() -> StaleBeforeApply:
        return StaleBeforeApply(TerraformChangeEngine(config), infra)

    def client(repository: str) -> Any:
        from responder.adapters.github import GitHubClient

        return GitHubClient(repository, TOKEN, write_interval=0)

    result = handle(payload, config, Options(probe=False), client,
                    IncidentTools.for_run(config, {}, plan=True, engine=stale))
    decision = result.decision
    assert decision.outcome == "escalated"
    assert result.report is not None and result.report.done[0] == "apply of raise app replicas from 2 to 3 failed"
    text = comment_text(github)
    assert text.startswith("### 🙋 The apply failed: raise app replicas from 2 to 3\n")
    assert "Error: Saved plan is stale" in text
    assert ("**What would be needed:** a person runs `terraform plan` in the stack to see where it stands, then "
            "finishes or reverts the change by hand. The responder never retries an apply.") in text
    assert github.labels(7) == ["feature-request", "needs-human"]
    assert github.issues[7].data["state"] == "open"
    assert infra.vars_text("app") == before
    assert infra.remote_log() == ["infrastructure as it runs"]
    # Handled again (someone relabels the issue): the failed apply is not tried a second time.
    writes = github.writes()
    again = handle(payload, config, Options(probe=False), client,
                    IncidentTools.for_run(config, {}, plan=True, engine=stale))
    assert again.decision.outcome == "escalated"
    assert github.writes() == writes
    assert infra.remote_log() == ["infrastructure as it runs"]
