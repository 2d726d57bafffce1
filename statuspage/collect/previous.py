"""The previous deployment's data: check history and the GitHub request cache.

History lives in the published site itself (data/history.json), so nothing
is committed to `main` on each check. It is read back from, in order of
preference:
- `--history-file F` (a seed, e.g. for the demo or a migration);
- `--previous SOURCE`, or `statuspage.previous`:
  - a directory (a checkout of the gh-pages branch, or the last `--out`);
  - an http(s) URL of the live site (the deploy-pages route);
  - `branch:NAME`, read with git from the repository holding responder.yml;
  - `auto`: the gh-pages branch if the repository has it, else `statuspage.url`;
  - `none`: start a new history.

A first deployment (nothing there yet: no branch, a 404) starts a new
history. A history that may exist but cannot be read (the site does not
answer, answers with an error, or sends a damaged file) depends on `strict`:
- strict (`statuspage build` in CI, where the page is about to be deployed):
  the build stops, because publishing a page built on an empty history would
  erase 90 days of it; the next scheduled run usually reads it again;
- otherwise (a local build, a preview): a new history starts, and
  `Previous.problem` says why, for a warning line.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from responder.errors import InputError, ResponderError
from statuspage.collect.github_source import read_cache
from statuspage.model import history
from statuspage.model.history import History

HISTORY_FILE = "data/history.json"
CACHE_FILE = "data/github-cache.json"
MAX_BYTES = 64 * 1024 * 1024
FRESH_HINT = ("Retry later, or pass --no-require-previous (or --previous none) to start a new history; "
              "publishing that page replaces the old history.")


class PreviousUnavailable(ResponderError):
    """The previous deployment may exist but could not be read."""


class _BadSpec(InputError):
    """--previous names something that cannot hold a deployment."""


@dataclass(frozen=True)
class Previous:
    history: History | None
    cache: Mapping[str, Any] | None
    origin: str  # where it came from, for the log
    problem: str | None = None  # why a new history starts where one may exist, for a warning


def read_previous(spec: str, *, root: Path, site_url: str | None, branch: str, timeout: float = 20.0,
                  strict: bool = True) -> Previous:
    """The previous deployment's data. See the module docstring for `strict`."""
    try:
        return _read(spec.strip(), root=root, site_url=site_url, branch=branch, timeout=timeout)
    except _BadSpec:
        raise
    except PreviousUnavailable as exc:
        if strict:
            raise
        return Previous(None, None, "none (a new history: the previous one could not be read)", exc.message)
    except InputError as exc:  # a damaged history file
        if strict:
            raise InputError(exc.message, hint=FRESH_HINT) from None
        return Previous(None, None, "none (a new history: the previous one is damaged)", exc.message)


def _read(spec: str, *, root: Path, site_url: str | None, branch: str, timeout: float) -> Previous:
    if spec == "none":
        return Previous(None, None, "none (a new history)")
    if spec == "auto":
        ref = _branch_ref(root, branch)
        if ref is not None:
            return _from_git(root, ref)
        if site_url:
            return _from_url(site_url, timeout)
        return Previous(None, None, "none (no gh-pages branch and no statuspage.url)")
    if spec.startswith("branch:"):
        ref = _branch_ref(root, spec[len("branch:"):])
        return _from_git(root, ref) if ref else Previous(None, None, f"{spec} (no such branch yet)")
    if spec.startswith(("https://", "http://")):
        return _from_url(spec, timeout)
    return _from_directory(Path(spec))


def _parse(text: str | None, cache_text: str | None, origin: str) -> Previous:
    parsed = history.loads(text, f"{origin}/{HISTORY_FILE}") if text is not None else None
    cache = None
    if cache_text is not None:
        try:
            cache = read_cache(json.loads(cache_text))
        except ValueError:
            cache = None  # a damaged cache costs one full refresh, nothing more
    return Previous(parsed, cache, origin)


def _from_directory(directory: Path) -> Previous:
    if not directory.is_dir():
        # A mistyped option, not an unreadable deployment: never a reason to start a new history.
        raise _BadSpec(f"--previous {directory}: not a directory",
                       hint="Pass a directory, an http(s) URL, branch:NAME, auto or none.")

    def read(name: str) -> str | None:
        path = directory / name
        return path.read_text(encoding="utf-8") if path.is_file() else None

    return _parse(read(HISTORY_FILE), read(CACHE_FILE), str(directory))


def _from_url(base: str, timeout: float) -> Previous:
    from responder.adapters.http import HttpUnavailable, http_get

    history_url = f"{base.rstrip('/')}/{HISTORY_FILE}"

    def fetch(name: str, required: bool) -> str | None:
        url = f"{base.rstrip('/')}/{name}"
        try:
            response = http_get(url, timeout, headers={"Cache-Control": "no-cache"})
        except HttpUnavailable as exc:
            if not required:
                return None
            raise PreviousUnavailable(f"the previous history could not be read from {url}: {exc.reason}",
                                      hint=FRESH_HINT) from None
        if response.status == 404:
            return None
        if response.status != 200:
            if not required:
                return None
            raise PreviousUnavailable(f"the previous history could not be read from {url}: HTTP {response.status}",
                                      hint=FRESH_HINT)
        if len(response.content) > MAX_BYTES:
            raise PreviousUnavailable(f"{url} is larger than {MAX_BYTES // (1024 * 1024)} MiB", hint=FRESH_HINT)
        return response.content.decode("utf-8", errors="replace")

    text = fetch(HISTORY_FILE, True)
    if text is None:
        # Nothing published there yet (a first deployment), or a site that is not this page's.
        return Previous(None, None, f"{base} (no history there yet)",
                        f"there is no previous history at {history_url} (HTTP 404)")
    return _parse(text, fetch(CACHE_FILE, False), base)


def _branch_ref(root: Path, branch: str) -> str | None:
    from responder.adapters.git import GitRepo

    repo = GitRepo(root)
    if not repo.is_repository():
        return None
    for ref in (f"refs/heads/{branch}", f"refs/remotes/origin/{branch}"):
        if repo.git("rev-parse", "--verify", "--quiet", ref + "^{commit}", check=False).returncode == 0:
            return ref
    return None


def _from_git(root: Path, ref: str) -> Previous:
    from responder.adapters.git import GitRepo

    repo = GitRepo(root)

    def show(name: str) -> str | None:
        result = repo.git("show", f"{ref}:{name}", check=False)
        return result.stdout if result.returncode == 0 else None

    return _parse(show(HISTORY_FILE), show(CACHE_FILE), f"{ref} in {root}")
