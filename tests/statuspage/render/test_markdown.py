"""The safe Markdown subset: what it renders, and that HTML never passes through."""

from __future__ import annotations

import pytest

from statuspage.render.markdown import render
from tests.support.html_safety import tags_of, unsafe_markup

R = 'rel="nofollow noopener noreferrer"'


@pytest.mark.parametrize("source, html", [
    ("plain text", "<p>plain text</p>"),
    ("line one\nline two", "<p>line one<br>\nline two</p>"),
    ("one\n\ntwo", "<p>one</p>\n<p>two</p>"),
    ("**bold** and *em* and _em_ and ~~gone~~", "<p><strong>bold</strong> and <em>em</em> and <em>em</em> and "
                                                "<del>gone</del></p>"),
    ("snake_case_name stays", "<p>snake_case_name stays</p>"),
    ("use `kubectl get pods` now", "<p>use <code>kubectl get pods</code> now</p>"),
    ("`<b>` in code", "<p><code>&lt;b&gt;</code> in code</p>"),
    ("[runbook](https://acme.example/rb)", f'<p><a href="https://acme.example/rb" {R}>runbook</a></p>'),
    ("see https://acme.example/x.", f'<p>see <a href="https://acme.example/x" {R}>https://acme.example/x</a>.</p>'),
    ("<https://acme.example/>", f'<p><a href="https://acme.example/" {R}>https://acme.example/</a></p>'),
    ("- one\n- two", "<ul><li>one</li><li>two</li></ul>"),
    ("1. first\n2. second", "<ol><li>first</li><li>second</li></ol>"),
    ("> quoted **text**", "<blockquote><p>quoted <strong>text</strong></p></blockquote>"),
    ("## Heading", "<p><strong>Heading</strong></p>"),
    ("```\n<script>x</script>\n```", "<pre><code>&lt;script&gt;x&lt;/script&gt;</code></pre>"),
    ("a <!-- hidden --> b", "<p>a  b</p>"),
    ("---", "<hr>"),
    ("", ""),
])
def test_renders_the_subset(source: str, html: str) -> None:
    assert str(render(source)) == html


XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    '"><script>alert(1)</script>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '[x](https://ok.example/"onmouseover="alert(1))',
    "<a href=\"javascript:alert(1)\">x</a>",
    "<iframe src=https://evil.example></iframe>",
    "**<script>**alert(1)**</script>**",
    "`` ` <script>alert(1)</script> ``",
    "https://ok.example/<script>alert(1)</script>",
    "<https://ok.example/\"onclick=alert(1)>",
    "<!--><script>alert(1)</script>-->",
    "> <style>body{display:none}</style>",
]


@pytest.mark.parametrize("payload", XSS)
def test_no_payload_becomes_markup(payload: str) -> None:
    html = str(render(payload))
    assert unsafe_markup(html) == []
    allowed = {"p", "br", "strong", "em", "del", "code", "pre", "a", "ul", "ol", "li", "blockquote", "hr"}
    for tag, attributes in tags_of(html):
        assert tag in allowed
        assert set(attributes) <= ({"href", "rel"} if tag == "a" else set())
        if tag == "a":
            assert str(attributes["href"]).startswith(("https://", "http://"))
