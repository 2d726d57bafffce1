"""The Platform page: what the platform runs and what may be asked for, from the config and the vars files."""

from __future__ import annotations

from postmortem.document.platform_page import PlatformPage, render_platform_page
from responder.config.loader import Config
from responder.model.platform import DnsRecord, Inventory, Namespace
from tests.conftest import ROOT


def page(config: Config, inventory: Inventory, repository: str | None = "acme-homelab/infra") -> str:
    return render_platform_page(PlatformPage(config.platform, inventory, repository))


def test_namespaces_records_and_limits_are_listed(example_config: Config) -> None:
    inventory = Inventory(
        namespaces={"team-b": Namespace("team-b", {"cpu": "1", "memory": "2Gi", "pods": 10}, {"lee": "view"}),
                    "team-a": Namespace("team-a", {"cpu": "2", "memory": "4Gi", "pods": 20},
                                        {"dana": "edit", "ari": "view"})},
        records=(DnsRecord("wiki.apps.acme-homelab.org", "CNAME", "ingress.acme-homelab.org"),))
    text = page(example_config, inventory)
    assert """\
| Namespace | Quota | Members |
|---|---|---|
| team-a | cpu 2, memory 4Gi, pods 20 | ari (view), dana (edit) |
| team-b | cpu 1, memory 2Gi, pods 10 | lee (view) |
""" in text
    assert "| wiki.apps.acme-homelab.org | CNAME | ingress.acme-homelab.org |" in text
    assert "[file a platform request](https://github.com/acme-homelab/infra/issues/new?template=platform-request.yml)" \
        in text
    assert "- **Grant namespace access**: the role view or edit, never admin or cluster-admin." in text
    assert "at most cpu 8, memory 16Gi, pods 50" in text


def test_text_from_the_vars_files_cannot_add_markup(example_config: Config) -> None:
    inventory = Inventory(namespaces={"x": Namespace("<script>x</script>", {}, {"[a](javascript:b)": "edit"})},
                          records=(DnsRecord("a|b", "A", "{: onclick=x }"),))
    text = page(example_config, inventory)
    assert "<script>" not in text and "](javascript" not in text and "{:" not in text
    assert "| &#60;script&#62;x&#60;/script&#62; | none set |" in text


def test_a_part_that_cannot_be_read_is_said_so(example_config: Config) -> None:
    text = page(example_config, Inventory(problems={"dns": "the DNS records' vars file is not a JSON object"}))
    assert '!!! warning "Not shown"\n    the DNS records\' vars file is not a JSON object' in text
    assert "No team namespaces yet." in text and "No records yet." in text


def test_without_a_platform_section_nothing_is_self_service(example_config: Config) -> None:
    from dataclasses import replace

    text = page(replace(example_config, platform=None), Inventory())
    assert "Nothing here is self-service yet" in text
    # What `responder init` writes until the first build regenerates it.
    shipped = ROOT / "responder" / "render" / "templates" / "init" / "site" / "docs" / "post-mortems" / "platform.md"
    assert shipped.read_text(encoding="utf-8") == render_platform_page(PlatformPage(None, Inventory(), None))
