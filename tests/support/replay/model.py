"""What a replay produces: step, job and run results, and the error that fails a test."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class ReplayError(AssertionError):
    """The workflow would fail (or be refused) on a real runner. The message says where and why."""


@dataclass
class StepResult:
    name: str
    id: str | None
    outcome: str  # success, failure, skipped
    conclusion: str
    outputs: dict[str, str] = field(default_factory=dict)
    log: str = ""  # as the runner keeps it: masked values replaced by ***
    command: str = ""  # the script, or the action and its inputs
    exit_code: int | None = None
    seconds: float = 0.0
    error: str = ""  # why a step failed before or instead of a process exit


@dataclass
class JobResult:
    workflow: str
    job_id: str
    name: str
    result: str  # success, failure, skipped
    outputs: dict[str, str] = field(default_factory=dict)
    steps: list[StepResult] = field(default_factory=list)
    seconds: float = 0.0
    github_requests: int = 0
    reason: str = ""  # why a job was skipped or refused
    summary: str = ""  # what the steps wrote to GITHUB_STEP_SUMMARY
    annotations: list[str] = field(default_factory=list)
    permissions: dict[str, str] = field(default_factory=dict)
    called: dict[str, JobResult] = field(default_factory=dict)  # a reusable workflow's jobs

    @property
    def log(self) -> str:
        return "\n".join(step.log for step in self.steps)

    def step(self, name_or_id: str) -> StepResult:
        for step in self.steps:
            if name_or_id in (step.id, step.name):
                return step
        raise KeyError(f"{self.job_id}: no step {name_or_id!r}; steps: {[s.name for s in self.steps]}")

    def failure_message(self) -> str:
        failed = [s for s in self.steps if s.outcome == "failure"]
        if not failed:
            if self.called:
                inner = [job.failure_message() for job in self.called.values() if job.result == "failure"]
                return "\n".join(inner) or f"{self.workflow}: job {self.job_id}: {self.result} {self.reason}"
            return f"{self.workflow}: job {self.job_id} ({self.name}): {self.result}: {self.reason}"
        parts = []
        for step in failed:
            tail = "\n".join(step.log.splitlines()[-40:])
            parts.append(f"{self.workflow}: job {self.job_id} ({self.name}), step {step.name!r} failed"
                         f"{f' with exit code {step.exit_code}' if step.exit_code is not None else ''}"
                         f"{': ' + step.error if step.error else ''}\n"
                         f"--- command ---\n{step.command.rstrip()}\n--- output (last 40 lines) ---\n{tail}")
        return "\n\n".join(parts)


@dataclass
class WorkflowRun:
    workflow: str
    event_name: str
    jobs: dict[str, JobResult] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    run_id: int = 0

    @property
    def result(self) -> str:
        results = {job.result for job in self.jobs.values()}
        return "failure" if "failure" in results else "success"

    def all_jobs(self) -> list[JobResult]:
        """Every job, a reusable workflow's called jobs included, in the order they ran."""
        out: list[JobResult] = []
        for job in self.jobs.values():
            out.append(job)
            out.extend(job.called.values())
        return out

    def assert_succeeded(self) -> None:
        failed = [job for job in self.jobs.values() if job.result == "failure"]
        if failed:
            raise ReplayError("\n\n".join(job.failure_message() for job in failed))
