"""The `notify` section of responder.yml: who hears about incidents, through Apprise URLs.

    notify:
      - url: "env:SLACK_WEBHOOK_URL"        # or vault:secret/path#key, or a literal Apprise URL
        events: [opened, escalated, update-due, unacknowledged, resolved, postmortem]
        min_severity: SEV2
        services: [nextcloud]               # optional filter

Pure: the targets are parsed into frozen records, and `NotifyTarget.wants` is the filter. A
reference is resolved only when a notification is sent, by the secrets resolver
(responder/adapters/secrets.py), so a run that tells nobody never reads the secret. A literal URL
works too; most services put their token in the URL, so check-config warns when a literal one
carries something that looks like a credential (responder.yml is committed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from difflib import get_close_matches
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from responder.config.secrets import Reference, VaultReference, parse_reference
from responder.errors import ConfigError
from responder.model.notifications import EVENTS, Notification
from responder.model.severity_levels import Severity

REFERENCE_PREFIXES = ("env:", "vault:")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# A run of letters and digits this long, with both in it, is a token, not a word or a name.
_TOKEN_LIKE = re.compile(r"^(?=[^/]*[0-9])(?=[^/]*[A-Za-z])[A-Za-z0-9_\-:=+]{16,}$")


@dataclass(frozen=True)
class NotifyTarget:
    index: int  # its place in `notify`, for messages: notify[0]
    url: str = field(default="", repr=False)  # as written; a literal URL may hold a credential: never printed
    reference: Reference | None = None  # env:/vault: reference; None: `url` is a literal Apprise URL
    events: frozenset[str] = frozenset(EVENTS)
    min_severity: Severity = Severity.SEV4
    services: tuple[str, ...] = ()  # empty: every service

    def wants(self, notification: Notification) -> bool:
        """Whether this target hears about this notification (pure: events, level, services)."""
        if notification.event not in self.events:
            return False
        if notification.severity is not None:
            try:
                level = Severity.parse(notification.severity)
            except KeyError:
                return False
            if level.value > self.min_severity.value:
                return False
        elif self.min_severity is not Severity.SEV4:
            return False  # no level: only a target that wants every level hears about it
        return not self.services or notification.service in self.services

    @property
    def name(self) -> str:
        """How messages name the target: its place and its reference, never a literal URL."""
        if self.reference is not None:
            return f"notify[{self.index}] ({self.reference})"
        scheme = self.url.split("://", 1)[0] if "://" in self.url else "?"
        return f"notify[{self.index}] ({scheme}:// URL)"


def build_notify(items: Iterable[Mapping[str, Any]]) -> tuple[NotifyTarget, ...]:
    """From the (schema-validated) `notify` list; ConfigError if a reference does not parse."""
    targets = []
    for index, item in enumerate(items):
        url = str(item["url"]).strip()
        reference = parse_reference(url) if url.startswith(REFERENCE_PREFIXES) else None
        targets.append(NotifyTarget(
            index=index,
            url=url,
            reference=reference,
            events=frozenset(item.get("events") or EVENTS),
            min_severity=Severity.parse(item.get("min_severity", "SEV4")),
            services=tuple(item.get("services") or ()),
        ))
    return tuple(targets)


def semantic_problems(raw: Mapping[str, Any], service_names: Iterable[str]) -> Iterable[tuple[str, str]]:
    """Problems a schema cannot see, as (key path, message) pairs."""
    names = list(service_names)
    has_vault = isinstance((raw.get("secrets") or {}).get("vault"), Mapping)
    for index, item in enumerate(raw.get("notify") or ()):
        where = f"notify[{index}]"
        url = str(item.get("url", "")).strip()
        if url.startswith(REFERENCE_PREFIXES):
            try:
                reference = parse_reference(url)
            except ConfigError as exc:
                yield f"{where}.url", exc.message
            else:
                if isinstance(reference, VaultReference) and not has_vault:
                    yield f"{where}.url", "a vault: reference needs a secrets.vault section (url, auth, role)"
        for position, name in enumerate(item.get("services") or ()):
            if name not in names:
                guess = get_close_matches(name, names, n=1)
                hint = f" (did you mean '{guess[0]}'?)" if guess else ""
                yield f"{where}.services[{position}]", f"unknown service '{name}'{hint}"


def credential_warnings(targets: Iterable[NotifyTarget]) -> list[tuple[str, str]]:
    """Literal URLs that look like they carry a credential, as (key path, message) pairs: a warning, not an
    error (some URLs are meant to be public, like an ntfy topic), since responder.yml is committed."""
    return [(f"notify[{target.index}].url",
             "this literal URL seems to hold a credential, and responder.yml is committed: put the URL in a "
             "secret and write env:NAME or vault:<mount>/<path>#<key> here instead")
            for target in targets if target.reference is None and credential_parts(target.url)]


def credential_parts(url: str) -> tuple[str, ...]:
    """The parts of an Apprise URL that look like a token: a password, or a long run of letters and digits
    in the host, the path or a query value. The notifier hands them to the redactor as well."""
    if not _SCHEME.match(url):
        return ()
    try:
        parts = urlsplit(url)
        password = parts.password
        host = parts.hostname or ""
    except ValueError:
        return ()
    found = [password] if password else []
    if parts.username and _TOKEN_LIKE.match(parts.username):
        found.append(parts.username)
    candidates = [host] if "." not in host else []
    candidates += [segment for segment in parts.path.split("/") if segment]
    candidates += [value for _, value in parse_qsl(parts.query)]
    found += [text for text in candidates if _TOKEN_LIKE.match(text)]
    return tuple(dict.fromkeys(found))
