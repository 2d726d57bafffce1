"""Text from issues and logs cannot ping, link, inject markup or leak secrets into a comment."""

from __future__ import annotations

import pytest

from responder.flows.change_engine import commit_message
from responder.model.changes import ChangeRequest, PreparedChange
from responder.render.quoting import ZWSP, Markdown, code, commit_text, escape_text, fence
from tests.support.references import CLOSING, REFERENCE


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


RETITLED = ("Nextcloud 502. Fixes #1, closes #3, resolves other/repo#4, FIXED: GH-5, "
            "closed https://github.com/acme-homelab/infra/issues/6 cc @admins")


def test_commit_text_names_no_issue_and_pings_nobody() -> None:
    text = commit_text(RETITLED)
    assert CLOSING.findall(text) == [] and REFERENCE.findall(text) == []
    assert text.replace(ZWSP, "") == RETITLED  # it reads the same
    assert commit_text("a\nb\r\nc   d") == "a b c d"
    assert commit_text("x" * 300, limit=50) == "x" * 49 + "…"


@pytest.mark.parametrize("text", ["fix #1", "Fixes: #1", "RESOLVED   GH-2", "closes acme/infra#3"])
def test_every_form_of_closing_keyword_is_neutralised(text: str) -> None:
    assert CLOSING.findall(commit_text(text)) == []


def test_a_feature_commit_closes_only_its_own_issue() -> None:
    prepared = PreparedChange(
        request=ChangeRequest("app", "replicas", "3", RETITLED, "feat"), stack="stacks/app", outcome="ready",
        reasons=(), plan_sha256="ab" * 32, summary="raise app replicas from 2 to 3")
    message = commit_message(prepared, 12, "acme-homelab/infra")
    assert CLOSING.findall(message) == ["fixes #12"]


@pytest.mark.parametrize(("text", "expected"), [
    ("log in again at https://evil.example/login now", "log in again at `https://evil.example/login` now"),
    ("see www.evil.example.", "see `www.evil.example`."),
    ("HTTP://EVIL.EXAMPLE/x?a=1&b=2, ok", "`HTTP://EVIL.EXAMPLE/x?a=1&b=2`, ok"),
    ("mirror: ftp://evil.example/f", "mirror: `ftp://evil.example/f`"),
    ("(https://en.wikipedia.org/wiki/Foo_(bar))", "(`https://en.wikipedia.org/wiki/Foo_(bar)`)"),
    ("<https://evil.example>", "&lt;`https://evil.example`&gt;"),
    ("https://evil.example/`x`|y", "`` https://evil.example/`x`\\|y ``"),
    ("# https://evil.example", "\\# `https://evil.example`"),
    ("inside words: 1https://evil.example download.www.x", "inside words: 1`https://evil.example` download.`www.x`"),
])
def test_bare_addresses_are_shown_as_code_never_as_links(text: str, expected: str) -> None:
    assert escape_text(text) == expected
