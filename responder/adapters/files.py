"""The file system, for files the responder writes into the checkout (post-mortems, their index)."""

from __future__ import annotations

from pathlib import Path


def write_if_changed(path: Path, text: str) -> bool:
    """Write when the content differs; True when the file changed."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


class LocalFiles:
    """The FileWriter port over the local file system."""

    def write_text(self, path: Path, text: str) -> bool:
        return write_if_changed(path, text)
