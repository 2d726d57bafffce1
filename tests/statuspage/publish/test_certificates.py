"""The status page notes a certificate that needs renewing, from the build's own probes of real TLS servers."""

from __future__ import annotations

import io
from pathlib import Path

from statuspage.cli import main
from tests.conftest import ROOT
from tests.support.tls import Authority, serving_tls

EXPORT = ROOT / "examples" / "statuspage" / "issues.json"


def test_a_certificate_about_to_expire_or_expired_is_a_note_on_its_service(tmp_path: Path) -> None:
    authority = Authority()
    ca_file = authority.write(tmp_path)
    with serving_tls(authority.issue(days_left=5)) as soon, serving_tls(authority.issue(days_left=-1)) as late, \
            serving_tls(authority.issue(days_left=200)) as fine:
        config = tmp_path / "responder.yml"
        config.write_text(f"""\
repository: acme-homelab/infra
investigation: {{ca_file: {ca_file.name}}}
statuspage: {{title: Acme status}}
services:
  - {{name: wiki, title: Wiki, tier: standard, url: "{soon.add('/health')}"}}
  - {{name: shop, title: Shop, tier: standard, url: "{late.add('/health')}"}}
  - {{name: blog, title: Blog, tier: standard, url: "{fine.add('/health')}"}}
""", encoding="utf-8")
        out = io.StringIO()
        code = main(["build", "--config", str(config), "--out", str(tmp_path / "public"), "--issues-file",
                     str(EXPORT), "--now", "2026-11-23T14:10:00Z"], env={}, stdout=out, stderr=io.StringIO())
    assert code == 0
    html = (tmp_path / "public" / "index.html").read_text(encoding="utf-8")

    def article(name: str) -> str:
        start = html.index(f'id="service-{name}"')
        return html[start:html.index("</article>", start)]

    assert ('<p class="detail note">Its security certificate expires on 28 Nov 2026; it is due to be renewed.</p>'
            in article("wiki"))
    assert ('<p class="detail note">Its security certificate expired on 22 Nov 2026: browsers warn before opening '
            'it.</p>' in article("shop"))
    assert "state-down" in article("shop")
    assert "note" not in article("blog")
