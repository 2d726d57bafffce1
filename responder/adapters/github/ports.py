"""What the flows read from GitHub, one narrow part each.

`GitHubClient` satisfies every one; a caller takes the part it uses, and a
test passes a fake of just that part. What the executor writes through
GitHub (`IssueWriter`, `LabelWriter`) is stated by the executor, in
responder/decision/ports.py.
"""

from __future__ import annotations

from typing import Any, Protocol

from responder.model.issues import IncidentIssue


class IssueReader(Protocol):
    """One issue's record as GitHub keeps it: what an incident export reads."""

    def get_issue(self, number: int) -> dict[str, Any]: ...
    def list_comments(self, number: int) -> list[dict[str, Any]]: ...
    def list_events(self, number: int) -> list[dict[str, Any]]: ...


class IncidentReader(Protocol):
    """The open incidents, each with the responder's comment: duplicates and the sweep start here."""

    def open_incidents(self, label: str, bot_login: str) -> list[IncidentIssue]: ...
