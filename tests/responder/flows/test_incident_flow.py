"""The outage path end to end: real loopback services for the probes, GitHub and the Kubernetes API
answered at the HTTP boundary, a snapshot or the live API for the cluster, and a ChangeEngine
through its protocol for the Terraform route."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from responder.adapters.github import GitHubClient
from responder.adapters.kube import ClusterAccess, open_cluster
from responder.adapters.probes import Prober
from responder.cli.main import main
from responder.config.loader import Config, load_config
from responder.flows.handle import handle
from responder.flows.outage import AskAgent, IncidentTools
from responder.flows.run import Options, Result
from responder.model.state import read_marker
from tests.conftest import FIXTURES, issue_body
from tests.support import events
from tests.support.catalogue import loopback_config, stand_ins
from tests.support.change_engine import ScriptedEngine
from tests.support.cluster_objects import NOW, SCENARIOS, SNAPSHOTS
from tests.support.github_api import FakeGitHub
from tests.support.http_services import Services
from tests.support.kubernetes_api import FakeKubernetes

TOKEN = "ghs_" + "T0k3nV4lu3" * 4
KUBECONFIG = FIXTURES / "kubernetes" / "kubeconfig.yaml"
REPO = "/repos/acme-homelab/infra"
TITLES = {"nextcloud": "Nextcloud", "immich": "Immich (photos)", "grafana": "Grafana dashboards",
          "home-assistant": "Home Assistant", "woodpecker": "CI (Woodpecker)", "mail": "Mail"}


def outage(service: str = "nextcloud", error: str = "502 Bad Gateway", scope: str = "Everyone") -> str:
    text = issue_body("outage-nextcloud-502.md")
    return text.replace("Nextcloud\n", f"{TITLES[service]}\n", 1) \
        .replace("502 Bad Gateway\n\n###", f"{error}\n\n###").replace("Everyone", scope)


@dataclass
class World:
    tmp: Path
    services: Services
    github: FakeGitHub
    kube: FakeKubernetes
    config: Config | None = None
    engine: ScriptedEngine | None = None
    ask_agent: AskAgent | None = None
    runs: list[Result] = field(default_factory=list)

    def configure(self, routes: dict[str, dict[str, Any]] | None = None, **investigation: Any) -> Config:
        self.config = load_config(loopback_config(self.tmp, self.services, routes, timeout=1.0,
                                                  investigation=investigation))
        return self.config

    def route(self, service: str) -> Any:
        return self.services.routes[f"/{service}/health"]

    def run(self, payload: dict[str, Any], *, cluster: str | None = "live", dry_run: bool = False,
            offline: bool = False, probe: bool = True, later: timedelta = timedelta()) -> Result:
        config = self.config or self.configure()
        settings = config.investigation
        if cluster == "live":
            def opener() -> ClusterAccess:
                return open_cluster(settings, {"KUBECONFIG": str(KUBECONFIG)}, account=self.tmp)
        elif cluster is None:
            def opener() -> ClusterAccess:
                return open_cluster(settings, {}, account=self.tmp)
        else:
            def opener() -> ClusterAccess:
                return open_cluster(settings, {}, str(SNAPSHOTS / f"{cluster}.json"))
        # The fixtures were "taken" at NOW: judge the live cluster at that time too.
        tools = IncidentTools(settings=settings, prober=Prober(retry_delay=0.05), open_cluster=opener,
                              changes=self.engine, now=lambda: NOW + timedelta(seconds=30) + later,
                              ask_agent=self.ask_agent)
        options = Options(dry_run=dry_run, offline=offline, probe=probe)
        result = handle(payload, config, options, lambda repo: GitHubClient(repo, TOKEN, write_interval=0), tools)
        self.runs.append(result)
        return result

    def report(self, number: int = 42, body: str | None = None, **fields: Any) -> dict[str, Any]:
        payload = events.issues_event(number=number, body=body or outage(), **fields)
        if number not in self.github.issues:
            self.github.add_issue(payload["issue"])
        return payload

    def comment(self, number: int = 42) -> str:
        return self.github.bot_comment(number)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with stand_ins() as (services, rsps):
        github = FakeGitHub(rsps)
        github.permissions.update({"alice": "write", "bob": "write", "carol": "write", "dave": "write",
                                   "maintainer": "admin"})
        yield World(tmp_path, services, github, FakeKubernetes(rsps))


# ---------------------------------------------------------------- healthy


def test_a_healthy_service_is_closed_as_not_planned_in_five_requests(world: World) -> None:
    world.configure()
    result = world.run(world.report())
    assert result.decision.outcome == "healthy"
    assert world.github.issues[42].data["state"] == "closed"
    assert world.github.issues[42].data["state_reason"] == "not_planned"
    assert "incident" not in world.github.labels(42)
    assert world.github.log == [
        ("GET", f"{REPO}/collaborators/alice/permission"),
        ("GET", f"{REPO}/issues/42/comments"),
        ("POST", "/graphql"),
        ("PATCH", f"{REPO}/issues/42"),
        ("POST", f"{REPO}/issues/42/comments"),
    ]
    body = world.comment()
    assert body.startswith("### 🟢 Nextcloud: healthy, closing this report\n")
    assert "**Reopen this issue** and add what you see" in body
    assert "- ✅ deployment/nextcloud in nextcloud: 2 of 2 replicas available; 2 of 2 pods ready" in body


def test_a_reopened_report_is_investigated_again_and_a_second_healthy_check_goes_to_a_person(world: World) -> None:
    world.configure()
    world.run(world.report())
    assert world.github.issues[42].data["state"] == "closed"
    reopened = world.report(action="reopened", updated_at="2026-11-23T16:00:00Z")
    world.github.issues[42].data["state"] = "open"
    reopened["issue"]["labels"] = [events.label(n) for n in world.github.labels(42)]
    # Investigated when it was reopened, an hour later: its finding is a new one, whatever the probe measured.
    result = world.run(reopened, later=timedelta(hours=1))
    assert result.decision.outcome == "escalated"
    assert {"incident", "needs-human"} <= set(world.github.labels(42))
    assert [a["login"] for a in world.github.issues[42].data["assignees"]] == ["vbarzin"]
    assert world.github.issues[42].data["state"] == "open"
    assert len(world.github.bot_comments(42)) == 1  # edited, not a second comment
    state = read_marker(world.comment())
    assert state is not None
    # It answers, so the rules for a down service no longer apply: SEV3 rather than the reported SEV2.
    assert [e.kind for e in state.journal] == ["finding", "healthy", "finding", "severity", "escalated"]
    assert state.journal[3].text == ("Severity changed from SEV2 to SEV3 after the investigation: the report said "
                                     "down, but the investigation found the service ok, so the rules for a down "
                                     "service no longer apply.")


def test_a_flapping_service_is_not_called_down(world: World) -> None:
    world.configure({"nextcloud": {"fail_first": 1}})
    result = world.run(world.report(), dry_run=True)
    assert result.decision.outcome == "healthy"
    probe = next(f for f in result.decision.to_json()["findings"] if f["check"] == "probe:nextcloud")
    assert probe["status"] == "ok" and probe["detail"].endswith(", after one failed try.")
    assert world.route("nextcloud").hits == 2


# ---------------------------------------------------------------- fixed


def test_pods_not_ready_are_fixed_by_a_rollout_restart_and_a_confirming_probe(world: World) -> None:
    world.configure({"grafana": {"status": 503}})
    world.kube.load("not-ready")

    def recovers(kube: FakeKubernetes) -> None:
        kube.load("healthy")
        world.route("grafana").status = 200

    world.kube.on_restart = recovers
    result = world.run(world.report(body=outage("grafana", scope="Just me")))
    assert result.decision.outcome == "fixed"
    assert [(ns, name) for ns, name, _ in world.kube.patches] == [("monitoring", "grafana")]
    assert world.github.issues[42].data["state"] == "closed"  # SEV3: closed as completed
    assert world.github.issues[42].data["state_reason"] == "completed"
    body = world.comment()
    assert body.startswith("### ✅ Grafana dashboards: fixed\n")
    assert "Restarted the rollout (`kubectl.kubernetes.io/restartedAt` = `" in body
    state = read_marker(body)
    assert state is not None
    assert [e.kind for e in state.journal] == ["finding", "remedy", "recovered", "fixed"]
    assert state.sections["investigation"]["remedy"]["code"] == "rollout-restart"


def test_oomkilled_is_fixed_through_the_change_engine_and_a_sev2_stays_open_resolved(world: World) -> None:
    world.configure({"nextcloud": {"status": 502}})
    world.engine = ScriptedEngine(on_apply=lambda prepared: setattr(world.route("nextcloud"), "status", 200))
    result = world.run(world.report(), cluster="oomkilled")
    assert result.decision.outcome == "fixed"
    [(request, issue)] = world.engine.prepared
    assert (request.service, request.kind, request.value, request.commit_type, issue) == (
        "nextcloud", "memory_limit", "2Gi", "fix", 42)
    assert len(world.engine.applied) == 1 and world.engine.discarded == []
    assert world.github.issues[42].data["state"] == "open"  # SEV2: a person or the post-mortem closes it
    state = read_marker(world.comment())
    assert state is not None and state.sections["sweep"]["status"] == "resolved"
    assert "committed as `9c1d2e3f4a`" in world.comment()


def test_a_failed_apply_escalates(world: World) -> None:
    world.configure({"nextcloud": {"status": 502}})
    world.engine = ScriptedEngine(apply_ok=False)
    result = world.run(world.report(), cluster="oomkilled")
    assert result.decision.outcome == "escalated"
    assert ("escalated: the remedy raise-memory-limit did not fix it: the Terraform apply failed: Error: Kubernetes "
            "cluster unreachable") in result.decision.reasons
    assert "needs-human" in world.github.labels(42)


def test_a_remedy_that_does_not_bring_the_service_back_escalates(world: World) -> None:
    world.configure({"nextcloud": {"status": 502}})
    world.engine = ScriptedEngine()
    result = world.run(world.report(), cluster="oomkilled")
    assert result.decision.outcome == "escalated"
    assert result.decision.reasons[1].startswith(
        "escalated: the remedy raise-memory-limit did not fix it: nextcloud was still not healthy 1 s after the "
        "remedy (down, HTTP 502, expected 200).")
    state = read_marker(world.comment())
    assert state is not None and state.sections["investigation"]["remedy"]["recovered"] is False


def test_without_a_change_engine_a_terraform_remedy_escalates_and_says_why(world: World) -> None:
    world.configure({"nextcloud": {"status": 502}})
    result = world.run(world.report(), cluster="oomkilled")
    assert result.decision.outcome == "escalated"
    assert result.decision.reasons[1] == (
        "escalated: the remedy would be to raise the memory limit of nextcloud from 1Gi to 2Gi, but automated "
        "Terraform changes are not available here")


def test_a_dry_run_investigates_plans_and_applies_nothing(world: World) -> None:
    world.configure({"nextcloud": {"status": 502}})
    world.engine = ScriptedEngine()
    result = world.run(world.report(), cluster="oomkilled", dry_run=True)
    decision = result.decision.to_json()
    assert decision["outcome"] == "fixed"
    assert [a["type"] for a in decision["actions"]] == ["apply_change", "add_labels", "comment"]
    assert {f["stage"] for f in decision["findings"]} == {"assessment", "metrics", "kubernetes", "changes",
                                                          "blast-radius", "escalation"}
    assert decision["investigation"]["remedy"]["code"] == "raise-memory-limit"
    assert world.engine.applied == [] and len(world.engine.discarded) == 1
    assert world.github.writes() == []


# ---------------------------------------------------------------- escalated


def test_a_crash_loop_escalates_with_its_logs_and_the_next_commands(world: World) -> None:
    world.configure({"immich": {"status": 503}})
    world.kube.load("crashloop-exit-1")
    pod = next(o for o in world.kube.objects if o["kind"] == "Pod" and o["metadata"]["namespace"] == "immich")
    name = pod["metadata"]["name"]
    log = FIXTURES / "kubernetes" / "logs" / "nextcloud-oomkilled.log"
    world.kube.logs[(name, "immich-server")] = log.read_text()
    result = world.run(world.report(body=outage("immich")))
    assert result.decision.outcome == "escalated"
    assert "needs-human" in world.github.labels(42)
    assert [a["login"] for a in world.github.issues[42].data["assignees"]] == ["vbarzin"]
    body = world.comment()
    assert f"kubectl logs {name} -n immich -c immich-server --previous" in body
    assert f"<details><summary>Previous container log of {name}</summary>" in body
    assert "Allowed memory size of 1073741824 bytes exhausted" in body
    assert "hunter2hunter2" not in body and "ghp_0123456789" not in body
    assert ("GET", f"/api/v1/namespaces/immich/pods/{name}/log") in world.kube.log


def test_image_pull_backoff_escalates_naming_the_image_and_the_cause(world: World) -> None:
    world.configure({"immich": {"status": 503}})
    world.kube.load("image-pull-backoff")
    result = world.run(world.report(body=outage("immich")))
    assert result.decision.outcome == "escalated"
    assert "the image tag does not exist in the registry" in result.decision.reasons[1]
    assert "kubectl describe pod immich-server-" in world.comment()
    assert "immich-server revision 4 rolled out 16 min ago: image ghcr.io/immich-app/immich-server:v1.121.0 → " \
           "ghcr.io/immich-app/immich-server:v1.999.0" in world.comment()


def test_a_cluster_that_refuses_the_responder_is_reported_and_escalated(world: World) -> None:
    world.configure({"nextcloud": {"status": 502}})
    world.kube.forbid("pods")
    result = world.run(world.report())
    assert result.decision.outcome == "escalated"
    assert "The cluster could not be checked: Kubernetes GET /api/v1/namespaces/nextcloud/pods: 403 pods is " \
           "forbidden" in world.comment()


# ---------------------------------------------------------------- duplicates


def test_a_second_report_for_the_same_service_is_a_duplicate_and_three_reporters_raise_the_original(
        world: World) -> None:
    world.configure({"nextcloud": {"status": 502}})
    world.run(world.report(40, author="dave", created_at="2026-11-23T13:50:00Z"))
    assert {"incident", "sev2"} <= set(world.github.labels(40))
    before = len(world.github.log)

    second = world.run(world.report(42, body=outage(scope="Just me"), author="alice"))
    assert second.decision.outcome == "duplicate"
    assert world.github.issues[42].data["state"] == "closed"
    assert world.github.labels(42) == ["user-report", "duplicate"]
    assert "### 🔁 Nextcloud: already reported in #40" in world.comment(42)
    original = world.comment(40)
    assert "| #42 | alice | Just me |" in original
    assert {"sev2"} <= set(world.github.labels(40))
    assert len(world.github.log) - before == 7

    third = world.run(world.report(43, author="carol"))
    assert third.decision.outcome == "duplicate"
    labels = world.github.labels(40)
    assert "sev1" in labels and "sev2" not in labels
    original = world.comment(40)
    assert "3 distinct people have reported this; three or more raise the severity by one level, so it went from " \
           "SEV2 to SEV1." in original
    state = read_marker(original)
    assert state is not None and state.severity == "SEV1"
    assert [e.kind for e in state.journal][-3:] == ["duplicate", "duplicate", "severity"]


# ---------------------------------------------------------------- every failure mode, both ways

OUTCOMES = {
    # snapshot: (outcome from a snapshot, outcome from the live API); the service answers 503 unless healthy
    "healthy": ("healthy", "healthy"),
    "oomkilled": ("escalated", "escalated"),  # no change engine here
    "rollout-stuck": ("escalated", "fixed"),  # a snapshot cannot be restarted; the live cluster can
    "not-ready": ("escalated", "fixed"),
    "scaled-to-zero": ("escalated", "escalated"),
}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
@pytest.mark.parametrize("source", ["snapshot", "live"])
def test_every_failure_mode_from_a_snapshot_and_from_the_live_api(world: World, scenario: Any, source: str) -> None:
    serving_ok = scenario.name in ("healthy", "restarts-climbing", "node-memory-pressure", "node-disk-pressure",
                                   "node-pid-pressure")
    world.configure({} if serving_ok else {scenario.service: {"status": 503}})
    world.kube.load(scenario.name)
    result = world.run(world.report(body=outage(scenario.service)), dry_run=True,
                       cluster=scenario.name if source == "snapshot" else "live")
    expected = OUTCOMES.get(scenario.name, ("escalated", "escalated"))[0 if source == "snapshot" else 1]
    decision = result.decision.to_json()
    assert decision["outcome"] == expected, decision["reasons"]
    problems = decision["investigation"].get("diagnosis", {}).get("problems", [])
    if scenario.name not in ("healthy",):
        assert problems, "the failure was not seen"
    if expected == "fixed":
        assert decision["actions"][0] == {"type": "rollout_restart", "namespace": "immich" if scenario.name ==
                                          "rollout-stuck" else "monitoring",
                                          "deployment": "immich-server" if scenario.name == "rollout-stuck"
                                          else "grafana"}
    if expected == "escalated":
        assert "needs-human" in next(a for a in decision["actions"] if a["type"] == "add_labels")["labels"]


# ---------------------------------------------------------------- the command line


def test_offline_replay_probes_and_reads_a_snapshot_without_github(world: World, tmp_path: Path) -> None:
    config = loopback_config(tmp_path, world.services, {"nextcloud": {"status": 502}}, timeout=1.0)
    event = events.write(tmp_path, events.issues_event(body=outage()))
    out, err = io.StringIO(), io.StringIO()
    code = main(["handle", "--config", str(config), "--event", str(event), "--offline",
                 "--cluster-snapshot", str(SNAPSHOTS / "oomkilled.json")], env={}, stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    decision = json.loads(out.getvalue())
    assert decision["outcome"] == "escalated"
    assert decision["investigation"]["cluster"] == "snapshot oomkilled.json"
    assert "responder: GitHub requests: 0" in err.getvalue()
    assert world.github.log == []


def test_a_missing_snapshot_is_bad_input(world: World, tmp_path: Path) -> None:
    config = loopback_config(tmp_path, world.services)
    event = events.write(tmp_path, events.issues_event(body=outage()))
    out, err = io.StringIO(), io.StringIO()
    code = main(["handle", "--config", str(config), "--event", str(event), "--offline", "--cluster-snapshot",
                 str(tmp_path / "nope.json")], env={}, stdout=out, stderr=err)
    assert code == 2
    assert err.getvalue().endswith(f"responder: error: cluster snapshot {tmp_path / 'nope.json'}: no such file\n")


def test_the_live_cluster_is_found_through_kubeconfig(world: World, tmp_path: Path) -> None:
    config = loopback_config(tmp_path, world.services, {"nextcloud": {"status": 502}}, timeout=1.0)
    world.kube.load("config-missing-configmap")
    event = events.write(tmp_path, events.issues_event(body=outage()))
    out, err = io.StringIO(), io.StringIO()
    code = main(["handle", "--config", str(config), "--event", str(event), "--offline", "--dry-run"],
                env={"KUBECONFIG": str(KUBECONFIG)}, stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    decision = json.loads(out.getvalue())
    assert decision["investigation"]["cluster"] == "live API https://k8s.acme-homelab.org:6443"
    assert decision["investigation"]["diagnosis"]["problems"][0]["data"] == {"kind": "ConfigMap",
                                                                            "name": "nextcloud-config", "pods": 2}


def test_recent_commits_to_the_stack_are_correlated(world: World) -> None:
    import os
    import subprocess

    world.configure({"nextcloud": {"status": 502}})
    stack = world.tmp / "stacks" / "nextcloud"
    stack.mkdir(parents=True)

    def commit(message: str, when: str) -> None:
        (stack / "nextcloud.auto.tfvars.json").write_text(json.dumps({"memory_limit": "1Gi", "note": message}))
        env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": "alice",
               "GIT_AUTHOR_EMAIL": "alice@example.org", "GIT_COMMITTER_NAME": "alice",
               "GIT_COMMITTER_EMAIL": "alice@example.org"}
        subprocess.run(["git", "add", "-A"], cwd=world.tmp, check=True, env=env)
        subprocess.run(["git", "commit", "--quiet", "-m", message], cwd=world.tmp, check=True, env=env)

    subprocess.run(["git", "init", "--quiet", "-b", "main"], cwd=world.tmp, check=True)
    commit("feat: nextcloud 3 replicas", "2026-11-23T08:00:00Z")  # before the 4 h window
    commit("fix: lower nextcloud memory to 1Gi", "2026-11-23T13:40:00Z")
    result = world.run(world.report(), cluster="oomkilled", dry_run=True)
    [found] = [f for f in result.decision.to_json()["findings"] if f["check"] == "commits"]
    assert found["status"] == "warn"
    assert found["detail"].startswith("1 commit touched stacks/nextcloud in the last 4 h; the latest: "
                                      "“fix: lower nextcloud memory to 1Gi” by alice at 2026-11-23T13:40:00")


def test_an_offline_replay_from_a_snapshot_never_loads_the_kubernetes_or_github_clients(world: World,
                                                                                       tmp_path: Path) -> None:
    import subprocess
    import sys

    config = loopback_config(tmp_path, world.services, {"nextcloud": {"status": 502}}, timeout=1.0)
    event = events.write(tmp_path, events.issues_event(body=outage()))
    script = ("import sys, io\nfrom responder.cli.main import main\n"
              f"code = main(['handle', '--config', {str(config)!r}, '--event', {str(event)!r}, '--offline', "
              f"'--dry-run', '--cluster-snapshot', {str(SNAPSHOTS / 'oomkilled.json')!r}], env={{}}, "
              "stdout=io.StringIO(), stderr=io.StringIO())\n"
              "print(code, ','.join(m for m in ('github', 'kubernetes') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "0"


def test_a_restart_the_cluster_refuses_escalates_with_the_apis_message(world: World) -> None:
    world.configure({"grafana": {"status": 503}})
    world.kube.load("not-ready")
    world.kube.read_only = True
    result = world.run(world.report(body=outage("grafana", scope="Just me")))
    assert result.decision.outcome == "escalated"
    assert result.decision.reasons[1] == (
        'escalated: the remedy rollout-restart did not fix it: the remedy failed: Kubernetes PATCH '
        '/apis/apps/v1/namespaces/monitoring/deployments/grafana: 403 deployments.apps "grafana" is forbidden: '
        'User "system:serviceaccount:responder:responder" cannot patch resource "deployments" in API group "apps" '
        'in the namespace "monitoring"')
    state = read_marker(world.comment())
    assert state is not None and state.sections["investigation"]["remedy"]["ok"] is False


def test_a_change_the_engine_cannot_even_plan_escalates_with_the_error(world: World) -> None:
    world.configure({"nextcloud": {"status": 502}})
    world.engine = ScriptedEngine(prepare_error="terraform plan failed (exit 1): Error: Failed to load state")
    result = world.run(world.report(), cluster="oomkilled")
    assert result.decision.outcome == "escalated"
    assert result.decision.reasons[1] == (
        "escalated: the remedy would be to raise the memory limit of nextcloud from 1Gi to 2Gi, but the change could "
        "not be prepared: terraform plan failed (exit 1): Error: Failed to load state")


def test_the_agent_budget_belongs_to_the_issue_not_to_the_run(world: World) -> None:
    """Closing and reopening a report must not buy another full agent budget each time."""
    from dataclasses import replace

    from responder.config.agent import settings_from_section
    from responder.model.findings import Finding

    config = world.configure({"immich": {"status": 503}})
    world.config = replace(config, agent=settings_from_section({"url": "http://agent.example", "max_budget_usd": 4}))
    world.kube.load("crashloop-exit-1")
    granted: list[float] = []

    def ask(cfg: Any, issue: Any, so_far: Any, service: Any, budget: float) -> tuple[Finding, ...]:
        granted.append(budget)
        return (Finding("agent", "agent:summary", "warn", "The agent's summary (advisory, not verified).", "x"),)

    world.ask_agent = ask
    world.run(world.report(body=outage("immich")))
    for attempt in range(3):  # the author closes and reopens the report, three times
        reopened = world.report(body=outage("immich"), action="reopened",
                                updated_at=f"2026-11-23T1{6 + attempt}:00:00Z")
        reopened["issue"]["labels"] = [events.label(n) for n in world.github.labels(42)]
        world.run(reopened)
    # $4 a job from the issue's $4 budget... capped by what is left: nothing after the first job.
    assert granted == [4.0]
    state = read_marker(world.comment())
    assert state is not None and state.sections["agent"] == {"jobs": 1, "granted_usd": 4.0}
    assert "this issue's agent budget of $4.00 is used up (1 job so far)" in world.comment()
