"""The `investigation:` section of responder.yml: defaults, types and the rules a schema cannot say."""

from __future__ import annotations

from pathlib import Path

import pytest

from responder.config.investigation import InvestigationSettings, build_settings
from responder.config.loader import Config, load_config
from responder.errors import ConfigError
from responder.model.severity_levels import Severity


def test_defaults_when_the_section_is_missing(example_config: Config) -> None:
    settings = example_config.investigation
    assert settings.rollout_restart is True and settings.kubernetes is True
    assert settings.root_cause_deadline(Severity.SEV1) == 30
    assert settings.root_cause_deadline(Severity.SEV2) == 120
    assert settings.root_cause_deadline(Severity.SEV3) is None
    assert (settings.recovery_timeout, settings.recovery_interval, settings.log_lines) == (180.0, 10.0, 40)
    # A rollback is opted into; the deploy history is read as metadata only.
    assert (settings.rollback, settings.helm_history, settings.helm_release_data, settings.argocd) == (
        False, True, False, True)


def test_the_rollback_and_deploy_history_keys_are_read(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "investigation:\n  rollback: true\n  helm_release_data: true\n"
                                         "  deploy_history: {helm: false, argocd: false}\n"))
    settings = config.investigation
    assert (settings.rollback, settings.helm_history, settings.helm_release_data, settings.argocd) == (
        True, False, True, False)


def test_the_image_variable_defaults_to_image_tag(tmp_path: Path) -> None:
    path = tmp_path / "responder.yml"
    path.write_text("services:\n"
                    "  - {name: a, title: A, tier: low, terraform: {stack: stacks/a, vars_file: a.auto.tfvars.json}}\n"
                    "  - {name: b, title: B, tier: low, terraform: {stack: stacks/b, vars_file: b.auto.tfvars.json,"
                    " image_var: b_image}}\n")
    config = load_config(path)
    assert [s.terraform.image_var for s in config.services if s.terraform] == ["image_tag", "b_image"]
    path.write_text("services:\n  - {name: a, title: A, tier: low, terraform: {stack: s, image_var: 'x y'}}\n")
    with pytest.raises(ConfigError, match=r"services\[0\]\.terraform\.image_var"):
        load_config(path)


def test_every_key_is_read() -> None:
    settings = build_settings({
        "rollout_restart": False, "rollout_restart_exclude": ["grafana"], "duplicates": False,
        "kubernetes": {"enabled": False, "context": "prod", "timeout_seconds": 3, "log_lines": 5,
                       "restarts_climbing": 9},
        "changes_window_hours": 2, "recovery": {"timeout_seconds": 60, "interval_seconds": 5},
        "root_cause_deadline_minutes": {"SEV1": 10, "SEV2": 45},
    })
    assert settings == InvestigationSettings(
        rollout_restart=False, rollout_restart_exclude=("grafana",), kubernetes=False, kube_context="prod",
        kube_timeout=3.0, log_lines=5, restarts_climbing=9, changes_window_hours=2.0, recovery_timeout=60.0,
        recovery_interval=5.0, root_cause_minutes={Severity.SEV1: 10, Severity.SEV2: 45}, duplicates=False)


def write(tmp_path: Path, section: str) -> Path:
    path = tmp_path / "responder.yml"
    path.write_text("services:\n  - {name: web, title: Web, tier: standard}\n" + section)
    return path


@pytest.mark.parametrize(("section", "problem"), [
    ("investigation: {rollout_restrat: true}\n",
     "investigation.rollout_restrat: unknown key (did you mean 'rollout_restart'?)"),
    ("investigation: {rollout_restart: yes-please}\n",
     "investigation.rollout_restart: expected true or false, got a string 'yes-please'"),
    ("investigation: {kubernetes: {timeout_seconds: 0}}\n",
     "investigation.kubernetes.timeout_seconds: expected a number more than 0, got 0"),
    ("investigation: {rollout_restart_exclude: [wbe]}\n",
     "investigation.rollout_restart_exclude[0]: unknown service 'wbe' (did you mean 'web'?)"),
    ("investigation: {root_cause_deadline_minutes: {SEV3: 10}}\n",
     "investigation.root_cause_deadline_minutes.SEV3: unknown key"),
])
def test_mistakes_are_reported_with_their_key_path(tmp_path: Path, section: str, problem: str) -> None:
    path = write(tmp_path, section)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert any(p.startswith(f"{path}: {problem}") for p in caught.value.problems), caught.value.problems
