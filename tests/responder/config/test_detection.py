"""The `detection:` section of responder.yml: defaults, types and the rules a schema cannot say."""

from __future__ import annotations

from pathlib import Path

import pytest

from responder.config.detection import DetectionSettings, build_detection
from responder.config.loader import Config, load_config
from responder.errors import ConfigError


def test_defaults_when_the_section_is_missing(example_config: Config) -> None:
    assert example_config.detection == DetectionSettings(
        enabled=True, confirm_probes=3, confirm_interval=10.0, recover_after_runs=1, exclude=())


def test_every_key_is_read() -> None:
    settings = build_detection({"enabled": False, "confirm": {"probes": 5, "interval_seconds": 2.5},
                                "recover_after_runs": 3, "exclude": ["grafana"]})
    assert settings == DetectionSettings(enabled=False, confirm_probes=5, confirm_interval=2.5,
                                         recover_after_runs=3, exclude=("grafana",))


@pytest.mark.parametrize(("probes", "interval", "timeout", "window"), [
    (3, 10.0, 5.0, 25.0),  # the defaults: two intervals, then the last check's timeout
    (1, 10.0, 5.0, 5.0),  # no confirmation: the one check
    (3, 1.0, 2.0, 6.0),  # a check that hangs longer than the interval delays the next one
])
def test_the_confirmation_window(probes: int, interval: float, timeout: float, window: float) -> None:
    settings = DetectionSettings(confirm_probes=probes, confirm_interval=interval)
    assert settings.confirmation_window(timeout) == window


def write(tmp_path: Path, section: str) -> Path:
    path = tmp_path / "responder.yml"
    path.write_text("services:\n  - {name: web, title: Web, tier: standard}\n" + section)
    return path


def test_a_full_section_loads(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "detection: {confirm: {probes: 2, interval_seconds: 0}, "
                                         "recover_after_runs: 2, exclude: [web]}\n"))
    assert (config.detection.confirm_probes, config.detection.confirm_interval) == (2, 0.0)
    assert (config.detection.recover_after_runs, config.detection.exclude) == (2, ("web",))


@pytest.mark.parametrize(("section", "problem"), [
    ("detection: {confirm: {probes: 0}}\n", "detection.confirm.probes: expected a number at least 1, got 0"),
    ("detection: {confirm: {intervall_seconds: 5}}\n",
     "detection.confirm.intervall_seconds: unknown key (did you mean 'interval_seconds'?)"),
    ("detection: {recover_after_runs: 1.5}\n",
     "detection.recover_after_runs: expected a whole number, got a number 1.5"),
    ("detection: {exclude: [wbe]}\n", "detection.exclude[0]: unknown service 'wbe' (did you mean 'web'?)"),
    ("labels: {auto-detected: ''}\n", "labels.auto-detected: must not be empty"),
])
def test_mistakes_are_reported_with_their_key_path(tmp_path: Path, section: str, problem: str) -> None:
    path = write(tmp_path, section)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert any(p.startswith(f"{path}: {problem}") for p in caught.value.problems), caught.value.problems
