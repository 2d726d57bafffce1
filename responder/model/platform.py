"""Self-service platform requests as facts: the kinds of request, and what the platform holds now.

Data only. The form offers the kinds (responder/forms/specs.py), the config section sets their limits
(responder/config/platform.py), and the pure checks and edits are in responder/changes/platform.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from responder.model.quantities import Quantity

NAMESPACES = "namespaces"  # the section of responder.yml's platform: each kind belongs to
DNS = "dns"
MONITORS = "monitors"


@dataclass(frozen=True)
class RequestKind:
    key: str  # kept in the change record: "new-namespace"
    option: str  # the form's dropdown text
    section: str  # NAMESPACES | DNS | MONITORS
    required: tuple[str, ...]  # field ids this kind needs answered
    any_of: tuple[str, ...] = ()  # at least one of these field ids
    # What the change record names as its target (ChangeRequest.service): the platform's part it changes.
    target: str = ""


REQUEST_KINDS: tuple[RequestKind, ...] = (
    RequestKind("new-namespace", "New namespace", NAMESPACES, ("namespace",), target="platform:namespaces"),
    RequestKind("quota", "Change a namespace quota", NAMESPACES, ("namespace",), any_of=("cpu", "memory", "pods"),
                target="platform:namespaces"),
    RequestKind("grant", "Grant namespace access", NAMESPACES, ("namespace", "members", "role"),
                target="platform:namespaces"),
    RequestKind("revoke", "Revoke namespace access", NAMESPACES, ("namespace", "members"),
                target="platform:namespaces"),
    RequestKind("dns-record", "Add a DNS record", DNS, ("record_name", "record_type", "record_value"),
                target="platform:dns"),
    RequestKind("monitor", "Monitor a URL", MONITORS, ("url", "service_name", "title"), target="platform:monitors"),
)


def request_kind_for_option(option: str) -> RequestKind | None:
    for kind in REQUEST_KINDS:
        if kind.option == option:
            return kind
    return None


def request_kind(key: str) -> RequestKind | None:
    for kind in REQUEST_KINDS:
        if kind.key == key:
            return kind
    return None


@dataclass(frozen=True)
class Namespace:
    """One team namespace as the platform's vars file holds it."""

    name: str
    quota: Mapping[str, object]  # {"cpu": "2", "memory": "4Gi", "pods": 20}
    members: Mapping[str, str]  # GitHub login -> role


@dataclass(frozen=True)
class DnsRecord:
    name: str
    type: str
    value: str


@dataclass(frozen=True)
class Inventory:
    """What the platform's vars files hold now, read by the shell before deciding.

    `problems` says why a part could not be read (a missing or malformed file): requests for that
    part are escalated with the reason instead of being guessed at.
    """

    namespaces: Mapping[str, Namespace] = field(default_factory=dict)
    records: tuple[DnsRecord, ...] = ()
    problems: Mapping[str, str] = field(default_factory=dict)  # section -> why it could not be read


@dataclass(frozen=True)
class PlatformAsk:
    """What a platform request asks, read from its form: well-formed, not yet held to any limit."""

    kind: RequestKind
    requester: str  # the author: a new namespace's member when nobody else would hold its top role
    reason: str
    namespace: str | None = None
    members: tuple[str, ...] = ()  # GitHub logins, as given (without @), in order, without repeats
    role: str | None = None
    cpu: Quantity | None = None
    memory: Quantity | None = None
    pods: int | None = None
    record: DnsRecord | None = None
    url: str | None = None
    service_name: str | None = None
    title: str | None = None
    tier: str | None = None

    @property
    def requested(self) -> str:
        """The request in one line, the same on every run: what the change record is found by."""
        parts = [("namespace", self.namespace), ("members", ",".join(self.members)), ("role", self.role),
                 ("cpu", self.cpu.text if self.cpu else None), ("memory", self.memory.text if self.memory else None),
                 ("pods", str(self.pods) if self.pods is not None else None)]
        if self.record is not None:
            parts += [("record", f"{self.record.name} {self.record.type} {self.record.value}")]
        parts += [("url", self.url), ("name", self.service_name), ("title", self.title), ("tier", self.tier)]
        return " ".join(f"{key}={value}" for key, value in parts if value)
