"""One rule decides whether a URL from data may become a link, for every stage."""

from __future__ import annotations

import pytest

from postmortem.document.rendering import safe_url
from responder.render.urls import safe_http_url
from statuspage.collect.issues import safe_http_url as page_url_ok
from statuspage.render.markdown import safe_link


@pytest.mark.parametrize("url", ["https://status.example.org/", "http://grafana.example:3000/d/abc?x=1&y=2#p",
                                 "HTTPS://EXAMPLE.ORG/A"])
def test_plain_http_urls_are_linked(url: str) -> None:
    assert safe_http_url(url) == url
    assert safe_url(url) == url and page_url_ok(url) and safe_link(url)


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>", "//evil.example/", "ftp://x.example/",
    "https://x.example/ y", "https://x.example/\"onmouseover=1", "https://x.example/'",
    "https://x.example/<script>", "https://x.example/)](javascript:1)", "https://x.example/`code`",
    "https://x.example/a\\b", "https://x.example/\x1b[31m", "https://x.example/\ufffe", "https://" + "a" * 2000,
    None, 7,
])
def test_everything_else_is_never_linked_by_any_stage(url: object) -> None:
    assert safe_http_url(url) is None
    assert safe_url(url) == ""
    if isinstance(url, str):
        assert not page_url_ok(url) and not safe_link(url)
