"""Editing a JSON vars file changes one value and nothing else."""

from __future__ import annotations

import pytest

from responder.changes.tfvars import VarsFileError, load, read_value, set_value

ORIGINAL = """{
  "replicas": 2,
  "image_tag": "29.0.4-apache",
  "memory_request": "512Mi",
  "memory_limit":   "1Gi",
  "labels": {"tier": "critical", "replicas": 9},
  "cpu_limit": "1"
}
"""


def test_one_value_changes_and_every_other_byte_stays() -> None:
    edited = set_value(ORIGINAL, "memory_limit", "2Gi")
    assert edited == ORIGINAL.replace('"memory_limit":   "1Gi"', '"memory_limit":   "2Gi"')


def test_a_nested_key_with_the_same_name_is_not_touched() -> None:
    edited = set_value(ORIGINAL, "replicas", 3)
    assert edited == ORIGINAL.replace('"replicas": 2,', '"replicas": 3,')
    assert load(edited)["labels"] == {"tier": "critical", "replicas": 9}


def test_tabs_crlf_and_a_missing_final_newline_are_kept() -> None:
    text = '{\r\n\t"replicas": 1,\r\n\t"memory_limit": "1Gi"\r\n}'
    assert set_value(text, "replicas", 4) == '{\r\n\t"replicas": 4,\r\n\t"memory_limit": "1Gi"\r\n}'


def test_one_line_files_stay_one_line() -> None:
    assert set_value('{"replicas": 1, "image_tag": "v1.0.0"}', "image_tag", "v1.1.0") == \
        '{"replicas": 1, "image_tag": "v1.1.0"}'


def test_unicode_and_escapes_elsewhere_survive() -> None:
    text = '{"note": "caf\\u00e9 \\"quoted\\" ✓", "replicas": 1}\n'
    assert set_value(text, "replicas", 2) == '{"note": "caf\\u00e9 \\"quoted\\" ✓", "replicas": 2}\n'


def test_reading_a_value() -> None:
    assert read_value(ORIGINAL, "memory_limit") == "1Gi"


@pytest.mark.parametrize(("text", "key", "message"), [
    (ORIGINAL, "cpu_request", "has no 'cpu_request' variable to change"),
    ('{"replicas": 1, "replicas": 2}', "replicas", "sets 'replicas' twice"),
    ('["replicas"]', "replicas", "is not a JSON object"),
    ('{"replicas": 1', "replicas", "is not valid JSON"),
    ('{"replicas": 1} {}', "replicas", "extra data after the object"),
    ("", "replicas", "is not a JSON object"),
])
def test_files_that_cannot_be_edited_safely_are_refused(text: str, key: str, message: str) -> None:
    with pytest.raises(VarsFileError, match=message):
        set_value(text, key, 3)
