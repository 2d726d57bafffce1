"""What `responder init` writes into an infrastructure repository, as data.

The files come from templates shipped in the package (responder/templates/init/),
with a few placeholders filled in: the repository's name, and the reference of the
GitHub Action the workflows use, pinned to a full commit SHA. Comparing them with
what is on disk is pure too, so the command itself only reads and writes files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from importlib import resources

from responder.errors import InputError

# owner/name@<40 hex>, optionally with a path inside the repository (owner/name/path@sha),
# or a local action (./ or ./path) for a repository that holds the action itself.
ACTION_REF = re.compile(r"(?:[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+(?:/[A-Za-z0-9._/-]+)?@[0-9a-f]{40}"
                        r"|\./[A-Za-z0-9._/-]*)")
REPOSITORY = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+")

WORKFLOWS = ("issue-automation.yml", "postmortem.yml", "statuspage.yml")
PIPELINES = ("issue-automation.yml", "postmortem.yml")
SITE = ("mkdocs.yml", ".gitignore")
# Files an older init wrote that the current desk no longer has, and why: reported, never deleted.
OBSOLETE = {
    ".github/workflows/sweep.yml": "the sweep now runs in statuspage.yml's one scheduled job; delete this file, "
                                   "or every incident is swept twice",
}


@dataclass(frozen=True)
class ScaffoldFile:
    path: str  # relative to the repository root, with /
    text: str
    # Written only when missing, never compared: the team's own file from then on
    # (responder.yml, the post-mortem index the post-mortem stage rewrites).
    create_only: bool = False


class FileState(Enum):
    CREATED = "created"
    UNCHANGED = "unchanged"
    OVERWRITTEN = "overwritten"
    DIFFERS = "differs"  # kept as it is: edited by the team
    KEPT = "kept"  # a create-only file that already exists


def check_action_ref(ref: str) -> str:
    if not ACTION_REF.fullmatch(ref):
        raise InputError(
            f"--action-ref must be OWNER/NAME@<full 40-character commit SHA> or ./PATH, got {ref!r}",
            hint="Pin actions to a commit, never a tag or a branch: a tag can be moved to other code.",
        )
    return ref


def check_repository(repository: str) -> str:
    if not REPOSITORY.fullmatch(repository):
        raise InputError(f"--repository must be OWNER/NAME, got {repository!r}")
    return repository


def template_text(relative: str) -> str:
    return resources.files("responder").joinpath("render", "templates", "init", *relative.split("/")).read_text(
        encoding="utf-8")


def fill(text: str, values: Mapping[str, str]) -> str:
    for name, value in values.items():
        text = text.replace(f"__{name}__", value)
    return text


def starter_config(repository: str) -> str:
    owner, name = repository.split("/", 1)
    return fill(template_text("responder.yml"), {"REPOSITORY": repository, "OWNER": owner, "NAME": name})


def scaffold_files(
    repository: str,
    action_ref: str,
    forms: Mapping[str, str],
    config_text: str,
    woodpecker: bool = False,
) -> list[ScaffoldFile]:
    """Every file init writes, in order: workflows, forms, config, site, pipelines."""
    owner, name = repository.split("/", 1)
    values = {"ACTION": action_ref, "REPOSITORY": repository, "OWNER": owner, "NAME": name}
    files = [ScaffoldFile(f".github/workflows/{workflow}", fill(template_text(f"github/workflows/{workflow}"), values))
             for workflow in WORKFLOWS]
    files += [ScaffoldFile(f".github/ISSUE_TEMPLATE/{form}", text) for form, text in forms.items()]
    files.append(ScaffoldFile("responder.yml", config_text, create_only=True))
    files += [ScaffoldFile(f"site/{page}", fill(template_text(f"site/{page}"), values)) for page in SITE]
    files.append(ScaffoldFile("site/docs/post-mortems/index.md", template_text("site/docs/post-mortems/index.md"),
                              create_only=True))
    if woodpecker:
        files += [ScaffoldFile(f".woodpecker/{pipeline}", fill(template_text(f"woodpecker/{pipeline}"), values))
                  for pipeline in PIPELINES]
    return files


def state_of(file: ScaffoldFile, on_disk: str | None, force: bool) -> FileState:
    """What writing `file` over `on_disk` (None: missing) would do."""
    if on_disk is None:
        return FileState.CREATED
    if file.create_only:
        return FileState.KEPT
    if on_disk == file.text:
        return FileState.UNCHANGED
    return FileState.OVERWRITTEN if force else FileState.DIFFERS


def repository_from_remote(url: str) -> str | None:
    """OWNER/NAME of a GitHub remote URL (https, ssh or scp-like), else None."""
    match = re.fullmatch(r"(?:https://(?:[^@/]+@)?github\.com/|ssh://git@github\.com/|git@github\.com:)"
                         r"([A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+?)(?:\.git)?/?", url.strip())
    return match.group(1) if match else None
