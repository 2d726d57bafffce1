"""Part 6 of `make demo`: adopting the desk in a new infrastructure repository with `responder init`.

A scratch git repository with a GitHub remote gets the workflows (the action pinned to a
commit), the issue forms, a starter responder.yml and the post-mortem site; the result is
checked the way a team would check it, and a second run shows that nothing changes.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from postmortem.cli import main as postmortem_main
from responder.cli.main import main

# What a team passes when the responder was not installed from a commit of its repository.
ACTION_REF = "acme-homelab/issueops-responder@0123456789abcdef0123456789abcdef01234567"


def run(tool: Callable[..., int], *argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = tool(list(argv), env={}, stdout=out, stderr=err)
    return code, (out.getvalue() + err.getvalue()).strip()


def init_demo(rule: Callable[[str], None]) -> None:
    print()
    print("Part 6, adopting it: `responder init` in an empty infrastructure repository")
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch) / "infra"
        subprocess.run(["git", "init", "--quiet", "-b", "main", str(repo)], check=True)
        subprocess.run(["git", "-C", str(repo), "remote", "add", "origin", "git@github.com:acme-homelab/infra.git"],
                       check=True)
        rule("responder init")
        code, text = run(main, "init", str(repo), "--action-ref", ACTION_REF, "--woodpecker")
        print(text.replace(scratch, "<tmp>"))
        if code != 0:
            raise SystemExit(code)
        workflow = (repo / ".github" / "workflows" / "issue-automation.yml").read_text(encoding="utf-8")
        uses = sorted({line.strip() for line in workflow.splitlines() if f"uses: {ACTION_REF}" in line})
        print(f"  the workflows run the action pinned to a commit: {uses[0]}")
        rule("checked as a team would")
        config = str(repo / "responder.yml")
        for label, tool, argv in [
            ("responder check-config", main, ["check-config", "--config", config]),
            ("responder templates --check", main, ["templates", "--config", config, "--out",
                                                   str(repo / ".github" / "ISSUE_TEMPLATE"), "--check"]),
            ("postmortem build", postmortem_main, ["build", "--config", config, "--site-dir", str(repo / "site")]),
        ]:
            code, text = run(tool, *argv)
            print(f"  {label}: {'ok' if code == 0 else f'exit {code}'}: {text.replace(scratch, '<tmp>')}")
            if code != 0:
                raise SystemExit(code)
        rule("running init again")
        code, text = run(main, "init", str(repo), "--action-ref", ACTION_REF, "--woodpecker")
        print(text.replace(scratch, "<tmp>"))
