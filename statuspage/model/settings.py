"""The status page's settings for one build.

The `statuspage` section of responder.yml is read and validated once, with the rest of the
config (responder/config/statuspage.py); all that is left here is the default that depends on
the repository, which `statuspage build` may take from $GITHUB_REPOSITORY after loading.
"""

from __future__ import annotations

from dataclasses import replace

from responder.config.loader import Config
from responder.config.statuspage import StatusPageSettings


def settings_from(config: Config) -> StatusPageSettings:
    """The config's statuspage section, its "Report an outage" link defaulting to the repository's form."""
    settings = config.statuspage
    return replace(settings, report_url=settings.report_link(config.repository))
