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
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plans import RESOURCES, deployments_plan  # noqa: E402

from responder.changes.guardrails import evaluate  # noqa: E402
from responder.changes.plan_document import parse_plan  # noqa: E402
from responder.config.guardrails import Policy  # noqa: E402


def judge(path: Path) -> Any:
    return evaluate(parse_plan(path.read_bytes()), Policy(), "stacks/platform")


def main_bench() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.json"
        path.write_text(json.dumps(deployments_plan(), separators=(",", ":")))
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
