"""Benchmark of the guardrail verdict on a large plan (issue: budgets in the README).

Generates a `terraform show -json` document with 10,000 resource changes, in
the real format (resource_changes, resource_drift, output_changes,
planned_values, prior_state, configuration) with Kubernetes-sized values,
then measures reading, parsing and judging it:
- time, best of 5 (budget < 1 s);
- peak memory with tracemalloc, against the file size (budget < 5x);
- `responder guard` in a fresh process, for the whole command.

Run: make bench  (or .venv/bin/python bench/guard.py)
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from responder.changes.guardrails import evaluate  # noqa: E402
from responder.changes.plan_document import parse_plan  # noqa: E402
from responder.config.guardrails import Policy  # noqa: E402

RESOURCES = 10_000
ACTIONS = [["update"]] * 60 + [["create"]] * 20 + [["no-op"]] * 15 + [["delete"]] * 3 + [["delete", "create"]] * 2


def deployment(index: int, replicas: int, memory: str) -> dict[str, Any]:
    name = f"app-{index:05d}"
    return {
        "id": f"apps/{name}",
        "metadata": [{"name": name, "namespace": f"team-{index % 40}", "generation": 7,
                      "labels": {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "platform"},
                      "annotations": {"deployment.kubernetes.io/revision": "12"}, "resource_version": "918273",
                      "uid": f"0b7e{index:08x}-5b1c-4c6f-9f0e-2a1d9c3e7f10"}],
        "spec": [{"replicas": str(replicas), "revision_history_limit": 10, "progress_deadline_seconds": 600,
                  "selector": [{"match_labels": {"app.kubernetes.io/name": name}}],
                  "strategy": [{"type": "RollingUpdate",
                                "rolling_update": [{"max_surge": "25%", "max_unavailable": "25%"}]}],
                  "template": [{"spec": [{"container": [{
                      "name": "app", "image": f"registry.example.org/{name}:1.{index % 30}.0",
                      "image_pull_policy": "IfNotPresent",
                      "port": [{"container_port": 8080, "name": "http", "protocol": "TCP"}],
                      "resources": [{"limits": {"memory": memory, "cpu": "1"},
                                     "requests": {"memory": "256Mi", "cpu": "100m"}}],
                      "env": [{"name": "LOG_LEVEL", "value": "info"},
                              {"name": "DATABASE_PASSWORD", "value": f"s3cr3t-{index:05d}-value"}]}]}]}]}],
        "wait_for_rollout": True,
    }


def sensitive_mask() -> dict[str, Any]:
    return {"spec": [{"template": [{"spec": [{"container": [{"env": [{}, {"value": True}]}]}]}]}]}


def generate(count: int = RESOURCES) -> dict[str, Any]:
    rng = random.Random(42)
    changes, planned, prior = [], [], []
    for index in range(count):
        actions = rng.choice(ACTIONS)
        address = f'module.team_{index % 40}.kubernetes_deployment_v1.app["app-{index:05d}"]'
        before = None if actions == ["create"] else deployment(index, 2, "512Mi")
        after = None if actions == ["delete"] else deployment(index, 3 if actions != ["no-op"] else 2,
                                                              "1Gi" if actions != ["no-op"] else "512Mi")
        base = {"address": address, "module_address": f"module.team_{index % 40}", "mode": "managed",
                "type": "kubernetes_deployment_v1", "name": "app", "index": f"app-{index:05d}",
                "provider_name": "registry.terraform.io/hashicorp/kubernetes"}
        changes.append({**base, "change": {
            "actions": actions, "before": before, "after": after,
            "after_unknown": {"metadata": [{"resource_version": True}]} if after else False,
            "before_sensitive": sensitive_mask() if before else False,
            "after_sensitive": sensitive_mask() if after else False}})
        if after is not None:
            planned.append({**base, "schema_version": 1, "values": after, "sensitive_values": sensitive_mask()})
        if before is not None:
            prior.append({**base, "schema_version": 1, "values": before, "sensitive_values": sensitive_mask()})
    return {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "variables": {"environment": {"value": "production"}},
        "planned_values": {"root_module": {"child_modules": [{"address": "module.all", "resources": planned}]}},
        "resource_drift": [changes[7]],
        "resource_changes": changes,
        "output_changes": {"deployments": {"actions": ["update"], "before": count, "after": count,
                                           "after_unknown": False, "before_sensitive": False,
                                           "after_sensitive": False}},
        "prior_state": {"format_version": "1.0", "terraform_version": "1.11.4",
                        "values": {"root_module": {"child_modules": [{"address": "module.all", "resources": prior}]}}},
        "configuration": {"provider_config": {"kubernetes": {
            "name": "kubernetes", "full_name": "registry.terraform.io/hashicorp/kubernetes"}}, "root_module": {}},
        "timestamp": "2026-11-23T10:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }


def judge(path: Path) -> Any:
    return evaluate(parse_plan(path.read_bytes()), Policy(), "stacks/platform")


def main_bench() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.json"
        path.write_text(json.dumps(generate(), separators=(",", ":")))
        size = path.stat().st_size
        judge(path)  # warm up imports
        timings = []
        for _ in range(5):
            start = time.perf_counter()
            verdict = judge(path)
            timings.append(time.perf_counter() - start)
        tracemalloc.start()
        judge(path)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        exe = Path(sys.executable).parent / "responder"
        start = time.perf_counter()
        done = subprocess.run([str(exe), "guard", "--plan-json", str(path), "--stack", "stacks/platform"],
                              capture_output=True, text=True, cwd=tmp, check=False)
        command_seconds = time.perf_counter() - start
    best = min(timings)
    ratio = peak / size
    print("## Guardrail benchmark")
    print()
    print(f"plan: {RESOURCES} resource changes, {size / 1e6:.1f} MB of JSON; verdict: {verdict.outcome} "
          f"({', '.join(f'{k} {v}' for k, v in verdict.counts.items() if v)})")
    print()
    print("| measure | value | budget |")
    print("|---|---|---|")
    print(f"| read + parse + judge, best of 5 | {best * 1000:.0f} ms | < 1000 ms |")
    print(f"| peak memory (tracemalloc) | {peak / 1e6:.1f} MB = {ratio:.2f}x the file | < 5x |")
    print(f"| `responder guard` in a fresh process (exit {done.returncode}) | {command_seconds * 1000:.0f} ms | |")
    ok = best < 1.0 and ratio < 5 and done.returncode == 3
    print()
    print("all budgets met" if ok else "BUDGET EXCEEDED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main_bench())
