"""The imperative shell of `statuspage build`: gather, assemble, render, write.

Every outside system sits behind its adapter (GitHub: collect.github_source,
Uptime Kuma: collect.kuma, HTTP probes: responder.adapters.probes, previous
deployment: collect.previous, files: publish.directory). What they return is
passed to the pure core (collect.issues.collect, render.assemble.assemble,
render.site.render_site).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from responder.adapters.progress import stage
from responder.config.loader import Config
from responder.config.statuspage import StatusPageSettings
from responder.errors import ConfigError, GitHubError, InputError
from responder.model.probes import TlsCheck
from responder.model.state import StateSeal
from responder.model.timestamps import iso_utc, parse_utc
from statuspage.collect import kuma
from statuspage.collect.github_source import (
    CACHE_VERSION,
    ConditionalGitHub,
    ExportFile,
    GitHubIssues,
    IssueSource,
    Snapshot,
    cached_authors,
)
from statuspage.collect.issues import Reading
from statuspage.collect.previous import Previous, read_previous
from statuspage.model import history
from statuspage.model.history import Check, History
from statuspage.model.settings import settings_from
from statuspage.publish.directory import write_site
from statuspage.render.assemble import Inputs, assemble
from statuspage.render.site import render_site

if TYPE_CHECKING:
    from responder.adapters.probes import ProbeRunner

log = logging.getLogger("statuspage")
PROBE_CODES = {"ok": history.OK, "degraded": history.DEGRADED, "down": history.DOWN}


@dataclass(frozen=True)
class BuildOptions:
    out: Path
    issues_file: Path | None = None
    history_file: Path | None = None
    previous: str | None = None  # None: statuspage.previous
    # A previous history that may exist but cannot be read stops the build (True), or a new one starts with
    # a warning (False). The command turns it off outside CI, where the page is not about to be deployed.
    require_previous: bool = True
    probe: bool = True
    postmortems: Path | None = None
    now: datetime | None = None
    # Verifies the responder's state markers (secrets.state_key); without a key they are read unverified.
    seal: StateSeal = field(default_factory=StateSeal)


@dataclass(frozen=True)
class BuildResult:
    out: Path
    files: int
    requests: int
    counted: int
    issues_source: str
    history_source: str
    notes: tuple[str, ...]
    index_bytes: int


GitHubFactory = Callable[[str], ConditionalGitHub]


def build(config: Config, options: BuildOptions, github: GitHubFactory | None = None,
          prober: ProbeRunner | None = None) -> BuildResult:
    settings = settings_from(config)
    reading = Reading.of(config, settings, seal=options.seal)
    now = (options.now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    notes: list[str] = []

    previous = _previous(config, settings, options)
    seed = _read_seed(options.history_file) if options.history_file else None

    with stage(log, "read", "issues") as reading_issues:
        snapshot = _issues(config, settings, reading, options, previous, github, now, notes)
        reading_issues.count = len(snapshot.issues)
    probe_checks: tuple[Check, ...] = ()
    certificates: dict[str, TlsCheck] = {}
    source_checks: list[Check] = []
    if options.probe:
        with stage(log, "probed", "services", len(config.services)):
            probe_checks, certificates = _probe(config, settings, prober, now)
        for source in settings.sources:
            with stage(log, "read", f"monitors of {source.url}") as monitors:
                result = kuma.fetch(source, config)
                monitors.count = len(result.checks)
            source_checks += result.checks
            notes += result.warnings
    if snapshot.authors is not None:
        reading = replace(reading, authors=snapshot.authors)
    with stage(log, "assembled", "page"):
        facts = _collect(snapshot, reading, now)
        page, recorded = assemble(Inputs(
            config=config, settings=settings, now=now, facts=facts,
            previous=seed if seed is not None else previous.history,
            probe_checks=probe_checks, source_checks=tuple(source_checks), notes=tuple(notes),
            postmortem_site=_postmortems(config, settings, options) is not None, certificates=certificates,
        ))
    history_origin = str(options.history_file) if seed is not None else previous.origin
    build_info = {
        "generated_at": iso_utc(page.generated_at),
        "issues": snapshot.source,
        "history": history_origin,
        "probes": len(probe_checks),
        "github_requests": snapshot.requests,
        "github_requests_counted": snapshot.counted,
    }
    with stage(log, "rendered and wrote", "files") as writing:
        files = render_site(page, recorded, snapshot.cache, build_info)
        count = write_site(options.out, files, _postmortems(config, settings, options))
        writing.count = count
    return BuildResult(options.out, count, snapshot.requests, snapshot.counted, snapshot.source,
                       history_origin, page.notes, len(files["index.html"]))


def _previous(config: Config, settings: StatusPageSettings, options: BuildOptions) -> Previous:
    needs_history = options.history_file is None
    needs_cache = options.issues_file is None
    if not needs_history and not needs_cache:
        return Previous(None, None, "not needed")
    spec = options.previous or settings.previous
    previous = read_previous(spec, root=config.root, site_url=settings.url, branch=settings.branch,
                             strict=options.require_previous and needs_history)
    if previous.problem and needs_history:
        log.warning("warning: %s; starting a new history", previous.problem)
    log.info("previous deployment: %s (%s)", previous.origin,
             "with history" if previous.history else "no history yet")
    return previous


def _issues(config: Config, settings: StatusPageSettings, reading: Reading, options: BuildOptions,
            previous: Previous, github: GitHubFactory | None, now: datetime, notes: list[str]) -> Snapshot:
    if options.issues_file is not None:
        return ExportFile(options.issues_file).snapshot(reading, now)
    if not config.repository:
        raise ConfigError(f"{config.path}: `repository` is needed to read incidents from GitHub",
                          hint="Set repository: owner/name, or pass --issues-file EXPORT.json.")
    if github is None:
        raise ConfigError("no GitHub access configured", hint="Set GITHUB_TOKEN, or pass --issues-file.")
    source: IssueSource = GitHubIssues(github(config.repository), previous.cache, settings.history_days)
    try:
        return source.snapshot(reading, now)
    except GitHubError as exc:
        if not previous.cache:
            raise
        # GitHub being unreachable must not take the status page down with it.
        log.warning("GitHub could not be read (%s); using the previous deployment's data", exc)
        notes.append("Incidents and reports could not be refreshed from GitHub at this update; "
                     "they are shown as of the previous update.")
        return snapshot_from_cache(previous.cache, config.repository or "")


def snapshot_from_cache(cache: Mapping[str, Any], repository: str) -> Snapshot:
    """The issues and comments the previous deployment saw, from its request cache."""
    issues: list[Mapping[str, Any]] = []
    comments: dict[int, list[Mapping[str, Any]]] = {}
    pages = cache.get("pages") if cache.get("version") == CACHE_VERSION else None
    for key, entry in (pages or {}).items():
        if not isinstance(entry, Mapping):
            continue
        items = [item for item in entry.get("items") or () if isinstance(item, Mapping)]
        number = _comments_issue(str(key))
        if number is None:
            issues += items
        else:
            comments.setdefault(number, []).extend(items)
    return Snapshot(tuple(issues), {n: tuple(c) for n, c in comments.items()}, source="previous deployment",
                    cache=cache, authors=cached_authors(cache))


def _comments_issue(key: str) -> int | None:
    import re

    match = re.search(r"/issues/(\d+)/comments", key)
    return int(match.group(1)) if match else None


def _collect(snapshot: Snapshot, reading: Reading, now: datetime) -> Any:
    from statuspage.collect.issues import collect

    return collect(snapshot.issues, snapshot.comments, reading, now)


def _probe(config: Config, settings: StatusPageSettings, prober: ProbeRunner | None,
           now: datetime) -> tuple[tuple[Check, ...], dict[str, TlsCheck]]:
    """This run's checks, and the certificates of the https services (a note on the page when one needs
    renewing)."""
    from responder.adapters.probes import Prober, ProbeTarget

    targets = [t for t in (ProbeTarget.for_service(s) for s in config.services) if t is not None]
    # The probes run now: stamp them with the build's clock, so --now replays stay consistent.
    results = (prober or Prober(now=lambda: now)).probe_all(targets)
    checks = []
    for result in results:
        at = parse_utc(result.checked_at) or now
        checks.append(Check(result.service, at, PROBE_CODES[result.state], result.detail, result.latency_ms,
                            "probe", slots=settings.slots_per_check))
    return tuple(checks), {result.service: result.tls for result in results if result.tls is not None}


def _postmortems(config: Config, settings: StatusPageSettings, options: BuildOptions) -> Path | None:
    if options.postmortems is not None:
        if not options.postmortems.is_dir():
            raise ConfigError(f"--postmortems {options.postmortems}: not a directory",
                              hint="Build the post-mortem site first (mkdocs build), or leave the option out.")
        return options.postmortems
    default = config.root / settings.postmortems_dir
    return default if default.is_dir() else None


def _read_seed(path: Path) -> History:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"--history-file {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"--history-file {path}: cannot be read: {exc}") from None
    return history.loads(text, str(path))
