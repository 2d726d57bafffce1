"""responder templates: regenerate the issue forms from the service catalogue."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from responder.cli.app import add_config_argument, write_files
from responder.forms.yaml_text import form_files

if TYPE_CHECKING:
    from responder.cli.app import IO


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "templates",
        help="write .github/ISSUE_TEMPLATE/*.yml from responder.yml",
        description="Regenerate the outage-report, feature-request and (with a platform: section) "
                    "platform-request forms and config.yml, "
                    "so the service dropdown always matches the catalogue.",
    )
    add_config_argument(parser)
    parser.add_argument("--out", default=".github/ISSUE_TEMPLATE", metavar="DIR",
                        help="where to write the forms (default: .github/ISSUE_TEMPLATE)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the files on disk differ from the generated ones")
    parser.set_defaults(run=run)


def render_files(config: Any) -> dict[str, str]:
    return form_files(config)


def run(args: argparse.Namespace, io: IO) -> int:
    from pathlib import Path

    from responder.config.loader import load_config

    config = load_config(args.config)
    return write_files(render_files(config), Path(args.out), args.check, io, "responder templates")


