"""statuspage publish: push the built site to the gh-pages branch as one atomic update."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from responder.cli.app import add_config_argument
from responder.errors import EXIT_OK

if TYPE_CHECKING:
    from responder.cli.app import IO


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "publish",
        help="push the built site to the gh-pages branch",
        description="Commit the built site to the Pages branch without touching your checkout, and move the "
                    "remote branch in one push. If anything fails, the previous page stays live.",
    )
    add_config_argument(parser)
    parser.add_argument("--out", required=True, metavar="DIR", help="the directory `statuspage build` wrote")
    parser.add_argument("--branch", help="branch to publish to (default: statuspage.branch, gh-pages)")
    parser.add_argument("--remote", default="origin", help="remote to push to (default: origin)")
    parser.add_argument("--repo", type=Path, metavar="PATH",
                        help="git repository to publish from (default: the directory of responder.yml)")
    parser.add_argument("--squash", action="store_true",
                        help="keep a bounded history: the newest --keep commits on a new root")
    parser.add_argument("--keep", type=int, default=10, metavar="N",
                        help="commits kept with --squash, including the new one (default: 10)")
    parser.add_argument("--message", default=None, help="commit message")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, io: IO) -> int:
    import logging

    from responder.adapters.git import GitRepo
    from responder.config.loader import load_config
    from statuspage.model.settings import settings_from
    from statuspage.publish.gh_pages import DEFAULT_MESSAGE, publish

    config = load_config(args.config)
    settings = settings_from(config)
    repo = GitRepo(args.repo or config.root)
    result = publish(repo, Path(args.out), remote=args.remote, branch=args.branch or settings.branch,
                     squash=args.squash, keep=args.keep, message=args.message or DEFAULT_MESSAGE)
    log = logging.getLogger("statuspage")
    if not result.changed:
        log.info("%s already holds this build (%s); nothing pushed", result.branch, result.commit[:12])
    print(f"{result.branch}: {(result.previous or 'new branch')[:12]} -> {result.commit[:12]}"
          f"{'' if result.changed else ' (unchanged)'}", file=io.stdout)
    return EXIT_OK
