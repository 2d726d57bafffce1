"""A stateful stand-in for GitHub's REST API at the HTTP boundary (responses).

It answers the endpoints the responder uses with payloads shaped like
GitHub's (field names, status codes, Link pagination, rate-limit headers),
keeps issues, labels and comments in memory so re-runs see what earlier
runs wrote, and can be told to fail the next requests.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlparse

import responses

from tests.support import events

API = "https://api.github.com"


@dataclass
class FakeIssue:
    number: int
    data: dict[str, Any]
    comments: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


class FakeGitHub:
    def __init__(self, rsps: responses.RequestsMock | None, repo: str = events.REPO, api: str = API) -> None:
        self.rsps = rsps
        self.repo = repo
        self.api = api
        self.permissions: dict[str, str] = {}
        self.issues: dict[int, FakeIssue] = {}
        # Answers to give instead of the real one: status, headers, body, and the path they are for (None: any).
        self.failures: list[tuple[int, dict[str, str], dict[str, Any], str | None]] = []
        self.log: list[tuple[str, str]] = []
        self.statuses: list[int] = []  # the status of each answer, in order (304s cost no rate limit)
        self._next_comment_id = 900_001
        self.repo_labels: list[dict[str, Any]] = []  # GET /repos/{o}/{r}/labels, in creation order
        self._next_label_id = 7_000_001
        self._next_event_id = 17_000_000_001
        self._next_issue_number = 500
        # The time stamped on issue events the fake records for writes (after the fixtures' closings).
        self.now = "2026-11-23T15:11:00Z"
        # PyGithub spells the port out (https://api.github.com:443/...): accept both forms.
        parsed = urlparse(api)
        host = re.escape(f"{parsed.scheme}://{parsed.netloc}") + r"(?::\d+)?" + re.escape(parsed.path)
        base = host + re.escape(f"/repos/{repo}")
        routes = [
            ("GET", rf"{base}/collaborators/(?P<login>[^/]+)/permission", self._permission),
            ("GET", rf"{base}/issues(\?.*)?$", self._list_issues),
            ("GET", host + r"/repositories/\d+/issues(\?.*)?$", self._list_issues),
            ("GET", rf"{base}/issues/(?P<number>\d+)/comments(\?.*)?$", self._list_comments),
            # Link headers point at /repositories/{id}/..., as GitHub's do.
            ("GET", host + r"/repositories/\d+/issues/(?P<number>\d+)/comments(\?.*)?$", self._list_comments),
            ("POST", rf"{base}/issues/(?P<number>\d+)/comments$", self._create_comment),
            ("GET", rf"{base}/issues/comments/(?P<comment_id>\d+)$", self._get_comment),
            ("PATCH", rf"{base}/issues/comments/(?P<comment_id>\d+)$", self._edit_comment),
            ("DELETE", rf"{base}/issues/comments/(?P<comment_id>\d+)$", self._delete_comment),
            ("POST", rf"{base}/issues/(?P<number>\d+)/labels$", self._add_labels),
            ("DELETE", rf"{base}/issues/(?P<number>\d+)/labels/(?P<name>[^/?]+)$", self._remove_label),
            ("POST", rf"{base}/issues/(?P<number>\d+)/assignees$", self._add_assignees),
            ("PATCH", rf"{base}/issues/(?P<number>\d+)$", self._edit_issue),
            ("GET", rf"{base}/issues/(?P<number>\d+)$", self._get_issue),
            ("GET", rf"{base}/labels(\?.*)?$", self._list_repo_labels),
            ("GET", host + r"/repositories/\d+/labels(\?.*)?$", self._list_repo_labels),
            ("POST", rf"{base}/labels$", self._create_repo_label),
            ("PATCH", rf"{base}/labels/(?P<name>[^/?]+)$", self._update_repo_label),
            ("GET", rf"{base}/issues/(?P<number>\d+)/events(\?.*)?$", self._list_events),
            ("GET", host + r"/repositories/\d+/issues/(?P<number>\d+)/events(\?.*)?$", self._list_events),
            ("POST", rf"{base}/issues$", self._create_issue),
            ("POST", host + r"/graphql$", self._graphql),
        ]
        # The route table, also served over real HTTP by tests/support/github_server.py (rsps=None).
        self.routes: list[tuple[str, re.Pattern[str], Any]] = []
        for method, pattern, handler in routes:
            callback = self._wrap(pattern, handler)
            self.routes.append((method, re.compile(pattern), callback))
            if rsps is not None:
                rsps.add_callback(method, re.compile(pattern), callback=callback)

    # ------------------------------------------------------------ setup

    def add_issue(self, issue: dict[str, Any]) -> FakeIssue:
        fake = FakeIssue(issue["number"], copy.deepcopy(issue))
        self.issues[fake.number] = fake
        return fake

    def add_export(self, export: dict[str, Any]) -> FakeIssue:
        """Seed an issue with the comments and events of a saved export (GitHub's REST shapes)."""
        fake = self.add_issue(export["issue"])
        fake.comments = copy.deepcopy(export["comments"])
        fake.events = copy.deepcopy(export["events"])
        return fake

    def add_comment(self, number: int, body: str, login: str, association: str = "NONE",
                    kind: str = "User") -> dict[str, Any]:
        comment = self._comment_object(number, body, events.user(login, kind), association)
        self.issues[number].comments.append(comment)
        return comment

    def fail_next(self, status: int, headers: dict[str, str] | None = None,
                  body: dict[str, Any] | None = None, times: int = 1, path: str | None = None) -> None:
        """The next `times` requests (to `path` only, when given) are answered with `status`."""
        for _ in range(times):
            self.failures.append((status, headers or {}, body or {"message": "Server Error"}, path))

    # ------------------------------------------------------------ views

    @property
    def requests(self) -> int:
        return len(self.log)

    def writes(self) -> list[tuple[str, str]]:
        # A GraphQL query is a POST that only reads.
        return [(m, p) for m, p in self.log if m != "GET" and p != "/graphql"]

    def labels(self, number: int) -> list[str]:
        return [label["name"] for label in self.issues[number].data["labels"]]

    def created_issues(self) -> list[dict[str, Any]]:
        return [fake.data for fake in self.issues.values() if fake.data.get("_created_by_api")]

    def bot_comments(self, number: int, bot: str = "github-actions[bot]") -> list[dict[str, Any]]:
        return [c for c in self.issues[number].comments if c["user"]["login"] == bot]

    def bot_comment(self, number: int, bot: str = "github-actions[bot]") -> str:
        """The body of the responder's one comment (fails if there is not exactly one)."""
        [comment] = self.bot_comments(number, bot)
        return str(comment["body"])

    # ------------------------------------------------------------ plumbing

    def _wrap(self, pattern: str, handler: Any) -> Any:
        regex = re.compile(pattern)

        def callback(request: Any) -> tuple[int, dict[str, str], str]:
            url = urlparse(request.url)
            self.log.append((request.method, url.path))
            failure = next((f for f in self.failures if f[3] in (None, url.path)), None)
            if failure is not None:
                self.failures.remove(failure)
                status, headers, body, _ = failure
                self.statuses.append(status)
                return status, {"Content-Type": "application/json; charset=utf-8", **headers}, json.dumps(body)
            match = regex.match(request.url)
            assert match is not None
            status, headers, body = handler(request, **match.groupdict())
            text = "" if status == 204 else json.dumps(body)
            if request.method == "GET" and status == 200:
                # GitHub sends a weak ETag with every list and answers If-None-Match with an empty 304.
                etag = 'W/"' + hashlib.sha256(text.encode()).hexdigest() + '"'
                headers = {**headers, "ETag": etag}
                if request.headers.get("If-None-Match") == etag:
                    self.statuses.append(304)
                    return 304, {"ETag": etag, **self._rate_headers(counted=False)}, ""
            self.statuses.append(status)
            return status, {"Content-Type": "application/json; charset=utf-8", **self._rate_headers(True),
                            **headers}, text

        return callback

    def _not_found(self, message: str = "Not Found", doc: str = "https://docs.github.com/rest") -> Any:
        return 404, {}, {"message": message, "documentation_url": doc, "status": "404"}

    def _issue(self, number: str) -> FakeIssue | None:
        return self.issues.get(int(number))

    def _comment_object(self, number: int, body: str, user: dict[str, Any], association: str) -> dict[str, Any]:
        comment_id = self._next_comment_id
        self._next_comment_id += 1
        return {
            "id": comment_id,
            "node_id": f"IC_kwDOA{comment_id}",
            "url": f"{self.api}/repos/{self.repo}/issues/comments/{comment_id}",
            "html_url": f"https://github.com/{self.repo}/issues/{number}#issuecomment-{comment_id}",
            "body": body,
            "user": user,
            "created_at": "2026-11-23T14:06:00Z",
            "updated_at": "2026-11-23T14:06:00Z",
            "issue_url": f"{self.api}/repos/{self.repo}/issues/{number}",
            "author_association": association,
            "performed_via_github_app": None,
            "reactions": {"url": f"{self.api}/repos/{self.repo}/issues/comments/{comment_id}/reactions",
                          "total_count": 0, "+1": 0, "-1": 0, "laugh": 0, "hooray": 0, "confused": 0,
                          "heart": 0, "rocket": 0, "eyes": 0},
        }

    @property
    def counted(self) -> int:
        """Answers that count against the rate limit: GitHub does not count 304 Not Modified."""
        return sum(1 for status in self.statuses if status != 304)

    def _rate_headers(self, counted: bool) -> dict[str, str]:
        used = self.counted
        return {"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": str(5000 - used),
                "X-RateLimit-Used": str(used), "X-RateLimit-Resource": "core"}

    # ------------------------------------------------------------ endpoints

    def _list_issues(self, request: Any) -> Any:
        """GET /repos/{owner}/{repo}/issues: state, labels (all must match), since, sort, direction, paging."""
        query = {k: v[0] for k, v in parse_qs(urlparse(request.url).query).items()}
        state = query.get("state", "open")
        wanted = [name for name in query.get("labels", "").split(",") if name]
        since = query.get("since")
        items = []
        for issue in self.issues.values():
            data = issue.data
            if state != "all" and data["state"] != state:
                continue
            names = {label["name"] for label in data["labels"]}
            if any(name not in names for name in wanted):
                continue
            if since and data["updated_at"] < since:
                continue
            items.append({key: value for key, value in data.items() if not key.startswith("_")})
        key = {"created": "created_at", "updated": "updated_at", "comments": "comments"}[query.get("sort", "created")]
        items.sort(key=lambda d: (d[key], d["number"]), reverse=query.get("direction", "desc") == "desc")
        per_page = int(query.get("per_page", "30"))
        page = int(query.get("page", "1"))
        last = max(1, -(-len(items) // per_page))
        headers = {}
        if last > 1:
            rest = {k: v for k, v in query.items() if k != "page"}
            link = f"{self.api}/repositories/123456/issues?{urlencode(rest)}&page="
            parts = []
            if page < last:
                parts += [f'<{link}{page + 1}>; rel="next"', f'<{link}{last}>; rel="last"']
            if page > 1:
                parts += [f'<{link}1>; rel="first"', f'<{link}{page - 1}>; rel="prev"']
            headers["Link"] = ", ".join(parts)
        return 200, headers, items[(page - 1) * per_page: page * per_page]

    def _permission(self, request: Any, login: str) -> Any:
        login = unquote(login)
        role = self.permissions.get(login)
        if role is None:
            # GitHub answers 404 for a user who is not a collaborator of a private repository.
            return self._not_found(f"{login} is not a user",
                                   "https://docs.github.com/rest/collaborators/collaborators"
                                   "#get-repository-permissions-for-a-user")
        legacy = {"maintain": "write", "triage": "read"}.get(role, role)
        return 200, {}, {"permission": legacy, "role_name": role, "user": events.user(login)}

    def _page(self, request: Any, items: list[dict[str, Any]], link_path: str) -> Any:
        """One page of a list, with a Link header to the next and last pages as GitHub sends it."""
        query = parse_qs(urlparse(request.url).query)
        per_page = int(query.get("per_page", ["30"])[0])
        page = int(query.get("page", ["1"])[0])
        chunk = items[(page - 1) * per_page: page * per_page]
        last = max(1, -(-len(items) // per_page))
        headers = {}
        if page < last:
            extra = "".join(f"&{key}={value[0]}" for key, value in query.items() if key not in ("per_page", "page"))
            link = f"{self.api}/repositories/123456{link_path}?per_page={per_page}{extra}&page="
            headers["Link"] = f'<{link}{page + 1}>; rel="next", <{link}{last}>; rel="last"'
        return 200, headers, chunk

    def _list_comments(self, request: Any, number: str) -> Any:
        issue = self._issue(number)
        if issue is None:
            return self._not_found()
        return self._page(request, issue.comments, f"/issues/{number}/comments")

    def _list_events(self, request: Any, number: str) -> Any:
        issue = self._issue(number)
        if issue is None:
            return self._not_found()
        return self._page(request, issue.events, f"/issues/{number}/events")

    def _get_issue(self, request: Any, number: str) -> Any:
        issue = self._issue(number)
        if issue is None:
            return self._not_found()
        return 200, {}, {key: value for key, value in issue.data.items() if not key.startswith("_")}

    def _create_issue(self, request: Any) -> Any:
        change = json.loads(request.body)
        self._next_issue_number += 1
        number = self._next_issue_number
        data = events.issue(number, body=change.get("body"), title=change["title"], author="github-actions[bot]",
                            association="NONE", labels=tuple(change.get("labels") or ()), created_at=self.now)
        data["user"] = events.user("github-actions[bot]", "Bot", 41898282)
        data["milestone"] = None
        data["_created_by_api"] = True
        self.issues[number] = FakeIssue(number, data)
        return 201, {"Location": data["url"]}, {k: v for k, v in data.items() if not k.startswith("_")}

    def _record_event(self, issue: FakeIssue, kind: str, **fields: Any) -> None:
        event_id = self._next_event_id
        self._next_event_id += 1
        issue.events.append({
            "id": event_id,
            "node_id": f"LE_lADOB{event_id}",
            "url": f"{self.api}/repos/{self.repo}/issues/events/{event_id}",
            "actor": events.user("github-actions[bot]", "Bot", 41898282),
            "event": kind,
            "commit_id": None,
            "commit_url": None,
            "created_at": self.now,
            "performed_via_github_app": None,
            **fields,
        })

    def _create_comment(self, request: Any, number: str) -> Any:
        issue = self._issue(number)
        if issue is None:
            return self._not_found()
        body = json.loads(request.body)["body"]
        comment = self._comment_object(int(number), body, events.user("github-actions[bot]", "Bot", 41898282),
                                       "NONE")
        issue.comments.append(comment)
        return 201, {"Location": comment["url"]}, comment

    def _get_comment(self, request: Any, comment_id: str) -> Any:
        """GET /repos/{owner}/{repo}/issues/comments/{id}: a comment of any issue of the repository."""
        for issue in self.issues.values():
            for comment in issue.comments:
                if comment["id"] == int(comment_id):
                    return 200, {}, comment
        return self._not_found("Not Found", "https://docs.github.com/rest/issues/comments#get-an-issue-comment")

    def _edit_comment(self, request: Any, comment_id: str) -> Any:
        for issue in self.issues.values():
            for comment in issue.comments:
                if comment["id"] == int(comment_id):
                    comment["body"] = json.loads(request.body)["body"]
                    comment["updated_at"] = "2026-11-23T14:30:00Z"
                    return 200, {}, comment
        return self._not_found()

    def _delete_comment(self, request: Any, comment_id: str) -> Any:
        """DELETE /repos/{o}/{r}/issues/comments/{id}: 204 with no body."""
        for issue in self.issues.values():
            for comment in issue.comments:
                if comment["id"] == int(comment_id):
                    issue.comments.remove(comment)
                    return 204, {}, None
        return self._not_found()

    def _add_labels(self, request: Any, number: str) -> Any:
        issue = self._issue(number)
        if issue is None:
            return self._not_found()
        present = {label["name"] for label in issue.data["labels"]}
        for name in json.loads(request.body)["labels"]:
            if name not in present:
                issue.data["labels"].append(events.label(name))
                present.add(name)
                self._record_event(issue, "labeled", label={"name": name, "color": "ededed"})
        return 200, {}, issue.data["labels"]

    def _remove_label(self, request: Any, number: str, name: str) -> Any:
        issue = self._issue(number)
        name = unquote(name)
        if issue is None:
            return self._not_found()
        before = len(issue.data["labels"])
        issue.data["labels"] = [label for label in issue.data["labels"] if label["name"] != name]
        if len(issue.data["labels"]) == before:
            return self._not_found("Label does not exist",
                                   "https://docs.github.com/rest/issues/labels#remove-a-label-from-an-issue")
        self._record_event(issue, "unlabeled", label={"name": name, "color": "ededed"})
        return 200, {}, issue.data["labels"]

    def _add_assignees(self, request: Any, number: str) -> Any:
        issue = self._issue(number)
        if issue is None:
            return self._not_found()
        present = {a["login"] for a in issue.data["assignees"]}
        for login in json.loads(request.body)["assignees"]:
            if login not in present:
                issue.data["assignees"].append(events.user(login))
        issue.data["assignee"] = issue.data["assignees"][0] if issue.data["assignees"] else None
        return 201, {}, issue.data

    def _edit_issue(self, request: Any, number: str) -> Any:
        issue = self._issue(number)
        if issue is None:
            return self._not_found()
        change = json.loads(request.body)
        if "labels" in change:
            issue.data["labels"] = [events.label(name) for name in change["labels"]]
        if "assignees" in change:
            issue.data["assignees"] = [events.user(login) for login in change["assignees"]]
            issue.data["assignee"] = issue.data["assignees"][0] if issue.data["assignees"] else None
        if change.get("state") == "closed":
            issue.data["state"] = "closed"
            issue.data["state_reason"] = change.get("state_reason", "completed")
            issue.data["closed_at"] = "2026-11-23T14:40:00Z"
            self._record_event(issue, "closed", state_reason=issue.data["state_reason"],
                               created_at=issue.data["closed_at"])
        return 200, {}, issue.data

    # ------------------------------------------------------------ repository labels

    def add_repo_label(self, name: str, color: str = "ededed", description: str | None = None) -> dict[str, Any]:
        label = {
            "id": self._next_label_id,
            "node_id": f"LA_kwDOA{self._next_label_id}",
            "url": f"{self.api}/repos/{self.repo}/labels/{name}",
            "name": name,
            "color": color,
            "default": False,
            "description": description,
        }
        self._next_label_id += 1
        self.repo_labels.append(label)
        return label

    def _find_repo_label(self, name: str) -> dict[str, Any] | None:
        for label in self.repo_labels:
            if label["name"].casefold() == name.casefold():  # GitHub matches label names case-insensitively
                return label
        return None

    def _list_repo_labels(self, request: Any) -> Any:
        query = parse_qs(urlparse(request.url).query)
        per_page = int(query.get("per_page", ["30"])[0])
        page = int(query.get("page", ["1"])[0])
        items = self.repo_labels[(page - 1) * per_page: page * per_page]
        last = max(1, -(-len(self.repo_labels) // per_page))
        headers = {}
        if page < last:
            link = f"{self.api}/repositories/123456/labels?per_page={per_page}&page="
            headers["Link"] = f'<{link}{page + 1}>; rel="next", <{link}{last}>; rel="last"'
        return 200, headers, items

    def _create_repo_label(self, request: Any) -> Any:
        body = json.loads(request.body)
        if self._find_repo_label(body["name"]) is not None:
            return 422, {}, {"message": "Validation Failed",
                             "errors": [{"resource": "Label", "code": "already_exists", "field": "name"}],
                             "documentation_url": "https://docs.github.com/rest/issues/labels#create-a-label",
                             "status": "422"}
        label = self.add_repo_label(body["name"], body.get("color", "ededed"), body.get("description"))
        return 201, {"Location": label["url"]}, label

    def _update_repo_label(self, request: Any, name: str) -> Any:
        label = self._find_repo_label(unquote(name))
        if label is None:
            return self._not_found("Not Found", "https://docs.github.com/rest/issues/labels#update-a-label")
        body = json.loads(request.body)
        if "new_name" in body:
            label["name"] = body["new_name"]
            label["url"] = f"{self.api}/repos/{self.repo}/labels/{body['new_name']}"
        for key in ("color", "description"):
            if key in body:
                label[key] = body[key]
        return 200, {}, label
    # ------------------------------------------------------------ GraphQL

    def _graphql(self, request: Any) -> Any:
        """The OpenIncidents query, answered in GitHub's GraphQL shape (bots without the [bot] suffix)."""
        payload = json.loads(request.body)
        if "query OpenIncidents" not in payload["query"]:
            return 200, {}, {"errors": [{"message": "the fake answers only the OpenIncidents query"}]}
        variables = payload["variables"]
        label = variables["label"]
        cursor = variables.get("cursor")
        start = int(base64.b64decode(cursor).decode().split(":")[1]) if cursor else 0
        matching = sorted((issue for issue in self.issues.values()
                           if issue.data["state"] == "open" and label in [lb["name"] for lb in issue.data["labels"]]),
                          key=lambda issue: issue.number)
        page = matching[start:start + 100]
        end = start + len(page)

        def actor(user: dict[str, Any]) -> dict[str, Any]:
            bot = user.get("type") == "Bot"
            login = user["login"][: -len("[bot]")] if bot and user["login"].endswith("[bot]") else user["login"]
            return {"__typename": "Bot" if bot else "User", "login": login}

        def comment(c: dict[str, Any]) -> dict[str, Any]:
            return {"databaseId": c["id"], "url": c["html_url"], "body": c["body"], "createdAt": c["created_at"],
                    "author": actor(c["user"])}

        def responses(issue: FakeIssue) -> list[dict[str, Any]]:
            """timelineItems(itemTypes: [ISSUE_COMMENT, LABELED_EVENT, ASSIGNED_EVENT]), oldest first."""
            items = [(c["created_at"], {"__typename": "IssueComment", "createdAt": c["created_at"],
                                        "authorAssociation": c.get("author_association", "NONE"),
                                        "author": actor(c["user"])}) for c in issue.comments]
            for event in issue.events:
                if event.get("event") == "labeled":
                    items.append((event["created_at"], {"__typename": "LabeledEvent", "createdAt": event["created_at"],
                                                        "actor": actor(event["actor"]),
                                                        "label": {"name": event["label"]["name"]}}))
                elif event.get("event") == "assigned":
                    items.append((event["created_at"], {"__typename": "AssignedEvent",
                                                        "createdAt": event["created_at"],
                                                        "actor": actor(event["actor"])}))
            return [item for _, item in sorted(items, key=lambda pair: pair[0])]

        nodes = []
        for issue in page:
            data = issue.data
            nodes.append({
                "number": issue.number, "title": data["title"], "body": data["body"] or "",
                "url": data["html_url"], "createdAt": data["created_at"], "author": actor(data["user"]),
                "labels": {"nodes": [{"name": lb["name"]} for lb in data["labels"]]},
                "assignees": {"nodes": [{"login": a["login"]} for a in data["assignees"]]},
                "comments": {"pageInfo": {"hasNextPage": len(issue.comments) > 30},
                             "nodes": [comment(c) for c in issue.comments[:30]]},
                "latest": {"nodes": [{"createdAt": c["created_at"], "author": actor(c["user"])}
                                     for c in issue.comments[-5:]]},
                "responses": {"nodes": responses(issue)[:50]},
            })
        info = {"hasNextPage": end < len(matching),
                "endCursor": base64.b64encode(f"cursor:{end}".encode()).decode() if page else None}
        return 200, {}, {"data": {"repository": {"issues": {"pageInfo": info, "nodes": nodes}}}}
