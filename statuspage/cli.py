"""statuspage: build and publish the static status page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TextIO

from responder.cli.app import run_cli


def main(
    argv: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    from statuspage.commands import build, publish, templates

    return run_cli("statuspage", "Build and publish the static status page.", [build, publish, templates],
                   argv, env, stdout, stderr)
