"""SEV1-SEV4: the rules as a table, the higher level winning, overrides from config."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from responder.config.loader import Config, load_config
from responder.forms import specs as forms
from responder.model.severity import Facts, classify
from responder.model.severity_levels import DEFAULT_TARGETS, Severity


def facts(config: Config, service: str | None, error_type: str | None, scope: str | None = "Just me",
          **extra: object) -> Facts:
    svc = config.service(service) if service else None
    state = forms.REPORTED_STATE.get(error_type or "", "unknown")
    base = {
        "service_name": svc.name if svc else None,
        "service_title": svc.title if svc else None,
        "tier": svc.tier if svc else None,
        "error_type": error_type,
        "scope": scope,
        "state": state,
        "services_down": (svc.name,) if svc and state == "down" else (),
    }
    base.update(extra)
    return Facts(**base)  # type: ignore[arg-type]


CASES = [
    # service, error type, scope, expected level, rules that fire (most serious first)
    ("nextcloud", forms.ERROR_DATA, "Just me", "SEV1", ["data-integrity"]),
    ("uptime-kuma", forms.ERROR_SECURITY, "Just me", "SEV1", ["security"]),
    ("authentik", forms.ERROR_LOGIN, "Just me", "SEV1", ["core-down"]),
    ("dns", forms.ERROR_WONT_LOAD, "Not sure", "SEV1", ["core-down"]),
    ("authentik", forms.ERROR_SLOW, "Just me", "SEV2", ["core-degraded"]),
    ("nextcloud", forms.ERROR_502, "Just me", "SEV2", ["critical-down"]),
    ("immich", forms.ERROR_503, "Multiple people affected", "SEV2", ["critical-down"]),
    ("nextcloud", forms.ERROR_LOGIN, "Just me", "SEV2", ["critical-down"]),
    ("grafana", forms.ERROR_FEATURE, "Everyone", "SEV2", ["everyone-affected"]),
    ("grafana", forms.ERROR_502, "Just me", "SEV3", ["service-down"]),
    ("woodpecker", forms.ERROR_WONT_LOAD, "Just me", "SEV3", ["service-down"]),
    ("nextcloud", forms.ERROR_SLOW, "Just me", "SEV3", ["critical-degraded"]),
    ("immich", forms.ERROR_FEATURE, "Multiple people affected", "SEV3", ["critical-degraded"]),
    ("home-assistant", forms.ERROR_COSMETIC, "Everyone", "SEV4", ["cosmetic"]),
    ("grafana", forms.ERROR_SLOW, "Just me", "SEV3", ["default"]),
    # Two rules disagree: the higher level wins, both are explained.
    ("nextcloud", forms.ERROR_502, "Everyone", "SEV2", ["critical-down", "everyone-affected"]),
    ("grafana", forms.ERROR_502, "Everyone", "SEV2", ["everyone-affected", "service-down"]),
    ("authentik", forms.ERROR_DATA, "Everyone", "SEV1", ["data-integrity", "everyone-affected"]),
    # Unknown service: error type and scope alone.
    (None, forms.ERROR_502, "Just me", "SEV3", ["default"]),
    (None, forms.ERROR_502, "Everyone", "SEV2", ["everyone-affected"]),
    (None, forms.ERROR_SECURITY, "Not sure", "SEV1", ["security"]),
    (None, forms.ERROR_COSMETIC, "Just me", "SEV4", ["cosmetic"]),
    (None, forms.ERROR_OTHER, None, "SEV3", ["default"]),
    # The example config's own rule: mail down is SEV1 there.
    ("mail", forms.ERROR_WONT_LOAD, "Just me", "SEV1", ["mail-down", "critical-down"]),
]


@pytest.mark.parametrize(("service", "error_type", "scope", "level", "rules"), CASES)
def test_rules(example_config: Config, service: str | None, error_type: str, scope: str | None, level: str,
               rules: list[str]) -> None:
    result = classify(facts(example_config, service, error_type, scope), example_config.severity)
    assert str(result.level) == level
    assert [rule.id for rule in result.fired] == rules


def test_findings_can_raise_the_level(example_config: Config) -> None:
    base = facts(example_config, "grafana", forms.ERROR_502)
    assert classify(base, example_config.severity).level is Severity.SEV3
    two_down = facts(example_config, "grafana", forms.ERROR_502, services_down=("grafana", "home-assistant"))
    result = classify(two_down, example_config.severity)
    assert result.level is Severity.SEV1
    assert result.fired[0].reason == "2 services are down at once: grafana, home-assistant."
    node = facts(example_config, "grafana", forms.ERROR_SLOW, nodes_not_ready=("k8s-node-2",))
    assert classify(node, example_config.severity).fired[0].reason == "A cluster node is not ready: k8s-node-2."


def test_explanations_are_plain_words(example_config: Config) -> None:
    result = classify(facts(example_config, "nextcloud", forms.ERROR_502, "Everyone"), example_config.severity)
    assert result.reasons == (
        "SEV2: Nextcloud is a critical service and it is down (502 Bad Gateway).",
        "SEV2: The reporter says everyone is affected.",
    )
    default = classify(facts(example_config, None, forms.ERROR_OTHER), example_config.severity)
    assert default.reasons == (
        "SEV3: No specific rule matched. Unclear reports start at SEV3: when unsure, take the higher level.",
    )


def test_config_can_relevel_disable_and_add_rules(tmp_path: Path) -> None:
    path = tmp_path / "responder.yml"
    path.write_text("""\
services:
  - {name: shop, title: Shop, tier: standard}
severity:
  default: SEV4
  rules:
    everyone-affected: {enabled: false}
    service-down: {level: SEV2}
    shop-slow: {level: SEV1, when: {service: [shop], state: [degraded]}, explain: "{service} slow: {scope}"}
""")
    config = load_config(path)
    down = classify(facts(config, "shop", forms.ERROR_502, "Everyone"), config.severity)
    assert [(r.id, str(r.level)) for r in down.fired] == [("service-down", "SEV2")]
    slow = classify(facts(config, "shop", forms.ERROR_SLOW, "Everyone"), config.severity)
    assert slow.reasons == ("SEV1: Shop slow: Everyone",)
    nothing = classify(facts(config, None, forms.ERROR_OTHER), config.severity)
    assert nothing.level is Severity.SEV4


def test_severity_levels() -> None:
    assert Severity.SEV3.raised() is Severity.SEV2
    assert Severity.SEV1.raised() is Severity.SEV1
    assert Severity.SEV1.is_higher_than(Severity.SEV2)
    assert [s.needs_postmortem for s in Severity] == [True, True, False, False]


def test_the_default_targets_are_the_frameworks_table() -> None:
    assert [(t.respond, t.update) for t in DEFAULT_TARGETS.values()] == [
        (timedelta(minutes=5), timedelta(minutes=15)), (timedelta(minutes=15), timedelta(minutes=30)),
        (timedelta(hours=1), timedelta(hours=2)), (None, timedelta(days=1))]


@pytest.mark.parametrize(("now", "missed"), [
    ("2026-11-23T14:04:59Z", 0), ("2026-11-23T14:05:00Z", 1), ("2026-11-23T14:14:00Z", 2),
])
def test_response_windows_are_counted_from_the_start(now: str, missed: int) -> None:
    started = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    assert DEFAULT_TARGETS[Severity.SEV1].windows_missed(started, datetime.fromisoformat(now)) == missed


def test_next_business_day_skips_the_weekend() -> None:
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
    sev4 = DEFAULT_TARGETS[Severity.SEV4]
    assert sev4.respond_deadline(friday_evening) == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # the end of Monday
    assert sev4.respond_deadline(friday_evening, 2) == datetime(2026, 12, 2, 0, 0, tzinfo=UTC)
    assert sev4.windows_missed(friday_evening, datetime(2026, 11, 30, 23, 59, tzinfo=UTC)) == 0
    assert sev4.windows_missed(friday_evening, datetime(2026, 12, 1, 0, 0, tzinfo=UTC)) == 1
