"""postmortem index: regenerate the post-mortems index page from the front matter."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from postmortem.commands.write import add_site_argument
from responder.cli.app import add_config_argument
from responder.errors import EXIT_OK

if TYPE_CHECKING:
    from responder.cli.app import IO


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "index",
        help="regenerate the post-mortems index page",
        description="List every post-mortem (newest first, with severity and duration) in "
                    "<site>/docs/post-mortems/index.md, from their front matter.",
    )
    add_config_argument(parser)
    add_site_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, io: IO) -> int:
    from postmortem.site.collection import index_text, post_mortem_files
    from postmortem.site.layout import load_settings
    from responder.adapters.files import write_if_changed
    from responder.config.loader import load_config

    config = load_config(args.config)
    settings = load_settings(config, args.site_dir)
    changed = write_if_changed(settings.index_path, index_text(settings, config.templates_dir))
    count = len(post_mortem_files(settings))
    print(f"{'wrote' if changed else 'unchanged:'} {settings.index_path} ({count} post-mortems)", file=io.stdout)
    return EXIT_OK
