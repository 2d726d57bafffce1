"""Named blocks inside the responder's one comment, replaced in place.

Later writers (a duplicate report on the original incident, the sweep's
latest update) change one part of the comment without re-rendering the
rest. Each block sits between two hidden markers; the state marker stays
last. Only the responder's own comments are ever edited, so nobody else
can plant a block.
"""

from __future__ import annotations

import re

from responder.model.state import IssueState, locate_marker, render_marker

_PREFIX = "issueops-responder:block"


def _start(name: str) -> str:
    return f"<!-- {_PREFIX}:{name} -->"


def _end(name: str) -> str:
    return f"<!-- /{_PREFIX}:{name} -->"


def splice(body: str, name: str, text: str) -> str:
    """Put `text` in block `name`: replace the block if present, else add it before the footer."""
    block = f"{_start(name)}\n{text.strip()}\n{_end(name)}"
    pattern = re.compile(re.escape(_start(name)) + r".*?" + re.escape(_end(name)), re.DOTALL)
    if pattern.search(body):
        return pattern.sub(lambda _: block, body, count=1)
    content, marker = split_state(body)
    footer = content.rfind("\n\n<sub>")
    if footer == -1:
        return f"{content.rstrip()}\n\n{block}{marker}"
    return f"{content[:footer].rstrip()}\n\n{block}{content[footer:]}{marker}"


def block(body: str, name: str) -> str | None:
    match = re.search(re.escape(_start(name)) + r"\n(.*?)\n" + re.escape(_end(name)), body, re.DOTALL)
    return match.group(1) if match else None


def split_state(body: str) -> tuple[str, str]:
    """The comment's text and its trailing state marker (with the blank line before it)."""
    place = locate_marker(body)
    if place is None:
        return body, ""
    content = body[: place.start].rstrip("\n")
    return content, body[len(content):]


def with_state(body: str, state: IssueState) -> str:
    """The comment with its state marker replaced (or added)."""
    content, _ = split_state(body)
    return f"{content.rstrip()}\n\n{render_marker(state)}"
