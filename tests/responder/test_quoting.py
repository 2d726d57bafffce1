"""Text from issues and logs cannot ping, link, inject markup or leak secrets into a comment."""

from __future__ import annotations

import pytest

from responder.quoting import ZWSP, Markdown, code, escape_text, fence


def test_plain_text_is_escaped_and_cannot_mention_or_link() -> None:
    text = escape_text("@octocat see #12 <script>alert(1)</script> **bold** [x](javascript:alert(1)) a|b")
    assert text == (f"@{ZWSP}octocat see #{ZWSP}12 &lt;script&gt;alert(1)&lt;/script&gt; \\*\\*bold\\*\\* "
                    "\\[x\\](javascript:alert(1)) a\\|b")
    assert isinstance(text, Markdown)


@pytest.mark.parametrize(("value", "expected"), [
    ("# heading", "\\# heading"),
    ("> quote", "&gt; quote"),
    ("- item", "\\- item"),
    ("1. item", "\\1. item"),
    ("= setext", "\\= setext"),
])
def test_text_cannot_start_a_block(value: str, expected: str) -> None:
    assert escape_text(value) == expected


def test_escaped_text_is_one_line() -> None:
    assert escape_text("line one\r\nline two\n\n### three") == "line one line two ### three"


def test_code_spans_outgrow_backticks_inside() -> None:
    assert code("plain") == "`plain`"
    assert code("a `tick` here") == "`` a `tick` here ``"
    assert code("``double``") == "``` ``double`` ```"
    assert code("") == "` `"
    assert code("x" * 300).endswith("…`")
    assert code("a|b") == "`a\\|b`"


def test_fences_outgrow_any_fence_inside_and_keep_text_verbatim() -> None:
    body = "log line @admin\n```\n### not a heading\n````\n<img src=x onerror=alert(1)>"
    fenced = fence(body)
    assert fenced.startswith("`````text\n")
    assert fenced.endswith("\n`````")
    assert "@admin" in fenced  # inside a fence GitHub neither pings nor renders


def test_secrets_are_redacted_everywhere() -> None:
    token = "ghp_" + "A1b2C3d4" * 5
    assert token not in escape_text(f"token {token}")
    assert token not in code(token)
    assert token not in fence(f"Authorization: Bearer {token}")


def test_invisible_direction_overrides_are_dropped() -> None:
    assert escape_text("admin\u202egnp.exe") == "admingnp.exe"
    assert "\x1b" not in fence("\x1b[31mred\x1b[0m")
