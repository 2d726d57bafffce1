"""responder init: scaffold a working infrastructure repository in one command."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from responder.cli.app import add_config_argument
from responder.errors import EXIT_FAILED, EXIT_OK, InputError

if TYPE_CHECKING:
    from responder.cli.app import IO

log = logging.getLogger("responder")
DISTRIBUTION = "issueops-responder"


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "init",
        help="scaffold an infrastructure repository: workflows, issue forms, responder.yml, post-mortem site",
        description="Write the GitHub Actions workflows (using this version's GitHub Action, pinned to a commit), "
                    "the issue forms, a commented starter responder.yml and the post-mortem site into DIR, and "
                    "optionally the Woodpecker pipelines. Re-running it changes nothing; a file you have edited "
                    "is kept unless you pass --force, and the command says which files differ.",
    )
    add_config_argument(parser)
    parser.add_argument("dir", nargs="?", default=".", metavar="DIR",
                        help="the infrastructure repository (default: the current directory)")
    parser.add_argument("--repository", metavar="OWNER/NAME",
                        help="the GitHub repository (default: from the git remote `origin`, else responder.yml)")
    parser.add_argument("--action-ref", metavar="REF",
                        help="the action the workflows use: OWNER/issueops-responder@<40-character commit SHA> "
                             "(default: the commit this responder was installed from)")
    parser.add_argument("--woodpecker", action="store_true",
                        help="also write .woodpecker/ pipelines, for running the responder inside the cluster")
    parser.add_argument("--force", action="store_true", help="overwrite files that differ from what init writes")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if any file is missing or differs")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, io: IO) -> int:
    from responder.cli.scaffold import (
        OBSOLETE,
        FileState,
        check_action_ref,
        check_repository,
        scaffold_files,
        state_of,
    )

    root = Path(args.dir)
    if root.exists() and not root.is_dir():
        raise InputError(f"{root} is not a directory")
    repository = check_repository(args.repository or _repository_of(root))
    action_ref = check_action_ref(args.action_ref or _installed_action_ref(io.env))
    config_path = root / "responder.yml"
    config_text = _read(config_path)
    if config_text is None:
        from responder.cli.scaffold import starter_config

        config_text = starter_config(repository)
    files = scaffold_files(repository, action_ref, _forms(config_text, config_path), config_text, args.woodpecker)

    counts: dict[FileState, int] = {}
    for file in files:
        target = root / file.path
        state = state_of(file, _read(target), args.force)
        counts[state] = counts.get(state, 0) + 1
        if state is FileState.DIFFERS:
            print(f"{file.path}: differs from what init writes; kept (use --force to overwrite)", file=io.stdout)
        elif args.check:
            if state is FileState.CREATED:
                print(f"{file.path}: missing", file=io.stdout)
        elif state in (FileState.CREATED, FileState.OVERWRITTEN):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(file.text, encoding="utf-8")
            print(f"{file.path}: {state.value}", file=io.stdout)
    obsolete = [path for path in OBSOLETE if (root / path).is_file()]
    for path in obsolete:
        print(f"{path}: obsolete: {OBSOLETE[path]}", file=io.stdout)
    summary = ", ".join(f"{count} {state.value}" for state, count in counts.items())
    print(f"{root}: {summary} (action {action_ref})", file=io.stdout)
    if args.check:
        stale = counts.get(FileState.CREATED, 0) + counts.get(FileState.DIFFERS, 0) + len(obsolete)
        return EXIT_FAILED if stale else EXIT_OK
    if counts.get(FileState.CREATED):
        print(NEXT_STEPS, file=io.stdout)
    return EXIT_OK


NEXT_STEPS = """next steps (the documentation's Getting started page has each one in detail):
  1. list your services in responder.yml, then run `responder check-config` and `responder templates`
  2. `statuspage templates` writes the maintenance-window form; `responder labels sync` creates the labels
  3. add the secret RESPONDER_STATE_KEY (e.g. `openssl rand -hex 32`): it signs the responder's memory
  4. Settings > Pages > Source: GitHub Actions (on a private repository Pages needs a paid plan)
  5. if main is protected, let the responder's identity push to it, or its commits are refused"""


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None


def _forms(config_text: str, config_path: Path) -> dict[str, str]:
    """The issue forms generated from the catalogue (the team's responder.yml, or the starter)."""
    import tempfile

    from responder.cli.commands.templates import render_files
    from responder.config.loader import load_config

    if config_path.is_file():
        return render_files(load_config(config_path))
    with tempfile.TemporaryDirectory() as scratch:
        starter = Path(scratch) / "responder.yml"
        starter.write_text(config_text, encoding="utf-8")
        return render_files(load_config(starter))


def _repository_of(root: Path) -> str:
    from responder.adapters.git import GitRepo
    from responder.cli.scaffold import repository_from_remote

    if root.is_dir():
        repo = GitRepo(root)
        if repo.is_repository():
            url = repo.remote_url()
            found = repository_from_remote(url) if url else None
            if found:
                return found
    existing = _read(root / "responder.yml") if root.is_dir() else None
    if existing:
        from responder.config import yaml_codec

        try:
            value = (yaml_codec.load(existing) or {}).get("repository")
        except (yaml_codec.YAMLError, AttributeError):
            value = None
        if isinstance(value, str):
            return value
    raise InputError(f"cannot tell which GitHub repository {root} is: it has no github.com remote `origin`",
                     hint="Pass --repository OWNER/NAME.")


def _installed_action_ref(env: Any) -> str:
    """OWNER/issueops-responder@<sha> of the code running now.

    Inside the GitHub Action, GitHub names the action's repository and commit. Installed with
    `pip install git+https://github.com/OWNER/issueops-responder@<sha>`, pip records the commit
    (PEP 610, direct_url.json). Installed from a local checkout, its git remote and HEAD tell.
    """
    from importlib import metadata

    from responder.cli.scaffold import ACTION_REF, repository_from_remote

    repository, commit = env.get("GITHUB_ACTION_REPOSITORY"), env.get("GITHUB_ACTION_REF")
    if repository and commit and ACTION_REF.fullmatch(f"{repository}@{commit}"):
        return f"{repository}@{commit}"
    try:
        direct = json.loads(metadata.distribution(DISTRIBUTION).read_text("direct_url.json") or "{}")
    except (metadata.PackageNotFoundError, ValueError):
        direct = {}
    vcs = direct.get("vcs_info") or {}
    if vcs.get("vcs") == "git" and vcs.get("commit_id"):
        found = repository_from_remote(str(direct.get("url", "")).removeprefix("git+"))
        if found:
            return f"{found}@{vcs['commit_id']}"
    source = Path(__file__).resolve().parents[3]
    from responder.adapters.git import GitRepo

    repo = GitRepo(source)
    if (source / ".git").exists() and repo.is_repository():
        url = repo.remote_url()
        found = repository_from_remote(url) if url else None
        if found:
            return f"{found}@{repo.head()}"
    raise InputError("cannot tell which commit of issueops-responder is running, to pin the workflows' action to it",
                     hint="Pass --action-ref OWNER/issueops-responder@<40-character commit SHA>, or install the "
                          "responder with pip install git+https://github.com/OWNER/issueops-responder@<sha>.")
