"""responder.yml: read, validate, and turn into a frozen model.

The raw YAML and the validated model are kept apart. Validation runs in two
passes: the JSON Schema shipped in the package (shape and types), then the
rules a schema cannot say (unique names, known dependencies, no cycles).
Every problem is reported at once, each naming the file, the key path and
what was expected.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from difflib import get_close_matches
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from responder.config import detection, escalation, investigation, metrics, notify, platform, secrets, statuspage
from responder.config.agent import AgentSettings
from responder.config.agent import settings_from_section as build_agent
from responder.config.detection import DetectionSettings, build_detection
from responder.config.escalation import EscalationSettings, build_escalation
from responder.config.guardrails import GuardrailSettings, build_guardrails
from responder.config.investigation import DEFAULT_TLS_WARN_DAYS, InvestigationSettings
from responder.config.metrics import MetricsSettings, ServiceMetrics, build_metrics, build_service_metrics
from responder.config.notify import NotifyTarget, build_notify
from responder.config.platform import PlatformSettings, build_platform
from responder.config.postmortem import PostmortemSettings, build_postmortem
from responder.config.secrets import SecretsSettings
from responder.config.statuspage import StatusPageSettings, build_statuspage
from responder.errors import ConfigError
from responder.model import vocabulary as forms
from responder.model.labels import LabelNames
from responder.model.severity import BUILTIN_RULE_IDS, SeverityPolicy, build_policy

SCHEMA_PATH = Path(__file__).parent / "schema" / "responder.schema.json"
DEFAULT_CONFIG = Path("responder.yml")
DEFAULT_BOT_LOGIN = "github-actions[bot]"
TIERS = ("core", "critical", "standard", "low")
DEFAULT_PROBE_TIMEOUT = 5.0
_ABSOLUTE = ("http://", "https://")


@dataclass(frozen=True)
class Expect:
    status: tuple[int, ...] = ()  # empty: any 2xx or 3xx
    body: str | None = None
    timeout_seconds: float = DEFAULT_PROBE_TIMEOUT
    slow_ms: int | None = None


@dataclass(frozen=True)
class TlsPolicy:
    """How an https service's certificate is judged: warn this many days before it expires; trust these CAs."""

    warn_days: int = DEFAULT_TLS_WARN_DAYS
    ca_file: Path | None = None  # investigation.ca_file, resolved against responder.yml's directory


@dataclass(frozen=True)
class KubernetesTarget:
    namespace: str
    selector: str | None
    deployment: str


@dataclass(frozen=True)
class TerraformTarget:
    stack: str
    vars_file: str | None
    limits: Mapping[str, Any] = field(default_factory=dict)
    image_var: str = "image_tag"  # the variable pinning the image tag: what a rollback sets back


@dataclass(frozen=True)
class Service:
    name: str
    title: str
    tier: str
    url: str | None = None
    expect: Expect = Expect()
    kubernetes: KubernetesTarget | None = None
    terraform: TerraformTarget | None = None
    depends_on: tuple[str, ...] = ()
    slo: float | None = None
    description: str = ""
    owners: tuple[str, ...] = ()  # GitHub logins: assigned on triage, and @-mentioned by the responder
    runbook: str | None = None  # an http(s) URL (a page on the docs site is resolved against its URL)
    metrics: ServiceMetrics = field(default_factory=ServiceMetrics)  # error-rate and latency thresholds in Prometheus
    tls: TlsPolicy = TlsPolicy()


@dataclass(frozen=True)
class Config:
    path: Path
    services: tuple[Service, ...]
    labels: LabelNames
    severity: SeverityPolicy
    min_permission: str = "write"
    assignees: tuple[str, ...] = ()
    bot_login: str = DEFAULT_BOT_LOGIN
    repository: str | None = None
    templates_dir: Path | None = None
    # The later stages' sections, each read once by build_config.
    guardrails: GuardrailSettings = field(default_factory=GuardrailSettings)
    investigation: InvestigationSettings = field(default_factory=InvestigationSettings)
    agent: AgentSettings | None = None  # None: no agent service configured
    secrets: SecretsSettings = field(default_factory=lambda: secrets.settings_from_section({}))
    statuspage: StatusPageSettings = field(default_factory=StatusPageSettings)
    postmortem: PostmortemSettings = field(default_factory=PostmortemSettings)
    detection: DetectionSettings = field(default_factory=DetectionSettings)
    escalation: EscalationSettings = field(default_factory=EscalationSettings)
    notify: tuple[NotifyTarget, ...] = ()
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    platform: PlatformSettings | None = None  # None: no self-service platform requests

    @property
    def mentionable(self) -> frozenset[str]:
        """The only people the responder's own text may @-mention: service owners and escalation tiers."""
        logins = {login for service in self.services for login in service.owners}
        logins.update(login for tier in self.escalation.tiers for login in tier)
        return frozenset(logins)

    @property
    def root(self) -> Path:
        """The infrastructure repository checkout: the directory holding responder.yml."""
        return self.path.parent

    def service(self, name: str) -> Service | None:
        for service in self.services:
            if service.name == name:
                return service
        return None

    def service_by_title(self, title: str) -> Service | None:
        wanted = forms.normalise_label(title)
        for service in self.services:
            if forms.normalise_label(service.title) == wanted:
                return service
        return None

    @property
    def statuspage_url(self) -> str | None:
        return self.statuspage.url


# ---------------------------------------------------------------- loading


def load_config(path: Path | str | None = None) -> Config:
    """Read and validate responder.yml. Raises ConfigError listing every problem."""
    config_path = Path(path) if path is not None else DEFAULT_CONFIG
    raw = read_raw(config_path)
    located = config_problems(raw, config_path)
    if located:
        count = len(located)
        raise ConfigError(
            f"{config_path} is invalid ({count} problem{'s' if count > 1 else ''}):",
            problems=tuple(f"{config_path}: {where}: {message}" for where, message in located),
            located=tuple(located),
            hint="`responder config-schema` prints the schema; point your editor at it.",
        )
    return build_config(raw, config_path)


def read_raw(path: Path) -> dict[str, Any]:
    from responder.config import yaml_codec

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such file",
            hint="Run from the infrastructure repository, or pass --config PATH/TO/responder.yml.",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read: {exc}") from None
    try:
        # A key given twice is refused: silently keeping the last one hides a mistake.
        raw = yaml_codec.load(text, yaml_codec.UniqueKeySafeLoader)
    except yaml_codec.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise ConfigError(f"{path}: not valid YAML{where}: {exc.problem}") from None
    except yaml_codec.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if raw is None:
        raise ConfigError(f"{path}: the file is empty", hint="examples/responder.yml is a complete example.")
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level, got {_json_type(raw)}")
    return raw


@cache
def schema() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return result


# ---------------------------------------------------------------- validation


def validate_raw(raw: Mapping[str, Any], path: Path) -> list[str]:
    """Every problem with the raw config, as `file: key.path: message` lines.

    One pass over every section, the later stages' included: first what the schema finds, then
    the rules a schema cannot say, checked in each top-level section the schema found sound (a
    rule over a section of the wrong shape would only repeat the schema's complaint, or crash).
    """
    return [f"{path}: {where}: {message}" for where, message in config_problems(raw, path)]


def config_problems(raw: Mapping[str, Any], path: Path) -> list[tuple[str, str]]:
    """Every problem as (key path, message): what the schema finds, in key-path order, then the rules'."""
    shape, broken = _schema_problems(raw)
    return [*shape, *_semantic_problems(raw, path, broken)]


def _schema_problems(raw: Mapping[str, Any]) -> tuple[list[tuple[str, str]], frozenset[str]]:
    """The schema's problems, and the top-level keys they are in."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema())
    found = []
    broken = set()
    for error in validator.iter_errors(raw):
        found.extend(_describe(error))
        if error.absolute_path:
            broken.add(str(error.absolute_path[0]))
            if len(error.absolute_path) >= 2 and isinstance(error.absolute_path[1], int):
                broken.add(format_path(list(error.absolute_path)[:2]))  # e.g. services[2]
    # Deduplicate while keeping a stable, readable order (by key path).
    return sorted(set(found), key=lambda item: (_path_sort_key(item[0]), item[1])), frozenset(broken)


def _describe(error: Any) -> list[tuple[str, str]]:
    where = format_path(error.absolute_path)
    kind = error.validator
    instance = error.instance
    expected = error.validator_value
    if kind == "required":
        missing = [key for key in expected if isinstance(instance, dict) and key not in instance]
        return [(where, f"missing required key '{key}'") for key in missing]
    if kind == "additionalProperties":
        allowed = sorted((error.schema.get("properties") or {}).keys())
        extra = [key for key in instance if key not in allowed] if isinstance(instance, dict) else []
        out = []
        for key in extra:
            guess = get_close_matches(str(key), allowed, n=1)
            hint = f" (did you mean '{guess[0]}'?)" if guess else f" (expected one of: {', '.join(allowed)})"
            out.append((format_path([*error.absolute_path, key]), f"unknown key{hint}"))
        return out
    if kind == "enum":
        options = ", ".join(str(option) for option in expected)
        return [(where, f"expected one of {options}, got {_show(instance)}")]
    if kind == "const":
        return [(where, f"expected {_show(expected)}, got {_show(instance)}")]
    if kind == "type":
        names = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join(_TYPE_NAMES.get(str(name), str(name)) for name in names)
        return [(where, f"expected {wanted}, got {_json_type(instance)} {_show(instance)}")]
    if kind == "pattern":
        wanted = error.schema.get("x-expected") or f"a value matching {expected}"
        if error.schema.get("x-secret"):
            # A value where a reference belongs is most likely the secret itself: never echo it.
            return [(where, f"expected {wanted}, got a value that is not a reference (not shown: it may be the "
                            "secret itself; put it in an environment variable or Vault and name that here)")]
        return [(where, f"expected {wanted}, got {_show(instance)}")]
    if kind == "propertyNames":
        return [(where, f"key {_show(instance)} must be lowercase letters, digits and dashes")]
    if kind in ("minItems", "maxItems"):
        word = "at least" if kind == "minItems" else "at most"
        return [(where, f"expected {word} {expected} item{'s' if expected != 1 else ''}")]
    if kind == "minLength":
        return [(where, "must not be empty")]
    if kind == "maxLength":
        return [(where, f"must be at most {expected} characters")]
    if kind == "uniqueItems":
        return [(where, "items must be unique")]
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "more than",
                 "exclusiveMaximum": "less than"}
        return [(where, f"expected a number {words[kind]} {expected}, got {_show(instance)}")]
    if kind == "minProperties":
        return [(where, "must not be empty")]
    if kind == "oneOf" and where.endswith("status"):
        return [(where, f"expected an HTTP status code or a list of them, got {_show(instance)}")]
    return [(where, error.message)]


_TYPE_NAMES = {
    "string": "a string",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "nothing",
}


def _json_type(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _show(value: Any) -> str:
    text = json.dumps(value, default=str) if isinstance(value, dict | list) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def format_path(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _path_sort_key(where: str) -> tuple[Any, ...]:
    import re

    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[\[\].]+", where) if p)


def _semantic_problems(raw: Mapping[str, Any], path: Path, broken: frozenset[str]) -> Iterable[tuple[str, str]]:
    """The rules a schema cannot say, in the top-level sections not `broken`."""
    services = raw.get("services") or []
    # Names other sections refer to, read with care: the services may be the broken section.
    known = [service["name"] for service in services if isinstance(service, Mapping)
             and isinstance(service.get("name"), str)] if isinstance(services, list) else []
    if isinstance(services, list):
        # Checked even when some services are malformed, so a bad tier does not hide a duplicate name.
        yield from _service_problems(services, broken)
        yield from _runbook_problems(services, broken, _docs_site_url(raw))
    if "labels" not in broken:
        yield from _label_problems(raw.get("labels") or {})
    if "severity" not in broken:
        yield from _severity_problems((raw.get("severity") or {}).get("rules") or {}, known)
    if "investigation" not in broken:
        yield from investigation.semantic_problems(raw, known)
    if "statuspage" not in broken:
        yield from statuspage.semantic_problems(raw, known)
    if "detection" not in broken:
        yield from detection.semantic_problems(raw, known)
    if "secrets" not in broken:
        yield from secrets.semantic_problems(raw)
    if "escalation" not in broken:
        yield from escalation.semantic_problems(raw)
    if "notify" not in broken:
        yield from notify.semantic_problems(raw, known)
    if "metrics" not in broken:
        yield from metrics.semantic_problems(raw)
    section = raw.get("investigation")
    ca_file = section.get("ca_file") if isinstance(section, Mapping) else None
    if "investigation" not in broken and isinstance(ca_file, str) and not (path.parent / ca_file).is_file():
        yield "investigation.ca_file", f"'{ca_file}' is not a file (relative to {path.parent or '.'})"
    if "platform" not in broken:
        yield from platform.semantic_problems(raw)
    templates_dir = raw.get("templates_dir")
    if "templates_dir" not in broken and templates_dir and not (path.parent / templates_dir).is_dir():
        yield "templates_dir", f"'{templates_dir}' is not a directory (relative to {path.parent or '.'})"


def _service_problems(services: list[Any], broken: frozenset[str]) -> Iterable[tuple[str, str]]:
    """Names, titles and dependencies are checked wherever they are strings, even in a service the schema
    faulted for something else; the limits and the cycle only in services the schema found sound."""
    def text(value: Any) -> str | None:
        return value if isinstance(value, str) else None

    items = [(index, service) for index, service in enumerate(services) if isinstance(service, Mapping)]
    sound = [(index, service) for index, service in items if f"services[{index}]" not in broken]
    names: dict[str, int] = {}
    titles: dict[str, int] = {}
    reserved = {forms.normalise_label(forms.OTHER_SERVICE), "none"}
    for index, service in items:
        name = text(service.get("name"))
        if name is not None:
            if name in names:
                yield f"services[{index}].name", f"'{name}' is already used by services[{names[name]}]"
            names.setdefault(name, index)
        shown = text(service.get("title"))
        if shown is None:
            continue
        title = forms.normalise_label(shown)
        if title in reserved:
            yield f"services[{index}].title", f"{_show(shown)} is reserved by the issue form"
        elif title in titles:
            yield (f"services[{index}].title",
                   f"{_show(shown)} is already used by services[{titles[title]}]; "
                   "titles must differ so the form's dropdown is unambiguous")
        titles.setdefault(title, index)
    for index, service in items:
        depends_on = service.get("depends_on")
        for dep_index, dependency in enumerate(depends_on if isinstance(depends_on, list) else []):
            where = f"services[{index}].depends_on[{dep_index}]"
            if not isinstance(dependency, str):
                continue
            if dependency == service.get("name"):
                yield where, "a service cannot depend on itself"
            elif dependency not in names:
                guess = get_close_matches(dependency, list(names), n=1)
                hint = f" (did you mean '{guess[0]}'?)" if guess else ""
                yield where, f"unknown service '{dependency}'{hint}"
    for index, service in sound:
        limits = (service.get("terraform") or {}).get("limits") or {}
        replicas = limits.get("replicas")
        if replicas and replicas[0] > replicas[1]:
            yield f"services[{index}].terraform.limits.replicas", "expected [min, max] with min <= max"
        yield from _limit_problems(f"services[{index}].terraform.limits", limits)
    cycle = _find_cycle({s["name"]: list(s.get("depends_on") or []) for _, s in sound})
    if cycle:
        yield "services", "depends_on has a cycle: " + " -> ".join(cycle)


def _docs_site_url(raw: Mapping[str, Any]) -> str | None:
    """Where the docs site the responder publishes is served (runbook pages live there), if known."""
    page = raw.get("statuspage")
    page = page if isinstance(page, Mapping) else {}
    section = raw.get("postmortem")
    section = section if isinstance(section, Mapping) else {}
    url = page.get("url") if isinstance(page.get("url"), str) else None
    site_url = section.get("site_url") if isinstance(section.get("site_url"), str) else None
    return build_postmortem({"site_url": site_url} if site_url else {}, Path(), url).site_url


def _runbook_problems(services: list[Any], broken: frozenset[str], site_url: str | None) -> Iterable[tuple[str, str]]:
    """A runbook that is a page on the docs site needs the site's address, and must stay inside it."""
    for index, service in enumerate(services):
        runbook = service.get("runbook") if isinstance(service, Mapping) else None
        if f"services[{index}]" in broken or not isinstance(runbook, str) or runbook.startswith(_ABSOLUTE):
            continue
        if ".." in runbook.split("/"):
            yield f"services[{index}].runbook", "a page on the docs site cannot climb out of it with '..'"
        elif not site_url:
            yield (f"services[{index}].runbook",
                   f"{_show(runbook)} is a page on the docs site, but neither postmortem.site_url nor "
                   "statuspage.url says where that site is; give the full https:// URL instead")


def _label_problems(labels: Mapping[str, str]) -> Iterable[tuple[str, str]]:
    effective = LabelNames.from_overrides(dict(labels)).names
    seen_labels: dict[str, str] = {}
    for role, name in effective.items():
        if name.casefold() in seen_labels:
            yield f"labels.{role}", f"'{name}' is also the name for '{seen_labels[name.casefold()]}'"
        seen_labels.setdefault(name.casefold(), role)


def _severity_problems(rules: Mapping[str, Any], names: Iterable[str]) -> Iterable[tuple[str, str]]:
    names = list(names)
    for rule_id, spec in rules.items():
        where = f"severity.rules.{rule_id}"
        if rule_id not in BUILTIN_RULE_IDS and ("level" not in spec or "when" not in spec):
            guess = get_close_matches(rule_id, sorted(BUILTIN_RULE_IDS), n=1)
            hint = f" (did you mean the built-in rule '{guess[0]}'?)" if guess else ""
            yield where, f"a new rule needs both 'level' and 'when'{hint}"
        when = spec.get("when") or {}
        for value in when.get("error_type") or []:
            if value not in forms.ERROR_TYPES:
                yield f"{where}.when.error_type", f"{_show(value)} is not an error type of the outage form"
        for value in when.get("scope") or []:
            if value not in forms.SCOPES:
                yield f"{where}.when.scope", f"expected one of {', '.join(forms.SCOPES)}, got {_show(value)}"
        for value in when.get("service") or []:
            if value not in names:
                yield f"{where}.when.service", f"unknown service '{value}'"


def _limit_problems(where: str, limits: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    """Bounds the schema cannot check: quantities of the right kind, min <= max, a valid pattern."""
    import re

    from responder.model.quantities import QuantityError, parse_cpu, parse_memory

    for prefix, parse in (("memory", parse_memory), ("cpu", parse_cpu)):
        bounds = {}
        for side in ("min", "max"):
            if limits.get(f"{prefix}_{side}") is not None:
                try:
                    bounds[side] = parse(limits[f"{prefix}_{side}"])
                except QuantityError as exc:
                    yield f"{where}.{prefix}_{side}", str(exc)
        if len(bounds) == 2 and bounds["min"] > bounds["max"]:
            yield f"{where}.{prefix}_min", f"{bounds['min']} is more than {prefix}_max {bounds['max']}"
    pattern = limits.get("image_tag_pattern")
    if pattern:
        try:
            re.compile(pattern)
        except re.error as exc:
            yield f"{where}.image_tag_pattern", f"not a valid regular expression: {exc}"


def _find_cycle(graph: Mapping[str, list[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if state.get(nxt) is None:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in graph:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


# ---------------------------------------------------------------- model


def build_config(raw: Mapping[str, Any], path: Path) -> Config:
    """The frozen model of a validated config: every section read once, here."""
    templates_dir = raw.get("templates_dir")
    page = build_statuspage(raw.get("statuspage") or {})
    postmortem = build_postmortem(raw.get("postmortem") or {}, path.parent, page.url)
    settings = investigation.build_settings(raw.get("investigation") or {})
    ca_file = path.parent / settings.ca_file if settings.ca_file else None
    services = tuple(_build_service(item, postmortem.site_url, TlsPolicy(settings.tls_warn_days, ca_file))
                     for item in raw["services"])
    escalation_settings = build_escalation(raw.get("escalation") or {})
    return Config(
        path=path,
        services=services,
        labels=LabelNames.from_overrides(raw.get("labels")),
        severity=build_policy(raw.get("severity")),
        min_permission=(raw.get("trust") or {}).get("min_permission", "write"),
        assignees=escalation_settings.assignees,
        bot_login=(raw.get("bot") or {}).get("login", DEFAULT_BOT_LOGIN),
        repository=raw.get("repository"),
        templates_dir=(path.parent / templates_dir) if templates_dir else None,
        guardrails=build_guardrails(raw.get("guardrails") or {}, path.parent),
        investigation=settings,
        agent=build_agent(raw.get("agent") or {}),
        secrets=secrets.settings_from_section(raw.get("secrets") or {}),
        statuspage=page,
        postmortem=postmortem,
        escalation=escalation_settings,
        notify=build_notify(raw.get("notify") or ()),
        detection=build_detection(raw.get("detection") or {}),
        metrics=build_metrics(raw.get("metrics") or {}),
        platform=build_platform(raw.get("platform")),
    )


def _build_service(item: Mapping[str, Any], site_url: str | None, tls: TlsPolicy = TlsPolicy()) -> Service:
    expect_raw = item.get("expect") or {}
    status = expect_raw.get("status", ())
    expect = Expect(
        status=tuple(status) if isinstance(status, list) else ((status,) if status else ()),
        body=expect_raw.get("body"),
        timeout_seconds=float(expect_raw.get("timeout_seconds", DEFAULT_PROBE_TIMEOUT)),
        slow_ms=expect_raw.get("slow_ms"),
    )
    kube_raw = item.get("kubernetes")
    kubernetes = (
        KubernetesTarget(
            namespace=kube_raw["namespace"],
            selector=kube_raw.get("selector"),
            deployment=kube_raw.get("deployment", item["name"]),
        )
        if kube_raw
        else None
    )
    tf_raw = item.get("terraform")
    terraform = (
        TerraformTarget(stack=tf_raw["stack"], vars_file=tf_raw.get("vars_file"), limits=tf_raw.get("limits") or {},
                        image_var=tf_raw.get("image_var") or "image_tag")
        if tf_raw
        else None
    )
    return Service(
        name=item["name"],
        title=item["title"].strip(),
        tier=item["tier"],
        url=item.get("url"),
        expect=expect,
        kubernetes=kubernetes,
        terraform=terraform,
        depends_on=tuple(item.get("depends_on") or ()),
        slo=item.get("slo"),
        description=item.get("description", ""),
        owners=tuple(item.get("owners") or ()),
        runbook=_runbook_url(item.get("runbook"), site_url),
        metrics=build_service_metrics(item.get("metrics")),
        tls=replace(tls, warn_days=int(item["tls_warn_days"])) if "tls_warn_days" in item else tls,
    )


def _runbook_url(runbook: str | None, site_url: str | None) -> str | None:
    """A runbook as a full URL: a page on the docs site is resolved against where that site is served."""
    if not runbook or runbook.startswith(_ABSOLUTE):
        return runbook or None
    if not site_url:
        return None  # validation refused it already; a hand-made config just has no link
    return urljoin(site_url if site_url.endswith("/") else site_url + "/", runbook)
