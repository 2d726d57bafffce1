"""Reading the files a user hands the responder: one place that turns every way they can be wrong
into one InputError line (exit 2), never a traceback.

Events, exports, plans, snapshots and histories are attacker-shaped: they may be missing,
unreadable, not UTF-8, not JSON, or JSON nested deeper than Python's recursion limit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from responder.errors import InputError


def read_text_file(path: Path | str, what: str, hint: str | None = None) -> str:
    """The file's text, or InputError naming `what` it was meant to be (e.g. "event file x.json")."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{what}: no such file", hint=hint) from None
    except IsADirectoryError:
        raise InputError(f"{what}: is a directory, not a file", hint=hint) from None
    except UnicodeDecodeError:
        raise InputError(f"{what}: not UTF-8 text", hint=hint) from None
    except OSError as exc:
        raise InputError(f"{what}: cannot be read: {exc.strerror or exc}", hint=hint) from None


def parse_json(text: str, what: str, hint: str | None = None) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise InputError(f"{what}: not usable JSON: nested too deeply", hint=hint) from None
    except ValueError as exc:
        raise InputError(f"{what}: not valid JSON: {exc}", hint=hint) from None


def read_json_file(path: Path | str, what: str, hint: str | None = None) -> Any:
    return parse_json(read_text_file(path, what, hint), what, hint)


def loads_or_none(text: str | None) -> Any:
    """JSON from an outside system's answer, or None when it is empty or unusable."""
    if not text:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None
