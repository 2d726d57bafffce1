"""`make demo`, post-mortems: draft one offline from a saved incident export, then build the site.

The export (examples/incidents/) is the SEV1 Authentik incident as GitHub's REST API returns it:
the issue, its comments (with the responder's state marker) and its issue events. Nothing talks to
GitHub. `make demo` installs only the base package, so the mkdocs build runs only when
mkdocs-material is installed (the `site` extra, or after `make test`); otherwise the demo says so
and shows the document alone.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import textwrap
from pathlib import Path

from postmortem.cli import main
from postmortem.site.build import copy_without_postmortems, mkdocs_available

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "responder.yml"
EXPORT = HERE / "incidents" / "2026-11-20-authentik-login.export.json"
SITE = HERE.parent / "site"
WIDTH = 100


def _run(*argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--config", str(CONFIG), *argv], env={}, stdout=out, stderr=err)
    if code != 0:
        raise SystemExit(f"postmortem {argv[0]} failed ({code}):\n{err.getvalue()}")
    return out.getvalue()


def _rule(title: str) -> None:
    print()
    print(f"── {title} " + "─" * max(0, WIDTH - len(title) - 4))


def postmortem_demo() -> None:
    _rule("Part 4, post-mortems: a closed SEV1 incident, drafted offline from its saved export")
    print(f"export: {EXPORT.relative_to(HERE.parent)}")
    # Kept after the demo, like the status page: the path printed below is there to be opened.
    site = Path(tempfile.gettempdir()) / "issueops-responder-demo" / "site"
    shutil.rmtree(site, ignore_errors=True)
    copy_without_postmortems(SITE, site)
    print(textwrap.indent(_run("write", "--issue-file", str(EXPORT), "--site-dir", str(site)).strip(), "  "))
    [document] = sorted((site / "docs" / "post-mortems").glob("2026-*.md"))
    text = document.read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    _rule(f"{document.name}: front matter (data)")
    print(textwrap.indent(front.removeprefix("---\n"), "  │ "))
    timeline = body[body.index("## Timeline (UTC)"):body.index("## Root cause analysis")].strip()
    _rule("its timeline, from the issue, its events, the responder's journal and people's comments")
    print(textwrap.indent(timeline, "  │ "))
    _rule("the site")
    if mkdocs_available():
        print("  " + _run("build", "--site-dir", str(site)).strip())
        print("  (mkdocs build --strict passed; `postmortem build` does the same on site/)")
    else:
        print("  mkdocs-material is not installed, so the site build is skipped: "
              "pip install 'issueops-responder[site]' (or run `make test` first) to see it built.")
    print("Replay it with:")
    print("  .venv/bin/postmortem --config examples/responder.yml write --issue-file "
          f"examples/incidents/{EXPORT.name} --site-dir site --dry-run")
