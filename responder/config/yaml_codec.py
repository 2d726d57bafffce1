"""YAML in and out: libyaml's C parser and emitter when PyYAML was built with them, the pure-Python ones
otherwise, and one way to read a document that every reader of YAML here shares.

The C parser reads a file about seven times faster, which is most of `responder parse --template` and a
good part of loading responder.yml. Where it and the pure parser disagree is only in how they word a
mistake, so a document the C parser refuses is read again by the pure one, and every error says what it
always said, at the same line and column, on every machine.

Once parsed, a document is made into Python objects by a short walk over its nodes when it holds only
strings, numbers, lists and mappings (nearly every file we read). Anything else (merge keys, aliases
of a node inside itself, a key given twice, tags such as !!set) takes PyYAML's own, slower path, which
decides exactly as it always has: the walk hands over before deciding anything itself.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:
    from yaml import CSafeDumper as _FastDumper
    from yaml import CSafeLoader as _FastLoader

    LIBYAML = True
except ImportError:  # PyYAML built without libyaml: the pure-Python parser and emitter
    from yaml import SafeDumper as _FastDumper  # type: ignore[assignment]
    from yaml import SafeLoader as _FastLoader  # type: ignore[assignment]

    LIBYAML = False

YAMLError = yaml.YAMLError
MarkedYAMLError = yaml.MarkedYAMLError
SafeDumper = _FastDumper  # for representers: subclass it, as yaml.SafeDumper

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_MERGE = "tag:yaml.org,2002:merge"


class _Unusual(Exception):
    """The document needs PyYAML's own construction (merge keys, recursion, repeated keys, special tags)."""


class _PlainConstruction(SafeConstructor):
    def construct_document(self, node: Node) -> Any:
        try:
            return self._plain(node, set())
        except _Unusual:
            pass
        finally:
            self.constructed_objects, self.recursive_objects = {}, {}
        return super().construct_document(node)

    def _plain(self, node: Node, open_nodes: set[int]) -> Any:
        kind, tag = type(node), node.tag
        if kind is ScalarNode:
            # Numbers, booleans, nulls, timestamps: PyYAML's constructors, which build them at once.
            return node.value if tag == _STR else self.construct_object(node)
        if id(node) in open_nodes:
            raise _Unusual  # an alias of a node inside itself
        open_nodes.add(id(node))
        if kind is SequenceNode and tag == _SEQ:
            items = [self._plain(child, open_nodes) for child in node.value]
        elif kind is MappingNode and tag == _MAP:
            mapping: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE:
                    raise _Unusual
                key = self._plain(key_node, open_nodes)
                try:
                    if key in mapping:
                        raise _Unusual  # the last one wins, or the loader refuses it: PyYAML decides
                except TypeError:  # a list or a mapping as a key: PyYAML's error says where
                    raise _Unusual from None
                mapping[key] = self._plain(value_node, open_nodes)
            open_nodes.discard(id(node))
            return mapping
        else:
            raise _Unusual
        open_nodes.discard(id(node))
        return items


class SafeLoader(_PlainConstruction, _FastLoader):
    """PyYAML's safe loader, on libyaml when it is there."""


class PureSafeLoader(_PlainConstruction, yaml.SafeLoader):
    """The pure-Python safe loader: the one whose error messages are the ones users see."""


def _unique_mapping(loader: SafeLoader | PureSafeLoader, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
    """A mapping, refusing a key given twice instead of silently keeping the last one."""
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            repeated = key in seen
        except TypeError:  # a list or a mapping as a key: construct_mapping says where
            break
        if repeated:
            raise ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


class UniqueKeySafeLoader(SafeLoader):
    """SafeLoader, refusing duplicate keys (responder.yml)."""


class PureUniqueKeySafeLoader(PureSafeLoader):
    """PureSafeLoader, refusing duplicate keys."""


UniqueKeySafeLoader.add_constructor(_MAP, _unique_mapping)
PureUniqueKeySafeLoader.add_constructor(_MAP, _unique_mapping)

_TWINS: dict[type, type] = {SafeLoader: PureSafeLoader, UniqueKeySafeLoader: PureUniqueKeySafeLoader}


@cache
def pure_twin(loader: type) -> type:
    """The loader that reads as `loader` does, with the same constructors, on the pure-Python parser."""
    if not LIBYAML or not issubclass(loader, SafeLoader):
        return loader
    if loader in _TWINS:
        return _TWINS[loader]
    bases = tuple(pure_twin(base) for base in loader.__bases__)
    namespace = {key: value for key, value in vars(loader).items() if key not in ("__dict__", "__weakref__")}
    return type(loader.__name__, bases, namespace)


def load(text: str, loader: type = SafeLoader) -> Any:
    """One YAML document as Python data. Raises YAMLError worded as the pure-Python parser words it.

    `loader` is SafeLoader, UniqueKeySafeLoader, or a subclass of one of them."""
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader
    except YAMLError:
        pure = pure_twin(loader)
        if pure is loader:
            raise
    # libyaml's wording of a mistake differs from the pure parser's (and from one version to the next).
    return yaml.load(text, Loader=pure)  # noqa: S506 - a SafeLoader


def dump(data: Any, dumper: type = SafeDumper, **options: Any) -> str:
    """Data as YAML text, through libyaml's emitter when it is there (the same text as the pure one)."""
    text: str = yaml.dump(data, Dumper=dumper, **options)
    return text
