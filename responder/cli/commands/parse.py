"""responder parse: turn an issue-form body into JSON keyed by field id."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from responder.errors import EXIT_OK, InputError

if TYPE_CHECKING:
    from responder.cli.app import IO

EXIT_INVALID_FORM = 1


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "parse",
        help="parse an issue-form body into JSON",
        description="Print the answers as JSON on stdout; problems go to stderr, one per line. "
                    "Exits 1 when the form is invalid.",
    )
    parser.add_argument("--template", metavar="FORM.yml",
                        help="the issue form the body came from (without it, every ### heading is a field)")
    parser.add_argument("--body-file", required=True, metavar="BODY.md", help="the issue body ('-' for stdin)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, io: IO) -> int:
    import sys
    from pathlib import Path

    from responder.forms.answers import parse_body
    from responder.forms.specs import load_template

    form = load_template(Path(args.template)) if args.template else None
    if args.body_file == "-":
        body = sys.stdin.read()
    else:
        try:
            body = Path(args.body_file).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(f"body file {args.body_file}: no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"body file {args.body_file}: cannot be read: {exc}") from None
    parsed = parse_body(body, form)
    json.dump(dict(parsed.values), io.stdout, indent=2, ensure_ascii=False)
    io.stdout.write("\n")
    for problem in parsed.problems:
        # repr-like escaping keeps terminal control characters in answers harmless.
        print(problem.line(form).encode("unicode_escape").decode("ascii"), file=io.stderr)
    return EXIT_OK if parsed.valid else EXIT_INVALID_FORM
