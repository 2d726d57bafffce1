"""The Platform page of the published site: what the platform runs for teams, and what people may ask for.

Pure: the `platform:` section of responder.yml and what its vars files hold in, Markdown out. The page
is generated on every build, from the same files self-service requests change, so it is true by
construction: a namespace appears once its request is applied and committed, and the limits it lists
are the ones the responder holds requests to.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from postmortem.document.rendering import render_template
from postmortem.model.settings import PLATFORM_PAGE
from responder.changes.platform import quota_text
from responder.config.platform import FORBIDDEN_ROLES, PlatformSettings
from responder.model.platform import REQUEST_KINDS, Inventory

TEMPLATE = "platform.md.j2"
PAGE_NAME = PLATFORM_PAGE
FORM = "platform-request.yml"


@dataclass(frozen=True)
class PlatformPage:
    platform: PlatformSettings | None
    inventory: Inventory
    repository: str | None  # owner/name: the form's link
    server_url: str = "https://github.com"

    @property
    def form_url(self) -> str | None:
        if not self.repository:
            return None
        return f"{self.server_url.rstrip('/')}/{self.repository}/issues/new?template={FORM}"


def render_platform_page(page: PlatformPage, templates_dir: Path | None = None) -> str:
    platform, inventory = page.platform, page.inventory
    context: dict[str, Any] = {"configured": platform is not None, "form_url": page.form_url}
    if platform is not None:
        namespaces = platform.namespaces
        context.update(
            namespaces=[{
                "name": namespace.name,
                "quota": quota_text(namespace.quota) or "none set",
                "members": [f"{login} ({role})" for login, role in sorted(namespace.members.items())],
            } for namespace in sorted(inventory.namespaces.values(), key=lambda n: n.name)],
            records=sorted(inventory.records, key=lambda r: (r.name, r.type, r.value)),
            dns=platform.dns,
            problems=list(inventory.problems.values()),
            kinds=[kind.option for kind in REQUEST_KINDS if kind.section != "dns" or platform.dns is not None],
            name_pattern=namespaces.name_pattern,
            reserved=namespaces.reserved,
            quota_default=quota_text(namespaces.quota_default.to_json()),
            quota_max=quota_text(namespaces.quota_max.to_json()),
            roles=namespaces.roles,
            top_role=namespaces.top_role,
            forbidden_roles=FORBIDDEN_ROLES,
            identity=namespaces.identity,
            monitor_tiers=platform.monitors.tiers,
        )
    return render_template(TEMPLATE, context, templates_dir)
