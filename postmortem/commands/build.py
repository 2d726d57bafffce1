"""postmortem build: regenerate the index and build the site with `mkdocs build --strict`."""

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
        "build",
        help="build the post-mortem site (mkdocs build --strict)",
        description="Regenerate the index and the Platform page, then build the mkdocs-material site into "
                    "its site_dir (site/build/), ready for GitHub Pages under /post-mortems/.",
    )
    add_config_argument(parser)
    add_site_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, io: IO) -> int:
    from postmortem.site.build import build_site
    from postmortem.site.collection import index_text
    from postmortem.site.layout import load_settings
    from postmortem.site.platform import platform_page_path, platform_page_text
    from responder.adapters.files import write_if_changed
    from responder.config.loader import load_config

    config = load_config(args.config)
    settings = load_settings(config, args.site_dir)
    write_if_changed(settings.index_path, index_text(settings, config.templates_dir))
    # Generated on every build from the platform's vars files, so it lists what really runs.
    write_if_changed(platform_page_path(settings),
                     platform_page_text(config, io.env.get("GITHUB_SERVER_URL") or "https://github.com"))
    built = build_site(settings.site_dir)
    print(f"built {built.pages} pages into {built.output_dir}", file=io.stdout)
    return EXIT_OK
