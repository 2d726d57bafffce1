"""Every shipped workflow and pipeline, replayed job by job, step by step, as a runner would run it.

A line that would fail on a real runner fails here, with the workflow, job,
step, command and the tail of its output in the message. The harness is in
tests/support/replay/ (what it emulates, and how, is written at the top of
runner.py, actions.py and woodpecker.py); its own tests are in
test_actions_runner.py.

What each replay runs on: a copy of the example infrastructure repository
(tests/support/replay/repository.py: examples/responder.yml with its
service URLs on loopback probe stand-ins, the example stacks, the
workflows, pipelines and forms under test, the post-mortem site, three
commits and a bare origin); GitHub's REST API is FakeGitHub served on
loopback (tests/support/github_server.py), which refuses what the job's
GITHUB_TOKEN permissions do not allow; Woodpecker's API is a loopback
stand-in that runs the started pipeline for real.

The project's GitHub Action (action.yml) runs its own steps; it installs
the package from requirements.lock with --require-hashes (PyPI) into a
venv that actions/cache keeps for the session, so only the first job pays
for the install.

Set UPDATE_JOB_DURATIONS=1 to write each job's wall-clock time and GitHub
request count to docs/job-durations.json (the Operations page quotes it).
No test asserts on durations.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT, issue_body
from tests.support import events
from tests.support.github_server import GitHubServer, serving
from tests.support.http_services import Services
from tests.support.http_services import serving as serving_probes
from tests.support.replay import repository
from tests.support.replay.actions import Pages, table
from tests.support.replay.model import JobResult, ReplayError, StepResult, WorkflowRun
from tests.support.replay.runner import WORKSPACE, Event, Host, Repository, Runner, load_yaml
from tests.support.replay.woodpecker import PipelineEvent, PipelineRunner, woodpecker_api
from tests.support.static_site import serving_directory

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
PIPELINES = sorted((ROOT / ".woodpecker").glob("*.yml"))
REPO = events.REPO
DURATIONS = ROOT / "docs" / "job-durations.json"
# The one job not replayed: it is this test suite's own runner.
NOT_REPLAYED = {("ci.yml", "test"): "`make test` runs this very suite: replaying it would recurse"}
PROJECT_ACTION = "acme-homelab/issueops-responder"  # how users' workflows name the action (OWNER/REPO@SHA)
WOODPECKER_TOKEN = "wpt_" + "Pers0nalAcc3ssT0ken" * 2
NEXTCLOUD = "/status.php"
PROBE_BODY = 'OK pong {"installed":true, "database": "ok"}'  # satisfies every service's expect: in responder.yml


# ---------------------------------------------------------------- session: runner host, probes, repository


@dataclass
class Timings:
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def record(self, scenario: str, job: JobResult) -> None:
        self.jobs[f"{scenario}: {job.workflow} / {job.job_id}"] = {
            "job": job.name, "result": job.result, "seconds": round(job.seconds, 1),
            "github_requests": job.github_requests,
            # Each run of the action restores its venv from actions/cache, or installs it on a miss.
            "venv_installs": sum(step.log.count("Cache not found for input keys") for step in job.steps),
            "steps": {step.name: round(step.seconds, 1) for step in job.steps if step.outcome != "skipped"}}


@pytest.fixture(scope="session")
def timings() -> Iterator[Timings]:
    recorded = Timings()
    yield recorded
    if os.environ.get("UPDATE_JOB_DURATIONS") == "1" and recorded.jobs:
        DURATIONS.write_text(json.dumps({
            "about": "Wall-clock seconds and GitHub API requests of each replayed job, measured by "
                     "tests/workflows/test_replay.py (UPDATE_JOB_DURATIONS=1) on a 2-core machine. A job whose "
                     "venv_installs is above 0 installed the responder (a cache miss: the first job of the "
                     "session, or the action's sources changed); the others restored the cached venv.",
            "jobs": dict(sorted(recorded.jobs.items())),
        }, indent=2) + "\n", encoding="utf-8")


@pytest.fixture(scope="session")
def probes() -> Iterator[Services]:
    with serving_probes() as services:
        yield services


@pytest.fixture(scope="session")
def runner_host(tmp_path_factory: pytest.TempPathFactory) -> Host:
    """One runner machine for the session: its actions/cache store outlives each job, as GitHub's does."""
    return Host(tmp_path_factory.mktemp("runner"), exclude_from_path=(ROOT / ".venv",))


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The status page's address: nothing deployed yet (a 404), so the build starts a new history."""
    with serving_directory(tmp_path_factory.mktemp("pages")) as url:
        yield url


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory, probes: Services, published: str) -> repository.Template:
    return repository.build(tmp_path_factory.mktemp("infra-repo"), probes.base, published)


# ---------------------------------------------------------------- one desk per test


@dataclass
class Desk:
    runner: Runner
    github: GitHubServer
    template: repository.Template
    remote: Path
    pages: Pages
    probes: Services
    timings: Timings
    scenario: str = ""

    @property
    def workflows(self) -> Path:
        return self.template.work / ".github" / "workflows"

    def replay(self, workflow: str, event: Event, **kwargs: Any) -> WorkflowRun:
        action = event.payload.get("action")
        scenario = f"{self.scenario} [{event.name}{'.' + action if action else ''}]"
        self.runner.on_job = lambda job: self.timings.record(scenario, job)
        run = self.runner.run_workflow(self.workflows / workflow, event, **kwargs)
        run.assert_succeeded()
        assert not self.github.refused, f"GitHub refused requests: {self.github.refused}"
        typos = [note for job in run.all_jobs() for note in job.annotations if "Unexpected input" in note]
        assert not typos, typos
        return run

    def remote_log(self) -> list[str]:
        return subprocess.run(["git", "--git-dir", str(self.remote), "log", "--format=%s", "main"],
                              capture_output=True, text=True, check=True).stdout.splitlines()


@contextmanager
def open_desk(name: str, tmp_path: Path, runner_host: Host, template: repository.Template, probes: Services,
              timings: Timings, probe_paths: list[str]) -> Iterator[Desk]:
    for path in probe_paths:
        probes.add(path, body=PROBE_BODY)
    with serving(REPO) as github:
        remote = template.copy_remote(tmp_path / "remote.git")
        pages = Pages()
        runner = Runner(runner_host, Repository(REPO, api_url=github.url), table(remote, pages), github,
                        composite_roots={"./": ROOT, PROJECT_ACTION: ROOT}, source=template.work)
        yield Desk(runner, github, template, remote, pages, probes, timings, scenario=name)


@pytest.fixture
def desk(request: pytest.FixtureRequest, tmp_path: Path, runner_host: Host, template: repository.Template,
         probes: Services, timings: Timings) -> Iterator[Desk]:
    paths = list(repository.service_paths((ROOT / "examples" / "responder.yml").read_text()).values())
    with open_desk(request.node.name, tmp_path, runner_host, template, probes, timings, paths) as opened:
        yield opened


def outage_event(action: str = "opened") -> dict[str, Any]:
    return events.issues_event(action, number=42, body=issue_body("outage-nextcloud-502.md"),
                               title="Nextcloud answers 502")


def push_event(template: repository.Template) -> Event:
    before, after = template.commits[-2], template.head
    pusher = events.user("vbarzin")
    payload = {
        "ref": "refs/heads/main", "before": before, "after": after, "created": False, "deleted": False,
        "forced": False, "base_ref": None, "compare": f"https://github.com/{REPO}/compare/{before[:12]}...{after[:12]}",
        "commits": [{"id": after, "message": "post-mortem: Nextcloud 502 since 14:00 (alert accepted)",
                     "added": [], "removed": [], "modified": [repository.POSTMORTEM_PATH]}],
        "head_commit": {"id": after, "message": "post-mortem: Nextcloud 502 since 14:00 (alert accepted)"},
        "repository": outage_event()["repository"], "pusher": {"name": "vbarzin", "email": "v@example.org"},
        "sender": pusher,
    }
    return Event("push", payload, sha=after)


def plain_event(name: str, template: repository.Template, **payload: Any) -> Event:
    base = {"repository": outage_event()["repository"], "sender": events.user("vbarzin"), **payload}
    return Event(name, base, sha=template.head)


# ---------------------------------------------------------------- the workflows


def test_every_job_of_every_workflow_is_replayed_below() -> None:
    """The scenarios below cover each job; a new job needs a scenario (or a reason in NOT_REPLAYED)."""
    covered = {("issue-automation.yml", "direct"), ("issue-automation.yml", "woodpecker"),
               ("statuspage.yml", "build"), ("postmortem.yml", "todos"), ("postmortem.yml", "site"),
               *NOT_REPLAYED}
    jobs = {(path.name, job) for path in WORKFLOWS for job in load_yaml(path)["jobs"]}
    ci_jobs = {job for name, job in jobs if name == "ci.yml"} - {job for _, job in NOT_REPLAYED}
    assert jobs - covered - {("ci.yml", job) for job in ci_jobs} == set()


def test_issue_automation_handles_a_collaborators_outage_report(desk: Desk) -> None:
    payload = outage_event()
    desk.probes.add(NEXTCLOUD, status=502, body="Bad Gateway")  # the report is true
    desk.github.fake.permissions["alice"] = "write"
    desk.github.fake.add_issue(payload["issue"])
    run = desk.replay("issue-automation.yml", Event("issues", payload, sha=desk.template.head))
    assert run.jobs["direct"].result == "success"
    assert run.jobs["woodpecker"].result == "skipped"
    comment = desk.github.fake.bot_comment(42)  # exactly one comment
    assert "issueops-responder:state" in comment
    labels = desk.github.fake.labels(42)
    assert "incident" in labels and any(label.startswith("sev") for label in labels), (labels, comment)


def test_issue_automation_handles_an_approval_comment(desk: Desk) -> None:
    queued = events.issues_event("opened", number=43, body=issue_body("outage-nextcloud-502.md"),
                                 author="stranger", association="NONE", title="Nextcloud is down")
    desk.github.fake.add_issue(queued["issue"])
    desk.github.fake.permissions["maintainer"] = "admin"
    first = desk.replay("issue-automation.yml", Event("issues", queued, sha=desk.template.head))
    assert first.jobs["direct"].result == "success"
    assert "needs-triage" in desk.github.fake.labels(43)
    # The queued comment names the report's digest: the approval covers that text only.
    shown = re.search(r"`/responder approve ([0-9a-f]{12})`", desk.github.fake.bot_comment(43))
    assert shown, desk.github.fake.bot_comment(43)
    command = f"/responder approve {shown[1]}"
    comment = desk.github.fake.add_comment(43, command, "maintainer", "OWNER")
    payload = events.comment_event(command, commenter="maintainer", association="OWNER", comment_id=comment["id"],
                                   number=43, author="stranger", body=issue_body("outage-nextcloud-502.md"),
                                   title="Nextcloud is down", labels=tuple(desk.github.fake.labels(43)))
    payload["issue"]["author_association"] = "NONE"
    second = desk.replay("issue-automation.yml", Event("issue_comment", payload, sha=desk.template.head))
    assert "needs-triage" not in desk.github.fake.labels(43), second.jobs["direct"].log
    assert "approved for automation by maintainer" in desk.github.fake.bot_comment(43)


def test_issue_automation_in_woodpecker_mode_starts_and_follows_the_pipeline(desk: Desk, tmp_path: Path) -> None:
    payload = outage_event()
    desk.github.fake.permissions["alice"] = "write"
    desk.github.fake.add_issue(payload["issue"])
    replay_woodpecker_mode(desk, tmp_path, payload)
    assert "issueops-responder:state" in desk.github.fake.bot_comment(42)


def replay_woodpecker_mode(desk: Desk, tmp_path: Path, payload: dict[str, Any]) -> None:
    """RESPONDER_MODE=woodpecker: the Actions job starts the pipeline, the stand-in runs it for real."""
    pipelines = PipelineRunner(desk.remote, tmp_path / "woodpecker", REPO, ROOT / ".venv" / "bin",
                               extra_env={"GITHUB_TOKEN": "ghp_" + "VaultReadT0ken" * 3,
                                          "GITHUB_API_URL": desk.github.url})
    with woodpecker_api(REPO, WOODPECKER_TOKEN) as woodpecker:
        def start(variables: Any) -> bool:
            event = PipelineEvent("manual", desk.template.head, variables=dict(variables))
            return pipelines.run(desk.template.work / ".woodpecker" / "issue-automation.yml",
                                 event).result == "success"

        woodpecker.on_start = start
        desk.runner.repository.vars.update({"RESPONDER_MODE": "woodpecker", "WOODPECKER_URL": woodpecker.url})
        desk.runner.repository.secrets["WOODPECKER_TOKEN"] = WOODPECKER_TOKEN
        run = desk.replay("issue-automation.yml", Event("issues", payload, sha=desk.template.head))
    assert run.jobs["direct"].result == "skipped"
    assert run.jobs["woodpecker"].result == "success"
    assert not woodpecker.refused
    [created] = woodpecker.created
    assert created["variables"]["ISSUE_NUMBER"] == str(payload["issue"]["number"])
    assert created["variables"]["ISSUE_REPOSITORY"] == REPO
    [pipeline] = pipelines.runs
    if pipeline.result != "success":
        raise ReplayError(pipeline.failure_message())


def watch_step(job: JobResult) -> StepResult:
    """The detection round in the status page's job: it may fail without failing the page, so its own
    outcome is checked."""
    [step] = [step for step in job.steps if step.name.startswith("Watch the services")]
    assert step.outcome == "success", f"{step.error}\n{step.log[-3000:]}"
    return step


def scheduled_step(job: JobResult, name: str) -> StepResult:
    [step] = [step for step in job.steps if step.name.startswith(name)]
    return step


# The slot families of the one scheduled workflow (statuspage.yml): on the hour every cadence runs,
# in the 5-minute family only the 5-minute cadence.
HOURLY, FIVE_MINUTE = "0 * * * *", "5,10,20,25,35,40,50,55 * * * *"


def test_the_status_page_is_built_and_deployed(desk: Desk) -> None:
    """One job: the watch round, the sweep, both builds and the deployment (GitHub bills per job)."""
    run = desk.replay("statuspage.yml", plain_event("schedule", desk.template, schedule=HOURLY))
    assert list(run.jobs) == ["build"] and run.jobs["build"].result == "success"
    # Every service answers: the round costs its one listing and writes nothing.
    assert "responder: GitHub requests: 1" in watch_step(run.jobs["build"]).log
    sweep = scheduled_step(run.jobs["build"], "Sweep open incidents")
    assert sweep.outcome == "success", sweep.log[-2000:]
    assert "responder: GitHub requests: 2" in sweep.log
    assert desk.github.fake.created_issues() == []
    [site] = desk.pages.deployed
    assert (site / "index.html").is_file()
    assert (site / "post-mortems" / "index.html").is_file()


def test_the_status_page_job_opens_an_incident_for_a_service_that_is_down(desk: Desk) -> None:
    """The watch round with the job's own token and permissions: confirmed down (3 checks 10 s apart),
    opened, labelled, triaged and assigned in the same job, and the page built after it."""
    desk.probes.add(NEXTCLOUD, status=502, body="Bad Gateway")
    run = desk.replay("statuspage.yml", plain_event("schedule", desk.template, schedule=FIVE_MINUTE))
    assert run.jobs["build"].result == "success" and desk.pages.deployed
    # A public repository runs every 5 minutes; the sweep keeps its 15-minute cadence.
    assert scheduled_step(run.jobs["build"], "Sweep open incidents").outcome == "skipped"
    log = watch_step(run.jobs["build"]).log
    [issue] = desk.github.fake.created_issues()
    assert issue["title"] == "[Outage]: Nextcloud is down"
    assert {"incident", "sev2", "auto-detected"} <= set(desk.github.fake.labels(issue["number"]))
    assert "issueops-responder:state" in desk.github.fake.bot_comment(issue["number"])
    assert f"#{issue['number']} opened for nextcloud" in log


def test_a_pushed_post_mortem_files_its_follow_up_and_rebuilds_the_site(desk: Desk) -> None:
    run = desk.replay("postmortem.yml", push_event(desk.template))
    assert run.jobs["todos"].result == "success"
    assert run.jobs["site"].result == "success"
    [followup] = desk.github.fake.created_issues()
    assert "Alert when Nextcloud is down" in followup["title"]
    assert desk.pages.deployed, "the called statuspage workflow deployed the site"


def test_the_replay_catches_the_todos_command_that_exits_2(desk: Desk, tmp_path: Path) -> None:
    """The bug this replay was written for: `postmortem todos` without --changed-since, --all or paths exits 2."""
    text = (desk.workflows / "postmortem.yml").read_text(encoding="utf-8")
    selection = "${{ github.event_name == 'push' && format('--changed-since {0}', github.event.before) || '--all' }}"
    assert selection in text, "postmortem.yml changed: update this mutation"
    broken = tmp_path / "postmortem.yml"
    broken.write_text(text.replace(selection, ""), encoding="utf-8")
    run = desk.runner.run_workflow(broken, push_event(desk.template))
    assert run.jobs["todos"].result == "failure"
    assert run.jobs["site"].result == "skipped"
    with pytest.raises(ReplayError) as failed:
        run.assert_succeeded()
    message = str(failed.value)
    assert "step 'File follow-up issues' failed with exit code 2" in message
    assert "postmortem todos --commit" in message  # the command line, as the action ran it
    assert "one of the arguments --changed-since --all" in message or "required" in message, message


def test_the_sweep_runs_on_schedule(desk: Desk) -> None:
    incident = events.issues_event("opened", number=44, body=issue_body("outage-nextcloud-502.md"),
                                   labels=("user-report", "incident", "sev2"))["issue"]
    desk.github.fake.add_issue(incident)
    run = desk.replay("statuspage.yml", plain_event("schedule", desk.template, schedule="15,45 * * * *"))
    sweep = scheduled_step(run.jobs["build"], "Sweep open incidents")
    assert sweep.outcome == "success", sweep.log[-2000:]
    assert "#44" in sweep.log


@pytest.mark.parametrize(("private", "cadence", "schedule", "runs"), [
    # Public, every 5 minutes by default: the incident scenario above runs in a 5-minute slot.
    (True, None, FIVE_MINUTE, False),  # private: every 15 minutes by default
    (True, None, "15,45 * * * *", True),
    (True, "5", FIVE_MINUTE, True),  # the repository variable wins
    (False, "30", "15,45 * * * *", False),
    (True, "60", "30 * * * *", False),
    (True, "60", HOURLY, True),
])
def test_the_cadence_comes_from_a_repository_variable_and_a_skipped_slot_starts_no_runner(
        desk: Desk, private: bool, cadence: str | None, schedule: str, runs: bool) -> None:
    if cadence is not None:
        desk.runner.repository.vars["RESPONDER_CADENCE_MINUTES"] = cadence
    event = plain_event("schedule", desk.template, schedule=schedule)
    event.payload["repository"] = {**event.payload["repository"], "private": private}
    run = desk.runner.run_workflow(desk.workflows / "statuspage.yml", event)
    assert run.jobs["build"].result == ("success" if runs else "skipped")
    assert bool(desk.pages.deployed) == runs


def test_ci_replays_every_job_but_the_test_suite_itself(tmp_path: Path, runner_host: Host, timings: Timings) -> None:
    """ci.yml runs in this project's repository: its checkout is this project at HEAD, `uses: ./` its action."""
    ci = load_yaml(ROOT / ".github" / "workflows" / "ci.yml")
    assert "make test" in json.dumps(ci["jobs"]["test"]["steps"]), "the skipped job is the one running make test"
    skip = {job: reason for (workflow, job), reason in NOT_REPLAYED.items() if workflow == "ci.yml"}
    project = tmp_path / "project.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(ROOT), str(project)], check=True)
    head = subprocess.run(["git", "--git-dir", str(project), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    with serving(PROJECT_ACTION) as github:
        runner = Runner(runner_host, Repository(PROJECT_ACTION, api_url=github.url), table(project, Pages()), github,
                        composite_roots={"./": WORKSPACE}, source=project,
                        on_job=lambda job: timings.record("test_ci_replays_every_job_but_the_test_suite_itself [push]",
                                                          job))
        payload = {"ref": "refs/heads/main", "before": head, "after": head, "sender": events.user("maintainer")}
        run = runner.run_workflow(ROOT / ".github" / "workflows" / "ci.yml", Event("push", payload, sha=head),
                                  skip=skip)
    run.assert_succeeded()
    assert run.jobs["test"].result == "skipped"
    assert run.jobs["test"].reason == f"not replayed: {NOT_REPLAYED[('ci.yml', 'test')]}"
    assert [job for job, result in run.jobs.items() if result.result == "success"] == sorted(set(ci["jobs"]) - {"test"})


# ---------------------------------------------------------------- the Woodpecker pipelines


def test_the_postmortem_pipeline_files_follow_ups_on_a_push(desk: Desk, tmp_path: Path) -> None:
    pipelines = PipelineRunner(desk.remote, tmp_path / "woodpecker", REPO, ROOT / ".venv" / "bin",
                               extra_env={"GITHUB_TOKEN": "ghp_" + "VaultReadT0ken" * 3,
                                          "GITHUB_API_URL": desk.github.url})
    event = PipelineEvent("push", desk.template.head, previous_sha=desk.template.commits[-2],
                          changed_files=(repository.POSTMORTEM_PATH,))
    result = pipelines.run(desk.template.work / ".woodpecker" / "postmortem.yml", event)
    if result.result != "success":
        raise ReplayError(result.failure_message())
    [followup] = desk.github.fake.created_issues()
    assert "Alert when Nextcloud is down" in followup["title"]


def test_every_pipeline_is_replayed() -> None:
    assert [p.name for p in PIPELINES] == ["issue-automation.yml", "postmortem.yml"]


# ---------------------------------------------------------------- what `responder init` generates

INIT_ACTION_REF = f"{PROJECT_ACTION}@{'5f0c6e2a9d' * 4}"


def _init_exists() -> bool:
    responder = ROOT / ".venv" / "bin" / "responder"
    return subprocess.run([str(responder), "init", "--help"], capture_output=True, check=False).returncode == 0


INIT_EXISTS = _init_exists()


@pytest.fixture(scope="session")
def init_template(tmp_path_factory: pytest.TempPathFactory, probes: Services) -> repository.Template:
    if not INIT_EXISTS:
        pytest.xfail("responder init not built yet")
    return repository.build_from_init(tmp_path_factory.mktemp("init-repo"), probes.base,
                                      ROOT / ".venv" / "bin" / "responder", REPO, INIT_ACTION_REF)


@pytest.fixture
def init_desk(request: pytest.FixtureRequest, tmp_path: Path, runner_host: Host,
              init_template: repository.Template, probes: Services, timings: Timings) -> Iterator[Desk]:
    paths = repository.probe_paths(init_template.work / "responder.yml")
    with open_desk(request.node.name, tmp_path, runner_host, init_template, probes, timings, paths) as opened:
        yield opened


def form_body(form: Path, answers: dict[str, str]) -> str:
    """The issue body GitHub writes for an issue form: `### Label`, a blank line, the answer."""
    spec = yaml.safe_load(form.read_text(encoding="utf-8"))
    parts = []
    unused = dict(answers)
    for field_ in spec["body"]:
        if field_["type"] == "markdown":
            continue
        attributes = field_["attributes"]
        answer = unused.pop(field_["id"], "")
        if field_["type"] == "dropdown" and answer:
            assert answer in attributes["options"], (field_["id"], answer, attributes["options"])
        parts.append(f"### {attributes['label']}\n\n{answer or '_No response_'}")
    assert not unused, f"the form has no field {sorted(unused)}"
    return "\n\n".join(parts)


def test_responder_init_is_built() -> None:
    """Once `responder init` exists, its output is replayed below: nothing may skip it."""
    assert INIT_EXISTS, "responder init not built yet"


def test_what_init_generates_is_the_whole_desk(init_template: repository.Template) -> None:
    workflows = sorted(p.name for p in (init_template.work / ".github" / "workflows").glob("*.yml"))
    assert workflows == ["issue-automation.yml", "postmortem.yml", "statuspage.yml"]
    pipelines = sorted(p.name for p in (init_template.work / ".woodpecker").glob("*.yml"))
    assert pipelines == ["issue-automation.yml", "postmortem.yml"]
    for path in (init_template.work / ".github" / "workflows").glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        assert "uses: ./\n" not in text, f"{path.name}: a user's repository has no action at its root"
        if PROJECT_ACTION in text:
            assert INIT_ACTION_REF in text


def test_init_issue_automation_handles_an_outage_report(init_desk: Desk) -> None:
    form = init_desk.template.work / ".github" / "ISSUE_TEMPLATE" / "outage-report.yml"
    body = form_body(form, {"service": "Wiki", "description": "The wiki answers 502 since 09:00.",
                            "error_type": "502 Bad Gateway", "scope": "Multiple people affected",
                            "when": "09:00 UTC"})
    payload = events.issues_event("opened", number=42, body=body, title="[Outage]: wiki 502")
    wiki = [p for p in repository.probe_paths(init_desk.template.work / "responder.yml") if p != "/ping"]
    init_desk.probes.add(wiki[0], status=502, body="Bad Gateway")
    init_desk.github.fake.permissions["alice"] = "write"
    init_desk.github.fake.add_issue(payload["issue"])
    run = init_desk.replay("issue-automation.yml", Event("issues", payload, sha=init_desk.template.head))
    assert run.jobs["direct"].result == "success"
    comment = init_desk.github.fake.bot_comment(42)
    assert "issueops-responder:state" in comment
    assert "incident" in init_desk.github.fake.labels(42), (init_desk.github.fake.labels(42), comment)


def test_init_issue_automation_in_woodpecker_mode(init_desk: Desk, tmp_path: Path) -> None:
    form = init_desk.template.work / ".github" / "ISSUE_TEMPLATE" / "outage-report.yml"
    body = form_body(form, {"service": "Wiki", "description": "The wiki answers 502 since 09:00.",
                            "error_type": "502 Bad Gateway", "scope": "Just me"})
    payload = events.issues_event("opened", number=45, body=body, title="[Outage]: wiki 502")
    init_desk.github.fake.permissions["alice"] = "write"
    init_desk.github.fake.add_issue(payload["issue"])
    replay_woodpecker_mode(init_desk, tmp_path, payload)
    assert "issueops-responder:state" in init_desk.github.fake.bot_comment(45)


def test_init_statuspage_builds_and_deploys(init_desk: Desk) -> None:
    run = init_desk.replay("statuspage.yml", plain_event("schedule", init_desk.template,
                                                         schedule=_cron(init_desk, "statuspage.yml")))
    assert run.jobs["build"].result == "success"
    watch_step(run.jobs["build"])
    sweep = scheduled_step(run.jobs["build"], "Sweep open incidents")
    assert sweep.outcome == "success", sweep.log[-2000:]
    [site] = init_desk.pages.deployed
    assert (site / "index.html").is_file()


def test_init_postmortem_files_follow_ups_and_rebuilds_the_site(init_desk: Desk) -> None:
    run = init_desk.replay("postmortem.yml", push_event(init_desk.template))
    assert {job.result for job in run.jobs.values()} == {"success"}
    [followup] = init_desk.github.fake.created_issues()
    assert "Alert when Nextcloud is down" in followup["title"]


def test_init_postmortem_pipeline_runs_on_a_push(init_desk: Desk, tmp_path: Path) -> None:
    pipelines = PipelineRunner(init_desk.remote, tmp_path / "woodpecker", REPO, ROOT / ".venv" / "bin",
                               extra_env={"GITHUB_TOKEN": "ghp_" + "VaultReadT0ken" * 3,
                                          "GITHUB_API_URL": init_desk.github.url})
    event = PipelineEvent("push", init_desk.template.head, previous_sha=init_desk.template.commits[-2],
                          changed_files=(repository.POSTMORTEM_PATH,))
    result = pipelines.run(init_desk.template.work / ".woodpecker" / "postmortem.yml", event)
    if result.result != "success":
        raise ReplayError(result.failure_message())
    [followup] = init_desk.github.fake.created_issues()
    assert "Alert when Nextcloud is down" in followup["title"]


def _cron(desk: Desk, workflow: str) -> str:
    on = load_yaml(desk.workflows / workflow)["on"]
    return str(on["schedule"][0]["cron"])
