"""responder report-failure: tell an issue that its run could not finish."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from responder.cli.app import add_config_argument
from responder.errors import EXIT_OK
from responder.model.timestamps import iso_utc

if TYPE_CHECKING:
    from responder.cli.app import IO


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "report-failure",
        help="comment on an issue that its run failed, and add needs-human",
        description="Post (or update) one comment saying the run for this issue could not finish, and add "
                    "the needs-human label. Used by the workflows when a job or pipeline fails or times out.",
    )
    add_config_argument(parser)
    add_issue_arguments(parser)
    parser.add_argument("--reason", required=True, help="one sentence: what failed")
    parser.add_argument("--runner", default="GitHub Actions", help="who ran it (default: GitHub Actions)")
    parser.add_argument("--url", help="where to look (default: this Actions run, when run inside Actions)")
    parser.set_defaults(run=run)


def add_issue_arguments(parser: argparse.ArgumentParser) -> None:
    from responder.cli.app import issue_number

    parser.add_argument("--issue", type=issue_number, required=True, metavar="N", help="the issue number")
    parser.add_argument("--repository", metavar="OWNER/NAME",
                        help="default: repository in responder.yml, else $GITHUB_REPOSITORY")


def run(args: argparse.Namespace, io: IO) -> int:
    from responder.config.loader import load_config
    from responder.flows.failure_report import FailureReport, post_failure

    config = load_config(args.config)
    github = github_for(args, config, io)
    report = FailureReport(what=args.reason, runner=args.runner, at=now(), url=args.url or actions_run_url(io.env))
    url = post_failure(github, args.issue, report, config)
    print(f"reported the failure on #{args.issue}: {url}", file=io.stdout)
    return EXIT_OK


def github_for(args: argparse.Namespace, config: Any, io: IO) -> Any:
    from responder.cli.wiring import github_factory
    from responder.errors import InputError
    from responder.model.events import REPOSITORY_PATTERN

    repository = args.repository or config.repository or io.env.get("GITHUB_REPOSITORY")
    if not repository or not REPOSITORY_PATTERN.match(repository):
        raise InputError(f"expected the repository as OWNER/NAME, got {repository!r}",
                         hint="Pass --repository OWNER/NAME or set repository: in responder.yml.")
    return github_factory(io.env, config, mask_stream=io.stdout, unauthenticated_hint=(
        "Set GITHUB_TOKEN. The failure is reported on the issue through the GitHub API."))(repository)


def actions_run_url(env: Any) -> str | None:
    server, repository, run_id = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY"), env.get("GITHUB_RUN_ID")
    if server and repository and run_id and run_id.isdigit():
        return f"{server}/{repository}/actions/runs/{run_id}"
    return None


def now() -> str:
    from datetime import UTC, datetime

    return iso_utc(datetime.now(UTC))
