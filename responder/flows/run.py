"""What one run of the responder is given (Options, a way to reach GitHub) and gives back (Result)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from responder.adapters.github import GitHubClient
from responder.decision.actions import Decision
from responder.decision.executor import Report


@dataclass(frozen=True)
class Options:
    dry_run: bool = False
    offline: bool = False
    probe: bool = True
    event_name: str | None = None
    plan: bool = True  # plan requested changes with terraform before deciding
    cluster_snapshot: str | None = None  # replay against `kubectl get ... -o json` output instead of a live cluster


@dataclass(frozen=True)
class Result:
    decision: Decision
    report: Report | None
    github_requests: int


GitHubFactory = Callable[[str], GitHubClient]
