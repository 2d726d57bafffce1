"""How bad an incident is, in the words a visitor reads.

Severities (SEV1..SEV4) and tiers are the team's vocabulary. The page, status.json, the feed and the
badges speak the public one that Atlassian Statuspage made familiar: a major outage, a partial outage,
degraded performance. The mapping follows the headline's: a SEV1 is a major outage, a SEV2 a partial one.
"""

from __future__ import annotations

import re

# Severity -> (the words on the page, Statuspage's incident impact in status.json).
_IMPACT = {
    "SEV1": ("Major outage", "critical"),
    "SEV2": ("Partial outage", "major"),
    "SEV3": ("Degraded performance", "minor"),
    "SEV4": ("Minor issue", "none"),
}
UNKNOWN_LEVEL = "minor"  # what Statuspage reports for an incident whose impact is not stated
_SEVERITY = re.compile(r"\bSEV([1-4])\b")
_NEW_SEVERITY = re.compile(r"\bto SEV([1-4])\b")


def words(severity: str | None) -> str | None:
    """"Partial outage" for SEV2; None while no severity is known."""
    entry = _IMPACT.get(severity or "")
    return entry[0] if entry else None


def level(severity: str | None) -> str:
    """Statuspage's impact (critical, major, minor, none)."""
    entry = _IMPACT.get(severity or "")
    return entry[1] if entry else UNKNOWN_LEVEL


def assessment(kind: str, text: str) -> str | None:
    """The public form of the responder's journal entries that classify an incident.

    "Classified SEV2. Nextcloud is a critical service and it is down." becomes "Impact assessed:
    partial outage." The reasons name tiers and rules, which are for the team; the impact is what a
    visitor needs. None when the entry names no severity: then it says nothing public.
    """
    found = (_NEW_SEVERITY.search(text) if kind == "severity" else None) or _SEVERITY.search(text)
    if found is None:
        return None
    impact = _IMPACT[f"SEV{found.group(1)}"][0].lower()
    return f"Impact {'reassessed' if kind == 'severity' else 'assessed'}: {impact}."
