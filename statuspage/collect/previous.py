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
history. Any other failure stops the build: publishing a page built on an
empty history would erase 90 days of it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from responder.errors import ResponderError
from statuspage.collect.github_source import read_cache
from statuspage.model import history
from statuspage.model.history import History

HISTORY_FILE = "data/history.json"
CACHE_FILE = "data/github-cache.json"
MAX_BYTES = 64 * 1024 * 1024


class PreviousUnavailable(ResponderError):
    """The previous deployment exists but could not be read."""


@dataclass(frozen=True)
class Previous:
    history: History | None
    cache: Mapping[str, Any] | None
    origin: str  # where it came from, for the log


def read_previous(spec: str, *, root: Path, site_url: str | None, branch: str, timeout: float = 20.0) -> Previous:
    spec = spec.strip()
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
        raise PreviousUnavailable(f"--previous {directory}: not a directory",
                                  hint="Pass a directory, an http(s) URL, branch:NAME, auto or none.")

    def read(name: str) -> str | None:
        path = directory / name
        return path.read_text(encoding="utf-8") if path.is_file() else None

    return _parse(read(HISTORY_FILE), read(CACHE_FILE), str(directory))


def _from_url(base: str, timeout: float) -> Previous:
    from responder.adapters.http import HttpUnavailable, http_get

    def fetch(name: str, required: bool) -> str | None:
        url = f"{base.rstrip('/')}/{name}"
        try:
            response = http_get(url, timeout, headers={"Cache-Control": "no-cache"})
        except HttpUnavailable as exc:
            if not required:
                return None
            raise PreviousUnavailable(
                f"the previous deployment's {name} could not be read from {url}: {exc.reason}",
                hint="Retry later, or pass --previous none to start a new history (the old one is lost).",
            ) from None
        if response.status == 404:
            return None
        if response.status != 200:
            if not required:
                return None
            raise PreviousUnavailable(
                f"the previous deployment's {name} could not be read from {url}: HTTP {response.status}",
                hint="Retry later, or pass --previous none to start a new history (the old one is lost).",
            )
        if len(response.content) > MAX_BYTES:
            raise PreviousUnavailable(f"{url} is larger than {MAX_BYTES // (1024 * 1024)} MiB")
        return response.content.decode("utf-8", errors="replace")

    return _parse(fetch(HISTORY_FILE, True), fetch(CACHE_FILE, False), base)


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
