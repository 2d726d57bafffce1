"""Action items are data in the front matter, never parsed back out of Markdown.

Each item: `{id, action, type, owner, priority, due, status}`, plus `issue`
once `postmortem todos` filed it. Validation reports every problem with its
place (`action_items[2].type: expected one of ...`), so a person who broke
an item by hand is told exactly what to fix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

TYPES = ("alert", "config", "monitor", "runbook", "architecture", "investigation")
PRIORITIES = ("P0", "P1", "P2", "P3")
# PROPOSED: suggested by the responder, not yet accepted by a person; never filed.
STATUSES = ("PROPOSED", "TODO", "IN-PROGRESS", "DONE", "WONTFIX")
# The types `postmortem todos` turns into follow-up issues: concrete changes a person can pick up.
FILED_TYPES = ("alert", "config", "monitor")


@dataclass(frozen=True)
class ActionItem:
    id: int
    action: str
    type: str
    owner: str | None
    priority: str
    due: str | None
    status: str
    issue: int | None = None

    @property
    def should_be_filed(self) -> bool:
        return self.type in FILED_TYPES and self.status == "TODO" and self.issue is None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "action": self.action, "type": self.type, "owner": self.owner,
                               "priority": self.priority, "due": self.due, "status": self.status}
        if self.issue is not None:
            out["issue"] = self.issue
        return out


def parse_action_items(raw: Any) -> tuple[tuple[ActionItem, ...], tuple[str, ...]]:
    """Valid items and every problem found; an invalid item is left out, never guessed at."""
    if raw is None:
        return (), ()
    if not isinstance(raw, list):
        return (), (f"action_items: expected a list, got {type(raw).__name__}",)
    items: list[ActionItem] = []
    problems: list[str] = []
    seen: set[int] = set()
    for index, entry in enumerate(raw):
        where = f"action_items[{index}]"
        if not isinstance(entry, Mapping):
            problems.append(f"{where}: expected a mapping with id, action, type, owner, priority, due, status")
            continue
        found = _problems(entry, where, seen)
        if found:
            problems += found
            continue
        item_id = int(entry["id"])
        seen.add(item_id)
        items.append(ActionItem(
            id=item_id,
            action=" ".join(str(entry["action"]).split()),
            type=str(entry["type"]),
            owner=str(entry["owner"]) if entry.get("owner") not in (None, "") else None,
            priority=str(entry["priority"]).upper(),
            due=_date_text(entry.get("due")),
            status=str(entry["status"]).upper(),
            issue=entry.get("issue"),
        ))
    return tuple(items), tuple(problems)


def _problems(entry: Mapping[str, Any], where: str, seen: set[int]) -> list[str]:
    problems = []
    item_id = entry.get("id")
    if not isinstance(item_id, int) or isinstance(item_id, bool) or item_id <= 0:
        problems.append(f"{where}.id: expected a positive whole number, got {item_id!r}")
    elif item_id in seen:
        problems.append(f"{where}.id: {item_id} is used by another item")
    if not isinstance(entry.get("action"), str) or not entry["action"].strip():
        problems.append(f"{where}.action: expected text saying what to do")
    checks: Sequence[tuple[str, Sequence[str], bool]] = (
        ("type", TYPES, False), ("priority", PRIORITIES, True), ("status", STATUSES, True))
    for key, allowed, upper in checks:
        value = entry.get(key)
        text = str(value).upper() if upper and isinstance(value, str) else value
        if text not in allowed:
            problems.append(f"{where}.{key}: expected one of {', '.join(allowed)}, got {value!r}")
    issue = entry.get("issue")
    if issue is not None and (not isinstance(issue, int) or isinstance(issue, bool) or issue <= 0):
        problems.append(f"{where}.issue: expected an issue number, got {issue!r}")
    due = entry.get("due")
    if due not in (None, "") and _date_text(due) is None:
        problems.append(f"{where}.due: expected a date like 2026-12-07, got {due!r}")
    return problems


def _date_text(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            return None
    return None
