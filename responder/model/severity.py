"""SEV1-SEV4 classification: a pure function from facts to a severity.

Rules are data. Each rule has conditions that must all hold, a level, and a
plain-words explanation. responder.yml can re-level, disable or replace the
built-in rules and add its own. When several rules fire, the most serious
level wins: under-reacting costs more than over-reacting.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from responder.model import vocabulary as forms
from responder.model.severity_levels import Severity

STATES = ("down", "degraded", "unknown", "cosmetic", "ok")


@dataclass(frozen=True)
class Conditions:
    error_type: frozenset[str] | None = None
    scope: frozenset[str] | None = None
    tier: frozenset[str] | None = None
    service: frozenset[str] | None = None
    state: frozenset[str] | None = None
    services_down_at_least: int | None = None
    nodes_not_ready: bool | None = None

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Conditions:
        def as_set(key: str) -> frozenset[str] | None:
            value = raw.get(key)
            return frozenset(value) if value is not None else None

        return cls(
            error_type=as_set("error_type"),
            scope=as_set("scope"),
            tier=as_set("tier"),
            service=as_set("service"),
            state=as_set("state"),
            services_down_at_least=raw.get("services_down_at_least"),
            nodes_not_ready=raw.get("nodes_not_ready"),
        )

    def hold_for(self, facts: Facts) -> bool:
        service = facts.service_name
        checks = (
            self.error_type is None or facts.error_type in self.error_type,
            self.scope is None or facts.scope in self.scope,
            self.tier is None or facts.tier in self.tier,
            self.service is None or service in self.service,
            self.state is None or facts.state in self.state,
            self.services_down_at_least is None or len(facts.services_down) >= self.services_down_at_least,
            self.nodes_not_ready is None or bool(facts.nodes_not_ready) == self.nodes_not_ready,
        )
        return all(checks)


@dataclass(frozen=True)
class Rule:
    id: str
    level: Severity
    when: Conditions
    explain: str
    enabled: bool = True


@dataclass(frozen=True)
class Facts:
    """What is known about the incident when it is classified."""

    service_name: str | None  # None for "Other / not sure" or an unknown service
    service_title: str | None
    tier: str | None
    error_type: str | None
    scope: str | None
    state: str  # down | degraded | unknown | cosmetic | ok
    services_down: tuple[str, ...] = ()
    nodes_not_ready: tuple[str, ...] = ()


@dataclass(frozen=True)
class FiredRule:
    id: str
    level: Severity
    reason: str


@dataclass(frozen=True)
class Classification:
    level: Severity
    fired: tuple[FiredRule, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(f"{rule.level}: {rule.reason}" for rule in self.fired)


@dataclass(frozen=True)
class SeverityPolicy:
    rules: tuple[Rule, ...]
    default: Severity = Severity.SEV3
    default_explain: str = (
        "No specific rule matched. Unclear reports start at {level}: when unsure, take the higher level."
    )


_DOWN = frozenset({"down"})
_DEGRADED = frozenset({"degraded"})

BUILTIN_RULES: tuple[Rule, ...] = (
    Rule("data-integrity", Severity.SEV1, Conditions(error_type=frozenset({forms.ERROR_DATA})),
         "The report says data is missing, incorrect or lost. Any data-integrity concern is SEV1 at once."),
    Rule("security", Severity.SEV1, Conditions(error_type=frozenset({forms.ERROR_SECURITY})),
         "The report raises a security concern. Security concerns are SEV1 at once."),
    Rule("core-down", Severity.SEV1, Conditions(tier=frozenset({"core"}), state=_DOWN),
         "{service} is core infrastructure that other services depend on, and it is down ({error_type})."),
    Rule("multiple-services-down", Severity.SEV1, Conditions(services_down_at_least=2),
         "{count} services are down at once: {services_down}."),
    Rule("node-not-ready", Severity.SEV1, Conditions(nodes_not_ready=True),
         "A cluster node is not ready: {nodes}."),
    Rule("core-degraded", Severity.SEV2, Conditions(tier=frozenset({"core"}), state=_DEGRADED),
         "{service} is core infrastructure and it is degraded ({error_type})."),
    Rule("critical-down", Severity.SEV2, Conditions(tier=frozenset({"critical"}), state=_DOWN),
         "{service} is a critical service and it is down ({error_type})."),
    Rule("everyone-affected", Severity.SEV2,
         Conditions(scope=frozenset({forms.SCOPE_EVERYONE}), state=frozenset({"down", "degraded", "unknown"})),
         "The reporter says everyone is affected."),
    Rule("service-down", Severity.SEV3, Conditions(tier=frozenset({"standard", "low"}), state=_DOWN),
         "{service} ({tier} tier) is down ({error_type}); the impact is limited."),
    Rule("critical-degraded", Severity.SEV3, Conditions(tier=frozenset({"critical"}), state=_DEGRADED),
         "{service} is a critical service and it is degraded ({error_type})."),
    Rule("cosmetic", Severity.SEV4, Conditions(error_type=frozenset({forms.ERROR_COSMETIC})),
         "The report is cosmetic (a typo or a layout glitch) with no user impact."),
)

BUILTIN_RULE_IDS = frozenset(rule.id for rule in BUILTIN_RULES)


def build_policy(overrides: Mapping[str, Any] | None) -> SeverityPolicy:
    """Merge responder.yml's `severity:` section over the built-in rules.

    The section has already passed schema and semantic validation (config.py).
    """
    overrides = overrides or {}
    rule_overrides: Mapping[str, Mapping[str, Any]] = overrides.get("rules") or {}
    rules: list[Rule] = []
    for rule in BUILTIN_RULES:
        change = rule_overrides.get(rule.id)
        rules.append(_apply_override(rule, change) if change else rule)
    for rule_id, spec in rule_overrides.items():
        if rule_id in BUILTIN_RULE_IDS:
            continue
        rules.append(Rule(
            id=rule_id,
            level=Severity.parse(spec["level"]),
            when=Conditions.from_mapping(spec["when"]),
            explain=spec.get("explain") or f"Rule {rule_id} matched.",
            enabled=spec.get("enabled", True),
        ))
    default = Severity.parse(overrides["default"]) if "default" in overrides else Severity.SEV3
    return SeverityPolicy(rules=tuple(rules), default=default)


def _apply_override(rule: Rule, change: Mapping[str, Any]) -> Rule:
    return replace(
        rule,
        level=Severity.parse(change["level"]) if "level" in change else rule.level,
        when=Conditions.from_mapping(change["when"]) if "when" in change else rule.when,
        explain=change.get("explain", rule.explain),
        enabled=change.get("enabled", rule.enabled),
    )


def classify(facts: Facts, policy: SeverityPolicy) -> Classification:
    """The severity of an incident and every rule that fired, most serious first."""
    fired = [
        FiredRule(rule.id, rule.level, _explain(rule.explain, facts, rule.level))
        for rule in policy.rules
        if rule.enabled and rule.when.hold_for(facts)
    ]
    if not fired:
        reason = _explain(policy.default_explain, facts, policy.default)
        return Classification(policy.default, (FiredRule("default", policy.default, reason),))
    fired.sort(key=lambda rule: rule.level.value)  # stable: rule order breaks ties
    return Classification(fired[0].level, tuple(fired))


def _explain(template: str, facts: Facts, level: Severity) -> str:
    values = {
        "service": facts.service_title or "The service",
        "tier": facts.tier or "unknown",
        "error_type": facts.error_type or "no error type given",
        "scope": facts.scope or "not given",
        "services_down": ", ".join(facts.services_down) or "none",
        "count": str(len(facts.services_down)),
        "nodes": ", ".join(facts.nodes_not_ready) or "none",
        "level": str(level),
    }
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError):
        # A user-written explanation with a stray brace is shown as written.
        return template
