"""One UTC timeline for an incident, from its own record on GitHub.

Sources: the issue's creation, its issue events (labels, assignments,
closing), the responder's journal (kept in the state marker of its own
comment: findings, remedies, plans, applies, reminders, recovery), and
comments by people. Pure: an export in, a frozen timeline out. Nothing here
trusts the text it carries; the document escapes it when rendering.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from responder.adapters.github import bot_comment_in
from responder.adapters.github.export import IncidentExport
from responder.model.labels import LabelNames
from responder.model.severity_levels import Severity
from responder.model.state import IssueState, StateSeal
from responder.model.timestamps import parse_utc as parse_time

TEXT_LIMIT = 280
# Issue events that say nothing about the incident itself.
_NOISE = frozenset({"mentioned", "subscribed", "unsubscribed", "head_ref_deleted", "comment_deleted",
                    "pinned", "unpinned", "locked", "unlocked", "user_blocked"})
# Labels the post-mortem stage sets itself after closing: bookkeeping, not history.
_BOOKKEEPING_ROLES = ("postmortem-required", "postmortem-done")
_KIND = re.compile(r"[^a-z0-9-]+")


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime  # UTC
    actor: str
    kind: str  # opened | severity | label | comment | closed | reopened | assigned | finding | remedy | ...
    text: str  # plain text, untrusted: escape when rendering
    source: str  # URL of the issue event, comment or issue it came from
    origin: str = "event"  # issue | event | journal | comment: which record it was read from


@dataclass(frozen=True)
class Timeline:
    entries: tuple[TimelineEntry, ...]
    opened_at: datetime
    closed_at: datetime | None
    state: IssueState | None  # the responder's memory of the issue, if it kept one
    ignored: int = 0  # records without a usable time

    def of_kind(self, *kinds: str) -> tuple[TimelineEntry, ...]:
        return tuple(entry for entry in self.entries if entry.kind in kinds)




def one_line(text: Any, limit: int = TEXT_LIMIT) -> str:
    value = " ".join(str(text or "").split())
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def _login(user: Any) -> str:
    if isinstance(user, Mapping) and isinstance(user.get("login"), str):
        return str(user["login"])
    return "ghost"  # GitHub's name for a deleted account


def build_timeline(export: IncidentExport, bot_login: str, labels: LabelNames, seal: StateSeal | None = None,
                   repository: str = "") -> Timeline:
    issue = export.issue
    issue_url = str(issue.get("html_url") or "")
    opened_at = parse_time(issue.get("created_at"))
    if opened_at is None:
        raise ValueError("the issue has no creation time")
    entries: list[TimelineEntry] = [
        TimelineEntry(opened_at, _login(issue.get("user")), "opened",
                      one_line(f"Reported: {issue.get('title') or '(no title)'}"), issue_url, "issue")
    ]
    ignored = 0

    event_entries, skipped = _from_events(export.events, issue_url, labels)
    entries += event_entries
    ignored += skipped

    # The responder's journal only from its own comment (sealed for this issue when there is a state key).
    bot = bot_comment_in(export.comments, bot_login, seal, repository, export.number)
    state = bot.state if bot else None
    if state is not None:
        journal, skipped = _from_journal(state, bot_login, bot.html_url if bot else issue_url)
        entries += journal
        ignored += skipped

    people, skipped = _from_comments(export.comments, bot_login)
    entries += people
    ignored += skipped

    closed_at = _closed_at(issue, export.events)
    if closed_at is not None and not any(e.kind == "closed" for e in entries):
        entries.append(TimelineEntry(closed_at, _login(issue.get("closed_by")), "closed", "Closed", issue_url))
    # The incident's story ends when it is closed; later chatter and bookkeeping are not part of it.
    if closed_at is not None:
        entries = [entry for entry in entries if entry.at <= closed_at]
    ordered = sorted(enumerate(entries), key=lambda pair: (pair[1].at, pair[0]))
    return Timeline(tuple(entry for _, entry in ordered), opened_at, closed_at, state, ignored)


def _closed_at(issue: Mapping[str, Any], events: Iterable[Mapping[str, Any]]) -> datetime | None:
    if issue.get("state") != "closed":
        return None
    closes = [t for t in (parse_time(e.get("created_at")) for e in events if e.get("event") == "closed") if t]
    return max(closes) if closes else parse_time(issue.get("closed_at"))


def _from_events(events: Iterable[Mapping[str, Any]], issue_url: str,
                 labels: LabelNames) -> tuple[list[TimelineEntry], int]:
    severity_names = {labels.severity(level): str(level) for level in Severity}
    bookkeeping = {labels[role] for role in _BOOKKEEPING_ROLES}
    out: list[TimelineEntry] = []
    skipped = 0
    for event in events:
        name = event.get("event")
        if not isinstance(name, str) or name in _NOISE:
            continue
        at = parse_time(event.get("created_at"))
        if at is None:
            skipped += 1
            continue
        actor = _login(event.get("actor"))
        source = f"{issue_url}#event-{event['id']}" if isinstance(event.get("id"), int) else issue_url
        described = _describe_event(name, event, severity_names, bookkeeping)
        if described is not None:
            kind, text = described
            out.append(TimelineEntry(at, actor, kind, one_line(text), source))
    return out, skipped


def _describe_event(name: str, event: Mapping[str, Any], severity_names: Mapping[str, str],
                    bookkeeping: set[str]) -> tuple[str, str] | None:
    label = event.get("label")
    label_name = str(label.get("name")) if isinstance(label, Mapping) and label.get("name") else ""
    commit = str(event.get("commit_id") or "")[:7]
    if name in ("labeled", "unlabeled"):
        if not label_name or label_name in bookkeeping:
            return None
        added = name == "labeled"
        if label_name in severity_names:
            level = severity_names[label_name]
            return "severity", (f"Severity set to {level}" if added else f"Severity label {level} removed")
        return "label", f"Label {label_name} {'added' if added else 'removed'}"
    if name == "closed":
        reason = str(event.get("state_reason") or "").replace("_", " ")
        text = f"Closed as {reason}" if reason else "Closed"
        return "closed", text + (f" by commit {commit}" if commit else "")
    if name == "reopened":
        return "reopened", "Reopened"
    if name in ("assigned", "unassigned"):
        who = _login(event.get("assignee"))
        return name, f"Assigned to {who}" if name == "assigned" else f"Unassigned {who}"
    if name == "renamed":
        raw = event.get("rename")
        rename: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        return "renamed", f"Title changed from \"{rename.get('from', '')}\" to \"{rename.get('to', '')}\""
    if name == "referenced" and commit:
        return "referenced", f"Referenced by commit {commit}"
    # Any other event GitHub may add: shown by its name rather than dropped.
    return _KIND.sub("-", name.lower()).strip("-") or "event", name.replace("_", " ").capitalize()


def _from_journal(state: IssueState, bot_login: str, fallback_source: str) -> tuple[list[TimelineEntry], int]:
    out: list[TimelineEntry] = []
    skipped = 0
    for entry in state.journal:
        at = parse_time(entry.at)
        if at is None:
            skipped += 1
            continue
        kind = _KIND.sub("-", entry.kind.lower()).strip("-") or "note"
        out.append(TimelineEntry(at, bot_login, kind, one_line(entry.text), entry.source or fallback_source,
                                 "journal"))
    return out, skipped


def _from_comments(comments: Iterable[Mapping[str, Any]], bot_login: str) -> tuple[list[TimelineEntry], int]:
    out: list[TimelineEntry] = []
    skipped = 0
    for comment in comments:
        user = comment.get("user")
        # People only: the responder speaks through its journal, other bots are noise.
        if _login(user) == bot_login or (isinstance(user, Mapping) and user.get("type") == "Bot"):
            continue
        at = parse_time(comment.get("created_at"))
        if at is None:
            skipped += 1
            continue
        text = one_line(comment.get("body")) or "(empty comment)"
        out.append(TimelineEntry(at, _login(user), "comment", text, str(comment.get("html_url") or ""), "comment"))
    return out, skipped
