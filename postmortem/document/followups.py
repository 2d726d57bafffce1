"""Follow-up issues for the action items of a post-mortem, each filed exactly once.

An item is filed when its type is alert, config or monitor, its status is
TODO and it records no issue yet. Each follow-up carries a hidden key
(`incident-42/action-2`), so an item whose issue number never made it back
into the front matter (a failed commit, a re-run on an old checkout) is
matched to the issue already filed instead of filed twice. Pure: the
`todos` command reads, files and writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from postmortem.document.file import Document, dump_document, render_action_items, replace_action_items
from postmortem.document.rendering import render_template
from postmortem.model.action_items import ActionItem, parse_action_items
from responder.render.quoting import commit_text

MARKER = "issueops-responder:follow-up"
_MARKER_RE = re.compile(r"<!-- " + re.escape(MARKER) + r" (?P<key>[A-Za-z0-9._/#-]+) -->")
TITLE_LIMIT = 200


@dataclass(frozen=True)
class FollowUp:
    item: ActionItem
    key: str
    title: str
    body: str


def followup_key(document: Document, path: Path, item: ActionItem) -> str:
    number = (document.front_matter or {}).get("issue_number")
    owner = f"incident-{number}" if isinstance(number, int) else path.stem
    return f"{owner}/action-{item.id}"


def filed_followups(issues: Iterable[Mapping[str, Any]], bot_login: str) -> dict[str, int]:
    """Keys of follow-ups already filed, from issues the bot itself opened (a pasted key counts for nothing)."""
    found: dict[str, int] = {}
    for issue in issues:
        if (issue.get("user") or {}).get("login") != bot_login:
            continue
        match = _MARKER_RE.search(str(issue.get("body") or ""))
        if match and isinstance(issue.get("number"), int):
            found.setdefault(match["key"], int(issue["number"]))
    return found


def plan_followups(document: Document, path: Path, link: str | None,
                   templates_dir: Path | None = None) -> list[FollowUp]:
    items, _ = document.action_items
    front = document.front_matter or {}
    date = str(front.get("date") or path.stem[:10])
    out = []
    for item in items:
        if not item.should_be_filed:
            continue
        key = followup_key(document, path, item)
        title = f"[PM-{date}] {item.action}"
        if len(title) > TITLE_LIMIT:
            title = title[: TITLE_LIMIT - 1] + "…"
        body = render_template("followup-issue.md.j2", {
            "item": item,
            "key": key,
            "incident_number": front.get("issue_number"),
            "incident_url": front.get("issue") or "",
            "postmortem_link_label": f"{date} {front.get('title') or path.stem}",
            "postmortem_url": link or "",
            "commit_message": f"fix(post-mortem): {commit_text(item.action)} [PM-{date}]",
        }, templates_dir, mode="github")
        out.append(FollowUp(item, key, title, body))
    return out


def record_issues(document: Document, numbers: Mapping[int, int], templates_dir: Path | None = None) -> str:
    """The file text with `issue: N` set on these items (by id) and the action items table re-rendered."""
    front = dict(document.front_matter or {})
    raw = front.get("action_items")
    updated = []
    for entry in raw if isinstance(raw, list) else []:
        if isinstance(entry, Mapping) and entry.get("id") in numbers:
            entry = {**entry, "issue": numbers[int(entry["id"])]}
        updated.append(entry)
    front["action_items"] = updated
    items, problems = parse_action_items(updated)
    table = render_action_items(items, problems, front.get("issue"), templates_dir)
    body = replace_action_items(document.body, table)
    return dump_document(front, body)
