"""Characters XML 1.0 forbids, kept out of every XML and HTML file we publish.

XML 1.0 allows only #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
[#x10000-#x10FFFF]. One ESC, vertical tab or U+FFFE in an issue title would
make the whole Atom feed unreadable to every feed reader (a parser must stop
at the first one), HTML parsers report the same characters as errors, and a
lone surrogate cannot even be written as UTF-8. Escaping cannot help: XML has
no way to write them at all, so they are removed.
"""

from __future__ import annotations

import re
from functools import cache


@cache
def _forbidden() -> re.Pattern[str]:
    # Compiled on first use: this class of a million code points takes milliseconds to compile, and
    # most commands import this module without writing any XML.
    return re.compile(r"[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


def strip_forbidden(text: str) -> str:
    """The text without the characters XML 1.0 forbids; everything else is kept as it is."""
    return _forbidden().sub("", text)
