"""Edit one value of a `*.auto.tfvars.json` file with a minimal diff.

Only the bytes of that value change: key order, indentation, spacing and
the trailing newline stay exactly as the person who wrote the file left
them, so the commit shows one changed line. A top-level variable is set with
`set_value`; a value deeper inside (one namespace of a map, one record
appended to a list) with `set_path`, which writes a new member or item in
the file's own indentation.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from json.decoder import scanstring  # type: ignore[attr-defined]  # public since 2.6, not in the stubs
from typing import Any

_WHITESPACE = " \t\n\r"


class VarsFileError(ValueError):
    """The vars file cannot be edited safely; the message says why."""


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    value: Any


def load(text: str) -> dict[str, Any]:
    """The file's top-level object; duplicate keys are refused (which one would Terraform use?)."""
    return {key: span.value for key, span in _spans(text).items()}


def read_value(text: str, key: str) -> Any:
    spans = _spans(text)
    if key not in spans:
        raise VarsFileError(f"has no {key!r} variable")
    return spans[key].value


def set_value(text: str, key: str, value: Any) -> str:
    """The text with `key` set to `value`; everything else byte for byte the same."""
    spans = _spans(text)
    if key not in spans:
        raise VarsFileError(f"has no {key!r} variable to change (the responder edits existing values only)")
    span = spans[key]
    edited = text[: span.start] + json.dumps(value, ensure_ascii=False) + text[span.end :]
    # Belt and braces: the result must parse, and differ from the original in this key alone.
    after = load(edited)
    before = {name: s.value for name, s in spans.items()}
    if list(after) != list(before) or any(after[k] != before[k] for k in before if k != key) or after[key] != value:
        raise VarsFileError("could not be edited without touching other values")
    return edited


def _spans(text: str) -> Mapping[str, _Span]:
    index = _skip(text, 0)
    if index >= len(text) or text[index] != "{":
        raise VarsFileError("is not a JSON object")
    spans, end = _members(text, index)
    return _finish(text, end, spans)


def _members(text: str, index: int) -> tuple[dict[str, _Span], int]:
    """The members of the object whose `{` is at `index`, and the index just after its `}`."""
    decoder = json.JSONDecoder()
    index = _skip(text, index + 1)
    spans: dict[str, _Span] = {}
    if index < len(text) and text[index] == "}":
        return spans, index + 1
    while True:
        if index >= len(text) or text[index] != '"':
            raise VarsFileError(f"is not valid JSON: expected a key at character {index}")
        try:
            key, index = scanstring(text, index + 1)
        except ValueError as exc:
            raise VarsFileError(f"is not valid JSON: {exc}") from None
        index = _skip(text, index)
        if index >= len(text) or text[index] != ":":
            raise VarsFileError(f"is not valid JSON: expected ':' at character {index}")
        start = _skip(text, index + 1)
        try:
            value, end = decoder.raw_decode(text, start)
        except ValueError as exc:
            raise VarsFileError(f"is not valid JSON: {exc}") from None
        if key in spans:
            raise VarsFileError(f"sets {key!r} twice")
        spans[key] = _Span(start, end, value)
        index = _skip(text, end)
        if index < len(text) and text[index] == ",":
            index = _skip(text, index + 1)
            continue
        if index < len(text) and text[index] == "}":
            return spans, index + 1
        raise VarsFileError(f"is not valid JSON: expected ',' or '}}' at character {index}")


def _items(text: str, index: int) -> tuple[list[_Span], int]:
    """The items of the list whose `[` is at `index`, and the index just after its `]`."""
    decoder = json.JSONDecoder()
    index = _skip(text, index + 1)
    items: list[_Span] = []
    if index < len(text) and text[index] == "]":
        return items, index + 1
    while True:
        try:
            value, end = decoder.raw_decode(text, index)
        except ValueError as exc:
            raise VarsFileError(f"is not valid JSON: {exc}") from None
        items.append(_Span(index, end, value))
        index = _skip(text, end)
        if index < len(text) and text[index] == ",":
            index = _skip(text, index + 1)
            continue
        if index < len(text) and text[index] == "]":
            return items, index + 1
        raise VarsFileError(f"is not valid JSON: expected ',' or ']' at character {index}")


def _finish(text: str, index: int, spans: dict[str, _Span]) -> dict[str, _Span]:
    if _skip(text, index) != len(text):
        raise VarsFileError("is not valid JSON: extra data after the object")
    return spans


def _skip(text: str, index: int) -> int:
    while index < len(text) and text[index] in _WHITESPACE:
        index += 1
    return index


# ---------------------------------------------------------------- values deeper inside

JsonPath = tuple[str | int, ...]


class _Missing:
    pass


_MISSING = _Missing()


def read_path(text: str, path: JsonPath, default: Any = None) -> Any:
    """The value at `path` (keys and list positions), or `default` when the path leads nowhere."""
    value: Any = load(text)
    for step in path:
        value = _step(value, step, _MISSING)
        if value is _MISSING:
            return default
    return value


def set_path(text: str, path: JsonPath, value: Any) -> str:
    """The text with the value at `path` set, everything else byte for byte the same.

    The last step may be a new key of an object, or the length of a list (appending to it); every
    step before it must already lead to an object or a list. A new member or item is written on
    its own lines, indented like its neighbours, unless the container is written on one line.
    """
    if not path:
        raise VarsFileError("cannot replace the whole file")
    before = load(text)
    start = _skip(text, 0)
    for depth, step in enumerate(path[:-1]):
        span = _child(text, start, step)
        if span is None:
            raise VarsFileError(f"has no {_shown(path[: depth + 1])} to change")
        start = span.start
    edited = _set_in(text, start, path, value)
    # Belt and braces: the result must parse, and differ from the original at this path alone.
    expected = json.loads(json.dumps(before))
    _assign(expected, path, value)
    if load(edited) != expected:
        raise VarsFileError(f"could not set {_shown(path)} without touching other values")
    return edited


def _set_in(text: str, start: int, path: JsonPath, value: Any) -> str:
    step, newline = path[-1], "\r\n" if "\r\n" in text else "\n"
    if text[start] == "{":
        if not isinstance(step, str):
            raise VarsFileError(f"{_shown(path[:-1])} is an object: {step!r} is not a key")
        members, end = _members(text, start)
        if step in members:
            span = members[step]
            return text[: span.start] + _render(text, span, value, newline) + text[span.end:]
        entry = f"{json.dumps(step, ensure_ascii=False)}: "
        spans = list(members.values())
    elif text[start] == "[":
        items, end = _items(text, start)
        if not isinstance(step, int) or isinstance(step, bool) or not 0 <= step <= len(items):
            raise VarsFileError(f"{_shown(path[:-1])} is a list of {len(items)}: {step!r} is not a position in it")
        if step < len(items):
            span = items[step]
            return text[: span.start] + _render(text, span, value, newline) + text[span.end:]
        entry, spans = "", items
    else:
        raise VarsFileError(f"{_shown(path[:-1])} is neither an object nor a list")
    close = end - 1
    if spans:
        last = spans[-1]
        if "\n" not in text[start:close]:  # written on one line: stay on one line
            addition = f", {entry}{json.dumps(value, ensure_ascii=False)}"
        else:
            indent = _indent_at(text, last.start)
            # A neighbour that is an object or list on one line sets the style: one line per entry.
            one_line = isinstance(last.value, dict | list) and "\n" not in text[last.start:last.end]
            shown = json.dumps(value, ensure_ascii=False) if one_line else _dumped(value, text, indent, newline)
            addition = f",{newline}{indent}{entry}{shown}"
        return text[: last.end] + addition + text[last.end:]
    outer = _indent_at(text, start)
    if "\n" not in text:
        return text[: start + 1] + entry + json.dumps(value, ensure_ascii=False) + text[close:]
    inner = outer + _unit(text)
    return (text[: start + 1] + newline + inner + entry + _dumped(value, text, inner, newline) + newline + outer
            + text[close:])


def _render(text: str, span: _Span, value: Any, newline: str) -> str:
    """A value replacing the one at `span`: multi-line only where the old one was a multi-line container
    (or a scalar in a multi-line file), in the indentation of its line."""
    was_container = isinstance(span.value, dict | list)
    if "\n" not in text.strip() or (was_container and "\n" not in text[span.start:span.end]):
        return json.dumps(value, ensure_ascii=False)
    return _dumped(value, text, _indent_at(text, span.start), newline)


def _dumped(value: Any, text: str, indent: str, newline: str) -> str:
    """The value in the file's indentation unit, its inner lines indented from `indent`."""
    if not isinstance(value, dict | list) or not value:
        return json.dumps(value, ensure_ascii=False)
    rendered = json.dumps(value, ensure_ascii=False, indent=_unit(text))
    return rendered.replace("\n", newline + indent)


def _unit(text: str) -> str:
    """The file's indentation step: the leading whitespace of its first indented line (two spaces if none)."""
    for line in text.splitlines()[1:]:
        stripped = line.lstrip(" \t")
        if stripped and len(stripped) < len(line):
            return line[: len(line) - len(stripped)]
    return "  "


def _indent_at(text: str, index: int) -> str:
    """The leading whitespace of the line holding `index`."""
    start = text.rfind("\n", 0, index) + 1
    line = text[start:index]
    return line[: len(line) - len(line.lstrip(" \t"))]


def _child(text: str, start: int, step: str | int) -> _Span | None:
    if text[start] == "{" and isinstance(step, str):
        return _members(text, start)[0].get(step)
    if text[start] == "[" and isinstance(step, int) and not isinstance(step, bool):
        items = _items(text, start)[0]
        return items[step] if 0 <= step < len(items) else None
    return None


def _step(value: Any, step: str | int, default: Any) -> Any:
    if isinstance(value, dict) and isinstance(step, str):
        return value.get(step, default)
    if isinstance(value, list) and isinstance(step, int) and not isinstance(step, bool):
        return value[step] if 0 <= step < len(value) else default
    return default


def _assign(document: Any, path: JsonPath, value: Any) -> None:
    target = document
    for step in path[:-1]:
        target = target[step]
    if isinstance(target, list) and path[-1] == len(target):
        target.append(value)
    else:
        target[path[-1]] = value


def _shown(path: JsonPath) -> str:
    return "".join(f"[{step}]" if isinstance(step, int) else (f".{step}" if index else step)
                   for index, step in enumerate(path)) or "(the top level)"
