"""responder config-schema: print the JSON Schema of responder.yml (for editors)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from responder.errors import EXIT_OK

if TYPE_CHECKING:
    from responder.cli.app import IO


def register(sub: Any) -> None:
    parser = sub.add_parser("config-schema", help="print the JSON Schema of responder.yml")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, io: IO) -> int:
    from responder.config.loader import SCHEMA_PATH

    io.stdout.write(SCHEMA_PATH.read_text(encoding="utf-8"))
    return EXIT_OK
