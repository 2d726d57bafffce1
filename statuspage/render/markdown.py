"""A small, safe Markdown subset for incident updates and maintenance details.

Raw HTML is never passed through: every character of the input is escaped,
and only the markup this module writes itself reaches the page. Links are
kept only when they are http(s); anything else (javascript:, data:,
relative paths) stays plain text.

Supported, as GitHub shows comments: paragraphs with hard line breaks,
`-`/`*`/`+` and `1.` lists, `>` quotes, headings (shown bold), fenced
code, `inline code`, **strong**, *emphasis*, ~~strike~~, [links](https://…),
<https://…> and bare https:// addresses. HTML comments are dropped, as
GitHub hides them.

Why not a Markdown library: the allowed runtime set has none, and a
dependency that parses everything and then has HTML switched off is a
larger surface than the few rules a status update needs.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from responder.render.urls import safe_http_url
from responder.render.xml_text import strip_forbidden

_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BULLET = re.compile(r"^\s{0,3}[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s{0,3}\d{1,9}[.)]\s+(.*)$")
_QUOTE = re.compile(r"^\s{0,3}>\s?(.*)$")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_LINK = re.compile(r"\[([^\]\n]{1,500})\]\(\s*<?([^)\s>]{1,2000})>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]{1,2000})>", re.IGNORECASE)
_BARE_URL = re.compile(r"https?://[^\s<>\"'`]{1,2000}", re.IGNORECASE)
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EM_STAR = re.compile(r"(?<![*\w])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![*\w])")
_EM_UNDERSCORE = re.compile(r"(?<![_\w])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![_\w])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_ANY_LINK = re.compile(f"{_LINK.pattern}|{_AUTOLINK.pattern}|{_BARE_URL.pattern}", re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,;:!?)]'\""
LINK_REL = "nofollow noopener noreferrer"


def render(text: str | None) -> Markup:
    """Markdown (untrusted) -> HTML (safe)."""
    if not text:
        return Markup("")
    source = _HTML_COMMENT.sub("", strip_forbidden(text).replace("\r\n", "\n").replace("\r", "\n"))
    lines = source.split("\n")
    out: list[str] = []
    paragraph: list[str] = []
    index = 0

    def flush() -> None:
        if paragraph:
            out.append("<p>" + "<br>\n".join(inline(line.strip()) for line in paragraph) + "</p>")
            paragraph.clear()

    while index < len(lines):
        line = lines[index]
        fence = _FENCE.match(line)
        if fence:
            flush()
            marker = fence.group(1)
            code: list[str] = []
            index += 1
            while index < len(lines) and not lines[index].strip().startswith(marker):
                code.append(lines[index])
                index += 1
            index += 1
            out.append(f"<pre><code>{escape(chr(10).join(code))}</code></pre>")
            continue
        if not line.strip():
            flush()
        elif _RULE.match(line):
            flush()
            out.append("<hr>")
        elif _HEADING.match(line):
            flush()
            out.append(f"<p><strong>{inline(_HEADING.match(line).group(1))}</strong></p>")  # type: ignore[union-attr]
        elif _BULLET.match(line) or _NUMBERED.match(line):
            flush()
            ordered = bool(_NUMBERED.match(line)) and not _BULLET.match(line)
            pattern = _NUMBERED if ordered else _BULLET
            items: list[str] = []
            while index < len(lines) and (match := pattern.match(lines[index])):
                items.append(match.group(1))
                index += 1
                # A lazily continued item: an indented line that starts no other block.
                while index < len(lines) and lines[index].startswith("  ") and lines[index].strip() \
                        and not _BULLET.match(lines[index]) and not _NUMBERED.match(lines[index]):
                    items[-1] += " " + lines[index].strip()
                    index += 1
            tag = "ol" if ordered else "ul"
            out.append(f"<{tag}>" + "".join(f"<li>{inline(item)}</li>" for item in items) + f"</{tag}>")
            continue
        elif _QUOTE.match(line):
            flush()
            quoted: list[str] = []
            while index < len(lines) and (match := _QUOTE.match(lines[index])):
                quoted.append(match.group(1))
                index += 1
            out.append(f"<blockquote>{render(chr(10).join(quoted))}</blockquote>")
            continue
        else:
            paragraph.append(line)
        index += 1
    flush()
    return Markup("\n".join(out))  # noqa: S704 - every part above was escaped or is markup we wrote


def inline(text: str) -> str:
    """One line of inline Markdown -> safe HTML."""
    out: list[str] = []
    position = 0
    for match in _CODE_SPAN.finditer(text):
        out.append(_links(text[position:match.start()]))
        out.append(f"<code>{escape(match.group(2).strip())}</code>")
        position = match.end()
    out.append(_links(text[position:]))
    return "".join(out)


def _links(text: str) -> str:
    out: list[str] = []
    position = 0
    for match in _ANY_LINK.finditer(text):
        out.append(_emphasis(text[position:match.start()]))
        label, target, auto = match.group(1), match.group(2), match.group(3)
        if label is not None:
            out.append(_anchor(target, _emphasis(label)) if safe_link(target) else _emphasis(label))
            position = match.end()
        elif auto is not None:
            out.append(_anchor(auto, str(escape(auto))))
            position = match.end()
        else:
            url = match.group(0)
            trimmed = url.rstrip(_TRAILING_PUNCTUATION)
            out.append(_anchor(trimmed, str(escape(trimmed))))
            position = match.start() + len(trimmed)
    out.append(_emphasis(text[position:]))
    return "".join(out)


def _anchor(url: str, label_html: str) -> str:
    return f'<a href="{escape(url)}" rel="{LINK_REL}">{label_html}</a>'


def safe_link(url: str) -> bool:
    return safe_http_url(url.strip()) is not None


def _emphasis(text: str) -> str:
    # The text is escaped first, so the tags below are the only markup in the result.
    html = str(escape(text))
    html = _STRONG.sub(r"<strong>\2</strong>", html)
    html = _STRIKE.sub(r"<del>\1</del>", html)
    html = _EM_STAR.sub(r"<em>\1</em>", html)
    return _EM_UNDERSCORE.sub(r"<em>\1</em>", html)
