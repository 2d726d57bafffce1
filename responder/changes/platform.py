"""Is a platform request within the platform's limits, and what edit carries it out?

Pure: the request (a PlatformAsk read from the form), responder.yml's `platform:` section and what
the platform's vars files hold now (an Inventory) in; a verdict out, naming the rule and the
allowed range when it refuses, and otherwise the one FileEdit that carries the request out. The
guarded change engine then plans that edit like any other change, or, for a new monitor, commits
it to responder.yml without Terraform.

Access is one RoleBinding per namespace and grantable role, whose subjects change in place: a grant
or a revoke edits the namespace's members map and never deletes anything. A namespace always keeps
someone holding its most privileged grantable role, so a team cannot lock itself out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from responder.changes import tfvars
from responder.config.loader import Config
from responder.config.platform import FORBIDDEN_ROLES, PlatformSettings, quota_from
from responder.model.changes import ABSENT, ChangeRequest, FileEdit
from responder.model.platform import DNS, MONITORS, NAMESPACES, DnsRecord, Inventory, Namespace, PlatformAsk
from responder.model.quantities import QuantityError
from responder.model.vocabulary import normalise_label

# Why a request is not carried out (PreparedChange.BLOCKED_BY values the escalation explains).
NOT_CONFIGURED = "not-configured"  # responder.yml has no part for it, or its vars file cannot be read
OUT_OF_BOUNDS = "out-of-bounds"  # outside a limit of the platform section
CONFLICT = "conflict"  # at odds with what the platform holds now (exists, missing, the last admin)
# The resource types a new namespace may create in the platform's own stack, though they are protected
# everywhere else (guardrails.protected_resource_types, protected_manifest_kinds): never changed or deleted.
NAMESPACE_TYPES = ("kubernetes_namespace", "kubernetes_namespace_v1", "Namespace")


@dataclass(frozen=True)
class PlatformCheck:
    ok: bool
    reasons: tuple[str, ...]  # why not, naming the rule; or the checks that passed
    problem: str = ""  # NOT_CONFIGURED | OUT_OF_BOUNDS | CONFLICT when not ok
    edit: FileEdit | None = None


def change_request(ask: PlatformAsk, edit: FileEdit) -> ChangeRequest:
    return ChangeRequest(service=ask.kind.target, kind=ask.kind.key, value=ask.requested, reason=ask.reason,
                         commit_type="feat", edit=edit)


def record_key(ask: PlatformAsk) -> ChangeRequest:
    """What the change record of this request is found by (the edit depends on the platform's state,
    which the request itself changes: a re-run must find the record without it)."""
    return ChangeRequest(service=ask.kind.target, kind=ask.kind.key, value=ask.requested, reason=ask.reason)


# ---------------------------------------------------------------- what the platform holds


def read_inventory(namespaces_text: str | None, records_text: str | None) -> Inventory:
    """The namespaces and records the vars files hold; a file that cannot be read is a problem of its part."""
    problems: dict[str, str] = {}
    namespaces: dict[str, Namespace] = {}
    records: list[DnsRecord] = []
    if namespaces_text is not None:
        try:
            raw = tfvars.read_value(namespaces_text, "namespaces")
            if not isinstance(raw, Mapping):
                raise tfvars.VarsFileError("sets 'namespaces' to something other than a map")
            for name, spec in raw.items():
                spec = spec if isinstance(spec, Mapping) else {}
                quota = _mapping(spec.get("quota"))
                members = _mapping(spec.get("members"))
                namespaces[str(name)] = Namespace(str(name), dict(quota), {str(k): str(v) for k, v in members.items()})
        except tfvars.VarsFileError as exc:
            problems[NAMESPACES] = f"the namespaces' vars file {exc}"
    if records_text is not None:
        try:
            raw_records = tfvars.read_value(records_text, "records")
            if not isinstance(raw_records, list):
                raise tfvars.VarsFileError("sets 'records' to something other than a list")
            for item in raw_records:
                if isinstance(item, Mapping):
                    records.append(DnsRecord(str(item.get("name", "")).rstrip(".").lower(),
                                             str(item.get("type", "")).upper(), str(item.get("value", ""))))
        except tfvars.VarsFileError as exc:
            problems[DNS] = f"the DNS records' vars file {exc}"
    return Inventory(namespaces=namespaces, records=tuple(records), problems=problems)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


# ---------------------------------------------------------------- the check


def check(ask: PlatformAsk, config: Config, inventory: Inventory) -> PlatformCheck:
    platform = config.platform
    if platform is None:
        return _refused(NOT_CONFIGURED, "responder.yml has no platform: section, so nothing is self-service")
    section = ask.kind.section
    if section == DNS and platform.dns is None:
        return _refused(NOT_CONFIGURED, "DNS records are not self-service here (responder.yml configures no "
                                        "platform.dns)")
    if section in inventory.problems:
        return _refused(NOT_CONFIGURED, inventory.problems[section])
    if section == NAMESPACES:
        return _namespace_request(ask, platform, inventory)
    if section == DNS:
        return _dns_request(ask, platform, inventory)
    if section == MONITORS:
        return _monitor_request(ask, config)
    return _refused(NOT_CONFIGURED, f"{ask.kind.option!r} is not a request the responder carries out")


def _refused(problem: str, *reasons: str) -> PlatformCheck:
    return PlatformCheck(False, tuple(reasons), problem)


# ---------------------------------------------------------------- namespaces, quotas, access


def _namespace_request(ask: PlatformAsk, platform: PlatformSettings, inventory: Inventory) -> PlatformCheck:
    settings = platform.namespaces
    name = ask.namespace or ""
    if name in settings.reserved:
        return _refused(OUT_OF_BOUNDS, f"namespace {name} is reserved (platform.namespaces.reserved: "
                                       f"{', '.join(settings.reserved)}): self-service never touches it")
    current = inventory.namespaces.get(name)
    if ask.kind.key == "new-namespace":
        if not re.fullmatch(settings.name_pattern, name):
            return _refused(OUT_OF_BOUNDS, f"namespace name {name} does not match the pattern "
                                           f"{settings.name_pattern} (platform.namespaces.name_pattern)")
        if current is not None:
            return _refused(CONFLICT, f"namespace {name} already exists: ask for a quota change or for access "
                                      "instead")
    elif current is None:
        return _refused(CONFLICT, f"namespace {name} is not one of the platform's namespaces "
                                  f"({platform.vars_path} has no such entry)")
    role_problem = _role_refusal(ask, platform)
    if role_problem is not None:
        return role_problem
    quota_problem = _quota_refusal(ask, platform)
    if quota_problem is not None:
        return quota_problem
    handler = {"new-namespace": _new_namespace, "quota": _quota_change, "grant": _grant, "revoke": _revoke}
    return handler[ask.kind.key](ask, platform, current)


def _role_refusal(ask: PlatformAsk, platform: PlatformSettings) -> PlatformCheck | None:
    role = ask.role
    if role is None or ask.kind.key not in ("new-namespace", "grant"):
        return None
    allowed = ", ".join(platform.namespaces.roles)
    if role.lower() in FORBIDDEN_ROLES:
        return _refused(OUT_OF_BOUNDS, f"role {role} is never granted by self-service: admin and cluster-admin "
                                       f"need a person (grantable: platform.namespaces.roles: {allowed})")
    if role not in platform.namespaces.roles:
        return _refused(OUT_OF_BOUNDS, f"role {role} is not grantable by self-service (platform.namespaces.roles: "
                                       f"{allowed})")
    return None


def _quota_refusal(ask: PlatformAsk, platform: PlatformSettings) -> PlatformCheck | None:
    most = platform.namespaces.quota_max
    for resource, wanted, cap in (("cpu", ask.cpu, most.cpu), ("memory", ask.memory, most.memory)):
        if wanted is not None and wanted > cap:
            return _refused(OUT_OF_BOUNDS, f"{resource} quota {wanted} is above the maximum of {cap} "
                                           f"(platform.namespaces.quota_max.{resource}: allowed up to {cap})")
    if ask.pods is not None and ask.pods > most.pods:
        return _refused(OUT_OF_BOUNDS, f"a pod limit of {ask.pods} is above the maximum of {most.pods} "
                                       f"(platform.namespaces.quota_max.pods: allowed 1 to {most.pods})")
    return None


def _new_namespace(ask: PlatformAsk, platform: PlatformSettings, current: Namespace | None) -> PlatformCheck:
    settings = platform.namespaces
    default = settings.quota_default
    quota = {"cpu": (ask.cpu or default.cpu).text, "memory": (ask.memory or default.memory).text,
             "pods": ask.pods if ask.pods is not None else default.pods}
    role = ask.role or settings.top_role
    members = dict.fromkeys(ask.members, role)
    notes = []
    if settings.top_role not in members.values():
        # Someone must be able to grant access later: the requester, when nobody else would.
        members[ask.requester] = settings.top_role
        notes.append(f"{ask.requester} (who asked) holds {settings.top_role}, so someone can manage access")
    asked = [f"{resource} {value}" for resource, value in (("cpu", ask.cpu), ("memory", ask.memory),
                                                           ("pods", ask.pods)) if value is not None]
    summary = f"namespace {ask.namespace} with quota " + (", ".join(asked) if asked else
                                                          f"cpu {quota['cpu']}, memory {quota['memory']}")
    value = {"quota": quota, "members": members}
    edit = FileEdit(file=platform.vars_path, stack=platform.stack, path=("namespaces", ask.namespace or ""),
                    value=value, expected=ABSENT, summary=summary, may_create=NAMESPACE_TYPES)
    reasons = (f"namespace {ask.namespace} matches {settings.name_pattern} and is not reserved",
               f"quota cpu {quota['cpu']}, memory {quota['memory']}, pods {quota['pods']} is within the maximum "
               f"(cpu {settings.quota_max.cpu}, memory {settings.quota_max.memory}, pods {settings.quota_max.pods})",
               "members: " + ", ".join(f"{login} ({settings.subject(login)}) {grant}"
                                       for login, grant in members.items()),
               *notes)
    return PlatformCheck(True, reasons, edit=edit)


def _quota_change(ask: PlatformAsk, platform: PlatformSettings, current: Namespace | None) -> PlatformCheck:
    assert current is not None
    settings = platform.namespaces
    quota = dict(current.quota)
    changes = []
    for resource, wanted in (("cpu", ask.cpu), ("memory", ask.memory)):
        if wanted is not None:
            changes.append(f"{resource} from {quota.get(resource, 'unset')} to {wanted.text}")
            quota[resource] = wanted.text
    if ask.pods is not None:
        changes.append(f"pods from {quota.get('pods', 'unset')} to {ask.pods}")
        quota["pods"] = ask.pods
    try:
        quota_from({**settings.quota_default.to_json(), **quota})
    except (QuantityError, KeyError, ValueError, TypeError) as exc:
        return _refused(NOT_CONFIGURED, f"namespace {ask.namespace}'s quota in {platform.vars_path} cannot be read: "
                                        f"{exc}")
    edit = FileEdit(file=platform.vars_path, stack=platform.stack, path=("namespaces", ask.namespace or "", "quota"),
                    value=quota, expected=dict(current.quota),
                    summary=f"change namespace {ask.namespace} quota: " + ", ".join(changes))
    return PlatformCheck(True, (f"the new quota is within the maximum (cpu {settings.quota_max.cpu}, memory "
                                f"{settings.quota_max.memory}, pods {settings.quota_max.pods})",), edit=edit)


def _grant(ask: PlatformAsk, platform: PlatformSettings, current: Namespace | None) -> PlatformCheck:
    assert current is not None and ask.role is not None
    members = {**current.members, **dict.fromkeys(ask.members, ask.role)}
    lockout = _lockout(current, members, platform)
    if lockout is not None:
        return lockout
    edit = _members_edit(ask, platform, current, members,
                         f"grant {ask.role} in namespace {ask.namespace} to {', '.join(ask.members)}")
    subjects = ", ".join(platform.namespaces.subject(login) for login in ask.members)
    return PlatformCheck(True, (f"role {ask.role} is grantable (platform.namespaces.roles: "
                                f"{', '.join(platform.namespaces.roles)})",
                                f"the {ask.role} RoleBinding of {ask.namespace} gains {subjects} in place"), edit=edit)


def _revoke(ask: PlatformAsk, platform: PlatformSettings, current: Namespace | None) -> PlatformCheck:
    assert current is not None
    strangers = [login for login in ask.members if login not in current.members]
    if strangers:
        return _refused(CONFLICT, f"{', '.join(strangers)} {'is' if len(strangers) == 1 else 'are'} not a member of "
                                  f"namespace {ask.namespace}: there is no access to revoke")
    members = {login: role for login, role in current.members.items() if login not in ask.members}
    lockout = _lockout(current, members, platform)
    if lockout is not None:
        return lockout
    edit = _members_edit(ask, platform, current, members,
                         f"revoke access to namespace {ask.namespace} from {', '.join(ask.members)}")
    return PlatformCheck(True, (f"namespace {ask.namespace} keeps a member holding {platform.namespaces.top_role}",
                                "the RoleBindings' subjects change in place: nothing is deleted"), edit=edit)


def _lockout(current: Namespace, members: Mapping[str, str], platform: PlatformSettings) -> PlatformCheck | None:
    """Refuse a change that leaves nobody holding the most privileged grantable role (it had someone)."""
    top = platform.namespaces.top_role
    if top in current.members.values() and top not in members.values():
        holders = ", ".join(login for login, role in current.members.items() if role == top)
        return _refused(CONFLICT, f"namespace {current.name} would have nobody holding {top}, its most privileged "
                                  f"grantable role (held now by {holders}): grant it to someone else first")
    return None


def _members_edit(ask: PlatformAsk, platform: PlatformSettings, current: Namespace, members: Mapping[str, str],
                  summary: str) -> FileEdit:
    return FileEdit(file=platform.vars_path, stack=platform.stack,
                    path=("namespaces", ask.namespace or "", "members"), value=dict(members),
                    expected=dict(current.members), summary=summary)


# ---------------------------------------------------------------- DNS records


def _dns_request(ask: PlatformAsk, platform: PlatformSettings, inventory: Inventory) -> PlatformCheck:
    dns = platform.dns
    record = ask.record
    assert dns is not None and record is not None
    if record.type not in dns.types:
        return _refused(OUT_OF_BOUNDS, f"record type {record.type} is not self-service (platform.dns.types: "
                                       f"{', '.join(dns.types)})")
    zone = next((zone for zone in dns.zones if record.name.endswith("." + zone)), None)
    if zone is None:
        apex = record.name in dns.zones
        where = "is a zone's apex, which" if apex else "is outside the zones records may be made in"
        return _refused(OUT_OF_BOUNDS, f"{record.name} {where} (platform.dns.zones: {', '.join(dns.zones)}; a "
                                       "record is a name inside one of them)")
    same_name = [existing for existing in inventory.records if existing.name == record.name]
    if same_name and (record.type == "CNAME" or any(r.type in ("CNAME", record.type) for r in same_name)):
        shown = ", ".join(f"{r.type} {r.value}" for r in same_name)
        return _refused(CONFLICT, f"{record.name} already has a record ({shown}): changing or replacing one "
                                  "needs a person")
    edit = FileEdit(file=f"{dns.stack.rstrip('/')}/{dns.vars_file}", stack=dns.stack,
                    path=("records", len(inventory.records)),
                    value={"name": record.name, "type": record.type, "value": record.value}, expected=ABSENT,
                    summary=f"DNS record {record.name} {record.type} {record.value}")
    return PlatformCheck(True, (f"{record.name} is inside the zone {zone}", f"type {record.type} is allowed",
                                f"no record for {record.name} exists yet"), edit=edit)


# ---------------------------------------------------------------- monitors


def _monitor_request(ask: PlatformAsk, config: Config) -> PlatformCheck:
    platform = config.platform
    assert platform is not None and ask.url and ask.service_name and ask.title
    tier = ask.tier or "low"
    if tier not in platform.monitors.tiers:
        return _refused(OUT_OF_BOUNDS, f"tier {tier} is not self-service (platform.monitors.tiers: "
                                       f"{', '.join(platform.monitors.tiers)}): a {tier} service changes how "
                                       "incidents are classified")
    for service in config.services:
        if service.name == ask.service_name:
            return _refused(CONFLICT, f"the catalogue already has a service named {ask.service_name} "
                                      f"({service.title})")
        if normalise_label(service.title) == normalise_label(ask.title):
            return _refused(CONFLICT, f"the catalogue already has a service titled {service.title} "
                                      f"({service.name}): titles must differ")
        if service.url and service.url.rstrip("/") == ask.url.rstrip("/"):
            return _refused(CONFLICT, f"{ask.url} is already monitored as {service.name}")
    entry: dict[str, Any] = {"name": ask.service_name, "title": ask.title, "tier": tier, "url": ask.url}
    edit = FileEdit(file=config.path.name, stack=None, path=("services", len(config.services)), value=entry,
                    expected=ABSENT, summary=f"monitor {ask.url} as {ask.service_name}")
    return PlatformCheck(True, (f"tier {tier} is self-service (platform.monitors.tiers: "
                                f"{', '.join(platform.monitors.tiers)})",
                                f"no service is named {ask.service_name}, titled {ask.title} or at {ask.url}"),
                         edit=edit)


def quota_text(quota: Mapping[str, Any]) -> str:
    """A quota as people read it: "cpu 2, memory 4Gi, pods 20"."""
    return ", ".join(f"{key} {quota[key]}" for key in ("cpu", "memory", "pods") if key in quota)


def edit_refusal(edit: FileEdit, config: Config) -> str | None:
    """Why the change engine must not make this edit: it names a file responder.yml's platform: section does
    not (edits come from the checks above, so this is defence in depth), or a stack the file is not read by."""
    platform = config.platform
    if platform is None:
        return "responder.yml has no platform: section, so no platform edit is made"
    allowed: list[tuple[str, str | None]] = [(platform.vars_path, platform.stack), (config.path.name, None)]
    if platform.dns is not None:
        allowed.append((f"{platform.dns.stack.rstrip('/')}/{platform.dns.vars_file}", platform.dns.stack))
    if (edit.file, edit.stack) not in allowed:
        return (f"{edit.file} is not a file platform requests may change (the platform's vars files in their "
                "stacks, or the catalogue in responder.yml)")
    if edit.stack is None and (len(edit.path) != 2 or edit.path[0] != "services"):
        return "responder.yml is changed only by adding a service to its catalogue"
    return None
