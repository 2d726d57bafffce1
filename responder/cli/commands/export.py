"""responder export: save an issue's own record (issue, comments, events) as GitHub returns it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from responder.cli.app import add_config_argument
from responder.errors import EXIT_OK, InputError

if TYPE_CHECKING:
    from responder.cli.app import IO


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "export",
        help="save an issue, its comments and its events as JSON",
        description="Write {issue, comments, events} in GitHub's REST shapes, for `postmortem write --issue-file`.",
    )
    add_config_argument(parser)
    parser.add_argument("--issue", type=int, required=True, metavar="N", help="issue number")
    parser.add_argument("--out", metavar="FILE", help="where to write (default: incident-N.json; - for stdout)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, io: IO) -> int:
    import json

    from responder.adapters.github.export import fetch_export, write_export
    from responder.cli.wiring import github_factory
    from responder.config.loader import load_config

    if args.issue <= 0:
        raise InputError(f"--issue {args.issue}: expected a positive issue number")
    config = load_config(args.config)
    if not config.repository:
        raise InputError("responder.yml sets no repository", hint="Add `repository: owner/name`.")
    github = github_factory(io.env, config, mask_stream=io.stderr, unauthenticated_hint=(
        "Set GITHUB_TOKEN. The export reads the issue, its comments and events from the GitHub API."
    ))(config.repository)
    export = fetch_export(github, args.issue)
    if args.out == "-":
        json.dump(export.to_json(), io.stdout, indent=2, ensure_ascii=False)
        io.stdout.write("\n")
    else:
        out = Path(args.out or f"incident-{args.issue}.json")
        write_export(export, out)
        print(f"wrote {out} ({len(export.comments)} comments, {len(export.events)} events, "
              f"{github.requests} GitHub requests)", file=io.stdout)
    return EXIT_OK
