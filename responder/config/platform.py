"""The `platform:` section of responder.yml: what people may ask the platform for by themselves.

Self-service namespaces with quotas, access to them, DNS records and new monitors, each inside
limits a platform team sets here: a name pattern and reserved names, quota caps, the roles that may
be granted (never admin or cluster-admin), the zones records may be made in. The JSON Schema checks
the shapes when the config is loaded; this module applies the defaults once and states the rules a
schema cannot (quantities of the right kind, defaults within the caps, well-formed zones), which
`responder check-config` reports with every other problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from responder.model.quantities import Quantity, QuantityError, parse_cpu, parse_memory

DEFAULT_NAME_PATTERN = "^[a-z][a-z0-9-]{2,30}$"
DEFAULT_RESERVED = ("default", "kube-system", "kube-public", "kube-node-lease", "vault", "monitoring")
DEFAULT_QUOTA: Mapping[str, Any] = {"cpu": "2", "memory": "4Gi", "pods": 20}
DEFAULT_QUOTA_MAX: Mapping[str, Any] = {"cpu": "8", "memory": "16Gi", "pods": 50}
DEFAULT_ROLES = ("view", "edit")
DEFAULT_IDENTITY = "oidc:{login}"
DEFAULT_DNS_TYPES = ("A", "AAAA", "CNAME")
DEFAULT_MONITOR_TIERS = ("standard", "low")
# Never grantable, whatever the config says: either would let a team change who else gets in, or
# everything in the cluster.
FORBIDDEN_ROLES = ("admin", "cluster-admin")
# A namespace's name is a DNS label (RFC 1123): the pattern may narrow it, never widen it.
NAMESPACE_NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
DNS_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


@dataclass(frozen=True)
class Quota:
    """A namespace's ResourceQuota: CPU and memory as Kubernetes quantities, and a pod count."""

    cpu: Quantity
    memory: Quantity
    pods: int

    def to_json(self) -> dict[str, Any]:
        return {"cpu": self.cpu.text, "memory": self.memory.text, "pods": self.pods}


@dataclass(frozen=True)
class NamespaceSettings:
    name_pattern: str = DEFAULT_NAME_PATTERN
    reserved: tuple[str, ...] = DEFAULT_RESERVED
    quota_default: Quota = field(default_factory=lambda: quota_from(DEFAULT_QUOTA))
    quota_max: Quota = field(default_factory=lambda: quota_from(DEFAULT_QUOTA_MAX))
    # Grantable roles, from the least to the most privileged.
    roles: tuple[str, ...] = DEFAULT_ROLES
    identity: str = DEFAULT_IDENTITY  # how a GitHub login is named in the cluster: {login} is replaced

    @property
    def top_role(self) -> str:
        """The most privileged grantable role: a namespace always keeps someone holding it."""
        return self.roles[-1]

    def subject(self, login: str) -> str:
        return self.identity.replace("{login}", login)


@dataclass(frozen=True)
class DnsSettings:
    stack: str
    vars_file: str
    zones: tuple[str, ...]
    types: tuple[str, ...] = DEFAULT_DNS_TYPES


@dataclass(frozen=True)
class MonitorSettings:
    """New monitors: services added to the catalogue, with a tier people may choose themselves."""

    tiers: tuple[str, ...] = DEFAULT_MONITOR_TIERS


@dataclass(frozen=True)
class PlatformSettings:
    stack: str
    vars_file: str
    namespaces: NamespaceSettings = field(default_factory=NamespaceSettings)
    dns: DnsSettings | None = None
    monitors: MonitorSettings = field(default_factory=MonitorSettings)

    @property
    def vars_path(self) -> str:
        """The vars file relative to the repository root."""
        return f"{self.stack.rstrip('/')}/{self.vars_file}"


def quota_from(raw: Mapping[str, Any]) -> Quota:
    """A quota from a validated mapping (semantic_problems has refused bad quantities)."""
    return Quota(cpu=parse_cpu(raw["cpu"]), memory=parse_memory(raw["memory"]), pods=int(raw["pods"]))


def build_platform(section: Mapping[str, Any] | None) -> PlatformSettings | None:
    """From the (validated) `platform` section; None when responder.yml has none: no self-service."""
    if not section:
        return None
    raw_ns = section.get("namespaces") or {}
    namespaces = NamespaceSettings(
        name_pattern=str(raw_ns.get("name_pattern", DEFAULT_NAME_PATTERN)),
        reserved=tuple(raw_ns.get("reserved", DEFAULT_RESERVED)),
        quota_default=quota_from({**DEFAULT_QUOTA, **(raw_ns.get("quota_default") or {})}),
        quota_max=quota_from({**DEFAULT_QUOTA_MAX, **(raw_ns.get("quota_max") or {})}),
        roles=tuple(raw_ns.get("roles", DEFAULT_ROLES)),
        identity=str(raw_ns.get("identity", DEFAULT_IDENTITY)),
    )
    raw_dns = section.get("dns")
    dns = DnsSettings(
        stack=str(raw_dns["stack"]),
        vars_file=str(raw_dns["vars_file"]),
        zones=tuple(zone.rstrip(".").lower() for zone in raw_dns["zones"]),
        types=tuple(kind.upper() for kind in raw_dns.get("types", DEFAULT_DNS_TYPES)),
    ) if raw_dns else None
    monitors = MonitorSettings(tiers=tuple((section.get("monitors") or {}).get("tiers", DEFAULT_MONITOR_TIERS)))
    return PlatformSettings(stack=str(section["stack"]), vars_file=str(section["vars_file"]),
                            namespaces=namespaces, dns=dns, monitors=monitors)


# ---------------------------------------------------------------- the rules a schema cannot say


def semantic_problems(raw: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    """(key path, message) for every problem of a `platform` section the schema found sound."""
    section = raw.get("platform")
    if not isinstance(section, Mapping):
        return
    namespaces = section.get("namespaces") or {}
    yield from _name_problems(namespaces)
    yield from _quota_problems(namespaces)
    yield from _role_problems(namespaces)
    identity = namespaces.get("identity")
    if isinstance(identity, str) and "{login}" not in identity:
        yield "platform.namespaces.identity", "must contain {login}, where the GitHub login goes"
    dns = section.get("dns")
    if isinstance(dns, Mapping):
        for index, zone in enumerate(dns.get("zones") or ()):
            problem = zone_problem(str(zone))
            if problem:
                yield f"platform.dns.zones[{index}]", problem
        if str(dns.get("stack", "")).rstrip("/") == str(section.get("stack", "")).rstrip("/") and \
                dns.get("vars_file") == section.get("vars_file"):
            yield "platform.dns.vars_file", "is the namespaces' vars file too; give DNS records a file of their own"


def zone_problem(zone: str) -> str | None:
    """Why a zone name is not a well-formed DNS name of two labels or more, or None."""
    name = zone.rstrip(".").lower()
    labels = name.split(".")
    if len(labels) < 2:
        return f"{zone!r} is not a DNS zone (expected a name such as apps.example.org)"
    bad = [label for label in labels if not DNS_LABEL.fullmatch(label)]
    if bad or len(name) > 253:
        return f"{zone!r} is not a well-formed DNS name (labels of letters, digits and inner dashes)"
    return None


def _name_problems(namespaces: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    pattern = namespaces.get("name_pattern")
    if isinstance(pattern, str):
        try:
            re.compile(pattern)
        except re.error as exc:
            yield "platform.namespaces.name_pattern", f"not a valid regular expression: {exc}"
    for index, name in enumerate(namespaces.get("reserved") or ()):
        if isinstance(name, str) and not NAMESPACE_NAME.fullmatch(name):
            yield f"platform.namespaces.reserved[{index}]", f"{name!r} is not a Kubernetes namespace name"


def _quota_problems(namespaces: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    parsed: dict[str, dict[str, Any]] = {}
    for key in ("quota_default", "quota_max"):
        quota = namespaces.get(key) or {}
        values: dict[str, Any] = {}
        for resource, parse in (("cpu", parse_cpu), ("memory", parse_memory)):
            if resource in quota:
                try:
                    values[resource] = parse(quota[resource])
                except QuantityError as exc:
                    yield f"platform.namespaces.{key}.{resource}", str(exc)
        if "pods" in quota:
            values["pods"] = quota["pods"]
        parsed[key] = values
    defaults = {"quota_default": DEFAULT_QUOTA, "quota_max": DEFAULT_QUOTA_MAX}
    effective = {}
    for key, values in parsed.items():
        base = {"cpu": parse_cpu(defaults[key]["cpu"]), "memory": parse_memory(defaults[key]["memory"]),
                "pods": defaults[key]["pods"]}
        effective[key] = {**base, **values}
    for resource in ("cpu", "memory", "pods"):
        low, high = effective["quota_default"][resource], effective["quota_max"][resource]
        if low > high:
            yield (f"platform.namespaces.quota_default.{resource}",
                   f"{low} is more than quota_max.{resource} {high}: the default must be within the cap")


def _role_problems(namespaces: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    for index, role in enumerate(namespaces.get("roles") or ()):
        if isinstance(role, str) and role.lower() in FORBIDDEN_ROLES:
            yield (f"platform.namespaces.roles[{index}]",
                   f"{role!r} is never grantable by self-service: a team with it could grant itself anything")
