"""Webhook payloads for tests, built from GitHub's own published examples.

Starting from the real example keeps every field GitHub sends (urls, ids,
node_ids, reactions...) so the handler sees exactly the real shape.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

WEBHOOKS = Path(__file__).resolve().parent.parent / "fixtures" / "github" / "webhooks"
REPO = "acme-homelab/infra"


@cache
def _example(event: str, name: str) -> dict[str, Any]:
    return json.loads((WEBHOOKS / event / f"{name}.payload.json").read_text(encoding="utf-8"))


def user(login: str, kind: str = "User", user_id: int = 1000) -> dict[str, Any]:
    u = copy.deepcopy(_example("issues", "opened")["sender"])
    u.update({
        "login": login,
        "id": user_id,
        "type": kind,
        "url": f"https://api.github.com/users/{login}",
        "html_url": f"https://github.com/{login}",
    })
    return u


def label(name: str) -> dict[str, Any]:
    return {
        "id": abs(hash(name)) % 10**9,
        "node_id": "LA_kwDOB" + str(abs(hash(name)) % 10**6),
        "url": f"https://api.github.com/repos/{REPO}/labels/{name}",
        "name": name,
        "color": "ededed",
        "default": False,
        "description": None,
    }


def _repository(payload: dict[str, Any], repo: str) -> None:
    owner, name = repo.split("/")
    repository = payload["repository"]
    repository.update({
        "name": name,
        "full_name": repo,
        "html_url": f"https://github.com/{repo}",
        "url": f"https://api.github.com/repos/{repo}",
    })
    repository["owner"] = user(owner, "Organization", 90000)


def issue(
    number: int = 42,
    *,
    body: str | None = "",
    title: str = "Outage report",
    author: str = "alice",
    association: str = "COLLABORATOR",
    labels: tuple[str, ...] = ("user-report",),
    state: str = "open",
    repo: str = REPO,
    created_at: str = "2026-11-23T14:05:00Z",
    updated_at: str | None = None,
    assignees: tuple[str, ...] = (),
) -> dict[str, Any]:
    data = copy.deepcopy(_example("issues", "opened")["issue"])
    api = f"https://api.github.com/repos/{repo}/issues/{number}"
    data.update({
        "url": api,
        "repository_url": f"https://api.github.com/repos/{repo}",
        "labels_url": api + "/labels{/name}",
        "comments_url": api + "/comments",
        "events_url": api + "/events",
        "html_url": f"https://github.com/{repo}/issues/{number}",
        "number": number,
        "title": title,
        "body": body,
        "user": user(author),
        "author_association": association,
        "labels": [label(name) for name in labels],
        "state": state,
        "assignee": user(assignees[0]) if assignees else None,
        "assignees": [user(a) for a in assignees],
        "created_at": created_at,
        "updated_at": updated_at or created_at,
        "closed_at": None if state == "open" else (updated_at or created_at),
        "comments": 0,
    })
    return data


def issues_event(action: str = "opened", *, sender: str | None = None, repo: str = REPO,
                 added_label: str | None = None, **issue_fields: Any) -> dict[str, Any]:
    payload = copy.deepcopy(_example("issues", "opened"))
    payload["action"] = action
    payload["issue"] = issue(repo=repo, **issue_fields)
    _repository(payload, repo)
    author = payload["issue"]["user"]["login"]
    payload["sender"] = user(sender or author, "Bot" if (sender or "").endswith("[bot]") else "User")
    if action == "labeled":
        payload["label"] = label(added_label or "user-report")
    if action == "edited":
        payload["changes"] = {"body": {"from": "(the previous body)"}}
    return payload


def comment_event(comment_body: str, *, commenter: str = "maintainer", association: str = "OWNER",
                  comment_id: int = 5001, repo: str = REPO, **issue_fields: Any) -> dict[str, Any]:
    payload = copy.deepcopy(_example("issue_comment", "created"))
    payload["issue"] = issue(repo=repo, **issue_fields)
    _repository(payload, repo)
    number = payload["issue"]["number"]
    comment = payload["comment"]
    comment.update({
        "id": comment_id,
        "body": comment_body,
        "user": user(commenter),
        "author_association": association,
        "html_url": f"https://github.com/{repo}/issues/{number}#issuecomment-{comment_id}",
        "url": f"https://api.github.com/repos/{repo}/issues/comments/{comment_id}",
        "issue_url": f"https://api.github.com/repos/{repo}/issues/{number}",
        "created_at": "2026-11-23T15:00:00Z",
        "updated_at": "2026-11-23T15:00:00Z",
    })
    payload["sender"] = user(commenter)
    return payload


def write(tmp_path: Path, payload: dict[str, Any], name: str = "event.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path
