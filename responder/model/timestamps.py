"""Times as GitHub, Kubernetes and our own files write them: ISO 8601, always handled in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def parse_utc(value: Any) -> datetime | None:
    """'2026-11-23T14:05:00Z', '...+01:00' or a naive time (taken as UTC), as an aware UTC datetime.

    None for anything that is not such a time: callers decide what a missing time means.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso_utc(moment: datetime) -> str:
    """The moment in UTC, to the second: 2026-11-23T14:05:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
