"""postmortem todos: file the follow-up issues of changed post-mortems, each exactly once."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from postmortem.commands.write import add_site_argument
from responder.cli.app import add_config_argument
from responder.errors import EXIT_BAD_INPUT, EXIT_OK, InputError

if TYPE_CHECKING:
    from postmortem.model.settings import Settings
    from responder.cli.app import IO
    from responder.config.loader import Config
    from responder.decision.actions import OpenedIssue

log = logging.getLogger("postmortem")


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "todos",
        help="file follow-up issues for TODO action items",
        description="For each given post-mortem, file one issue per action item of type alert, config or "
                    "monitor with status TODO, link it to the post-mortem, and record its number in the "
                    "front matter. Items already filed are never filed again.",
    )
    add_config_argument(parser)
    add_site_argument(parser)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--changed-since", metavar="REF",
                       help="the post-mortems changed since this git ref (e.g. the push's `before` commit)")
    which.add_argument("--all", action="store_true", help="every post-mortem")
    which.add_argument("paths", nargs="*", default=[], metavar="PATH", help="post-mortem files")
    parser.add_argument("--dry-run", action="store_true", help="say what would be filed; write nothing")
    parser.add_argument("--commit", action="store_true",
                        help="commit the updated front matter (and push, unless postmortem.push is false)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, io: IO) -> int:
    from postmortem.document.followups import filed_followups, plan_followups, record_issues
    from postmortem.site.collection import read_document
    from postmortem.site.layout import load_settings
    from responder.adapters.files import write_if_changed
    from responder.config.loader import load_config

    config = load_config(args.config)
    settings = load_settings(config, args.site_dir)
    paths = _selected(args, settings, config)
    if not paths:
        print("no post-mortems to look at", file=io.stdout)
        return EXIT_OK
    github: Any = None
    filed: dict[str, int] | None = None
    broken = 0
    changed: list[Path] = []
    for path in paths:
        document = read_document(path)
        if document.problem:
            log.error("%s: %s; skipped", path, document.problem)
            broken += 1
            continue
        _, problems = document.action_items
        for problem in problems:
            log.error("%s: %s", path, problem)
        broken += bool(problems)
        plans = plan_followups(document, path, settings.link(path), config.templates_dir)
        if not plans:
            continue
        if filed is None:
            github = _github(config, io)
            # One paged read of the bot's follow-ups finds every one already filed.
            filed = filed_followups(github.list_issues(labels=settings.followup_labels[:1]), config.bot_login)
        numbers: dict[int, int] = {}
        for plan in plans:
            if plan.key in filed:
                numbers[plan.item.id] = filed[plan.key]
                print(f"{path.name}: item {plan.item.id} was already filed as #{filed[plan.key]}", file=io.stdout)
            elif args.dry_run:
                print(f"{path.name}: would file item {plan.item.id}: {plan.title}", file=io.stdout)
            else:
                opened = _file(github, plan.title, plan.body, settings.followup_labels)
                filed[plan.key] = numbers[plan.item.id] = opened.number
                print(f"{path.name}: filed item {plan.item.id} as #{opened.number}", file=io.stdout)
        recorded = record_issues(document, numbers, config.templates_dir) if numbers else None
        if recorded is not None and not args.dry_run and write_if_changed(path, recorded):
            changed.append(path)
    if changed and args.commit:
        _commit(changed, settings, config, io)
    return EXIT_BAD_INPUT if broken else EXIT_OK


def _file(github: Any, title: str, body: str, labels: tuple[str, ...]) -> OpenedIssue:
    """Open one follow-up issue, through the executor like every write to GitHub."""
    from responder.decision.actions import Decision, OpenedIssue, OpenIssue
    from responder.decision.executor import ExecutionContext, execute

    decision = Decision(event="postmortem-todos", issue=None, kind="follow-up", trusted=None, severity=None,
                        outcome="filed", reasons=(title,), actions=(OpenIssue(title, body, labels),))
    report = execute(decision, ExecutionContext(issue=None, github=github))
    return next(result for result in report.results if isinstance(result, OpenedIssue))


def _selected(args: argparse.Namespace, settings: Settings, config: Config) -> list[Path]:
    from postmortem.site.collection import post_mortem_files

    if args.all:
        return post_mortem_files(settings)
    if args.paths:
        paths = [Path(p) for p in args.paths]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise InputError(f"no such post-mortem: {', '.join(missing)}")
        return paths
    from responder.adapters.git import GitRepo

    repo = GitRepo(config.root)
    directory = settings.postmortems_dir
    # --relative: paths come back relative to the repository root we run in, whatever the checkout.
    out = repo.git("diff", "--name-only", "--relative", "--diff-filter=AMR", args.changed_since, "--",
                   str(directory.resolve())).stdout
    known = {p.resolve() for p in post_mortem_files(settings)}
    return [p for p in (repo.root / line for line in out.splitlines() if line.strip()) if p.resolve() in known]


def _github(config: Config, io: IO) -> Any:
    if not config.repository:
        raise InputError("responder.yml sets no repository", hint="Add `repository: owner/name`.")
    from responder.cli.wiring import github_factory

    return github_factory(io.env, config, mask_stream=io.stdout, unauthenticated_hint=(
        "Set GITHUB_TOKEN. Follow-ups already filed are read from the GitHub API, --dry-run too."))(config.repository)


def _commit(paths: list[Path], settings: Settings, config: Config, io: IO) -> None:
    from responder.adapters.git import GitRepo
    from responder.adapters.secrets import github_token

    repo = GitRepo(settings.root, push_token=lambda: github_token(config, io.env))
    relative = [str(p.resolve().relative_to(repo.root.resolve())) for p in paths]
    sha = repo.commit(f"docs: record follow-up issues of {len(paths)} post-mortem(s)", relative)
    if sha and settings.push:
        repo.push(settings.remote, settings.branch)
    print(f"committed {sha[:7] if sha else 'nothing new'}", file=io.stdout)
