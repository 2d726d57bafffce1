"""An `issues` event rebuilt from the issue as it is now (the in-cluster pipeline's input).

The Woodpecker pipeline receives only an issue number and a repository,
never issue text. It reads the issue through the GitHub API and handles it
in its current state: closed issues as `closed`, open ones as `edited`, so
the responder looks at the body afresh. Its state marker makes that
idempotent. Pure: JSON in, JSON out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def event_from_issue(issue: Any, repository: str) -> dict[str, Any]:
    """A webhook-shaped payload for `issue` (as GET /repos/{o}/{r}/issues/{n} returns it)."""
    if not isinstance(issue, Mapping):
        return {"action": "edited", "issue": None, "repository": {"full_name": repository}}
    action = "closed" if issue.get("state") == "closed" else "edited"
    # The sender is the author: the bot never sends these, so its own-event filter cannot misfire.
    return {
        "action": action,
        "issue": dict(issue),
        "repository": {"full_name": repository},
        "sender": issue.get("user"),
    }
