"""The platform's vars files, read from the checkout: what namespaces and DNS records exist now.

Read before a platform request is decided (it is held to what already exists: a namespace, its
members, a record) and when the Platform page of the site is built. The files are the ones
self-service requests change, as they are committed.
"""

from __future__ import annotations

from responder.changes.platform import read_inventory
from responder.config.loader import Config
from responder.model.platform import DNS, NAMESPACES, Inventory


def read_platform(config: Config) -> Inventory | None:
    """What the platform holds now; None when responder.yml configures no platform."""
    platform = config.platform
    if platform is None:
        return None
    problems: dict[str, str] = {}
    namespaces = _read(config, platform.vars_path, NAMESPACES, problems)
    records = _read(config, f"{platform.dns.stack.rstrip('/')}/{platform.dns.vars_file}", DNS, problems) \
        if platform.dns is not None else None
    found = read_inventory(namespaces, records)
    return Inventory(found.namespaces, found.records, {**found.problems, **problems})


def _read(config: Config, relative: str, section: str, problems: dict[str, str]) -> str | None:
    path = config.root / relative
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems[section] = f"{relative} does not exist in {config.root}: check platform: in responder.yml"
    except (OSError, UnicodeDecodeError) as exc:
        problems[section] = f"{relative} cannot be read: {exc}"
    return None
