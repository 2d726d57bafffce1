"""A monitor added to the catalogue: one more item of `services:`, the rest of responder.yml as it was."""

from __future__ import annotations

import pytest

from responder.changes.catalogue import CatalogueError, append_service
from responder.config import yaml_codec
from tests.conftest import EXAMPLE_CONFIG

ENTRY = {"name": "team-site", "title": "Team site: the #1 place", "tier": "low", "url": "https://team.example.org/"}


def test_the_service_follows_the_last_one_in_its_style_and_nothing_else_moves() -> None:
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    edited = append_service(text, ENTRY, "Monitor requested in #12.")
    head, tail = text.split("\nlabels: {}\n")
    assert edited == head + """
  # Monitor requested in #12.
  - name: team-site
    title: "Team site: the #1 place"
    tier: low
    url: "https://team.example.org/"

labels: {}
""" + tail
    raw = yaml_codec.load(edited)
    assert raw["services"][-1] == ENTRY


@pytest.mark.parametrize(("text", "expected"), [
    ("services:\n- {name: a, title: A, tier: low}\nlabels: {}\n",
     "services:\n- {name: a, title: A, tier: low}\n- name: b\n  title: \"yes\"\n  tier: low\nlabels: {}\n"),
    ("services:\r\n    - name: a\r\n      title: A\r\n      tier: low",
     "services:\r\n    - name: a\r\n      title: A\r\n      tier: low\r\n    - name: b\r\n      title: \"yes\"\r\n"
     "      tier: low\r\n"),
])
def test_indentation_line_endings_and_a_missing_final_newline_are_kept(text: str, expected: str) -> None:
    assert append_service(text, {"name": "b", "title": "yes", "tier": "low"}) == expected


@pytest.mark.parametrize("text", ["services: []\n", "version: 1\n", "services:\nlabels: {}\n"])
def test_a_catalogue_without_a_block_list_is_refused(text: str) -> None:
    with pytest.raises(CatalogueError):
        append_service(text, ENTRY)
