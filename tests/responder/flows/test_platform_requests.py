"""Platform requests end to end: `responder handle` with real terraform on the example platform and dns
stacks, a real git remote, and GitHub answered by the stand-in at the HTTP boundary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from responder.config.loader import load_config
from responder.model.state import read_marker
from responder.render.quoting import escape_text
from tests.responder.flows.test_handle import Run, github
from tests.responder.flows.test_handle import handle as handle_event
from tests.support import events
from tests.support.github_api import FakeGitHub
from tests.support.infra import git
from tests.support.platform_infra import PlatformInfra, build_platform_template, platform_copy

__all__ = ["github"]  # the FakeGitHub fixture with alice as a collaborator, shared with test_handle

LABELS = {"namespace": "Namespace", "members": "Members", "role": "Role", "cpu": "CPU quota",
          "memory": "Memory quota", "pods": "Pod limit", "record_name": "Record name", "record_type": "Record type",
          "record_value": "Record value", "url": "URL to monitor", "service_name": "Monitor name",
          "title": "Monitor title", "tier": "Tier"}


@pytest.fixture(scope="session")
def platform_template(tmp_path_factory: pytest.TempPathFactory) -> PlatformInfra:
    return build_platform_template(tmp_path_factory.mktemp("platform-template"))


@pytest.fixture
def infra(platform_template: PlatformInfra, tmp_path: Path) -> PlatformInfra:
    return platform_copy(platform_template, tmp_path / "infra")


def body(request: str, **answers: str) -> str:
    parts = [f"### What do you need?\n\n{request}"]
    parts += [f"### {LABELS[field]}\n\n{value}" for field, value in answers.items()]
    parts.append("### Why is it needed?\n\nThe data team starts on Monday.")
    return "\n\n".join(parts)


def request_event(request: str, number: int = 31, author: str = "alice", **answers: str) -> dict[str, Any]:
    return events.issues_event(number=number, body=body(request, **answers), labels=("platform-request",),
                               title=f"[Platform]: {request}", author=author)


def run(infra: PlatformInfra, tmp_path: Path, payload: dict[str, Any], *args: str) -> Run:
    return handle_event(tmp_path, payload, *args, config=infra.config_path)


def comment_text(github: FakeGitHub, number: int = 31) -> str:
    [comment] = github.bot_comments(number)
    return str(comment["body"]).split("\n\n<sub>")[0]


def feat_commits(infra: PlatformInfra) -> list[str]:
    return [line for line in infra.remote_log() if line.startswith("feat:")]


# ---------------------------------------------------------------- a new namespace, applied


def test_a_new_namespace_within_the_limits_is_applied_committed_and_recorded(
        infra: PlatformInfra, tmp_path: Path, github: FakeGitHub) -> None:
    payload = request_event("New namespace", namespace="team-a", cpu="2", memory="4Gi")
    github.add_issue(payload["issue"])
    result = run(infra, tmp_path, payload)
    assert result.code == 0, result.stderr
    assert feat_commits(infra) == ["feat: namespace team-a with quota cpu 2, memory 4Gi (fixes #31)"]
    assert infra.vars("platform")["namespaces"]["team-a"] == {
        "quota": {"cpu": "2", "memory": "4Gi", "pods": 20}, "members": {"alice": "edit"}}
    # The file keeps its own layout: the new entry is added, nothing else moves.
    assert git(infra.root, "show", "--numstat", "--format=", "HEAD").split() == [
        "10", "0", "stacks/platform/platform.auto.tfvars.json"]  # the entry (and a comma), nothing else
    state = infra.state("platform")
    assert state['terraform_data.namespace["team-a"]']["input"]["metadata"]["name"] == "team-a"
    assert state['terraform_data.role_binding["team-a/edit"]']["input"]["subject"] == [
        {"kind": "User", "name": "oidc:alice", "api_group": "rbac.authorization.k8s.io"}]
    assert state['terraform_data.role_binding["team-a/view"]']["input"]["subject"] == []
    marker = read_marker(github.bot_comments(31)[0]["body"])
    assert marker is not None and marker.outcome == "done"
    [record] = marker.sections["terraform"]["changes"]
    assert (record["service"], record["kind"], record["status"]) == ("platform:namespaces", "new-namespace", "applied")
    plan = record["plan_sha256"]
    assert len(plan) == 64 and f"`sha256:{plan}`" in comment_text(github)
    text = comment_text(github)
    assert text.startswith("### ✅ Done: namespace team-a with quota cpu 2, memory 4Gi\n\n"
                           "New namespace: namespace team-a with quota cpu 2, memory 4Gi, set in "
                           "`stacks/platform/platform.auto.tfvars.json` and applied with Terraform.")
    assert "| **Applied** | Apply complete! Resources: 5 added, 0 changed, 0 destroyed. |" in text
    assert github.issues[31].data["state"] == "closed"
    assert github.labels(31) == ["platform-request"]


def test_a_rerun_changes_nothing(infra: PlatformInfra, tmp_path: Path, github: FakeGitHub) -> None:
    payload = request_event("New namespace", namespace="team-a", cpu="2", memory="4Gi")
    github.add_issue(payload["issue"])
    assert run(infra, tmp_path, payload).code == 0
    commits, writes, vars_text = infra.remote_log(), github.writes(), infra.vars_text("platform")
    again = run(infra, tmp_path, payload)
    assert again.code == 0, again.stderr
    assert infra.remote_log() == commits
    assert github.writes() == writes
    assert infra.vars_text("platform") == vars_text
    assert "GitHub requests: 2" in again.stderr


def test_offline_the_request_is_applied_and_committed_too(infra: PlatformInfra, tmp_path: Path,
                                                           github: FakeGitHub) -> None:
    payload = request_event("New namespace", namespace="team-a", cpu="2", memory="4Gi")
    result = run(infra, tmp_path, payload, "--offline")
    assert result.code == 0, result.stderr
    assert result.decision["outcome"] == "done" if result.stdout.strip().startswith("{") else True
    assert feat_commits(infra) == ["feat: namespace team-a with quota cpu 2, memory 4Gi (fixes #31)"]
    assert "team-a" in infra.vars("platform")["namespaces"]
    assert github.log == []


def test_a_dry_run_plans_the_new_namespace_and_writes_nothing(infra: PlatformInfra, tmp_path: Path,
                                                              github: FakeGitHub) -> None:
    payload = request_event("New namespace", namespace="team-a", memory="6Gi")
    github.add_issue(payload["issue"])
    before = infra.vars_text("platform")
    result = run(infra, tmp_path, payload, "--dry-run")
    assert result.code == 0, result.stderr
    decision = result.decision
    assert decision["outcome"] == "done"
    apply = decision["actions"][0]
    assert (apply["type"], apply["service"], apply["kind"], apply["stack"]) == (
        "apply_change", "platform:namespaces", "new-namespace", "stacks/platform")
    assert decision["verdict"]["allowed"] is True
    assert decision["verdict"]["counts"]["create"] == 5
    assert infra.vars_text("platform") == before and feat_commits(infra) == []
    assert github.writes() == []


# ---------------------------------------------------------------- out of bounds: escalated, nothing applied


@pytest.mark.parametrize(("request_kind", "answers", "limit"), [
    ("New namespace", {"namespace": "team-a", "cpu": "400"},
     "cpu quota 400 is above the maximum of 8 (platform.namespaces.quota_max.cpu: allowed up to 8)"),
    ("New namespace", {"namespace": "kube-system"},
     "namespace kube-system is reserved (platform.namespaces.reserved: default, kube-system, kube-public, vault, "
     "monitoring): self-service never touches it"),
    ("Grant namespace access", {"namespace": "team-data", "members": "dana", "role": "cluster-admin"},
     "role cluster-admin is never granted by self-service: admin and cluster-admin need a person (grantable: "
     "platform.namespaces.roles: view, edit)"),
    ("Add a DNS record", {"record_name": "wiki.example.com", "record_type": "CNAME",
                          "record_value": "ingress.acme-homelab.org"},
     "wiki.example.com is outside the zones records may be made in (platform.dns.zones: apps.acme-homelab.org; "
     "a record is a name inside one of them)"),
    ("New namespace", {"namespace": "Team_A"},
     "namespace name Team_A does not match the pattern ^[a-z][a-z0-9-]{2,30}$ (platform.namespaces.name_pattern)"),
    ("Revoke namespace access", {"namespace": "team-data", "members": "vbarzin"},
     "namespace team-data would have nobody holding edit, its most privileged grantable role (held now by "
     "vbarzin): grant it to someone else first"),
])
def test_a_request_out_of_bounds_is_escalated_naming_the_limit(
        infra: PlatformInfra, tmp_path: Path, github: FakeGitHub, request_kind: str, answers: dict[str, str],
        limit: str) -> None:
    payload = request_event(request_kind, **answers)
    github.add_issue(payload["issue"])
    platform, dns = infra.vars_text("platform"), infra.vars_text("dns")
    result = run(infra, tmp_path, payload)
    assert result.code == 0, result.stderr
    marker = read_marker(github.bot_comments(31)[0]["body"])
    assert marker is not None and marker.outcome == "escalated"
    text = comment_text(github)
    assert f"**Why a person is needed:**\n- {escape_text(limit)}\n" in text
    assert "needs-human" in github.labels(31) and github.issues[31].data["state"] == "open"
    assert (infra.vars_text("platform"), infra.vars_text("dns")) == (platform, dns)
    assert feat_commits(infra) == []
    assert "terraform" not in result.stderr.lower() or "plan" not in result.stderr.lower()


# ---------------------------------------------------------------- access, DNS and monitors


def test_a_grant_updates_the_role_binding_in_place(infra: PlatformInfra, tmp_path: Path,
                                                   github: FakeGitHub) -> None:
    payload = request_event("Grant namespace access", namespace="team-data", members="@lee, dana", role="edit")
    github.add_issue(payload["issue"])
    result = run(infra, tmp_path, payload)
    assert result.code == 0, result.stderr
    assert feat_commits(infra) == ["feat: grant edit in namespace team-data to lee, dana (fixes #31)"]
    assert infra.vars("platform")["namespaces"]["team-data"]["members"] == {
        "vbarzin": "edit", "dana": "edit", "lee": "edit"}
    marker = read_marker(github.bot_comments(31)[0]["body"])
    assert marker is not None
    [record] = marker.sections["terraform"]["changes"]
    assert {(c["address"], c["action"]) for c in record["verdict"]["changes"]} == {
        ('terraform_data.role_binding["team-data/edit"]', "update"),
        ('terraform_data.role_binding["team-data/view"]', "update")}
    assert record["verdict"]["counts"]["delete"] == 0


def test_a_revoke_empties_a_binding_without_deleting_it(infra: PlatformInfra, tmp_path: Path,
                                                        github: FakeGitHub) -> None:
    payload = request_event("Revoke namespace access", namespace="team-data", members="dana")
    github.add_issue(payload["issue"])
    assert run(infra, tmp_path, payload).code == 0
    assert feat_commits(infra) == ["feat: revoke access to namespace team-data from dana (fixes #31)"]
    state = infra.state("platform")
    assert state['terraform_data.role_binding["team-data/view"]']["input"]["subject"] == []


def test_a_dns_record_in_the_zone_is_added(infra: PlatformInfra, tmp_path: Path, github: FakeGitHub) -> None:
    payload = request_event("Add a DNS record", record_name="Grafana.apps.acme-homelab.org.", record_type="a",
                            record_value="192.0.2.10")
    github.add_issue(payload["issue"])
    result = run(infra, tmp_path, payload)
    assert result.code == 0, result.stderr
    assert feat_commits(infra) == [
        "feat: DNS record grafana.apps.acme-homelab.org A 192.0.2.10 (fixes #31)"]
    assert infra.vars("dns")["records"][-1] == {"name": "grafana.apps.acme-homelab.org", "type": "A",
                                                "value": "192.0.2.10"}
    assert 'terraform_data.record["grafana.apps.acme-homelab.org A 192.0.2.10"]' in infra.state("dns")


def test_a_monitor_is_a_commit_to_the_catalogue_without_terraform(infra: PlatformInfra, tmp_path: Path,
                                                                  github: FakeGitHub) -> None:
    payload = request_event("Monitor a URL", url="https://grafana.apps.acme-homelab.org/api/health",
                            service_name="team-grafana", title="Team Grafana")
    github.add_issue(payload["issue"])
    before = infra.config_path.read_text()
    result = run(infra, tmp_path, payload)
    assert result.code == 0, result.stderr
    assert feat_commits(infra) == [
        "feat: monitor https://grafana.apps.acme-homelab.org/api/health as team-grafana (fixes #31)"]
    after = infra.config_path.read_text()
    assert after.startswith(before.split("\nplatform:")[0])
    assert after.endswith(before.split("url: https://ingress.acme-homelab.org/ping\n")[1])
    service = load_config(infra.config_path).service("team-grafana")
    assert service is not None and (service.title, service.tier, service.url) == (
        "Team Grafana", "low", "https://grafana.apps.acme-homelab.org/api/health")
    text = comment_text(github)
    assert text.startswith("### ✅ Done: monitor `https://grafana.apps.acme-homelab.org/api/health` as team-grafana")
    assert "terraform" not in git(infra.root, "show", "--stat", "--format=%B", "HEAD").lower().split("\n\n")[-1]


def test_a_core_monitor_needs_a_person(infra: PlatformInfra, tmp_path: Path, github: FakeGitHub) -> None:
    payload = request_event("Monitor a URL", url="https://x.apps.acme-homelab.org/", service_name="x",
                            title="X", tier="core")
    github.add_issue(payload["issue"])
    assert run(infra, tmp_path, payload).code == 0
    assert "tier core is not self-service (platform.monitors.tiers: standard, low)" in comment_text(github)
    assert feat_commits(infra) == []


# ---------------------------------------------------------------- missing and malformed answers: needs-info


def test_missing_and_malformed_answers_are_named_and_not_escalated(infra: PlatformInfra, tmp_path: Path,
                                                                    github: FakeGitHub) -> None:
    payload = request_event("New namespace", memory="lots")
    github.add_issue(payload["issue"])
    assert run(infra, tmp_path, payload).code == 0
    text = comment_text(github)
    assert text.startswith("### ✏️ Some answers are missing or invalid")
    assert '- **Namespace**: required for "New namespace", but no answer was given' in text
    assert github.labels(31) == ["platform-request", "needs-info"]
    payload = request_event("New namespace", namespace="team-b", memory="lots")
    github.add_issue(payload["issue"])
    assert run(infra, tmp_path, payload).code == 0
    assert "- **Memory quota**: 'lots' is not a memory quantity (expected e.g. 512Mi, 1.5Gi or 2G)" in \
        comment_text(github)
    assert feat_commits(infra) == []


def test_a_namespace_changed_since_it_was_assessed_is_not_overwritten(infra: PlatformInfra, tmp_path: Path,
                                                                       github: FakeGitHub) -> None:
    """The engine reads the file again under the lock: the path must still hold what the decision saw."""
    from responder.changes.platform import change_request, check, read_inventory
    from responder.flows.change_engine import TerraformChangeEngine
    from responder.model.platform import PlatformAsk, request_kind

    config = load_config(infra.config_path)
    kind = request_kind("grant")
    assert kind is not None
    ask = PlatformAsk(kind=kind, requester="alice", reason="r", namespace="team-data", members=("lee",), role="view")
    result = check(ask, config, read_inventory(infra.vars_text("platform"), None))
    assert result.ok and result.edit is not None
    # Someone commits a change to the members meanwhile.
    data = infra.vars("platform")
    data["namespaces"]["team-data"]["members"]["ari"] = "view"
    (infra.stack("platform") / "platform.auto.tfvars.json").write_text(json.dumps(data, indent=2) + "\n")
    infra.commit_all("ari joins team-data")
    with TerraformChangeEngine(config, dry_run=True) as engine:
        prepared = engine.prepare(change_request(ask, result.edit), issue=31)
    assert prepared.blocked_by == "conflict"
    assert prepared.reasons[0].startswith("stacks/platform/platform.auto.tfvars.json changed since the request was "
                                          "assessed (namespaces.team-data.members now holds ")


def test_a_monitor_also_updates_the_generated_forms_in_the_same_commit(infra: PlatformInfra, tmp_path: Path,
                                                                       github: FakeGitHub) -> None:
    import io

    from responder.cli.main import main

    forms = infra.root / ".github" / "ISSUE_TEMPLATE"

    def templates(*args: str) -> int:
        return main(["templates", "--config", str(infra.config_path), "--out", str(forms), *args], env={},
                    stdout=io.StringIO(), stderr=io.StringIO())

    assert templates() == 0
    infra.commit_all("issue forms")
    payload = request_event("Monitor a URL", url="https://grafana.apps.acme-homelab.org/api/health",
                            service_name="team-grafana", title="Team Grafana", tier="standard")
    github.add_issue(payload["issue"])
    assert run(infra, tmp_path, payload).code == 0
    changed = git(infra.root, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(changed) == [".github/ISSUE_TEMPLATE/feature-request.yml",
                               ".github/ISSUE_TEMPLATE/outage-report.yml", "responder.yml"]
    assert "- Team Grafana" in (forms / "outage-report.yml").read_text()
    assert templates("--check") == 0
    assert "The issue forms generated from it follow: outage-report.yml, feature-request.yml." in \
        git(infra.root, "log", "-1", "--format=%B")


def test_adding_the_platform_request_label_runs_the_request(infra: PlatformInfra, tmp_path: Path,
                                                            github: FakeGitHub) -> None:
    payload = events.issues_event("labeled", added_label="platform-request", sender="alice", number=31,
                                  body=body("New namespace", namespace="team-a"), labels=("platform-request",),
                                  title="[Platform]: New namespace", author="alice")
    github.add_issue(payload["issue"])
    result = run(infra, tmp_path, payload, "--dry-run")
    assert result.code == 0, result.stderr
    assert (result.decision["kind"], result.decision["outcome"]) == ("platform-request", "done")
