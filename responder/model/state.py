"""The responder's memory of an issue, kept in one hidden marker.

The marker is the last thing in the bot's own comment, and it is read from
there only: structurally, with a real JSON decoder, never by searching the
text, so quoted logs or an agent's summary that contain marker-like text
cannot hide or replace it.

Only comments written by the bot account are read. That account may be shared
(every workflow that uses GITHUB_TOKEN posts as github-actions[bot]), so with
a state key (`secrets.state_key`, RESPONDER_STATE_KEY) each marker carries an
HMAC over the repository, the issue number and the state: a marker another
workflow quotes from a stranger's text, or copies from another issue, is not
the responder's. Without a key, approvals are never read back from a marker
written under the shared account.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

MARKER = "issueops-responder:state"
VERSION = 1
_PREFIX = f"<!-- {MARKER} "
_SUFFIX = " -->"
_SIGNATURE = re.compile(r" sig=v1:(?P<sig>[0-9a-f]{64})$")
SHARED_BOT_LOGIN = "github-actions[bot]"  # every workflow that uses GITHUB_TOKEN posts as this account
JOURNAL_LIMIT = 300
# A GitHub comment holds at most 65,536 characters; the marker must leave room for the report.
JOURNAL_CHARS = 24_000
ENTRY_TEXT_CHARS = 500


@dataclass(frozen=True)
class JournalEntry:
    """One thing the responder did or saw, for the post-mortem timeline."""

    at: str  # ISO 8601 UTC, from GitHub's own timestamps where possible
    kind: str  # triaged | severity | queued | needs-info | finding | remedy | plan | apply | reminder | ...
    text: str
    source: str = ""  # URL of the issue event or comment that caused it

    def to_json(self) -> dict[str, str]:
        out = {"at": self.at, "kind": self.kind, "text": self.text}
        if self.source:
            out["source"] = self.source
        return out


@dataclass(frozen=True)
class IssueState:
    kind: str | None = None
    outcome: str | None = None
    severity: str | None = None
    digest: str | None = None  # what the last completed run did; equal digest = nothing to do
    approved_by: str | None = None  # a maintainer who vouched for an untrusted report
    approved_digest: str | None = None  # the report digest (title and body) they reviewed
    journal: tuple[JournalEntry, ...] = ()
    # Data owned by later stages (terraform, investigation, sweep, postmortem).
    sections: Mapping[str, Any] = field(default_factory=dict)

    def with_entries(self, entries: tuple[JournalEntry, ...]) -> IssueState:
        """Append entries, skipping ones already recorded (re-runs add nothing)."""
        known = {(e.at, e.kind, e.text) for e in self.journal}
        fresh = tuple(
            replace(e, text=e.text if len(e.text) <= ENTRY_TEXT_CHARS else e.text[: ENTRY_TEXT_CHARS - 1] + "…")
            for e in entries
            if (e.at, e.kind, e.text) not in known
        )
        journal = self.journal + fresh
        # Keep the start of the incident and the most recent history.
        if len(journal) > JOURNAL_LIMIT:
            journal = journal[:50] + journal[-(JOURNAL_LIMIT - 50):]
        keep_first = 50
        while _size(journal) > JOURNAL_CHARS and len(journal) > 20:
            keep_first = min(keep_first, len(journal) // 2)
            journal = journal[:keep_first] + journal[keep_first + 1:]
        return replace(self, journal=journal)

    def with_section(self, name: str, value: Any) -> IssueState:
        return replace(self, sections={**self.sections, name: value})

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"v": VERSION}
        for key in ("kind", "outcome", "severity", "digest", "approved_by", "approved_digest"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.journal:
            out["journal"] = [entry.to_json() for entry in self.journal]
        if self.sections:
            out["sections"] = dict(self.sections)
        return out

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> IssueState:
        def text(key: str) -> str | None:
            value = raw.get(key)
            return value if isinstance(value, str) else None

        entries = raw.get("journal")
        journal = tuple(
            JournalEntry(str(e.get("at", "")), str(e.get("kind", "")), str(e.get("text", "")),
                         str(e.get("source", "")))
            for e in (entries if isinstance(entries, list) else ())
            if isinstance(e, Mapping)
        )
        sections = raw.get("sections")
        return cls(
            kind=text("kind"),
            outcome=text("outcome"),
            severity=text("severity"),
            digest=text("digest"),
            approved_by=text("approved_by"),
            approved_digest=text("approved_digest"),
            journal=journal,
            sections=dict(sections) if isinstance(sections, Mapping) else {},
        )


def _size(journal: tuple[JournalEntry, ...]) -> int:
    return sum(len(e.at) + len(e.kind) + len(e.text) + len(e.source) + 40 for e in journal)


def render_marker(state: IssueState) -> str:
    payload = json.dumps(state.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    # Never let the JSON close the HTML comment or open markup.
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"<!-- {MARKER} {payload} -->"


@dataclass(frozen=True)
class MarkerPlace:
    """Where the state marker sits in a comment: always at its very end."""

    start: int  # index of "<!--" in the body
    payload: str  # the JSON text
    signature: str | None  # hex HMAC, when the marker is sealed


def locate_marker(body: str | None) -> MarkerPlace | None:
    """The marker that ends the comment (trailing white space aside), or None.

    The payload cannot contain the marker's prefix (render_marker escapes `<`), so the
    last prefix in the comment starts the real marker, whatever came before it.
    """
    if not body:
        return None
    text = body.rstrip()
    if not text.endswith(_SUFFIX):
        return None
    start = text.rfind(_PREFIX)
    if start == -1:
        return None
    inner = text[start + len(_PREFIX): len(text) - len(_SUFFIX)]
    signature = _SIGNATURE.search(inner)
    if signature:
        inner = inner[: signature.start()]
    if not inner.startswith("{"):
        return None
    return MarkerPlace(start, inner, signature["sig"] if signature else None)


def decode_payload(payload: str) -> IssueState | None:
    try:
        raw = json.loads(payload)
    except (ValueError, RecursionError):
        return None
    if not isinstance(raw, Mapping) or raw.get("v") != VERSION:
        return None
    return IssueState.from_json(raw)


def read_marker(body: str | None) -> IssueState | None:
    """The state in a comment's trailing marker, unverified; None when it has none or it is damaged."""
    place = locate_marker(body)
    return decode_payload(place.payload) if place else None


def has_marker(body: str | None) -> bool:
    return locate_marker(body) is not None


@dataclass(frozen=True)
class StateSeal:
    """Signs the markers the responder writes, and reads back only what it can verify."""

    key: bytes | None = None
    # The bot account is the shared github-actions[bot]: without a key, its markers may be
    # another workflow's quote of a stranger's text.
    shared_account: bool = False

    @classmethod
    def for_bot(cls, key: str | None, bot_login: str) -> StateSeal:
        return cls(key.encode("utf-8") if key else None, bot_login == SHARED_BOT_LOGIN)

    def _mac(self, payload: str, repository: str, number: int) -> str:
        assert self.key is not None
        message = f"{repository.lower()}#{number}\n{payload}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    def seal(self, body: str, repository: str, number: int) -> str:
        """The comment with its marker signed for this issue (unchanged without a key or a marker)."""
        place = locate_marker(body)
        if self.key is None or place is None:
            return body
        signature = self._mac(place.payload, repository, number)
        return f"{body[: place.start]}{_PREFIX}{place.payload} sig=v1:{signature}{_SUFFIX}"

    def open(self, body: str | None, repository: str, number: int) -> IssueState | None:
        """The state this comment carries, if the responder can trust it as its own."""
        place = locate_marker(body)
        if place is None:
            return None
        if self.key is not None:
            expected = self._mac(place.payload, repository, number)
            if place.signature is None or not hmac.compare_digest(place.signature, expected):
                return None
            return decode_payload(place.payload)
        state = decode_payload(place.payload)
        if state is not None and self.shared_account:
            # Nothing proves this marker is ours: never let it vouch for a report.
            state = replace(state, approved_by=None, approved_digest=None)
        return state

    def owns(self, body: str | None, repository: str, number: int) -> bool:
        """Whether this comment is the responder's own (and so may be edited by it)."""
        if self.key is None:
            return locate_marker(body) is not None
        return self.open(body, repository, number) is not None
