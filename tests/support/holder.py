"""A second process for the concurrency tests: `python -m tests.support.holder ...`.

lock LOCK_DIR KEY STACK ISSUE: hold the stack lock until stdin closes (or the process is killed).
apply CONFIG SERVICE KIND VALUE ISSUE: prepare a change through the real engine, say "prepared",
wait until stdin closes, then apply it and print the outcome as JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def hold_lock(lock_dir: str, key: str, stack: str, issue: str) -> None:
    from responder.adapters.locks import StackLock

    lock = StackLock(Path(lock_dir), key, stack)
    lock.acquire(5, issue=int(issue))
    print("held", flush=True)
    sys.stdin.read()
    lock.release()


def prepare_then_apply(config_path: str, service: str, kind: str, value: str, issue: str) -> None:
    from responder.config.loader import load_config
    from responder.flows.change_engine import TerraformChangeEngine
    from responder.model.changes import ChangeRequest

    with TerraformChangeEngine(load_config(config_path)) as engine:
        prepared = engine.prepare(ChangeRequest(service, kind, value, "load test"), issue=int(issue))
        print(json.dumps({"prepared": prepared.outcome, "reasons": list(prepared.reasons)}), flush=True)
        sys.stdin.read()
        applied = engine.apply(prepared, issue=int(issue))
        print(json.dumps({"ok": applied.ok, "commit": applied.commit, "error": applied.error}), flush=True)


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    {"lock": hold_lock, "apply": prepare_then_apply}[command](*rest)
