"""Rollback as a remedy, end to end: the example Immich stack applied with the machine's terraform, a bad
image tag committed and applied, an outage report against a snapshot of its ImagePullBackOff, and the
responder rolling the tag back through the guarded Terraform path (plan, verdict, apply, commit, push),
re-probing, and recording the result; once per incident."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from responder.adapters.git import GitRepo
from responder.config.loader import load_config
from responder.flows.change_engine import TerraformChangeEngine
from responder.model.changes import AppliedChange, ChangeRequest, PreparedChange
from responder.model.state import read_marker
from tests.conftest import ROOT
from tests.responder.flows.test_incident_flow import World, outage
from tests.support import events
from tests.support.catalogue import loopback_config, stand_ins
from tests.support.github_api import FakeGitHub
from tests.support.infra import binary, git, terraform
from tests.support.kubernetes_api import FakeKubernetes

BAD, GOOD = "v1.999.0", "v1.121.0"
VARS = "stacks/immich/immich.auto.tfvars.json"


class RollingCluster:
    """The real engine; when an apply succeeds, the cluster "runs" what Terraform now says, and Immich answers
    again unless its tag is still the bad one."""

    def __init__(self, world: World, engine: TerraformChangeEngine) -> None:
        self.world, self.engine = world, engine
        self.applied: list[AppliedChange] = []

    def prepare(self, request: ChangeRequest, *, issue: int) -> PreparedChange:
        return self.engine.prepare(request, issue=issue)

    def apply(self, prepared: PreparedChange, *, issue: int) -> AppliedChange:
        applied = self.engine.apply(prepared, issue=issue)
        self.applied.append(applied)
        tag = json.loads((self.world.tmp / VARS).read_text())["image_tag"]
        if applied.ok and tag != BAD:
            self.world.route("immich").status = 200
        return applied

    def discard(self, prepared: PreparedChange) -> None:
        self.engine.discard(prepared)

    def close(self) -> None:
        self.engine.close()


def set_tag(root: Path, tag: str, message: str) -> None:
    path = root / VARS
    path.write_text(path.read_text().replace(json.loads(path.read_text())["image_tag"], tag))
    git(root, "commit", "--quiet", "-m", message, "--", VARS)
    terraform(root / "stacks" / "immich", "apply", "-input=false", "-no-color", "-auto-approve")
    git(root, "push", "--quiet", "origin", "main")


def infrastructure(world: World, **investigation: Any) -> None:
    """responder.yml on loopback services, the example Immich stack at v1.121.0, then the bad v1.999.0, both
    applied, in a git repository with a bare remote."""
    root = world.tmp
    loopback_config(root, world.services, {"immich": {"status": 503}},
                    investigation={"rollback": True, **investigation})
    raw = yaml.safe_load((root / "responder.yml").read_text())
    raw["guardrails"]["binary"] = binary()
    (root / "responder.yml").write_text(yaml.safe_dump(raw, sort_keys=False))
    shutil.copytree(ROOT / "examples" / "stacks" / "immich", root / "stacks" / "immich",
                    ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*", "*.tfplan"))
    # The bare remote sits in the test's own directory (ignored), where no other test can reach it.
    (root / ".gitignore").write_text(".terraform/\n*.tfstate\n*.tfstate.*\n*.tfplan\n.terraform.lock.hcl\n"
                                     "/remote.git/\n")
    git(root, "init", "--quiet", "--bare", "-b", "main", str(root / "remote.git"))
    git(root, "init", "--quiet", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "infrastructure as it runs")
    git(root, "remote", "add", "origin", str(root / "remote.git"))
    git(root, "push", "--quiet", "origin", "main")
    terraform(root / "stacks" / "immich", "init", "-input=false", "-no-color")
    set_tag(root, GOOD, f"feat: immich {GOOD}")
    set_tag(root, BAD, f"feat: immich {BAD}")
    world.config = load_config(root / "responder.yml")


def immich_report(world: World, **fields: Any) -> dict[str, Any]:
    return world.report(body=outage("immich", "503 Service Unavailable"), **fields)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with stand_ins() as (services, rsps):
        github = FakeGitHub(rsps)
        github.permissions.update({"alice": "write", "maintainer": "admin"})
        yield World(tmp_path, services, github, FakeKubernetes(rsps))


@pytest.fixture
def rolling(world: World) -> RollingCluster:
    infrastructure(world)
    assert world.config is not None
    cluster = RollingCluster(world, TerraformChangeEngine(world.config))
    world.engine = cluster  # type: ignore[assignment]  # any ChangeEngine goes there
    return cluster


def test_a_bad_tag_is_rolled_back_through_terraform_and_the_recovery_is_recorded(
        world: World, rolling: RollingCluster) -> None:
    result = world.run(immich_report(world), cluster="image-pull-backoff")
    decision = result.decision.to_json()
    assert decision["outcome"] == "fixed", decision["reasons"]
    # Applied from the checked plan, committed as a fix and pushed.
    [applied] = rolling.applied
    assert applied.ok and applied.pushed and applied.error is None
    assert applied.prepared.summary == f"roll back immich from {BAD} to {GOOD}"
    head = GitRepo(world.tmp).log(limit=1)[0]
    assert head.subject == f"fix: roll back immich from {BAD} to {GOOD} (fixes #42)"
    assert head.files == (VARS,)
    assert git(world.tmp / "remote.git", "log", "-1", "--format=%s", "main").strip() == head.subject
    assert json.loads((world.tmp / VARS).read_text())["image_tag"] == GOOD
    state = json.loads(terraform(world.tmp / "stacks" / "immich", "show", "-json").stdout)
    [deployment] = state["values"]["root_module"]["resources"]
    assert deployment["values"]["output"]["image"] == f"ghcr.io/immich-app/immich-server:{GOOD}"
    # Re-probed, and the result recorded in the comment and the state.
    comment = world.comment()
    assert f"roll back immich from {BAD} to {GOOD}" in comment
    marker = read_marker(comment)
    assert marker is not None
    remedy = marker.sections["investigation"]["remedy"]
    assert (remedy["code"], remedy["ok"], remedy["recovered"], remedy["commit"]) == ("rollback", True, True,
                                                                                      head.sha)
    findings = {f["check"]: f for f in decision["findings"]}
    assert findings["recovery"]["status"] == "ok"
    assert findings["deploy:helm"]["detail"].startswith("Helm release immich-server revision 4 (deployed)")


def test_a_rollback_that_does_not_bring_the_service_back_escalates_and_is_not_tried_again(
        world: World, rolling: RollingCluster) -> None:
    rolling.apply = _apply_without_recovery(rolling)  # type: ignore[method-assign]
    first = world.run(immich_report(world), cluster="image-pull-backoff")
    assert first.decision.outcome == "escalated"
    assert "the remedy rollback did not fix it" in first.decision.reasons[1]
    commits = len(GitRepo(world.tmp).log())
    # Reopened: investigated again, but nothing is rolled back a second time.
    reopened = immich_report(world, action="reopened", updated_at="2026-11-23T16:00:00Z")
    world.github.issues[42].data["state"] = "open"
    reopened["issue"]["labels"] = [events.label(n) for n in world.github.labels(42)]
    second = world.run(reopened, cluster="image-pull-backoff")
    assert second.decision.outcome == "escalated"
    assert len(rolling.applied) == 1 and len(GitRepo(world.tmp).log()) == commits
    assert "but no rollback" in " ".join(second.decision.reasons)


def _apply_without_recovery(rolling: RollingCluster) -> Any:
    def apply(prepared: PreparedChange, *, issue: int) -> AppliedChange:
        applied = rolling.engine.apply(prepared, issue=issue)
        rolling.applied.append(applied)
        return applied

    return apply


def test_rollbacks_stay_off_unless_configured(world: World) -> None:
    infrastructure(world, rollback=False)
    assert world.config is not None
    world.engine = RollingCluster(world, TerraformChangeEngine(world.config))  # type: ignore[assignment]
    result = world.run(immich_report(world), cluster="image-pull-backoff", dry_run=True)
    assert result.decision.outcome == "escalated"
    assert any(f"roll back immich from {BAD} to {GOOD} would be the remedy, but rollbacks are switched off" in reason
               for reason in result.decision.to_json()["investigation"]["remedy_reasons"])
    assert json.loads((world.tmp / VARS).read_text())["image_tag"] == BAD
