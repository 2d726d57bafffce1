"""Edit one top-level value of a `*.auto.tfvars.json` file with a minimal diff.

Only the bytes of that value change: key order, indentation, spacing and
the trailing newline stay exactly as the person who wrote the file left
them, so the commit shows one changed line.
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
    decoder = json.JSONDecoder()
    index = _skip(text, 0)
    if index >= len(text) or text[index] != "{":
        raise VarsFileError("is not a JSON object")
    index = _skip(text, index + 1)
    spans: dict[str, _Span] = {}
    if index < len(text) and text[index] == "}":
        return _finish(text, index + 1, spans)
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
            return _finish(text, index + 1, spans)
        raise VarsFileError(f"is not valid JSON: expected ',' or '}}' at character {index}")


def _finish(text: str, index: int, spans: dict[str, _Span]) -> dict[str, _Span]:
    if _skip(text, index) != len(text):
        raise VarsFileError("is not valid JSON: extra data after the object")
    return spans


def _skip(text: str, index: int) -> int:
    while index < len(text) and text[index] in _WHITESPACE:
        index += 1
    return index
