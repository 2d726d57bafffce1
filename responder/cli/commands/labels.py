"""responder labels sync: create or update the responder's labels in the repository."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from responder.cli.app import add_config_argument
from responder.errors import EXIT_OK, InputError

if TYPE_CHECKING:
    from responder.cli.app import IO


def register(sub: Any) -> None:
    parser = sub.add_parser("labels", help="manage the labels the responder uses",
                            description="Manage the labels the responder reads and writes.")
    actions = parser.add_subparsers(dest="labels_command", metavar="ACTION")
    sync = actions.add_parser(
        "sync",
        help="create or update the labels with their colours and descriptions",
        description="Create the responder's labels that are missing and fix the colour, description or "
                    "letter case of those that differ, using the names in responder.yml (labels:). Other "
                    "labels are left alone and nothing is deleted.",
    )
    add_config_argument(sync)
    sync.add_argument("--repository", metavar="OWNER/NAME",
                      help="repository to sync (default: repository in responder.yml, else $GITHUB_REPOSITORY)")
    sync.add_argument("--dry-run", action="store_true", help="list the changes and make none")
    sync.set_defaults(run=run)


def run(args: argparse.Namespace, io: IO) -> int:
    from responder.cli.wiring import github_factory
    from responder.config.loader import load_config
    from responder.decision.executor import ExecutionContext, execute
    from responder.flows.label_sync import CREATE, UPDATE, label_sync_decision, plan_label_sync

    config = load_config(args.config)
    repository = args.repository or config.repository or io.env.get("GITHUB_REPOSITORY")
    if not repository:
        raise InputError("no repository to sync", hint="Pass --repository OWNER/NAME or set repository: in "
                                                      "responder.yml.")
    github = github_factory(io.env, config, mask_stream=io.stdout, unauthenticated_hint=(
        "Set GITHUB_TOKEN. Labels sync reads the repository's labels, --dry-run too."))(repository)
    changes = plan_label_sync(github.list_labels(), config.labels)
    if not args.dry_run:
        execute(label_sync_decision(changes, repository), ExecutionContext(issue=None, github=github, labels=github))
    for change in changes:
        print(change.describe(), file=io.stdout)
    created = sum(change.action == CREATE for change in changes)
    updated = sum(change.action == UPDATE for change in changes)
    verb = "would create" if args.dry_run else "created"
    print(f"{repository}: {verb} {created}, {'would update' if args.dry_run else 'updated'} {updated}, "
          f"{len(changes) - created - updated} already right", file=io.stdout)
    return EXIT_OK
