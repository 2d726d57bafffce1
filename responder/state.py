"""The responder's memory of an issue, kept in one hidden marker.

The marker lives in the bot's own comment. Only comments written by the bot
account are ever read, so nobody can forge state by pasting a marker into
an issue or a comment of their own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

MARKER = "issueops-responder:state"
VERSION = 1
_MARKER_RE = re.compile(r"<!-- " + re.escape(MARKER) + r" (?P<json>\{.*?\}) -->", re.DOTALL)
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

        journal = tuple(
            JournalEntry(str(e.get("at", "")), str(e.get("kind", "")), str(e.get("text", "")),
                         str(e.get("source", "")))
            for e in raw.get("journal") or ()
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


def read_marker(body: str | None) -> IssueState | None:
    """The state in a bot comment's body, or None when it has none or it is damaged."""
    if not body:
        return None
    matches = list(_MARKER_RE.finditer(body))
    if not matches:
        return None
    try:
        raw = json.loads(matches[-1]["json"])
    except ValueError:
        return None
    if not isinstance(raw, Mapping) or raw.get("v") != VERSION:
        return None
    return IssueState.from_json(raw)


def has_marker(body: str | None) -> bool:
    return bool(body) and f"<!-- {MARKER} " in (body or "")
