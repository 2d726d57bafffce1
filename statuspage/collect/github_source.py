"""Where the issues come from: GitHub's REST API (with ETags) or a saved export.

Cost of a refresh against GitHub:
- the listing: one request per 100 issues, in two listings (all open
  issues; closed incidents updated within the history window);
- comments: one request per 100 comments, only for incidents the page
  details (active, or resolved within `resolved_days`);
- trust: one collaborator-permission request per author the page would
  believe (OWNER, MEMBER or COLLABORATOR authors of open maintenance
  issues and reports, and of `/status` comments), once per login per build.
Every listing request carries the ETag of the previous deployment's answer
(If-None-Match). GitHub answers 304 Not Modified when nothing changed, and
304s do not count against the rate limit, so an unchanged refresh costs no
budget. The ETags and the slimmed answers they stand for are published with
the site (data/github-cache.json) and read back by the next build.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urlencode

from responder.adapters.inputs import read_json_file
from responder.errors import GitHubError, InputError
from responder.model.trust import TrustVerdict, from_error, from_permission
from statuspage.collect.issues import (
    PUBLIC_JOURNAL,
    AuthorTrust,
    Reading,
    Verified,
    authors_to_check,
    needs_comments,
    slim_comment,
    slim_issue,
)

CACHE_VERSION = 1


@dataclass(frozen=True)
class Snapshot:
    issues: tuple[Mapping[str, Any], ...]
    comments: Mapping[int, tuple[Mapping[str, Any], ...]]
    source: str
    requests: int = 0  # HTTP requests made
    counted: int = 0  # of those, the ones that count against the rate limit (all but 304s)
    cache: Mapping[str, Any] = field(default_factory=dict)  # to publish for the next build
    authors: AuthorTrust | None = None  # whom the page may believe; None: judge by author_association (offline)


class IssueSource(Protocol):
    def snapshot(self, reading: Reading, now: datetime) -> Snapshot: ...


class ConditionalGitHub(Protocol):
    """The part of responder.adapters.github.GitHubClient this module uses."""

    repository: str

    def get_if_changed(self, path: str, *, params: Mapping[str, Any] | None = None,
                       etag: str | None = None) -> Any: ...


# ---------------------------------------------------------------- a saved export


class ExportFile:
    """`--issues-file`: {"issues": [...as GET /repos/{o}/{r}/issues returns them],
    "comments": {"<number>": [...as GET /repos/{o}/{r}/issues/{n}/comments returns them]}}"""

    def __init__(self, path: Path) -> None:
        self.path = path

    def snapshot(self, reading: Reading, now: datetime) -> Snapshot:
        raw = read_json_file(self.path, str(self.path))
        issues, comments = read_export(raw, str(self.path))
        return Snapshot(issues, comments, source=f"export {self.path.name}")


Comments = dict[int, tuple[Mapping[str, Any], ...]]


def read_export(raw: Any, origin: str) -> tuple[tuple[Mapping[str, Any], ...], Comments]:
    hint = 'Expected {"issues": [...], "comments": {"<number>": [...]}} in GitHub\'s REST shapes.'
    if not isinstance(raw, Mapping) or not isinstance(raw.get("issues"), list):
        raise InputError(f"{origin}: expected a mapping with an 'issues' list", hint=hint)
    problems = [f"issues[{i}]" for i, item in enumerate(raw["issues"])
                if not isinstance(item, Mapping) or not isinstance(item.get("number"), int)]
    comments_raw = raw.get("comments") or {}
    if not isinstance(comments_raw, Mapping):
        raise InputError(f"{origin}: 'comments' must be a mapping of issue number to a list", hint=hint)
    comments: Comments = {}
    for key, items in comments_raw.items():
        if not str(key).isdigit() or not isinstance(items, list) or \
                not all(isinstance(item, Mapping) for item in items):
            problems.append(f"comments.{key}")
            continue
        comments[int(key)] = tuple(items)
    if problems:
        shown = ", ".join(problems[:5]) + (" ..." if len(problems) > 5 else "")
        raise InputError(f"{origin}: {len(problems)} entries are not issues or comment lists: {shown}", hint=hint)
    return tuple(raw["issues"]), comments


# ---------------------------------------------------------------- GitHub, with ETags


def fingerprint(reading: Reading) -> str:
    """Cached answers are slimmed with the config's labels and forms: a change invalidates them."""
    config, settings = reading.config, reading.settings
    basis = {
        "v": CACHE_VERSION,
        "repository": config.repository,
        "labels": dict(config.labels.names),
        "bot": config.bot_login,
        "prefix": settings.status_comment_prefix,
        "trusted": list(settings.trusted_associations),
        # What was slimmed away depended on who was trusted, and how that was decided.
        "trust": f"permission>={config.min_permission}",
        "journal": sorted(PUBLIC_JOURNAL),
        "services": [s.title for s in config.services],
        "resolved_days": settings.resolved_days,
    }
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()[:16]


class PermissionLookup:
    """The responder's trust rule for authors: at least `trust.min_permission`, by the collaborator
    permission API, asked once per login per build. An error is a refusal, as in the responder.

    Each request carries the ETag of the previous deployment's answer for that login, so a permission
    that did not change costs no rate limit. Only the verdict is kept with the ETag (the published cache
    says who was trusted, which the page shows anyway, not who is an admin).
    """

    def __init__(self, client: ConditionalGitHub, min_permission: str, previous: Mapping[str, Any]) -> None:
        self._client = client
        self._min_permission = min_permission
        self._previous = previous
        self._verdicts: dict[str, TrustVerdict] = {}
        self.cache: dict[str, dict[str, Any]] = {}  # login -> {"etag", "trusted"}, for the next build
        self.requests = 0
        self.counted = 0

    def trusted(self, login: str, association: str) -> bool:
        if login not in self._verdicts:
            self._verdicts[login] = self._verdict(login)
        return self._verdicts[login].trusted

    def _verdict(self, login: str) -> TrustVerdict:
        path = f"/repos/{self._client.repository}/collaborators/{quote(login, safe='')}/permission"
        cached = self._previous.get(login)
        etag = cached.get("etag") if isinstance(cached, Mapping) and isinstance(cached.get("trusted"), bool) \
            else None
        self.requests += 1
        try:
            response = self._client.get_if_changed(path, etag=etag)
        except GitHubError as exc:
            self.counted += 1
            return from_error(login, exc.message)
        if response.status == 304 and isinstance(cached, Mapping) and etag:
            trusted = bool(cached["trusted"])
            self.cache[login] = {"etag": etag, "trusted": trusted}
            detail = f"permission unchanged since the previous build (needs {self._min_permission})"
            return TrustVerdict(trusted, login, "permission", detail)
        self.counted += 1
        verdict = from_permission(login, permission_in(response.data), self._min_permission)
        if response.headers.get("etag"):
            self.cache[login] = {"etag": response.headers["etag"], "trusted": verdict.trusted}
        return verdict

    def verified(self) -> Verified:
        return Verified(frozenset(login for login, verdict in self._verdicts.items() if verdict.trusted))


def permission_in(data: Any) -> str:
    """The permission in an answer of GET /repos/{o}/{r}/collaborators/{login}/permission, read as
    responder.adapters.github reads it: the role name when it is a built-in role, else the legacy permission."""
    if not isinstance(data, Mapping):
        return "none"
    role = str(data.get("role_name") or "").lower()
    if role in ("admin", "maintain", "write", "triage", "read"):
        return role
    return str(data.get("permission") or "none").lower()


class GitHubIssues:
    def __init__(self, client: ConditionalGitHub, previous_cache: Mapping[str, Any] | None,
                 history_days: int) -> None:
        self._client = client
        self._previous = previous_cache or {}
        self._history_days = history_days
        self._requests = 0
        self._counted = 0

    def snapshot(self, reading: Reading, now: datetime) -> Snapshot:
        stamp = fingerprint(reading)
        old_pages: Mapping[str, Any] = {}
        old_permissions: Mapping[str, Any] = {}
        if self._previous.get("version") == CACHE_VERSION and self._previous.get("fingerprint") == stamp:
            pages = self._previous.get("pages")
            old_pages = pages if isinstance(pages, Mapping) else {}
            permissions = self._previous.get("permissions")
            old_permissions = permissions if isinstance(permissions, Mapping) else {}
        lookup = PermissionLookup(self._client, reading.config.min_permission, old_permissions)
        reading = replace(reading, authors=lookup)
        new_pages: dict[str, Any] = {}
        repo = self._client.repository
        # Day-aligned, so the listing's address (and so its ETag) stays the same all day.
        since = (now - timedelta(days=self._history_days)).strftime("%Y-%m-%dT00:00:00Z")
        listings = (
            {"state": "open", "sort": "updated", "direction": "desc", "per_page": 100},
            {"state": "closed", "labels": reading.label("incident"), "since": since, "sort": "updated",
             "direction": "desc", "per_page": 100},
        )
        issues: list[Mapping[str, Any]] = []
        for params in listings:
            issues += self._pages(f"/repos/{repo}/issues", params, old_pages, new_pages,
                                  lambda item: slim_issue(item, reading))
        comments: dict[int, tuple[Mapping[str, Any], ...]] = {}
        for issue in issues:
            if needs_comments(issue, reading, now) and issue["number"] not in comments:
                comments[issue["number"]] = tuple(self._pages(
                    f"/repos/{repo}/issues/{issue['number']}/comments", {"per_page": 100}, old_pages, new_pages,
                    lambda item: slim_comment(item, reading)))
        # Answers reused from the previous deployment were judged then: every author is judged again now.
        for author in sorted(authors_to_check(issues, comments, reading)):
            lookup.trusted(*author)
        authors = lookup.verified()
        cache = {"version": CACHE_VERSION, "fingerprint": stamp, "repository": repo, "pages": new_pages,
                 "permissions": dict(sorted(lookup.cache.items()))}
        return Snapshot(tuple(issues), comments, source=f"GitHub {repo}", requests=self._requests + lookup.requests,
                        counted=self._counted + lookup.counted, cache=cache, authors=authors)

    def _pages(self, path: str, params: Mapping[str, Any], old_pages: Mapping[str, Any],
               new_pages: dict[str, Any], slim: Any) -> list[Mapping[str, Any]]:
        from responder.adapters.github import next_link

        items: list[Mapping[str, Any]] = []
        url: str | None = path
        query: Mapping[str, Any] | None = params
        key = f"{path}?{urlencode(sorted(params.items()))}"
        pages = 0
        while url and pages < 1000:  # a bound against a Link loop
            pages += 1
            cached = old_pages.get(key)
            etag = cached.get("etag") if isinstance(cached, Mapping) else None
            response = self._client.get_if_changed(url, params=query, etag=etag)
            self._requests += 1
            kept: list[Mapping[str, Any]]
            if response.status == 304 and isinstance(cached, Mapping):
                kept = [item for item in cached.get("items") or () if isinstance(item, Mapping)]
                following = cached.get("next") if isinstance(cached.get("next"), str) else None
            else:
                self._counted += 1
                etag = response.headers.get("etag")
                data = response.data if isinstance(response.data, list) else []
                kept = [s for s in (slim(item) for item in data if isinstance(item, Mapping)) if s is not None]
                following = next_link(response.headers)
            new_pages[key] = {"etag": etag, "items": kept, "next": following}
            items.extend(kept)
            url = following
            query = None  # the next link carries the query
            key = url or ""
        return items


def cached_authors(cache: Mapping[str, Any]) -> Verified:
    """Whom the deployment that wrote this cache found trusted (nobody, for a cache that does not say)."""
    permissions = cache.get("permissions")
    entries = permissions.items() if isinstance(permissions, Mapping) else ()
    return Verified(frozenset(str(login) for login, entry in entries
                              if isinstance(entry, Mapping) and entry.get("trusted") is True))


def read_cache(raw: Any) -> Mapping[str, Any] | None:
    return raw if isinstance(raw, Mapping) and raw.get("version") == CACHE_VERSION else None
