"""A platform request's answers, read into a PlatformAsk: every malformed answer is named.

Pure. What is malformed (a quota that is no quantity, a login GitHub would refuse, an address that
is no address) goes back to the author through the needs-info path, naming the fields, since only
they can fix it; what is well-formed but outside the platform's limits is for the assessment
(responder/changes/platform.py) to refuse, naming the limit.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from responder.forms.answers import ParsedForm, Problem
from responder.model.platform import DNS, DnsRecord, PlatformAsk, request_kind_for_option
from responder.model.quantities import Quantity, QuantityError, parse_cpu, parse_memory

if TYPE_CHECKING:
    from responder.config.loader import Config

_LOGIN = re.compile(r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}")
_ROLE = re.compile(r"[A-Za-z][A-Za-z0-9:_-]{0,62}")
_NAMESPACE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")  # what could be meant; the name pattern decides
_SERVICE_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")  # services[].name in responder.yml
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
_PODS = re.compile(r"[0-9]{1,5}")
MAX_TITLE = 80


@dataclass(frozen=True)
class AskReading:
    ask: PlatformAsk | None  # None: the request kind is unknown, or some answer is malformed
    problems: tuple[Problem, ...] = ()


def read_ask(parsed: ParsedForm, config: Config, requester: str) -> AskReading:
    """The request in a valid form's answers; malformed answers as problems (field id and why)."""
    kind = request_kind_for_option(parsed.choice("request") or "")
    if kind is None:
        return AskReading(None)  # the form's own validation has reported it
    if kind.section == DNS and (config.platform is None or config.platform.dns is None):
        return AskReading(None, (Problem("request", "DNS records are not self-service here (responder.yml "
                                                    "configures no platform.dns)"),))
    problems: list[Problem] = []
    wanted = set(kind.required) | set(kind.any_of)

    def text(field_id: str) -> str | None:
        value = parsed.text(field_id)
        return value.strip() if value and field_id in wanted | _OPTIONAL.get(kind.key, set()) else None

    namespace = text("namespace")
    if namespace is not None and not _NAMESPACE.fullmatch(namespace):
        problems.append(Problem("namespace", f"{_quote(namespace)} is not a namespace name (lowercase letters, "
                                             "digits and dashes)"))
    members = _members(text("members"), problems)
    role = text("role")
    if role is not None and not _ROLE.fullmatch(role):
        problems.append(Problem("role", f"{_quote(role)} is not a role name"))
    cpu = _quantity(text("cpu"), "cpu", parse_cpu, problems)
    memory = _quantity(text("memory"), "memory", parse_memory, problems)
    pods = _pods(text("pods"), problems)
    record = _record(text("record_name"), text("record_type"), text("record_value"), problems)
    url = text("url")
    if url is not None and not _is_web_address(url):
        problems.append(Problem("url", f"{_quote(url)} is not an http:// or https:// address"))
    service_name = text("service_name")
    if service_name is not None and not _SERVICE_NAME.fullmatch(service_name):
        problems.append(Problem("service_name", f"{_quote(service_name)} is not a catalogue name (lowercase "
                                                "letters, digits and inner dashes, at most 63)"))
    title = text("title")
    if title is not None and (len(title) > MAX_TITLE or "\n" in title):
        problems.append(Problem("title", f"must be one line of at most {MAX_TITLE} characters"))
    if problems:
        return AskReading(None, tuple(problems))
    tier = parsed.choice("tier") if kind.key == "monitor" else None
    return AskReading(PlatformAsk(
        kind=kind, requester=requester, reason=parsed.text("reason") or "", namespace=namespace,
        members=members, role=role, cpu=cpu, memory=memory, pods=pods, record=record, url=url,
        service_name=service_name, title=title, tier=tier,
    ))


# Answers a kind reads when given, besides the ones it needs.
_OPTIONAL: dict[str, set[str]] = {
    "new-namespace": {"members", "role", "cpu", "memory", "pods"},
}


def _members(value: str | None, problems: list[Problem]) -> tuple[str, ...]:
    if value is None:
        return ()
    logins: dict[str, None] = {}
    for part in re.split(r"[,\s]+", value):
        login = part.strip().removeprefix("@")
        if not login:
            continue
        if not _LOGIN.fullmatch(login):
            problems.append(Problem("members", f"{_quote(login)} is not a GitHub login"))
            continue
        logins.setdefault(login, None)
    return tuple(logins)


def _quantity(value: str | None, field_id: str, parse: Callable[[str], Quantity],
              problems: list[Problem]) -> Quantity | None:
    if value is None:
        return None
    try:
        return parse(value)
    except QuantityError as exc:
        problems.append(Problem(field_id, str(exc)))
        return None


def _pods(value: str | None, problems: list[Problem]) -> int | None:
    if value is None:
        return None
    if not _PODS.fullmatch(value) or int(value) < 1:
        problems.append(Problem("pods", f"{_quote(value)} is not a whole number of pods (1 or more)"))
        return None
    return int(value)


def _record(name: str | None, kind: str | None, value: str | None, problems: list[Problem]) -> DnsRecord | None:
    if name is None or kind is None or value is None:
        return None
    name, kind = name.rstrip(".").lower(), kind.upper()
    if not is_host_name(name):
        problems.append(Problem("record_name", f"{_quote(name)} is not a DNS name"))
    if kind == "A" and not _is_ip(value, 4):
        problems.append(Problem("record_value", f"{_quote(value)} is not an IPv4 address, which an A record needs"))
    elif kind == "AAAA" and not _is_ip(value, 6):
        problems.append(Problem("record_value", f"{_quote(value)} is not an IPv6 address, which an AAAA record "
                                                "needs"))
    elif kind == "CNAME":
        value = value.rstrip(".").lower()
        if not is_host_name(value):
            problems.append(Problem("record_value", f"{_quote(value)} is not a host name, which a CNAME record "
                                                    "needs"))
    elif kind not in ("A", "AAAA") and not re.fullmatch(r"[A-Z]{1,10}", kind):
        problems.append(Problem("record_type", f"{_quote(kind)} is not a record type"))
    return DnsRecord(name, kind, value.strip())


def is_host_name(name: str) -> bool:
    labels = name.split(".")
    return len(name) <= 253 and len(labels) >= 2 and all(_HOST_LABEL.fullmatch(label) for label in labels)


def _is_ip(value: str, version: int) -> bool:
    try:
        return ipaddress.ip_address(value.strip()).version == version
    except ValueError:
        return False


def _is_web_address(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in url


def _quote(text: str) -> str:
    shown = text if len(text) <= 60 else text[:57] + "..."
    return '"' + shown.replace('"', "'") + '"'
