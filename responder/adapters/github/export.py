"""An incident's own record, saved in GitHub's REST shapes.

`{"issue": GET /repos/{o}/{r}/issues/{n}, "comments": [GET .../comments], "events": [GET .../events]}`:
exactly what `gh api` returns, so a user can produce the file without us,
and a post-mortem can be regenerated offline from it. `responder export`
writes it; the post-mortem writer reads it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from responder.adapters.github.ports import IssueReader
from responder.adapters.inputs import read_json_file
from responder.errors import InputError


@dataclass(frozen=True)
class IncidentExport:
    issue: Mapping[str, Any]
    comments: Sequence[Mapping[str, Any]]
    events: Sequence[Mapping[str, Any]]

    @property
    def number(self) -> int:
        return int(self.issue["number"])

    @property
    def repository(self) -> str | None:
        """OWNER/NAME the issue belongs to, from its API or web address; None when it names neither."""
        for key, marker in (("repository_url", "/repos/"), ("html_url", "://")):
            value = self.issue.get(key)
            if isinstance(value, str) and marker in value:
                parts = value.split(marker, 1)[1].split("/")
                if marker == "://":
                    parts = parts[1:]  # drop the host
                if len(parts) >= 2 and parts[0] and parts[1]:
                    return f"{parts[0]}/{parts[1]}"
        return None

    def to_json(self) -> dict[str, Any]:
        return {"issue": dict(self.issue), "comments": [dict(c) for c in self.comments],
                "events": [dict(e) for e in self.events]}


def fetch_export(github: IssueReader, number: int, issue: Mapping[str, Any] | None = None) -> IncidentExport:
    """Three paged reads (one request each up to 100 comments and 100 events); `issue` saves the first."""
    return IncidentExport(
        issue=issue if issue is not None else github.get_issue(number),
        comments=github.list_comments(number),
        events=github.list_events(number),
    )


def write_export(export: IncidentExport, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(export.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def read_export(path: Path | str) -> IncidentExport:
    """Load and check an export file; every problem is named, none raises past InputError."""
    where = Path(path)
    raw = read_json_file(where, str(where), hint="`responder export --issue N` writes one (see the docs' "
                                                   "Post-mortems page).")
    return parse_export(raw, str(where))


def parse_export(raw: Any, where: str = "the export") -> IncidentExport:
    problems: list[str] = []
    if not isinstance(raw, Mapping):
        raise InputError(f"{where}: expected a JSON object with issue, comments and events")
    issue = raw.get("issue")
    if not isinstance(issue, Mapping):
        problems.append("issue: expected the object GET /repos/{owner}/{repo}/issues/{number} returns")
    else:
        number = issue.get("number")
        if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
            problems.append("issue.number: expected a positive whole number")
        if not isinstance(issue.get("created_at"), str):
            problems.append("issue.created_at: expected an ISO 8601 time")
    lists: dict[str, list[Mapping[str, Any]]] = {}
    for key in ("comments", "events"):
        value = raw.get(key, [])
        if not isinstance(value, list):
            problems.append(f"{key}: expected a list (GET .../issues/{{number}}/{key})")
            continue
        bad = [index for index, item in enumerate(value) if not isinstance(item, Mapping)]
        if bad:
            problems.append(f"{key}[{bad[0]}]: expected an object")
        lists[key] = [item for item in value if isinstance(item, Mapping)]
    if problems:
        raise InputError(f"{where} is not an incident export:\n" + "\n".join(f"  - {p}" for p in problems),
                         hint='Expected {"issue": {...}, "comments": [...], "events": [...]} in GitHub\'s REST '
                              "shapes; `responder export --issue N` writes one.")
    assert isinstance(issue, Mapping)
    return IncidentExport(issue=issue, comments=lists.get("comments", []), events=lists.get("events", []))
