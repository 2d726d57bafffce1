"""What GitHub acts on in text it renders: closing keywords, issue references and mentions.

Tests use these to check that text built from issues names no issue and
pings nobody. A match is what GitHub would link, close or notify.
"""

from __future__ import annotations

import re

# "Fixes #1" in a commit or pull request that reaches the default branch closes issue 1.
CLOSING = re.compile(r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b\s*:?\s*"
                     r"(?:#\d+|GH-\d+|[\w.-]+/[\w.-]+#\d+|https?://\S+/issues/\d+)", re.IGNORECASE)
# A reference links (and cross-references) an issue; a mention notifies a person or team.
REFERENCE = re.compile(r"(?<![\w/])(?:#\d+|GH-\d+|[\w.-]+/[\w.-]+#\d+|@[A-Za-z0-9_])", re.IGNORECASE)
