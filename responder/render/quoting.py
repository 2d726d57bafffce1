"""Make text safe to put into GitHub Markdown.

Anything that came from an issue, a comment, a log or even the config is
treated as text, never as markup: it cannot ping people (@name), link
issues (#123, GH-123, owner/repo#123), close them ("fixes #123" in a
commit), become a link (bare addresses are shown as code), open HTML or
break out of the block it sits in. Secrets are redacted on the way.

`Markdown` marks text that is already safe. The comment templates pass every
other value through `escape_text` automatically, so forgetting a filter
cannot inject anything. `Mention` marks the one exception the responder's own
text makes: a login from responder.yml (a service owner, an escalation tier)
that it @-mentions on purpose. `plain_text` is for text that leaves GitHub
(notifications): quoted, capped, with nothing a chat service would act on.
"""

from __future__ import annotations

import re
import unicodedata

from responder.render.redaction import process_redactor

ZWSP = "\u200b"  # zero-width space: breaks @mention and #reference detection without changing the look
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]|~])")
_LINE_START = re.compile(r"^([#>+=-]|\d+[.)])")
_MENTION = re.compile(r"([@#])(?=[A-Za-z0-9_])")
_GH_REFERENCE = re.compile(r"\b(GH-)(?=\d)", re.IGNORECASE)
# GitHub closes the issue a commit or pull request names after one of these words: "Fixes #1",
# "closes: owner/repo#2", "resolves GH-3", "fixed https://github.com/o/r/issues/4".
_CLOSING_KEYWORD = re.compile(
    r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b(?=\s*:?\s*(?:#|GH-\d|[\w.-]+/[\w.-]+#|https?://))", re.IGNORECASE)
# What GitHub turns into a link with no markup at all: http(s)://, ftp:// and www. addresses (autolinks).
# Wherever one starts, even inside a word: a code span too many costs nothing, a link too many can phish.
_BARE_LINK = re.compile(r"(?:https?://|ftp://|www\.)[^\s<>]+", re.IGNORECASE)
_CONTROL = {ch: None for ch in range(32) if ch not in (9, 10)} | {0x7F: None}


class Markdown(str):
    """Text that is already safe Markdown (produced by this module or a template)."""

    __slots__ = ()


_LOGIN = re.compile(r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}")


class Mention(str):
    """A GitHub login the responder may @-mention: made only from responder.yml's service owners and
    escalation tiers (triage/mentions.py), never from issue text. Anything else stays plain text."""

    __slots__ = ()

    def __new__(cls, login: str) -> Mention:
        if not _LOGIN.fullmatch(login):
            raise ValueError(f"{login!r} is not a GitHub login")
        return super().__new__(cls, login)


def mentions(values: object) -> Markdown:
    """`@a, @b` for the Mention values; any other value is escaped text, so it pings nobody."""
    items = values if isinstance(values, list | tuple) else [values]
    return Markdown(", ".join(f"@{item}" if isinstance(item, Mention) else escape_text(item) for item in items))


def _clean(text: object) -> str:
    value = "" if text is None else str(text)
    value = value.replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROL)
    # Bidirectional overrides can disguise text (Trojan Source); drop them.
    value = "".join(ch for ch in value if unicodedata.category(ch) != "Cf" or ch in ("\u200d", ZWSP))
    return process_redactor(value)


def neutralise_mentions(text: str) -> str:
    """Break @mentions, issue references and closing keywords with a zero-width space (text looks the same)."""
    text = _CLOSING_KEYWORD.sub(lambda m: m.group(0)[0] + ZWSP + m.group(0)[1:], text)
    text = _GH_REFERENCE.sub(lambda m: m.group(1) + ZWSP, text)
    return _MENTION.sub(lambda m: m.group(1) + ZWSP, text)


def commit_text(value: object, limit: int = 200) -> str:
    """Untrusted text for a commit message: one line, no secrets, nothing GitHub acts on.

    A commit on the default branch closes every issue it names after a closing
    keyword, so issue text must never carry one in; the caller adds the
    project's own `(fixes #N)` after this.
    """
    text = neutralise_mentions(" ".join(_clean(value).split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape_text(value: object) -> Markdown:
    """Plain text for an inline Markdown context: one line, no markup, no pings, no links.

    Bare addresses (https://…, www.…) would be made into links by GitHub even
    with every character escaped, so they are shown as code spans instead.
    """
    text = " ".join(_clean(value).split())
    parts = []
    position = 0
    for match in _BARE_LINK.finditer(text):
        address = _trim_link(match.group(0))
        parts.append(_escape_plain(text[position:match.start()]))
        parts.append(_span(address))
        position = match.start() + len(address)
    parts.append(_escape_plain(text[position:]))
    return Markdown(_LINE_START.sub(r"\\\1", "".join(parts)))


def _escape_plain(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return neutralise_mentions(_MARKDOWN_PUNCTUATION.sub(r"\\\1", text))


def _trim_link(address: str) -> str:
    # What GitHub leaves out of an autolink stays outside the code span, so a sentence reads normally.
    trimmed = address.rstrip(".,:;!?'\"")
    while trimmed.endswith(")") and trimmed.count(")") > trimmed.count("("):
        trimmed = trimmed[:-1].rstrip(".,:;!?'\"")
    return trimmed or address


# What chat services make into markup or pings beyond @ and #: Slack's <!here> and <url|text>,
# Markdown links and images, code spans.
_CHAT_MARKUP = str.maketrans({"<": "‹", ">": "›", "`": "'"})


def plain_text(value: object, limit: int) -> str:
    """Untrusted text for a message that leaves GitHub (Slack, Matrix, ntfy...): one line, at most `limit`
    characters, secrets redacted, and nothing a chat service turns into a ping, a link or markup.

    @team, #1 and "fixes #2" are broken with a zero-width space as on GitHub; a Markdown link loses the
    bracket-parenthesis join that makes it one; a bare address loses the `//` after its scheme, so it is
    shown, never made a link.
    """
    text = neutralise_mentions(" ".join(_clean(value).split()).translate(_CHAT_MARKUP))
    text = text.replace("](", "]" + ZWSP + "(")
    text = _BARE_LINK.sub(lambda m: re.sub(r"(?i)^(https?:|ftp:)//|^(www)\.", _defang, m.group(0)), text)
    # Cut last, so the cap holds whatever was inserted; a cut inside a broken ping leaves it broken.
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def _defang(match: re.Match[str]) -> str:
    if match.group(1):
        return match.group(1) + ZWSP + "//"
    return (match.group(2) or "") + ZWSP + "."


def code(value: object, limit: int = 200) -> Markdown:
    """Inline code span: shown verbatim, never rendered, never pings anyone."""
    text = " ".join(_clean(value).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return _span(text)


def _span(text: str) -> Markdown:
    if not text:
        return Markdown("` `")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or longest else ""
    # Inside a table a pipe would end the cell, even in a code span.
    text = text.replace("|", "\\|")
    return Markdown(f"{ticks}{pad}{text}{pad}{ticks}")


def fence(value: object, lang: str = "text", limit: int = 4000) -> Markdown:
    """A fenced block quoting text verbatim; the fence outgrows any backtick run inside."""
    text = _clean(value).rstrip("\n")
    if len(text) > limit:
        text = text[:limit] + f"\n… ({len(text) - limit} more characters not shown)"
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return Markdown(f"{ticks}{lang}\n{text}\n{ticks}")
