"""Add a service to the catalogue in responder.yml, keeping the file as its people wrote it.

Pure text in, text out. The new service is appended as one more item of the `services:` block list,
in the items' own indentation and spacing, after the last item and before whatever follows (the
comments and keys of the next section stay where they are), so the commit shows a few added lines.
The caller loads and validates the result with the config loader before anything is written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_SERVICES_KEY = re.compile(r"services:[ \t]*(#.*)?")
# Plain YAML scalars that stay strings whatever YAML version reads them; everything else is quoted.
_PLAIN = re.compile(r"[a-z][a-z0-9-]*")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


class CatalogueError(ValueError):
    """The catalogue cannot be edited safely; the message says why."""


def append_service(text: str, entry: Mapping[str, Any], comment: str = "") -> str:
    """The text with `entry` (a service: name, title, tier, url) appended to the `services:` list."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    start = next((index for index, line in enumerate(lines) if _SERVICES_KEY.fullmatch(line.rstrip("\r\n"))), None)
    if start is None:
        raise CatalogueError("has no top-level 'services:' block list to add to (a flow-style list, or none)")
    last, indent, spaced, seen_item = start, None, False, False
    for index in range(start + 1, len(lines)):
        line = lines[index]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            if not stripped and seen_item:
                spaced = True
            continue
        if not line[0].isspace() and not line.startswith("-"):
            break  # the next top-level key
        if stripped.startswith("- ") or stripped == "-":
            if indent is None:
                indent = line[: len(line) - len(line.lstrip())]
            seen_item = True
        last = index
    if indent is None:
        raise CatalogueError("'services:' holds no item to model the new one on")
    spaced = spaced and last > start
    block = [f"{indent}# {comment}{newline}"] if comment else []
    prefix = f"{indent}- "
    for key, value in entry.items():
        block.append(f"{prefix}{key}: {_scalar(value)}{newline}")
        prefix = f"{indent}  "
    head = lines[: last + 1]
    if head and not head[-1].endswith(("\n", "\r")):
        head[-1] += newline
    return "".join([*head, *([newline] if spaced else []), *block, *lines[last + 1:]])


def _scalar(value: Any) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, int | float):
        return json.dumps(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and text not in _YAML_WORDS:
        return text
    # A JSON string is a YAML double-quoted scalar: any character, nothing interpreted.
    return json.dumps(text, ensure_ascii=False)
