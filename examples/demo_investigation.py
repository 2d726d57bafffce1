"""Demo part: the staged investigation of outage reports, offline, against services it starts itself.

It starts one small HTTP server on loopback that answers for every service
of examples/responder.yml (Nextcloud answers 502 until its memory limit is
raised, Immich 503, the rest are healthy), writes a copy of the catalogue
pointing at it, and handles three reports with
`responder handle --offline --cluster-snapshot examples/cluster/...`:

1. Nextcloud 502 with the OOMKilled snapshot: diagnosis, and the remedy
   (raise the memory limit through Terraform), applied and confirmed;
2. Grafana reported slow while everything answers: healthy, closed;
3. Immich down after a deploy of an image tag that does not exist: the
   Helm revision and the ReplicaSet name the change, and the tag is rolled
   back to the previous healthy one through Terraform (investigation.rollback
   is on in this demo's catalogue), committed as `fix: roll back ...`.

No GitHub call is made (offline); nothing is written to any cluster.
"""

from __future__ import annotations

import io
import json
import tempfile
import textwrap
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

from responder.cli.main import main

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "responder.yml"
EVENT = HERE / "events" / "01-outage-nextcloud-502.json"
WIDTH = 100

# What each example service answers with when healthy (its `expect` in responder.yml).
HEALTHY = {"nextcloud": '{"installed":true}', "immich": "pong", "grafana": '{"database": "ok"}', "traefik": "OK"}


BAD_IMMICH, GOOD_IMMICH = "v1.999.0", "v1.121.0"


def immich_recovered(root: Path) -> bool:
    """Immich stays down while its Terraform vars pin the tag that does not exist (a rollback remedy)."""
    vars_file = root / "stacks" / "immich" / "immich.auto.tfvars.json"
    try:
        return str(json.loads(vars_file.read_text()).get("image_tag")) != BAD_IMMICH
    except (OSError, ValueError):
        return False


def nextcloud_recovered(root: Path) -> bool:
    """Nextcloud stays down until its Terraform vars raise the memory limit above 1Gi (a Terraform remedy)."""
    vars_file = root / "stacks" / "nextcloud" / "nextcloud.auto.tfvars.json"
    try:
        limit = str(json.loads(vars_file.read_text()).get("memory_limit", ""))
    except (OSError, ValueError):
        return False
    return limit.endswith("Gi") and float(limit[:-2]) >= 2


@contextmanager
def services(root: Path, down: set[str]) -> Iterator[str]:
    """One loopback server answering /<service>/health for the whole catalogue; `down` can change."""
    def answer(name: str) -> tuple[int, str]:
        if name == "nextcloud" and name in down and not nextcloud_recovered(root):
            return 502, "Bad Gateway"
        if name == "immich" and name in down and not immich_recovered(root):
            return 503, "Service Unavailable"
        if name in down and name not in ("nextcloud", "immich"):
            return 503, "Service Unavailable"
        return 200, HEALTHY.get(name, "ok")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = answer(self.path.strip("/").split("/")[0])
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()


def infrastructure_checkout(scratch: Path, base: str) -> Path:
    """The Nextcloud and Immich stacks, applied, in a git checkout with a bare remote; plus recent commits
    (for change correlation) that were applied too: Nextcloud's, and Immich moving to v1.121.0 and then to
    v1.999.0, a tag that does not exist. Returns the responder.yml of the checkout."""
    from demo_infra import scratch_infrastructure

    root = scratch_infrastructure(scratch, stacks=("nextcloud", "immich"), config_text=local_catalogue(base),
                                  quiet=True)
    change(root, scratch, "nextcloud", "29.0.5-apache", "feat: generate previews for HEIC photos")
    change(root, scratch, "immich", GOOD_IMMICH, f"feat: immich {GOOD_IMMICH}")
    change(root, scratch, "immich", BAD_IMMICH, f"feat: immich {BAD_IMMICH} (faster face detection)")
    return root / "responder.yml"


def change(root: Path, scratch: Path, stack: str, tag: str, message: str) -> None:
    """A person's change: the image tag in the stack's vars, committed, pushed and applied."""
    from demo_infra import apply_stack

    from responder.adapters.git import GitRepo
    from responder.changes.tfvars import set_value

    vars_file = root / "stacks" / stack / f"{stack}.auto.tfvars.json"
    vars_file.write_text(set_value(vars_file.read_text(encoding="utf-8"), "image_tag", tag), encoding="utf-8")
    repo = GitRepo(root, author_name="alice", author_email="alice@acme-homelab.org")
    repo.commit(message, [f"stacks/{stack}/{stack}.auto.tfvars.json"])
    repo.push()
    apply_stack(root, stack, scratch, quiet=True)


def local_catalogue(base: str) -> str:
    raw = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    for service in raw["services"]:
        service["url"] = f"{base}/{service['name']}/health"
        service.setdefault("expect", {})["timeout_seconds"] = 2
    # This demo's team has opted in to rolling back a bad image (off by default).
    raw.setdefault("investigation", {})["rollback"] = True
    return yaml.safe_dump(raw, sort_keys=False)


def report(root: Path, number: int, service: str, error: str, scope: str) -> Path:
    payload = json.loads(EVENT.read_text(encoding="utf-8"))
    body = payload["issue"]["body"]
    body = body.replace("Nextcloud\n", f"{service}\n", 1).replace("502 Bad Gateway\n\n###", f"{error}\n\n###")
    payload["issue"].update({"number": number, "body": body.replace("Everyone", scope),
                             "title": f"{service}: {error}"})
    path = root / f"event-{number}.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def handle(config: Path, event: Path, snapshot: str) -> dict[str, Any]:
    out, err = io.StringIO(), io.StringIO()
    argv = ["handle", "--config", str(config), "--event", str(event), "--offline",
            "--cluster-snapshot", str(HERE / "cluster" / f"{snapshot}.json")]
    code = main(argv, env={}, stdout=out, stderr=err)
    if code != 0:
        print(err.getvalue())
        raise SystemExit(code)
    decision: dict[str, Any] = json.loads(out.getvalue())
    return decision


def rule(title: str) -> None:
    print()
    print(f"── {title} " + "─" * max(0, WIDTH - len(title) - 4))


def show(title: str, decision: dict[str, Any]) -> None:
    rule(title)
    severity = f"  severity {decision['severity']}" if decision["severity"] else ""
    print(f"outcome {decision['outcome']}{severity}")
    for reason in decision["reasons"][1:2]:
        print(textwrap.fill(reason, WIDTH, initial_indent="  why: ", subsequent_indent="       "))
    icons = {"ok": "✅", "warn": "⚠️ ", "fail": "❌"}
    for finding in decision["findings"]:
        if finding["status"] != "ok" or finding["stage"] in ("assessment", "kubernetes", "blast-radius"):
            print(textwrap.fill(f"{icons[finding['status']]} [{finding['stage']}] {finding['detail']}", WIDTH,
                                initial_indent="  ", subsequent_indent="      "))
    investigation = decision.get("investigation", {})
    if investigation.get("remedy"):
        remedy = investigation["remedy"]
        print(f"  remedy: {remedy['code']} ({remedy['summary']})")
    for action in decision["actions"]:
        if action["type"] == "comment":
            print("  → comment: " + action["body"].split("\n", 1)[0])
        else:
            detail = "; ".join(", ".join(v) if isinstance(v, list) else str(v)
                               for k, v in action.items() if k != "type")
            print(f"  → {action['type']}: {detail}")


def investigation_demo() -> None:
    print()
    print("Part 3, investigation: outage reports probed against local services and read from cluster snapshots")
    down: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="responder-demo-") as tmp, services(Path(tmp) / "infra", down) as base:
        root = Path(tmp)
        config = infrastructure_checkout(root, base)
        print(f"local services: {base}/<service>/health; an infrastructure checkout in {config.parent} "
              "(the Nextcloud stack applied with the machine's terraform, pushed to a bare remote)")

        down.clear()
        down.add("nextcloud")
        oom = handle(config, report(root, 101, "Nextcloud", "502 Bad Gateway", "Everyone"), "oomkilled")
        show("#101 Nextcloud answers 502 · snapshot oomkilled.json", oom)
        from responder.adapters.git import GitRepo

        latest = GitRepo(config.parent).log(limit=1)[0]
        print(f"  commit {latest.sha[:12]} by {latest.author}: {latest.subject}")
        print("  (the memory limit was raised in stacks/nextcloud through a checked plan, applied, committed and")
        print("   pushed; Nextcloud answered again when re-probed, so the report ends fixed)")

        down.clear()
        healthy = handle(config, report(root, 102, "Grafana dashboards", "Other / not sure", "Just me"), "healthy")
        show("#102 Grafana reported, everything answers · snapshot healthy.json", healthy)

        down.add("immich")
        pull = handle(config, report(root, 103, "Immich (photos)", "503 Service Unavailable", "Everyone"),
                      "image-pull-backoff")
        show("#103 Immich answers 503 · snapshot image-pull-backoff.json", pull)
        latest = GitRepo(config.parent).log(limit=1)[0]
        print(f"  commit {latest.sha[:12]} by {latest.author}: {latest.subject}")
        print(f"  (the deploy of {BAD_IMMICH} broke it; the image tag went back to {GOOD_IMMICH}, the one the vars "
              "file's git")
        print("   history held before, through a checked plan, applied, committed and pushed; never kubectl rollout "
              "undo)")
    rule("investigation done")
    print("Replay any report against any snapshot in examples/cluster/ (see its README) with:")
    print("  .venv/bin/responder handle --config examples/responder.yml --event EVENT.json --offline --dry-run "
          "--cluster-snapshot examples/cluster/oomkilled.json")


PART: Callable[[], None] = investigation_demo
