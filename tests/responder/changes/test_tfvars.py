"""Editing a JSON vars file changes one value and nothing else."""

from __future__ import annotations

import pytest

from responder.changes.tfvars import VarsFileError, load, read_path, read_value, set_path, set_value

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


# ---------------------------------------------------------------- values deeper inside: set_path

NAMESPACES = """{
  "namespaces": {
    "team-a": {
      "quota": {
        "cpu": "2",
        "memory": "4Gi",
        "pods": 20
      },
      "members": {
        "dana": "edit"
      }
    }
  }
}
"""


def test_a_new_member_is_written_in_the_files_own_indentation() -> None:
    edited = set_path(NAMESPACES, ("namespaces", "team-b"), {"quota": {"cpu": "1"}, "members": {}})
    assert edited == NAMESPACES.replace("""      }
    }
  }
}""", """      }
    },
    "team-b": {
      "quota": {
        "cpu": "1"
      },
      "members": {}
    }
  }
}""")


def test_a_nested_value_changes_in_place_and_nothing_else() -> None:
    edited = set_path(NAMESPACES, ("namespaces", "team-a", "members"), {"dana": "edit", "eve": "view"})
    assert edited == NAMESPACES.replace('''        "dana": "edit"
''', '''        "dana": "edit",
        "eve": "view"
''')
    assert read_path(edited, ("namespaces", "team-a", "quota", "pods")) == 20


def test_a_record_is_appended_in_the_style_of_its_neighbours() -> None:
    text = '{\n  "records": [\n    {"name": "a.apps.example.org", "type": "A", "value": "192.0.2.1"}\n  ]\n}\n'
    edited = set_path(text, ("records", 1), {"name": "b.apps.example.org", "type": "CNAME", "value": "x.org"})
    assert edited == ('{\n  "records": [\n    {"name": "a.apps.example.org", "type": "A", "value": "192.0.2.1"},\n'
                      '    {"name": "b.apps.example.org", "type": "CNAME", "value": "x.org"}\n  ]\n}\n')


@pytest.mark.parametrize(("text", "expected"), [
    ('{\n\t"records": []\n}', '{\n\t"records": [\n\t\t{\n\t\t\t"name": "b"\n\t\t}\n\t]\n}'),
    ('{"records": []}', '{"records": [{"name": "b"}]}'),
    ('{"records": [{"name": "a"}]}', '{"records": [{"name": "a"}, {"name": "b"}]}'),
    ('{\r\n  "records": [\r\n    "a"\r\n  ]\r\n}\r\n',
     '{\r\n  "records": [\r\n    "a",\r\n    {\r\n      "name": "b"\r\n    }\r\n  ]\r\n}\r\n'),
])
def test_empty_one_line_tab_and_crlf_files_keep_their_style(text: str, expected: str) -> None:
    assert set_path(text, ("records", 0 if "[]" in text else 1), {"name": "b"}) == expected


def test_reading_a_path_that_leads_nowhere() -> None:
    assert read_path(NAMESPACES, ("namespaces", "team-b", "members")) is None
    assert read_path(NAMESPACES, ("namespaces", "team-a", "members", "dana")) == "edit"
    assert read_path('{"records": []}', ("records", 0), default="absent") == "absent"


@pytest.mark.parametrize(("path", "message"), [
    (("namespaces", "team-b", "members"), "has no namespaces.team-b to change"),
    (("namespaces", 0), "namespaces is an object: 0 is not a key"),
    (("records", 2), "has no records to change"),
    ((), "cannot replace the whole file"),
])
def test_paths_that_cannot_be_set_are_refused(path: tuple[str | int, ...], message: str) -> None:
    with pytest.raises(VarsFileError, match=message):
        set_path(NAMESPACES, path, {})


def test_a_position_past_the_end_of_a_list_is_refused() -> None:
    with pytest.raises(VarsFileError, match=r"records is a list of 0: 1 is not a position in it"):
        set_path('{"records": []}', ("records", 1), {})
