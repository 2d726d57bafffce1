"""An incident's severity in the words a visitor reads, and in Statuspage's impact levels."""

from __future__ import annotations

import pytest

from statuspage.model import impact


@pytest.mark.parametrize("severity, words, level", [
    ("SEV1", "Major outage", "critical"),
    ("SEV2", "Partial outage", "major"),
    ("SEV3", "Degraded performance", "minor"),
    ("SEV4", "Minor issue", "none"),
    (None, None, "minor"),  # not classified yet: no words on the page, Statuspage's default level
    ("SEV9", None, "minor"),
])
def test_severities_become_public_impact(severity: str | None, words: str | None, level: str) -> None:
    assert (impact.words(severity), impact.level(severity)) == (words, level)


@pytest.mark.parametrize("kind, text, public", [
    ("triaged", "Classified SEV2. Nextcloud is a critical service and it is down.", "Impact assessed: partial outage."),
    ("severity", "Severity changed from SEV1 to SEV3.", "Impact reassessed: degraded performance."),
    ("severity", "Severity is SEV2 now.", "Impact reassessed: partial outage."),
    ("triaged", "Classified by the default rule.", None),
])
def test_a_classification_is_told_by_its_impact_alone(kind: str, text: str, public: str | None) -> None:
    assert impact.assessment(kind, text) == public
