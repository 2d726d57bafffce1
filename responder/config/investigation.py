"""The `investigation:` section of responder.yml, as a typed frozen model.

The JSON Schema has already checked shapes and types when the config is
loaded; this module adds the defaults and the rules a schema cannot say
(service names that must exist). The loaded config holds the result as
`config.investigation`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any

from responder.model.severity_levels import Severity

DEFAULT_TLS_WARN_DAYS = 14


@dataclass(frozen=True)
class InvestigationSettings:
    rollout_restart: bool = True
    rollout_restart_exclude: tuple[str, ...] = ()
    kubernetes: bool = True
    kube_context: str | None = None
    kube_timeout: float = 10.0
    log_lines: int = 40
    restarts_climbing: int = 3
    changes_window_hours: float = 4.0
    recovery_timeout: float = 180.0
    recovery_interval: float = 10.0
    root_cause_minutes: Mapping[Severity, int] | None = None
    duplicates: bool = True
    # confirmed | always | never: when a report that looks healthy is closed (see assess in triage/outage.py)
    close_when_healthy: str = "confirmed"
    cannot_reproduce_close_after_hours: float = 72.0
    # Roll a bad image back to the previous healthy tag through Terraform (see investigate/rollback.py). Off by
    # default: reverting a release is a bigger step than a restart, and a team opts in to it.
    rollback: bool = False
    # Deploy history: Helm's release Secrets (metadata only, unless helm_release_data) and Argo CD's Applications.
    helm_history: bool = True
    helm_release_data: bool = False
    argocd: bool = True
    # A certificate that expires within this many days is a warning (services[].tls_warn_days overrides it).
    tls_warn_days: int = DEFAULT_TLS_WARN_DAYS
    ca_file: str | None = None  # a PEM bundle of private CAs to trust, relative to responder.yml

    def root_cause_deadline(self, level: Severity) -> int | None:
        """Minutes without a root cause after which an incident escalates (None: never)."""
        deadlines = self.root_cause_minutes or {Severity.SEV1: 30, Severity.SEV2: 120}
        return deadlines.get(level)


def build_settings(raw: Mapping[str, Any]) -> InvestigationSettings:
    kube = raw.get("kubernetes") or {}
    recovery = raw.get("recovery") or {}
    deadlines = raw.get("root_cause_deadline_minutes") or {}
    return InvestigationSettings(
        rollout_restart=bool(raw.get("rollout_restart", True)),
        rollout_restart_exclude=tuple(raw.get("rollout_restart_exclude") or ()),
        kubernetes=bool(kube.get("enabled", True)),
        kube_context=kube.get("context"),
        kube_timeout=float(kube.get("timeout_seconds", 10)),
        log_lines=int(kube.get("log_lines", 40)),
        restarts_climbing=int(kube.get("restarts_climbing", 3)),
        changes_window_hours=float(raw.get("changes_window_hours", 4)),
        recovery_timeout=float(recovery.get("timeout_seconds", 180)),
        recovery_interval=float(recovery.get("interval_seconds", 10)),
        root_cause_minutes={
            Severity.SEV1: int(deadlines.get("SEV1", 30)),
            Severity.SEV2: int(deadlines.get("SEV2", 120)),
        },
        duplicates=bool(raw.get("duplicates", True)),
        close_when_healthy=str(raw.get("close_when_healthy", "confirmed")),
        cannot_reproduce_close_after_hours=float(raw.get("cannot_reproduce_close_after_hours", 72)),
        tls_warn_days=int(raw.get("tls_warn_days", DEFAULT_TLS_WARN_DAYS)),
        ca_file=raw.get("ca_file"),
        rollback=bool(raw.get("rollback", False)),
        helm_history=bool((raw.get("deploy_history") or {}).get("helm", True)),
        helm_release_data=bool(raw.get("helm_release_data", False)),
        argocd=bool((raw.get("deploy_history") or {}).get("argocd", True)),
    )


def semantic_problems(raw: Mapping[str, Any], service_names: Iterable[str]) -> Iterable[tuple[str, str]]:
    """Problems a schema cannot see, as (key path, message) pairs."""
    names = list(service_names)
    section = raw.get("investigation") or {}
    for index, name in enumerate(section.get("rollout_restart_exclude") or ()):
        if name not in names:
            guess = get_close_matches(name, names, n=1)
            hint = f" (did you mean '{guess[0]}'?)" if guess else ""
            yield f"investigation.rollout_restart_exclude[{index}]", f"unknown service '{name}'{hint}"
