"""`make demo`, part 2: guarded Terraform, offline, with the machine's terraform (or tofu).

The example infrastructure (examples/responder.yml and examples/stacks/)
is copied into a scratch git repository with a local bare remote, and its
stacks are applied once, as if the cluster already ran them. Then:

a. a feature request (Nextcloud: 3 replicas) goes through `responder handle
   --offline`: plan, verdict, apply, and a `feat: ... (fixes #105)` commit;
b. and c. two requests the responder must not carry out (a protected stack,
   a value out of bounds) are escalated with an assessment instead;
d. an incident remedy: Immich was OOMKilled, so its memory limit is doubled
   within the configured ceiling, planned, applied and committed as
   `fix: ... (fixes #108)`, through the same ChangeEngine.
"""

from __future__ import annotations

import copy
import io
import json
import tempfile
import textwrap
from pathlib import Path
from typing import Any

from demo_infra import scratch_infrastructure, terraform_binary

from responder.adapters.git import GitRepo
from responder.changes.tfvars import read_value
from responder.cli.main import main
from responder.config.loader import load_config
from responder.flows.change_engine import TerraformChangeEngine
from responder.model.changes import ChangeRequest
from responder.model.quantities import doubled_within, format_memory, parse_memory

HERE = Path(__file__).resolve().parent
WIDTH = 100
FEATURE_EVENT = HERE / "events" / "05-feature-nextcloud-replicas.json"


def heading(title: str) -> None:
    print()
    print(f"── {title} " + "─" * max(0, WIDTH - len(title) - 4))


def terraform_demo() -> None:
    binary = terraform_binary()
    print()
    print(f"Part 2, guarded Terraform: plan, check, apply exactly what was checked (offline, real {binary}, "
          "scratch git repository)")
    with tempfile.TemporaryDirectory(prefix="responder-demo-") as scratch:
        heading("the example infrastructure, applied once")
        root = scratch_infrastructure(Path(scratch))
        feature_request(root)
        blocked_requests(root, Path(scratch))
        oom_remedy(root)
        heading("guarded Terraform done")
        print("Every change above was planned, judged by the guardrails, applied from the exact plan file that was "
              "checked (SHA-256),\nand committed; everything refused left the vars files as they were.")


def feature_request(root: Path) -> None:
    heading("a. feature request #105: Nextcloud, replica count 3")
    decision = handle(root, json.loads(FEATURE_EVENT.read_text(encoding="utf-8")))
    show_decision(decision)
    show_commit(root)


def blocked_requests(root: Path, scratch: Path) -> None:
    base = json.loads(FEATURE_EVENT.read_text(encoding="utf-8"))
    for letter, number, service, value, title in (
        ("b", 106, "Ingress (Traefik)", "3", "a protected stack"),
        ("c", 107, "Nextcloud", "9", "a value out of bounds"),
    ):
        heading(f"{letter}. feature request #{number}: {service}, replica count {value} ({title})")
        payload = copy.deepcopy(base)
        payload["issue"]["number"] = number
        payload["issue"]["body"] = payload["issue"]["body"].replace("\nNextcloud\n", f"\n{service}\n").replace(
            "\n3\n", f"\n{value}\n")
        decision = handle(root, payload)
        show_decision(decision)
    print(f"\n  nothing was planned, applied or committed: still {len(GitRepo(root).log())} commits")


def oom_remedy(root: Path) -> None:
    heading("d. incident #108: Immich OOMKilled → memory limit doubled within the ceiling")
    config = load_config(root / "responder.yml")
    immich = config.service("immich")
    assert immich is not None and immich.terraform is not None and immich.terraform.vars_file
    vars_text = (root / immich.terraform.stack / immich.terraform.vars_file).read_text(encoding="utf-8")
    current = parse_memory(read_value(vars_text, "memory_limit"))
    ceiling = parse_memory(immich.terraform.limits["memory_max"])
    wanted = doubled_within(current, ceiling)
    print(f"  finding: immich-server OOMKilled (exit code 137) 3 times in 10 minutes; memory limit {current}")
    print(f"  remedy: double it to {format_memory(current.value * 2)}, capped at memory_max {ceiling} → {wanted}")
    request = ChangeRequest("immich", "memory_limit", wanted.text, commit_type="fix",
                            reason=f"immich-server was OOMKilled 3 times in 10 minutes at {current}")
    with TerraformChangeEngine(config) as engine:
        prepared = engine.prepare(request, issue=108)
        verdict = prepared.verdict
        print(f"  plan: {prepared.plan_summary}  sha256:{(prepared.plan_sha256 or '')[:16]}…")
        print(f"  verdict: {verdict.get('outcome')} ({'; '.join(verdict.get('reasons') or prepared.reasons)})")
        for change in verdict.get("changes") or ():
            for attribute in change.get("attributes") or ():
                if attribute["after"] != "(known after apply)":
                    print(f"    {change['address']}  {attribute['path']}: {attribute['before']} → "
                          f"{attribute['after']}")
        applied = engine.apply(prepared, issue=108)
    print(f"  applied: {applied.summary if applied.ok else applied.error}")
    show_commit(root)


def handle(root: Path, payload: dict[str, Any]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as event:
        json.dump(payload, event)
    out, err = io.StringIO(), io.StringIO()
    try:
        code = main(["handle", "--config", str(root / "responder.yml"), "--event", event.name, "--offline",
                     "--no-probe"], env={}, stdout=out, stderr=err)
    finally:
        Path(event.name).unlink()
    if code != 0:
        print(err.getvalue())
        raise SystemExit(code)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def show_decision(decision: dict[str, Any]) -> None:
    print(f"  responder handle --offline → outcome {decision['outcome']}")
    verdict = decision.get("verdict") or {}
    if verdict:
        print(f"  verdict: {verdict.get('outcome')}")
    for action in decision["actions"]:
        if action["type"] == "comment":
            text = action["body"].split("\n\n<sub>")[0]
            print(textwrap.indent(text, "    │ ", predicate=lambda line: True))
        else:
            detail = "; ".join(", ".join(v) if isinstance(v, list) else str(v)
                               for k, v in action.items() if k != "type")
            print(f"  → {action['type']}: {detail} (offline: not sent)")


def show_commit(root: Path) -> None:
    repo = GitRepo(root)
    latest = repo.log(limit=1)[0]
    diff = repo.git("show", "--format=", "--unified=0", latest.sha).stdout
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    print(f"  commit {latest.sha[:12]} by {latest.author}: {latest.subject}")
    for line in changed:
        print(f"    {line}")
    remote = repo.git("ls-remote", "origin", "refs/heads/main").stdout.split()[0]
    print(f"  pushed: {'yes' if remote == latest.sha else 'no'} (origin/main is {remote[:12]})")
