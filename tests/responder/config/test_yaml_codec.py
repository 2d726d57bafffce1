"""YAML through libyaml when it is there: the same data and the same errors as the pure-Python loader."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from responder.config import yaml_codec
from responder.config.loader import read_raw
from responder.errors import ConfigError
from tests.conftest import EXAMPLE_CONFIG

ROOT = Path(__file__).resolve().parents[3]
LOADERS = [yaml_codec.SafeLoader, yaml_codec.PureSafeLoader]
UNIQUE_LOADERS = [yaml_codec.UniqueKeySafeLoader, yaml_codec.PureUniqueKeySafeLoader]


class ReferenceUniqueKeyLoader(yaml.SafeLoader):
    """The duplicate-key refusal as responder.yml was read before libyaml: PyYAML's pure loader, checked."""


def _reference_mapping(loader: ReferenceUniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


ReferenceUniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _reference_mapping)


def outcome(text: str, loader: type) -> tuple[str, Any]:
    try:
        return "data", yaml_codec.load(text, loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        return "error", (type(exc).__name__, exc.problem, mark.line if mark else None, mark.column if mark else None)


def test_this_machine_has_libyaml() -> None:
    # The fast path is the one the benchmarks measure; PyYAML's wheels ship libyaml.
    assert yaml_codec.LIBYAML
    assert issubclass(yaml_codec.SafeLoader, yaml.CSafeLoader)
    assert yaml_codec.pure_twin(yaml_codec.UniqueKeySafeLoader) is yaml_codec.PureUniqueKeySafeLoader


@pytest.mark.parametrize("loader", UNIQUE_LOADERS)
def test_the_example_config_reads_the_same_on_either_parser(loader: type) -> None:
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    assert yaml_codec.load(text, loader) == yaml.load(text, Loader=yaml.SafeLoader)


@pytest.mark.parametrize("loader", UNIQUE_LOADERS)
def test_a_key_given_twice_is_refused_with_its_place(loader: type) -> None:
    text = "version: 1\nservices:\n  - name: a\n    tier: core\n    name: b\n"
    assert outcome(text, loader) == outcome(text, ReferenceUniqueKeyLoader)
    assert outcome(text, loader) == ("error", ("ConstructorError", "duplicate key 'name'", 4, 4))


@pytest.mark.parametrize(("text", "expected"), [
    ("a: 1\nb: [x, 'y', 2.5, true, null, 2024-01-01, 0x1f, .inf]\n", None),
    ("base: &base {tier: core}\nservice:\n  <<: *base\n  name: a\n", None),  # a merge key
    ("a: &loop [1, *loop]\n", None),  # an alias of a node inside itself
    ("- &k shared\n- *k\n", None),
    ("names: !!set {a, b}\npairs: !!omap [a: 1, b: 2]\nbytes: !!binary aGVsbG8=\n", None),
    ("? [a, b]\n: c\n", ("ConstructorError", "found unhashable key", 0, 2)),
    ("services: [\n  {name: a\n", ("ParserError", "expected ',' or '}', but got '<stream end>'", 2, 0)),
    ("title: [unclosed\n", ("ParserError", "expected ',' or ']', but got '<stream end>'", 1, 0)),
    ("a: b\n  c: d\n", ("ScannerError", "mapping values are not allowed here", 1, 3)),
    ("k: v\n\t- tab\n", ("ScannerError", "found character '\\t' that cannot start any token", 1, 0)),
])
@pytest.mark.parametrize("loader", LOADERS + UNIQUE_LOADERS)
def test_data_and_errors_are_the_pure_loaders(loader: type, text: str, expected: Any) -> None:
    reference = ReferenceUniqueKeyLoader if loader in UNIQUE_LOADERS else yaml.SafeLoader
    try:
        pure = outcome(text, reference)
    except TypeError:  # the reference cannot check an unhashable key; ours leaves it to construct_mapping
        pure = outcome(text, yaml.SafeLoader)
    found = outcome(text, loader)
    assert repr(found) == repr(pure)  # repr: an alias of a node inside itself is a list inside itself
    if expected is not None:
        assert found == ("error", expected)


@pytest.mark.parametrize("loader", LOADERS)
def test_without_the_refusal_the_last_of_two_keys_wins_as_in_pyyaml(loader: type) -> None:
    assert yaml_codec.load("a: 1\nb: 2\na: 3\n", loader) == {"a": 3, "b": 2}


def test_a_loader_with_constructors_of_its_own_keeps_them_on_the_pure_parser() -> None:
    class Tolerant(yaml_codec.SafeLoader):
        pass

    Tolerant.add_multi_constructor("", lambda loader, suffix, node: None)
    assert yaml_codec.load("docs_dir: pages\nhook: !ENV [HOOK]\n", Tolerant) == {"docs_dir": "pages", "hook": None}
    twin = yaml_codec.pure_twin(Tolerant)
    assert issubclass(twin, yaml.SafeLoader)
    assert not issubclass(twin, yaml.CSafeLoader)
    assert yaml_codec.load("hook: !ENV [HOOK]\n", twin) == {"hook": None}


def test_the_emitter_writes_what_the_pure_one_writes() -> None:
    data = yaml.safe_load(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    options: dict[str, Any] = {"sort_keys": False, "allow_unicode": True, "width": 100}
    assert yaml_codec.dump(data, **options) == yaml.dump(data, Dumper=yaml.SafeDumper, **options)


def test_without_libyaml_the_config_loads_the_same_and_refuses_repeated_keys(tmp_path: Path) -> None:
    # A PyYAML built without libyaml: the import of its C part fails, and every reader falls back.
    repeated = tmp_path / "responder.yml"
    repeated.write_text("version: 1\nversion: 1\n", encoding="utf-8")
    script = (
        "import sys, json\n"
        "sys.modules['yaml._yaml'] = None\n"
        "from pathlib import Path\n"
        "from responder.config import yaml_codec\n"
        "from responder.config.loader import read_raw\n"
        "from responder.errors import ConfigError\n"
        "assert not yaml_codec.LIBYAML\n"
        f"raw = read_raw(Path({str(EXAMPLE_CONFIG)!r}))\n"
        "try:\n"
        f"    read_raw(Path({str(repeated)!r}))\n"
        "except ConfigError as exc:\n"
        "    error = str(exc)\n"
        "print(json.dumps({'raw': raw, 'error': error}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    import json

    fallback = json.loads(result.stdout)
    assert fallback["raw"] == json.loads(json.dumps(read_raw(EXAMPLE_CONFIG)))
    with pytest.raises(ConfigError) as caught:
        read_raw(repeated)
    assert fallback["error"] == str(caught.value)
    assert str(caught.value) == f"{repeated}: not valid YAML (line 2, column 1): duplicate key 'version'"
