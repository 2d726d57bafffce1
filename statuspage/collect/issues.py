"""From GitHub issues and comments (REST shapes) to incidents, reports and maintenance.

Pure: the same code reads a live listing, a saved export (`--issues-file`)
and the request cache of the previous deployment.

What is believed, and from whom:
- The post-mortem link, the severity the responder decided and its journal
  come only from the responder's own state marker, in a comment written by
  `bot.login` (`responder.model.state.read_marker`). A marker or a "post-mortem"
  link pasted by anyone else is ignored.
- Updates are the public part of the responder's journal (`PUBLIC_JOURNAL`:
  what it found and did, never its reminders, escalations or queueing) and
  comments by trusted authors that start with `/status`. Its classification
  entries are told as the impact in public words (model.impact), never as a
  severity or a tier. Anything else the
  responder's account writes (failure notices, post-mortem notes) is
  internal and stays off the page.
- Maintenance windows count only from trusted authors: issue forms apply
  their label for anyone.
- A report from an author who is not trusted yet shows the form's dropdown
  answers only (checked against the options), never its free text.
- Titles lose the prefix their issue form gives them ("[Outage]: ",
  "[Maintenance]: "): it files the issue for the team, and says nothing to a
  visitor.

Trusted means the responder's own rule (`trust.min_permission` on the
repository), decided by the `AuthorTrust` the reading carries: from the
collaborator permission API when the issues come from GitHub, from
`author_association` alone for an offline export. An author_association
outside `statuspage.trusted_associations` is never trusted (it can only
narrow the rule).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, Protocol

from responder.config.loader import Config
from responder.config.statuspage import StatusPageSettings
from responder.forms import maintenance
from responder.forms import specs as forms
from responder.forms.answers import parse_body
from responder.forms.specs import FormSpec
from responder.model.severity_levels import Severity
from responder.model.state import IssueState, StateSeal, render_marker
from responder.model.timestamps import iso_utc
from responder.model.timestamps import parse_utc as parse_time
from responder.model.trust import from_association
from responder.render.urls import safe_http_url as linkable_url
from statuspage.model import impact
from statuspage.model.page import (
    INCIDENT_STATUSES,
    Incident,
    IssueFacts,
    MaintenanceWindow,
    Update,
    UserReport,
)

MAX_UPDATE_CHARS = 4000
_SAFE_PATH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~/-]*$")
# The responder's public summary: the journal kinds a visitor is told, with the incident status each sets
# (None keeps the current one). Everything else in the journal is for the team: reminders that an update is
# due, escalations to a person, queueing, duplicates, change plans. A kind added later stays internal until
# it is listed here.
PUBLIC_JOURNAL: Mapping[str, str | None] = {
    "triaged": None, "severity": None, "finding": None, "remedy": "monitoring", "recovered": None,
    "fixed": "monitoring", "healthy": None,
}
# Journal kinds that classify the incident: their text names severities, tiers and rules, so the page says
# the impact they decided instead.
CLASSIFYING_JOURNAL = frozenset({"triaged", "severity"})


class AuthorTrust(Protocol):
    """Whether an author holds `trust.min_permission` on the repository."""

    def trusted(self, login: str, association: str) -> bool: ...


@dataclass(frozen=True)
class ByAssociation:
    """An offline export has no permission API: author_association alone, as `responder --offline` judges it
    (OWNER stands for admin, MEMBER and COLLABORATOR for write; anything else is untrusted)."""

    min_permission: str

    def trusted(self, login: str, association: str) -> bool:
        return from_association(login, association, self.min_permission).trusted


@dataclass(frozen=True)
class Verified:
    """The logins whose permission was checked and found enough, by this build or the one whose data is reused."""

    logins: frozenset[str]

    def trusted(self, login: str, association: str) -> bool:
        return login in self.logins


@dataclass(frozen=True)
class Reading:
    """What issues.py needs from the config, computed once per build."""

    config: Config
    settings: StatusPageSettings
    outage: FormSpec
    maintenance: FormSpec
    by_title: Mapping[str, str]  # normalised service title -> service name
    authors: AuthorTrust
    seal: StateSeal = field(default_factory=StateSeal)  # verifies the markers signed with secrets.state_key
    title_prefixes: tuple[str, ...] = ()  # what the issue forms put before a title: "[Outage]: "

    @classmethod
    def of(cls, config: Config, settings: StatusPageSettings, authors: AuthorTrust | None = None,
           seal: StateSeal | None = None) -> Reading:
        by_title = {forms.normalise_label(s.title): s.name for s in config.services}
        outage, planned = forms.outage_form(config), maintenance.maintenance_form(config, settings.maintenance.form)
        return cls(config, settings, outage, planned, by_title,
                   authors if authors is not None else ByAssociation(config.min_permission),
                   seal or StateSeal(),
                   tuple(form.title for form in (outage, planned, forms.feature_form(config)) if form.title.strip()))

    def public_title(self, title: Any, fallback: str) -> str:
        """The title a visitor reads: without the form's prefix, and never empty."""
        text = str(title or "")
        stripped = True
        while stripped:
            stripped = False
            for prefix in self.title_prefixes:
                match = _prefix_pattern(prefix).match(text)
                if match:
                    text, stripped = text[match.end():], True
        return text.strip()[:300] or fallback

    def state_in(self, comment: Mapping[str, Any], number: int) -> IssueState | None:
        """The responder's state in this comment: its own account's, and verified when there is a key."""
        if (comment.get("user") or {}).get("login") != self.config.bot_login:
            return None
        return self.seal.open(str(comment.get("body") or ""), self.config.repository or "", number)

    def service_named(self, title: str) -> str | None:
        return self.by_title.get(forms.normalise_label(title))

    def label(self, role: str) -> str:
        return self.config.labels[role]

    def trusted(self, item: Mapping[str, Any]) -> bool:
        """Whether the author of this issue or comment is trusted."""
        author = self.candidate(item)
        return author is not None and self.authors.trusted(*author)

    def candidate(self, item: Mapping[str, Any]) -> tuple[str, str] | None:
        """(login, author_association) when the author may be trusted; None when they never can (no request)."""
        login = str((item.get("user") or {}).get("login") or "")
        association = str(item.get("author_association") or "").upper()
        if not self.settings.may_vouch_for(login, association, self.config.bot_login):
            return None
        return login, association


@cache
def _prefix_pattern(prefix: str) -> re.Pattern[str]:
    """"[Outage]: " matches "[Outage]: ", "[outage]:" and "[Outage] " at the start of a title."""
    core = re.escape(prefix.strip().rstrip(":").strip())
    return re.compile(rf"\s*{core}\s*:?\s*", re.IGNORECASE)


# ---------------------------------------------------------------- which issues matter


def _labels(issue: Mapping[str, Any]) -> frozenset[str]:
    return frozenset(str(label.get("name", "")) if isinstance(label, Mapping) else str(label)
                     for label in issue.get("labels") or ())


def kind_of(issue: Mapping[str, Any], reading: Reading) -> str | None:
    """incident, report, maintenance, or None for an issue the page ignores."""
    if "pull_request" in issue or not isinstance(issue.get("number"), int):
        return None
    labels = _labels(issue)
    if reading.label("duplicate") in labels:
        return None
    if reading.label("incident") in labels:
        return "incident"
    if reading.label("maintenance") in labels:
        return "maintenance"
    if reading.label("user-report") in labels:
        return "report"
    return None


def needs_comments(issue: Mapping[str, Any], reading: Reading, now: datetime) -> bool:
    """Comments are read only for incidents the page details: active, or resolved recently."""
    if kind_of(issue, reading) != "incident":
        return False
    if issue.get("state") == "open":
        return True
    closed = parse_time(str(issue.get("closed_at") or ""))
    return closed is not None and closed >= now - timedelta(days=reading.settings.resolved_days)


# ---------------------------------------------------------------- collecting


def collect(issues: Iterable[Mapping[str, Any]], comments: Mapping[int, Sequence[Mapping[str, Any]]],
            reading: Reading, now: datetime) -> IssueFacts:
    incidents: list[Incident] = []
    reports: list[UserReport] = []
    windows: list[MaintenanceWindow] = []
    warnings: list[str] = []
    # Incidents closed before the history window only matter to the feed, and only the newest do:
    # reading just those keeps a build with thousands of past incidents fast.
    horizon = iso_utc(now - timedelta(days=max(reading.settings.history_days, reading.settings.resolved_days)))
    old: list[Mapping[str, Any]] = []
    for issue in _newest_first_unique(issues):
        kind = kind_of(issue, reading)
        if kind == "incident":
            if issue.get("state") == "closed" and str(issue.get("closed_at") or "") < horizon:
                old.append(issue)
                continue
            incident = _incident(issue, comments.get(issue["number"], ()), reading)
            if incident is not None:
                incidents.append(incident)
        elif kind == "report" and issue.get("state") == "open":
            reports.append(_report(issue, reading))
        elif kind == "maintenance" and issue.get("state") == "open":
            if not reading.trusted(issue):
                continue
            window = _maintenance(issue, reading)
            if window.window.problem:
                warnings.append(f"maintenance #{window.number}: {window.window.problem}")
            windows.append(window)
    old.sort(key=lambda i: (str(i.get("updated_at") or ""), i["number"]), reverse=True)
    for issue in old[:reading.settings.feed_entries]:
        incident = _incident(issue, comments.get(issue["number"], ()), reading)
        if incident is not None:
            incidents.append(incident)
    incidents.sort(key=lambda i: i.started_at, reverse=True)
    reports.sort(key=lambda r: r.reported_at, reverse=True)
    windows.sort(key=lambda w: (w.window.start or w.created_at))
    return IssueFacts(tuple(incidents), tuple(reports), tuple(windows), tuple(warnings))


def authors_to_check(issues: Iterable[Mapping[str, Any]], comments: Mapping[int, Sequence[Mapping[str, Any]]],
                     reading: Reading) -> frozenset[tuple[str, str]]:
    """Every (login, author_association) whose trust `collect` would ask about, for the shell to look up first:
    the authors of open maintenance issues and reports, and of `/status` comments on incidents."""
    items: list[Mapping[str, Any]] = []
    prefix = reading.settings.status_comment_prefix
    for issue in issues:
        kind = kind_of(issue, reading)
        if kind in ("maintenance", "report") and issue.get("state") == "open":
            items.append(issue)
        elif kind == "incident":
            items += [c for c in comments.get(issue["number"], ())
                      if parse_status_comment(str(c.get("body") or ""), prefix) is not None]
    return frozenset(author for author in map(reading.candidate, items) if author is not None)


def _newest_first_unique(issues: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """One entry per number: pages of a listing can overlap while issues change."""
    best: dict[int, Mapping[str, Any]] = {}
    for issue in issues:
        number = issue.get("number")
        if not isinstance(number, int):
            continue
        if number not in best or str(issue.get("updated_at") or "") > str(best[number].get("updated_at") or ""):
            best[number] = issue
    return list(best.values())


def _time(value: Any, fallback: datetime) -> datetime:
    parsed = parse_time(str(value)) if value else None
    return parsed or fallback


def _incident(issue: Mapping[str, Any], comments: Sequence[Mapping[str, Any]],
              reading: Reading) -> Incident | None:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    started = _time(issue.get("created_at"), epoch)
    closed = issue.get("state") == "closed"
    if closed and issue.get("state_reason") == "not_planned":
        return None  # closed as "not planned": it turned out not to be an incident
    state = bot_state(comments, reading, int(issue["number"]))
    updates = _updates(comments, state, reading, started)
    severity = _severity(issue, state, reading)
    parsed = parse_body(issue.get("body"), reading.outage)
    service = _known_service(parsed.choice("service"), reading)
    return Incident(
        number=int(issue["number"]),
        title=reading.public_title(issue.get("title"), f"Incident #{issue['number']}"),
        url=_github_url(issue.get("html_url")),
        severity=severity,
        services=(service,) if service else (),
        started_at=started,
        resolved_at=_time(issue.get("closed_at"), started) if closed else None,
        updates=updates,
        postmortem_url=postmortem_link(state),
    )


def bot_state(comments: Sequence[Mapping[str, Any]], reading: Reading, number: int) -> IssueState | None:
    """The responder's state, read only from a comment its own account wrote (and sealed, with a key)."""
    for comment in comments:
        state = reading.state_in(comment, number)
        if state is not None:
            return state
    return None


def postmortem_link(state: IssueState | None) -> str | None:
    """The post-mortem recorded by the post-mortem stage in the bot's state.

    Contract with that stage: `sections["postmortem"]` holds `url` (an
    absolute http(s) address) and/or `path` (relative to the post-mortem site,
    served under /post-mortems/). Anything else is ignored.
    """
    if state is None:
        return None
    section = state.sections.get("postmortem")
    if not isinstance(section, Mapping):
        return None
    url = section.get("url")
    if isinstance(url, str) and safe_http_url(url):
        return url
    path = section.get("path")
    if isinstance(path, str) and _SAFE_PATH.match(path) and ".." not in path.split("/"):
        return "post-mortems/" + path
    return None


def safe_http_url(url: str) -> bool:
    return linkable_url(url) is not None


def _github_url(value: Any) -> str:
    url = str(value or "")
    return url if safe_http_url(url) else ""


def _severity(issue: Mapping[str, Any], state: IssueState | None, reading: Reading) -> str | None:
    # A person's severity label wins, as in the responder: it is what GitHub shows.
    labels = _labels(issue)
    present = [level for level in Severity if reading.config.labels.severity(level) in labels]
    if len(present) == 1:
        return str(present[0])
    if state is not None and state.severity in {str(level) for level in Severity}:
        return state.severity
    return None


def _updates(comments: Sequence[Mapping[str, Any]], state: IssueState | None, reading: Reading,
             started: datetime) -> tuple[Update, ...]:
    found: list[tuple[datetime, str | None, str, str, bool, str]] = []
    bot = reading.config.bot_login
    if state is not None:
        for entry in public_state(state).journal:
            text = impact.assessment(entry.kind, entry.text) if entry.kind in CLASSIFYING_JOURNAL else entry.text
            if text and text.strip():
                found.append((_time(entry.at, started), PUBLIC_JOURNAL[entry.kind], text, bot, True,
                              _github_url(entry.source)))
    prefix = reading.settings.status_comment_prefix
    for comment in comments:
        login = str((comment.get("user") or {}).get("login") or "")
        body = str(comment.get("body") or "")
        at = _time(comment.get("created_at"), started)
        url = _github_url(comment.get("html_url"))
        if login == bot:
            continue  # its state marker was read above; its words are for the issue, not the page
        parsed = parse_status_comment(body, prefix)
        if parsed is not None and reading.trusted(comment):
            status, text = parsed
            found.append((at, status, text, login, False, url))
    found.sort(key=lambda item: item[0])
    updates = []
    current = "investigating"
    for at, status, text, author, by_bot, url in found:
        current = status or current
        updates.append(Update(at, current, text, author, by_bot, url))
    return tuple(updates)


def public_state(state: IssueState) -> IssueState:
    """What the page uses of the responder's state: the severity, the public journal and the post-mortem link."""
    sections = {"postmortem": state.sections["postmortem"]} if "postmortem" in state.sections else {}
    return IssueState(severity=state.severity, journal=tuple(e for e in state.journal if e.kind in PUBLIC_JOURNAL),
                      sections=sections)


def parse_status_comment(body: str, prefix: str) -> tuple[str | None, str] | None:
    """`/status identified: the disk is full` -> ("identified", "the disk is full"); None if not one."""
    text = body.replace("\r\n", "\n").lstrip()
    if not text.startswith(prefix) or (len(text) > len(prefix) and not text[len(prefix)].isspace()):
        return None
    rest = text[len(prefix):].strip()
    status = None
    word = re.match(r"^([a-z]+)\b:?\s*", rest, re.IGNORECASE)
    if word and word.group(1).lower() in INCIDENT_STATUSES:
        status = word.group(1).lower()
        rest = rest[word.end():]
    if not rest.strip():
        return None
    return status, rest[:MAX_UPDATE_CHARS]


def _known_service(title: str | None, reading: Reading) -> str | None:
    if not title or title == forms.OTHER_SERVICE:
        return None
    return reading.service_named(title)


def _report(issue: Mapping[str, Any], reading: Reading) -> UserReport:
    parsed = parse_body(issue.get("body"), reading.outage)
    name = _known_service(parsed.choice("service"), reading)
    service = reading.config.service(name) if name else None
    error_type = parsed.choice("error_type")
    scope = parsed.choice("scope")
    trusted = reading.trusted(issue)
    labels = _labels(issue)
    return UserReport(
        number=int(issue["number"]),
        url=_github_url(issue.get("html_url")),
        reported_at=_time(issue.get("created_at"), datetime(1970, 1, 1, tzinfo=UTC)),
        service=name,
        service_title=service.title if service else None,
        error_type=error_type if error_type in forms.ERROR_TYPES else None,
        scope=scope if scope in forms.SCOPES else None,
        title=reading.public_title(issue.get("title"), f"Report #{issue['number']}") if trusted else None,
        awaiting_review=not trusted or reading.label("needs-triage") in labels,
    )


def _maintenance(issue: Mapping[str, Any], reading: Reading) -> MaintenanceWindow:
    titles, window, impact, details = maintenance.answers(issue.get("body"), reading.maintenance)
    names = [name for name in (reading.service_named(title) for title in titles) if name is not None]
    created = _time(issue.get("created_at"), datetime(1970, 1, 1, tzinfo=UTC))
    return MaintenanceWindow(
        number=int(issue["number"]),
        title=reading.public_title(issue.get("title"), f"Maintenance #{issue['number']}"),
        url=_github_url(issue.get("html_url")),
        services=tuple(names),
        window=window,
        impact=impact,
        details=details[:MAX_UPDATE_CHARS],
        created_at=created,
    )


# ---------------------------------------------------------------- the request cache


_ISSUE_KEYS = ("number", "title", "state", "state_reason", "author_association", "created_at", "updated_at",
               "closed_at", "html_url", "comments")
_COMMENT_KEYS = ("id", "author_association", "created_at", "updated_at", "html_url", "issue_url")


def _issue_number_of(comment: Mapping[str, Any]) -> int:
    """The issue a REST comment belongs to, from its issue_url (0 when it cannot be told)."""
    url = str(comment.get("issue_url") or "")
    tail = url.rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def slim_issue(issue: Mapping[str, Any], reading: Reading) -> dict[str, Any] | None:
    """The part of an issue the page uses, still in GitHub's shape; None when the page ignores it.

    The request cache is published with the site, so it holds no more than
    the page shows: no free text from untrusted authors, and of a form body
    only the answers the page reads.
    """
    kind = kind_of(issue, reading)
    if kind is None:
        return None
    slim: dict[str, Any] = {key: issue.get(key) for key in _ISSUE_KEYS if key in issue}
    slim["labels"] = [{"name": name} for name in sorted(_labels(issue))]
    user = issue.get("user") or {}
    slim["user"] = {"login": user.get("login"), "type": user.get("type")}
    if kind == "maintenance":
        if not reading.trusted(issue):
            return None
        slim["body"] = _reduced_body(issue.get("body"), reading.maintenance,
                                     ("services", "start", "end", "impact", "details"))
    else:
        slim["body"] = _reduced_body(issue.get("body"), reading.outage, ("service", "error_type", "scope"))
        if kind == "report" and not reading.trusted(issue):
            slim["title"] = ""
    return slim


def _reduced_body(body: Any, form: FormSpec, keep: tuple[str, ...]) -> str | None:
    parsed = parse_body(str(body) if body else None, form)
    parts = []
    for field_id in keep:
        spec = form.field_by_id(field_id)
        value = parsed.values.get(field_id)
        if spec is None or value is None or value == []:
            continue
        text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        parts.append(f"### {spec.label}\n\n{text}\n")
    return "\n".join(parts) if parts else None


def slim_comment(comment: Mapping[str, Any], reading: Reading) -> dict[str, Any] | None:
    """The public part of the responder's marker, or a trusted status comment; None for anything else."""
    user = comment.get("user") or {}
    body = str(comment.get("body") or "")
    slim: dict[str, Any] = {key: comment.get(key) for key in _COMMENT_KEYS if key in comment}
    slim["user"] = {"login": user.get("login"), "type": user.get("type")}
    if user.get("login") == reading.config.bot_login:
        number = _issue_number_of(comment)
        state = reading.state_in(comment, number) if number else None
        if state is None:
            return None
        # The cache is read back by the next build: it keeps the public part, sealed again for this issue.
        slim["body"] = reading.seal.seal(render_marker(public_state(state)), reading.config.repository or "",
                                         number)
        return slim
    if parse_status_comment(body, reading.settings.status_comment_prefix) is not None and reading.trusted(comment):
        slim["body"] = body[:MAX_UPDATE_CHARS + 200]
        return slim
    return None
