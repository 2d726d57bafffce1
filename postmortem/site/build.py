"""The mkdocs adapter: build the site with `mkdocs build --strict`.

mkdocs-material is an optional extra (the `site` extra), so it is
looked for first and its absence is a clear message, not a traceback. The
build runs as a subprocess through the one wrapper, like every other tool.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from responder.adapters.process import ProcessFailed, run
from responder.errors import InputError, ResponderError


class SiteBuildFailed(ResponderError):
    """mkdocs refused the site (a warning under --strict, a broken config)."""


@dataclass(frozen=True)
class Built:
    output_dir: Path
    pages: int


def copy_without_postmortems(source: Path, target: Path) -> Path:
    """A copy of a site (every page its nav names) without its post-mortems or build output.

    For starting an infrastructure repository's own site from this project's,
    and for building scratch sites in the demo and the benchmarks.
    """
    import shutil

    shutil.copytree(source, target, ignore=shutil.ignore_patterns("build", "20[0-9][0-9]-*.md"),
                    dirs_exist_ok=True)
    (target / "docs" / "post-mortems").mkdir(parents=True, exist_ok=True)
    return target


def mkdocs_available() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("mkdocs", "material"))


def build_site(site_dir: Path, *, timeout: float = 900.0) -> Built:
    config = (site_dir / "mkdocs.yml").resolve()
    if not config.is_file():
        raise InputError(f"{config}: no such file",
                         hint="The site is an mkdocs-material project: `responder init` writes one into site/.")
    if not mkdocs_available():
        raise InputError("mkdocs-material is not installed",
                         hint="The GitHub Action installs it. Elsewhere: pip install 'mkdocs-material>=9.5' "
                              "(or, from a checkout of issueops-responder, pip install '.[site]').")
    # The end-of-life banner of mkdocs-material is noise in a CI log.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    try:
        run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config)],
            cwd=site_dir, env=env, timeout=timeout)
    except ProcessFailed as exc:
        problems = [line.strip() for line in (exc.stderr + exc.stdout).splitlines()
                    if line.lstrip().startswith(("WARNING", "ERROR"))]
        detail = "\n".join(f"  {line}" for line in problems) or f"  {exc.message}"
        raise SiteBuildFailed(
            f"mkdocs build --strict failed for {config}:\n{detail}",
            hint="Fix the pages or mkdocs.yml named above; --strict turns warnings into errors.") from None
    output = _output_dir(site_dir)
    return Built(output, sum(1 for _ in output.rglob("index.html")) if output.is_dir() else 0)


def _output_dir(site_dir: Path) -> Path:
    from responder.config import yaml_codec

    try:
        raw = yaml_codec.load((site_dir / "mkdocs.yml").read_text(encoding="utf-8"))
    except yaml_codec.YAMLError:
        raw = None  # mkdocs.yml may use !!python tags SafeLoader refuses; mkdocs already accepted it
    name = raw.get("site_dir", "site") if isinstance(raw, dict) else "site"
    return (site_dir / str(name)).resolve()
