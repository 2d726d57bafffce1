"""Issues and comments in GitHub's REST shapes, for status page tests.

Issues start from GitHub's own example payload (tests/support/events.py)
plus the fields the REST listing adds; comments have every field
GET /repos/{owner}/{repo}/issues/{number}/comments returns.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

from responder.model.state import IssueState, render_marker
from tests.support import events

BOT = "github-actions[bot]"
_ids = itertools.count(3_000_000_001)


def outage_body(service: str, error: str = "502 Bad Gateway", scope: str = "Everyone",
                description: str = "It does not load.") -> str:
    return (f"### Which service is affected?\n\n{service}\n\n### What do you see?\n\n{description}\n\n"
            f"### What kind of error?\n\n{error}\n\n### Who is affected?\n\n{scope}\n\n"
            "### When did it start?\n\n_No response_\n\n### Which URL were you using?\n\n_No response_")


def maintenance_body(services: str, start: str, end: str, impact: str = "Brief interruptions",
                     details: str = "Routine work.") -> str:
    return (f"### Which services are affected?\n\n{services}\n\n### Start\n\n{start}\n\n### End\n\n{end}\n\n"
            f"### What will users notice?\n\n{impact}\n\n### What will be done?\n\n{details}")


def rest_issue(number: int, *, state_reason: str | None = None, closed_at: str | None = None,
               **fields: Any) -> dict[str, Any]:
    issue = events.issue(number, **fields)
    issue.pop("active_lock_reason", None)
    issue.update({
        "timeline_url": issue["url"] + "/timeline",
        "performed_via_github_app": None,
        "state_reason": state_reason if issue["state"] == "closed" else None,
        "reactions": {"url": issue["url"] + "/reactions", "total_count": 0, "+1": 0, "-1": 0, "laugh": 0,
                      "hooray": 0, "confused": 0, "heart": 0, "rocket": 0, "eyes": 0},
    })
    if closed_at:
        issue["closed_at"] = closed_at
    return issue


def comment(number: int, body: str, login: str, association: str = "NONE", at: str = "2026-11-23T14:30:00Z",
            kind: str = "User", user_id: int = 1000, repo: str = events.REPO) -> dict[str, Any]:
    comment_id = next(_ids)
    api = f"https://api.github.com/repos/{repo}"
    return copy.deepcopy({
        "url": f"{api}/issues/comments/{comment_id}",
        "html_url": f"https://github.com/{repo}/issues/{number}#issuecomment-{comment_id}",
        "issue_url": f"{api}/issues/{number}",
        "id": comment_id,
        "node_id": f"IC_kwDOA{comment_id}",
        "user": events.user(login, kind, user_id),
        "created_at": at,
        "updated_at": at,
        "author_association": association,
        "body": body,
        "performed_via_github_app": None,
        "reactions": {"url": f"{api}/issues/comments/{comment_id}/reactions", "total_count": 0, "+1": 0,
                      "-1": 0, "laugh": 0, "hooray": 0, "confused": 0, "heart": 0, "rocket": 0, "eyes": 0},
    })


def bot_comment(number: int, state: IssueState, at: str = "2026-11-23T14:06:00Z", text: str = "### Triaged",
                login: str = BOT) -> dict[str, Any]:
    return comment(number, f"{text}\n\n{render_marker(state)}", login, "NONE", at, "Bot", 41898282)
