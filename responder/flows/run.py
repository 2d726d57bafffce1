"""What one run of the responder is given (Options, a way to reach GitHub) and gives back (Result)."""

from __future__ import annotations

from dataclasses import dataclass

from responder.adapters.github import GitHubFactory
from responder.decision.actions import Decision
from responder.decision.executor import Report
from responder.decision.ports import Notifier

# GitHubFactory (one client per repository) is the way to reach GitHub that a run is given.
__all__ = ["GitHubFactory", "Options", "Result"]


@dataclass(frozen=True)
class Options:
    dry_run: bool = False
    offline: bool = False
    probe: bool = True
    event_name: str | None = None
    plan: bool = True  # plan requested changes with terraform before deciding
    cluster_snapshot: str | None = None  # replay against `kubectl get ... -o json` output instead of a live cluster
    # Tells people outside GitHub (adapters/notify.notifier_for); None: nobody is configured, or a dry run.
    notifier: Notifier | None = None


@dataclass(frozen=True)
class Result:
    decision: Decision
    report: Report | None
    github_requests: int

