"""The issue forms: their vocabulary, their fields, and their GitHub YAML.

The forms are generated from the service catalogue (`responder templates`),
so the service dropdown always matches responder.yml. The handler parses
issue bodies against the same in-memory forms, never against files an
attacker could have edited.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from responder.errors import InputError
from responder.model.changes import CHANGE_KINDS, SOMETHING_ELSE
from responder.model.platform import DNS, REQUEST_KINDS
from responder.model.vocabulary import (  # noqa: F401 - the forms' words, used as forms.X
    ERROR_502,
    ERROR_503,
    ERROR_COSMETIC,
    ERROR_DATA,
    ERROR_FEATURE,
    ERROR_LOGIN,
    ERROR_OTHER,
    ERROR_SECURITY,
    ERROR_SLOW,
    ERROR_TYPES,
    ERROR_WONT_LOAD,
    KIND_FEATURE,
    KIND_OUTAGE,
    KIND_PLATFORM,
    KIND_UNKNOWN,
    OTHER_SERVICE,
    REPORTED_STATE,
    SCOPE_EVERYONE,
    SCOPE_ME,
    SCOPE_MULTIPLE,
    SCOPE_UNSURE,
    SCOPES,
    normalise_label,
)

if TYPE_CHECKING:
    from responder.config.loader import Config

FIELD_TYPES = ("input", "textarea", "dropdown", "checkboxes")
_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class Field:
    id: str
    type: str
    label: str
    required: bool = False
    options: tuple[str, ...] = ()
    multiple: bool = False
    description: str = ""
    placeholder: str = ""
    render: str = ""
    # For checkboxes: the options that must be ticked.
    required_options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Condition:
    """Fields a form needs only for one answer of another field: what a platform request needs
    depends on which request it is. GitHub's forms cannot say this, so the parser does."""

    field: str  # the deciding field's id (a dropdown)
    option: str  # the answer that needs them
    required: tuple[str, ...] = ()  # each must be answered
    any_of: tuple[str, ...] = ()  # at least one must be answered


@dataclass(frozen=True)
class FormSpec:
    """One issue form, as the parser and the generator see it."""

    name: str
    kind: str
    file_name: str
    description: str
    title: str
    labels: tuple[str, ...]
    fields: tuple[Field, ...]
    intro: str = ""
    conditions: tuple[Condition, ...] = ()
    _by_label: Mapping[str, Field] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_label", {normalise_label(f.label): f for f in self.fields})

    def field_for_heading(self, heading: str) -> Field | None:
        return self._by_label.get(normalise_label(heading))

    def field_by_id(self, field_id: str) -> Field | None:
        for candidate in self.fields:
            if candidate.id == field_id:
                return candidate
        return None


def outage_form(config: Config) -> FormSpec:
    services = (*(s.title for s in config.services), OTHER_SERVICE)
    return FormSpec(
        name="Outage report",
        kind=KIND_OUTAGE,
        file_name="outage-report.yml",
        description="Something is broken or unreachable. The responder checks it within minutes.",
        title="[Outage]: ",
        labels=(config.labels["user-report"],),
        intro=_intro(
            "Thanks for reporting! The responder probes the service, classifies the incident "
            "and either fixes it or hands it to a person, and tells you on this issue.",
            config,
        ),
        fields=(
            Field("service", "dropdown", "Which service is affected?", required=True, options=services,
                  description="Pick \"Other / not sure\" if it is not listed."),
            Field("description", "textarea", "What do you see?", required=True,
                  description="The error message or behaviour, and what you expected instead.",
                  placeholder=_example_symptom(config)),
            Field("error_type", "dropdown", "What kind of error?", required=True, options=ERROR_TYPES),
            Field("scope", "dropdown", "Who is affected?", options=SCOPES),
            Field("when", "input", "When did it start?", placeholder="e.g. 14:00 UTC, or since this morning"),
            Field("url", "input", "Which URL were you using?", placeholder="https://"),
        ),
    )


def _example_symptom(config: Config) -> str:
    """The description's example, about a service of this catalogue: an application people open in a
    browser (a standard-tier service with a URL) when there is one, else the first service."""
    preference = {"standard": 0, "low": 1, "critical": 2, "core": 3}
    ranked = sorted(config.services, key=lambda service: (not service.url, preference.get(service.tier, 4)))
    example = ranked[0].title if ranked else "The wiki"
    return f"{example} returns 502 Bad Gateway since about 14:00 UTC. Other sites work."


def feature_form(config: Config) -> FormSpec:
    services = (*(s.title for s in config.services), OTHER_SERVICE)
    changes = (*(kind.option for kind in CHANGE_KINDS), SOMETHING_ELSE)
    hints = "; ".join(f"{kind.option}: {kind.value_hint}" for kind in CHANGE_KINDS)
    return FormSpec(
        name="Feature request",
        kind=KIND_FEATURE,
        file_name="feature-request.yml",
        description="Ask for a change: more replicas, more memory, a new image tag, or something else.",
        title="[Request]: ",
        labels=(config.labels["feature-request"],),
        intro=_intro(
            "Supported changes within the configured limits are carried out through Terraform "
            "and committed; anything else is assessed and handed to a person.",
            config,
        ),
        fields=(
            Field("service", "dropdown", "Which service?", required=True, options=services),
            Field("change", "dropdown", "What should change?", required=True, options=changes),
            Field("value", "input", "New value", description=f"{hints}.", placeholder="e.g. 3, 1Gi, 500m, 1.27.3"),
            Field("description", "textarea", "Why is it needed?", required=True,
                  description="What you need and why. For \"Something else\", describe the change."),
        ),
    )


def _intro(text: str, config: Config) -> str:
    status_url = config.statuspage_url
    if status_url:
        return f"{text}\n\nBefore filing, check the [status page]({status_url})."
    return text


def platform_form(config: Config) -> FormSpec | None:
    """The self-service form, when responder.yml has a `platform:` section; None otherwise."""
    platform = config.platform
    if platform is None:
        return None
    namespaces = platform.namespaces
    kinds = [kind for kind in REQUEST_KINDS if kind.section != DNS or platform.dns is not None]
    default, most = namespaces.quota_default, namespaces.quota_max
    roles = ", ".join(namespaces.roles)
    fields = [
        Field("request", "dropdown", "What do you need?", required=True, options=tuple(k.option for k in kinds)),
        Field("namespace", "input", "Namespace",
              description="For namespace requests: the namespace's name (lowercase letters, digits and dashes).",
              placeholder="e.g. team-a"),
        Field("members", "input", "Members",
              description="GitHub logins, comma-separated. For a new namespace, leave it empty to be its only "
                          f"member, with the {namespaces.top_role} role.",
              placeholder="e.g. dana, lee"),
        Field("role", "input", "Role",
              description=f"For access requests: one of {roles}. A new namespace's members get "
                          f"{namespaces.top_role} unless you name another.",
              placeholder=f"e.g. {namespaces.roles[0]}"),
        Field("cpu", "input", "CPU quota",
              description=f"Cores or millicores, at most {most.cpu}. A new namespace gets {default.cpu} by default.",
              placeholder=f"e.g. {default.cpu}"),
        Field("memory", "input", "Memory quota",
              description=f"At most {most.memory}. A new namespace gets {default.memory} by default.",
              placeholder=f"e.g. {default.memory}"),
        Field("pods", "input", "Pod limit",
              description=f"At most {most.pods}. A new namespace gets {default.pods} by default.",
              placeholder=f"e.g. {default.pods}"),
    ]
    if platform.dns is not None:
        zones = ", ".join(platform.dns.zones)
        fields += [
            Field("record_name", "input", "Record name",
                  description=f"For DNS records: the full name, inside {zones}.",
                  placeholder=f"e.g. wiki.{platform.dns.zones[0]}"),
            Field("record_type", "input", "Record type", description=f"One of {', '.join(platform.dns.types)}.",
                  placeholder=f"e.g. {platform.dns.types[-1]}"),
            Field("record_value", "input", "Record value",
                  description="An IPv4 address for A, an IPv6 address for AAAA, a host name for CNAME."),
        ]
    fields += [
        Field("url", "input", "URL to monitor", description="For a new monitor: the https:// address to check.",
              placeholder="https://"),
        Field("service_name", "input", "Monitor name",
              description="A short name for the catalogue: lowercase letters, digits and dashes.",
              placeholder="e.g. wiki"),
        Field("title", "input", "Monitor title", description="How the status page and the forms show it.",
              placeholder="e.g. Team wiki"),
        Field("tier", "dropdown", "Tier", options=("core", "critical", "standard", "low"),
              description=f"How much it matters (low if not given). {_tiers_text(platform.monitors.tiers)}"),
        Field("reason", "textarea", "Why is it needed?", required=True,
              description="What it is for. The responder puts it in the commit."),
    ]
    conditions = tuple(Condition("request", kind.option, kind.required, kind.any_of) for kind in kinds)
    return FormSpec(
        name="Platform request",
        kind=KIND_PLATFORM,
        file_name="platform-request.yml",
        description="Self-service: a namespace with a quota, access to one, a DNS record, or a new monitor.",
        title="[Platform]: ",
        labels=(config.labels["platform-request"],),
        intro=_intro(
            "Requests within the platform's limits are carried out through Terraform and committed "
            "within minutes; anything else is assessed and handed to a person. Fill in only the fields "
            "your request needs.",
            config,
        ),
        fields=tuple(fields),
        conditions=conditions,
    )


def _tiers_text(tiers: tuple[str, ...]) -> str:
    return f"Self-service: {' or '.join(tiers)}; other tiers need a person."


def forms_for(config: Config) -> tuple[FormSpec, ...]:
    """Every form people file issues through: outage reports, feature requests, and platform requests
    when responder.yml configures them."""
    platform = platform_form(config)
    return (outage_form(config), feature_form(config), *((platform,) if platform is not None else ()))


def form_to_yaml_data(form: FormSpec) -> dict[str, Any]:
    """The form in GitHub's issue-form schema, ready to dump as YAML."""
    body: list[dict[str, Any]] = []
    if form.intro:
        body.append({"type": "markdown", "attributes": {"value": form.intro}})
    for f in form.fields:
        attributes: dict[str, Any] = {"label": f.label}
        if f.description:
            attributes["description"] = f.description
        if f.type == "dropdown":
            if f.multiple:
                attributes["multiple"] = True
            attributes["options"] = list(f.options)
        elif f.type == "checkboxes":
            attributes["options"] = [
                {"label": o, **({"required": True} if o in f.required_options else {})} for o in f.options
            ]
        else:
            if f.placeholder:
                attributes["placeholder"] = f.placeholder
            if f.render and f.type == "textarea":
                attributes["render"] = f.render
        item: dict[str, Any] = {"type": f.type, "id": f.id, "attributes": attributes}
        if f.required:
            item["validations"] = {"required": True}
        body.append(item)
    return {
        "name": form.name,
        "description": form.description,
        "title": form.title,
        "labels": list(form.labels),
        "body": body,
    }


def issue_config_data(config: Config) -> dict[str, Any]:
    """.github/ISSUE_TEMPLATE/config.yml: no blank issues, and where to look first."""
    links: list[dict[str, str]] = []
    if config.statuspage_url:
        links.append({
            "name": "Status page",
            "url": config.statuspage_url,
            "about": "See whether a service is already known to be down before filing a report.",
        })
    data: dict[str, Any] = {"blank_issues_enabled": False}
    if links:
        data["contact_links"] = links
    return data


def load_template(path: Path) -> FormSpec:
    """Read a GitHub issue-form YAML file (for `responder parse --template`)."""
    from responder.config import yaml_codec

    try:
        raw = yaml_codec.load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read template {path}: {exc.strerror}") from exc
    except yaml_codec.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("body"), list):
        raise InputError(f"{path}: not an issue form (expected a mapping with a 'body' list)")
    fields: list[Field] = []
    for index, item in enumerate(raw["body"]):
        if not isinstance(item, dict) or item.get("type") == "markdown":
            continue
        kind = item.get("type")
        attributes = item.get("attributes") or {}
        label = attributes.get("label")
        if kind not in FIELD_TYPES or not isinstance(label, str) or not label.strip():
            raise InputError(f"{path}: body[{index}] is not a field this parser understands (type {kind!r})")
        field_id = item.get("id") or heading_key(label)
        if not _ID_PATTERN.match(str(field_id)):
            raise InputError(f"{path}: body[{index}].id {field_id!r} is not a valid field id")
        options: tuple[str, ...] = ()
        required_options: tuple[str, ...] = ()
        if kind == "dropdown":
            options = tuple(str(o) for o in attributes.get("options") or ())
        elif kind == "checkboxes":
            raw_options = [o for o in attributes.get("options") or () if isinstance(o, dict)]
            options = tuple(str(o.get("label", "")) for o in raw_options)
            required_options = tuple(str(o.get("label", "")) for o in raw_options if o.get("required"))
        fields.append(Field(
            id=str(field_id),
            type=kind,
            label=label.strip(),
            required=bool((item.get("validations") or {}).get("required")),
            options=options,
            multiple=bool(attributes.get("multiple")),
            render=str(attributes.get("render") or ""),
            required_options=required_options,
        ))
    labels = raw.get("labels") or ()
    if isinstance(labels, str):
        labels = [part.strip() for part in labels.split(",")]
    return FormSpec(
        name=str(raw.get("name") or path.stem),
        kind=KIND_UNKNOWN,
        file_name=path.name,
        description=str(raw.get("description") or ""),
        title=str(raw.get("title") or ""),
        labels=tuple(str(label) for label in labels),
        fields=tuple(fields),
    )


def heading_key(label: str) -> str:
    """The key GitHub's issue-ops parser derives from a label without an id."""
    key = label.strip().lower().replace(" ", "_")
    key = re.sub(r"[^a-z0-9_]", "", key)
    return key.strip("_") or "field"
