"""Moments in tests, written as GitHub writes them."""

from __future__ import annotations

from datetime import datetime

from responder.model.timestamps import parse_utc


def at(text: str) -> datetime:
    """'2026-11-23T14:05:00Z' as an aware UTC datetime; a test's fixed "now" or a fixture's time."""
    moment = parse_utc(text)
    assert moment is not None, f"not a time: {text!r}"
    return moment
