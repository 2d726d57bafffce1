"""statuspage build: gather the state of every service and write the static site."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from responder.cli.app import add_config_argument, moment_of
from responder.errors import EXIT_OK

if TYPE_CHECKING:
    from responder.cli.app import IO


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "build",
        help="build the static status page",
        description="Probe the services, read incidents, reports and maintenance from GitHub (or an export), "
                    "add the checks to the history and write the site: index.html, status.json, feed.atom, "
                    "badges, 404.html and the data files the next build reads back.",
    )
    add_config_argument(parser)
    parser.add_argument("--out", required=True, metavar="DIR", help="where to write the site (e.g. public/)")
    parser.add_argument("--issues-file", type=Path, metavar="F",
                        help='read issues from a saved export instead of GitHub: {"issues": [...], '
                             '"comments": {"<number>": [...]}} in GitHub\'s REST shapes')
    parser.add_argument("--history-file", type=Path, metavar="F",
                        help="seed the check history from this file instead of the previous deployment")
    parser.add_argument("--previous", metavar="SOURCE",
                        help="where the previous deployment's data is: auto, none, a directory, an http(s) URL "
                             "or branch:NAME (default: statuspage.previous, else auto)")
    parser.add_argument("--require-previous", action=argparse.BooleanOptionalAction, default=None,
                        help="stop when the previous deployment's history may exist but cannot be read (no "
                             "answer, an error status, a damaged file) rather than start a new one with a "
                             "warning (default: on in CI, where $CI is set, off elsewhere). A first "
                             "deployment (a 404, no branch yet) starts a new history either way")
    parser.add_argument("--no-probe", dest="probe", action="store_false",
                        help="skip live probes and Uptime Kuma: services show their last known state")
    parser.add_argument("--postmortems", type=Path, metavar="DIR",
                        help="built post-mortem site to publish under /post-mortems/ "
                             "(default: statuspage.postmortems_dir, site/build, when it exists)")
    parser.add_argument("--cadence", type=_cadence, metavar="MINUTES",
                        help="minutes between scheduled builds (the workflow passes its RESPONDER_CADENCE_MINUTES): "
                             "each check then fills that many minutes of history, and the page calls itself stale "
                             "only after two builds were missed (overrides statuspage.check_interval_minutes)")
    parser.add_argument("--now", metavar="ISO8601",
                        help="build as of this moment (UTC), e.g. to replay a saved export (default: now)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, io: IO) -> int:
    import logging
    from dataclasses import replace

    from responder.cli.wiring import github_factory
    from responder.config.loader import load_config
    from responder.model.events import REPOSITORY_PATTERN
    from statuspage.publish.build import BuildOptions, build

    config = load_config(args.config)
    if not config.repository and REPOSITORY_PATTERN.match(io.env.get("GITHUB_REPOSITORY", "")):
        # Inside the workflow that builds the page, as `sweep` and `labels sync` do: the page needs it
        # for its "Report an outage" link and for reading the issues.
        config = replace(config, repository=io.env["GITHUB_REPOSITORY"])
    if args.cadence is not None:
        # A build every N minutes: each check covers N minutes, and two missed builds mean stale.
        sections = config.statuspage
        config = replace(config, statuspage=replace(
            sections, check_interval_minutes=args.cadence,
            stale_after_minutes=max(sections.stale_after_minutes, 2 * args.cadence + 5)))
    now = moment_of(args.now)
    from responder.adapters.secrets import resolver_for
    from responder.model.state import StateSeal

    seal = StateSeal.for_bot(resolver_for(config, io.env, mask_stream=io.stdout).optional("state_key"),
                             config.bot_login)
    require_previous = args.require_previous
    if require_previous is None:
        # In CI the page is about to be deployed over the live one: an unreadable history must not be replaced.
        require_previous = io.env.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    options = BuildOptions(out=Path(args.out), issues_file=args.issues_file, history_file=args.history_file,
                           previous=args.previous, require_previous=require_previous, probe=args.probe,
                           postmortems=args.postmortems, now=now, seal=seal)
    github = None if args.issues_file else github_factory(
        io.env, config, mask_stream=io.stdout,
        unauthenticated_hint="Set GITHUB_TOKEN, or build from a saved export with --issues-file FILE.")
    result = build(config, options, github)
    log = logging.getLogger("statuspage")
    for note in result.notes:
        log.warning("note: %s", note)
    log.info("issues: %s; history: %s", result.issues_source, result.history_source)
    log.info("GitHub requests: %d (%d counted against the rate limit)", result.requests, result.counted)
    print(f"wrote {result.files} files to {result.out} (index.html {result.index_bytes // 1024} KB)",
          file=io.stdout)
    return EXIT_OK


def _cadence(text: str) -> int:
    try:
        minutes = int(text)
    except ValueError:
        minutes = 0
    if not 1 <= minutes <= 1440:
        raise argparse.ArgumentTypeError(f"expected whole minutes between 1 and 1440, got {text!r}")
    return minutes
