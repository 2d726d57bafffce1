"""Find executable content in HTML, the way a browser's parser would see it."""

from __future__ import annotations

from html.parser import HTMLParser

DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "style", "svg", "math", "base", "form", "meta", "link",
                  "img", "video", "audio", "frame", "frameset", "template", "noscript"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcdoc", "data"}


class _Scanner(HTMLParser):
    def __init__(self, allowed_tags: set[str], allowed_scripts: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed_tags = allowed_tags
        self.allowed_scripts = allowed_scripts
        self.problems: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "script":
            if attributes.get("src") not in self.allowed_scripts:
                self.problems.append(f"<script> {attributes}")
        elif tag in DANGEROUS_TAGS and tag not in self.allowed_tags:
            self.problems.append(f"<{tag}> {attributes}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in URL_ATTRIBUTES and value is not None:
                scheme = value.strip().lower().replace("\t", "").replace("\n", "")
                if ":" in scheme.split("/")[0] and not scheme.startswith(("https:", "http:")):
                    self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self.problems.append(f"<{tag} style=...>")


def unsafe_markup(html: str, *, allowed_tags: set[str] | None = None,
                  allowed_scripts: set[str] | None = None) -> list[str]:
    """Everything in the HTML that could run code or load something it should not."""
    scanner = _Scanner(allowed_tags or set(), allowed_scripts or set())
    scanner.feed(html)
    scanner.close()
    return scanner.problems


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    scanner = _Scanner(set(), set())
    scanner.feed(html)
    return scanner.tags
