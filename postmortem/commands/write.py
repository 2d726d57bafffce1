"""postmortem write: draft (or update) the post-mortem of one incident."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from responder.cli.app import add_config_argument
from responder.errors import EXIT_OK, InputError

if TYPE_CHECKING:
    from responder.cli.app import IO

log = logging.getLogger("postmortem")


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "write",
        help="write or update the post-mortem of an incident",
        description="Build the timeline, duration and error budget of an incident from its issue and write "
                    "the post-mortem draft under <site>/docs/post-mortems/, keeping what people wrote.",
    )
    add_config_argument(parser)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--issue", type=int, metavar="N", help="read issue N from GitHub (needs GITHUB_TOKEN)")
    source.add_argument("--issue-file", metavar="FILE",
                        help="read a saved export {issue, comments, events} (see `responder export`)")
    add_site_argument(parser)
    parser.add_argument("--dry-run", action="store_true", help="print the document and write nothing")
    parser.add_argument("--force", action="store_true",
                        help="regenerate even over hand edits outside the human sections")
    parser.set_defaults(run=run)


def add_site_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site-dir", metavar="DIR",
                        help="the mkdocs project (default: postmortem.site_dir of responder.yml, else ./site)")


def run(args: argparse.Namespace, io: IO) -> int:
    from postmortem.model.incident import format_duration
    from postmortem.site.layout import load_settings
    from postmortem.site.writer import draft
    from responder.adapters.files import write_if_changed
    from responder.config.loader import load_config

    config = load_config(args.config)
    settings = load_settings(config, args.site_dir)
    export = _read_export(args, config, io)
    _check_repository(export, config, args)
    from responder.adapters.secrets import resolver_for
    from responder.model.state import StateSeal

    key = resolver_for(config, io.env, mask_stream=io.stderr).optional("state_key")
    result = draft(export, config, settings, force=args.force, seal=StateSeal.for_bot(key, config.bot_login))
    incident = result.incident
    if incident.severity not in settings.severities:
        log.warning("#%d is %s; post-mortems are required for %s only, written anyway as asked",
                    incident.number, incident.severity or "not classified", ", ".join(settings.severities))
    if not incident.services:
        named = (f"the report names {incident.reported_service!r}, which responder.yml's catalogue does not have"
                 if incident.reported_service else "the report names no service of responder.yml's catalogue")
        log.warning("#%d: %s, so the post-mortem lists no services and no error budget; fill them in by hand",
                    incident.number, named)
    if args.dry_run:
        io.stdout.write(result.text)
        return EXIT_OK
    changed = write_if_changed(result.path, result.text)
    write_if_changed(result.index_path, result.index_text)
    budgets = "; ".join(
        f"{b.service.name} {b.consumed_percent} % of the monthly error budget" if b.consumed_percent is not None
        else f"{b.service.name}: no slo, budget not computed"
        for b in incident.budgets)
    verb = "wrote" if changed else "unchanged:"
    print(f"{verb} {_shown(result.path)} ({incident.severity or 'unclassified'}, "
          f"{format_duration(incident.duration)}{'; ' + budgets if budgets else ''})", file=io.stdout)
    if result.link:
        print(f"link: {result.link}", file=io.stdout)
    return EXIT_OK


def _read_export(args: argparse.Namespace, config: Any, io: IO) -> Any:
    from responder.adapters.github.export import fetch_export, read_export

    if args.issue_file:
        return read_export(args.issue_file)
    if args.issue <= 0:
        raise InputError(f"--issue {args.issue}: expected a positive issue number")
    if not config.repository:
        raise InputError("responder.yml sets no repository", hint="Add `repository: owner/name`, or use --issue-file.")
    from responder.cli.wiring import github_factory

    return fetch_export(github_factory(io.env, config, mask_stream=io.stderr, unauthenticated_hint=(
        "Set GITHUB_TOKEN, or write from a saved export with --issue-file FILE."))(config.repository), args.issue)


def _check_repository(export: Any, config: Any, args: argparse.Namespace) -> None:
    """An export of another repository's issue would match none of this catalogue: refuse it."""
    theirs, ours = export.repository, config.repository
    if theirs and ours and theirs.casefold() != ours.casefold():
        source = args.issue_file or f"issue {args.issue}"
        raise InputError(f"{source}: the export is of {theirs}#{export.number}, but responder.yml is for {ours}",
                         hint="Export the issue from this repository (`responder export --issue N`), or pass "
                              "that repository's responder.yml with --config.")


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
