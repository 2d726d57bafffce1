"""Side by side with peers: the same inputs, one run, ratios (make bench-peers; not part of make test).

1. `responder parse --template` against GitHub's @github/issue-parser (node, installed by npm into
   bench/peers/node_modules from bench/peers/package-lock.json) on the same form and five bodies: as
   fresh processes, one per body, and as loops inside one process that read and parse the form on
   every call, as the peer does.
2. `responder guard` in a fresh process against a fresh process that only runs json.load on the same
   plan (the floor: reading the JSON at all), with the peak RSS of both against the file size; on
   bench/plans.py's 10,000 small resources (6.8 MB) and 10,000 Kubernetes Deployments (47 MB).
3. `responder guard` against an OPA/Rego evaluation of the same deny-delete, max-changes and
   protected-type rules (bench/peers/guard.rego, regopy) on the 6.8 MB plan, both fresh processes.
4. A status page build (`statuspage build`, in-process, from an export and a history file) against a
   bare Jinja render of the same data (bench/peers/statuspage-floor.html.j2), the floor.

Every figure is the best of several runs (the least disturbed one); the guard and its floor run in
turns, round by round. Subprocesses run without
PYTHONDONTWRITEBYTECODE, after a warm-up, so Python start-up is what an installed package costs.
A ratio above 1 means the responder is faster (or, for the floors, how many times the floor it takes).

Run: make bench-peers  (or .venv/bin/python bench/peers.py after `npm ci --prefix bench/peers`)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / "bench" / "peers"
TEMPLATE = ROOT / ".github" / "ISSUE_TEMPLATE" / "outage-report.yml"
BODIES = [ROOT / "tests" / "fixtures" / "issues" / name for name in (
    "outage-nextcloud-502.md", "outage-data-loss.md", "outage-immich-slow-crlf.md", "outage-unicode.md",
    "outage-empty-answers.md")]
BIN = Path(sys.executable).parent
LOOP_SECONDS = 3.0
ROUNDS = 5
GUARD_ROUNDS = 11  # the guard and its floor take a fraction of a second (two on the 47 MB plan)


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode compiled
    return env


def timed(command: Sequence[str], cwd: Path, rounds: int = ROUNDS, check: bool = True) -> float:
    """The best wall time of `rounds` runs of a fresh process, after one warm-up run."""
    return timed_side_by_side([command], cwd, rounds, check)[0]


def timed_side_by_side(commands: Sequence[Sequence[str]], cwd: Path, rounds: int = ROUNDS,
                       check: bool = True) -> list[float]:
    """The best wall time of each command over `rounds` rounds, each round running every command once
    after one warm-up round: on a busy machine a disturbance then falls on both sides of a ratio."""
    best = [float("inf")] * len(commands)
    for attempt in range(rounds + 1):
        for position, command in enumerate(commands):
            start = time.perf_counter()
            done = subprocess.run(command, cwd=cwd, env=environment(), capture_output=True, check=False)
            elapsed = time.perf_counter() - start
            if check and done.returncode not in (0, 1, 3):
                raise SystemExit(f"{' '.join(map(str, command))} failed:\n{done.stderr.decode()}")
            if attempt:
                best[position] = min(best[position], elapsed)
    return best


def peak_rss(command: Sequence[str], cwd: Path) -> int:
    """The peak resident memory of a fresh process, in bytes (its own, measured by a parent of its own)."""
    script = ("import resource, subprocess, sys\n"
              "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
              "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", script, *map(str, command)], cwd=cwd, env=environment(),
                          capture_output=True, text=True, check=True)
    return int(done.stdout) * 1024


def best_of(run: Callable[[], Any], rounds: int = ROUNDS) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


# ---------------------------------------------------------------- 1. the form parser


def parse_loop(seconds: float, template: str, bodies: Sequence[str]) -> None:
    """In-process: read and parse the form, then parse a body, over and over (`peers.py parse-loop`)."""
    sys.path.insert(0, str(ROOT))
    from responder.forms.answers import parse_body
    from responder.forms.specs import load_template

    texts = [Path(body).read_text(encoding="utf-8") for body in bodies]
    path = Path(template)
    parsed = 0
    start = time.perf_counter()
    until = start + seconds
    while time.perf_counter() < until:
        for text in texts:
            parse_body(text, load_template(path))
            parsed += 1
    print(json.dumps({"parsed": parsed, "seconds": time.perf_counter() - start}))


def bench_parser(work: Path) -> list[tuple[str, str, str, str]]:
    node = shutil.which("node")
    if node is None or not (PEERS / "node_modules" / "@github" / "issue-parser").is_dir():
        raise SystemExit("bench-peers needs node and `npm ci --prefix bench/peers` (make bench-peers runs it)")
    peer = [node, str(PEERS / "issue-parser.mjs")]
    ours = [str(BIN / "responder"), "parse", "--template", str(TEMPLATE), "--body-file"]
    same = sum(_answers(ours, peer, body, work) for body in BODIES)
    responder_fresh = sum(timed([*ours, str(body)], work) for body in BODIES) / len(BODIES)
    peer_fresh = sum(timed([*peer, "once", str(TEMPLATE), str(body)], work) for body in BODIES) / len(BODIES)
    bodies = [str(body) for body in BODIES]
    rates = {}
    for name, command in (
        ("responder", [sys.executable, __file__, "parse-loop", str(LOOP_SECONDS), str(TEMPLATE), *bodies]),
        ("peer", [*peer, "loop", str(LOOP_SECONDS), str(TEMPLATE), *bodies]),
    ):
        runs = [json.loads(subprocess.run(command, cwd=work, env=environment(), capture_output=True, text=True,
                                          check=True).stdout) for _ in range(2)]
        rates[name] = max(run["parsed"] / run["seconds"] for run in runs)
    return [
        ("parse one body, fresh process (mean of the five, best of 5 each)",
         f"{responder_fresh * 1000:.0f} ms", f"{peer_fresh * 1000:.0f} ms", f"{peer_fresh / responder_fresh:.2f}×"),
        (f"parse in one process, the form read every call ({LOOP_SECONDS:.0f} s loop, best of 2)",
         f"{rates['responder']:,.0f} bodies/s", f"{rates['peer']:,.0f} bodies/s",
         f"{rates['responder'] / rates['peer']:.2f}×"),
        ("bodies answered alike (the five)", f"{same} of {len(BODIES)}", "", ""),
    ]


def _answers(ours: list[str], peer: list[str], body: Path, work: Path) -> bool:
    mine = subprocess.run([*ours, str(body)], cwd=work, env=environment(), capture_output=True, text=True)
    theirs = subprocess.run([*peer, "once", str(TEMPLATE), str(body)], cwd=work, env=environment(),
                            capture_output=True, text=True)
    return bool(mine.stdout) and json.loads(mine.stdout) == json.loads(theirs.stdout)


# ---------------------------------------------------------------- 2 and 3. the guard


def write_plans(work: Path) -> dict[str, Path]:
    sys.path.insert(0, str(ROOT / "bench"))
    from plans import deployments_plan, small_resources_plan

    paths = {}
    for name, plan in (("10,000 small resources", small_resources_plan), ("10,000 Deployments", deployments_plan)):
        path = work / f"plan-{len(paths)}.json"
        path.write_text(json.dumps(plan(), separators=(",", ":")), encoding="utf-8")
        paths[name] = path
    return paths


def bench_guard(work: Path, plans: dict[str, Path]) -> list[tuple[str, str, str, str]]:
    rows = []
    for name, plan in plans.items():
        size = plan.stat().st_size
        guard = [str(BIN / "responder"), "guard", "--plan-json", str(plan), "--stack", "stacks/platform"]
        floor = [sys.executable, "-c", "import json, sys; json.load(open(sys.argv[1], 'rb'))", str(plan)]
        ours, theirs = timed_side_by_side([guard, floor], work, rounds=GUARD_ROUNDS)
        rows.append((f"guard vs json.load, fresh process: {name} ({size / 1e6:.1f} MB)",
                     f"{ours * 1000:.0f} ms", f"{theirs * 1000:.0f} ms", f"{ours / theirs:.2f}× the floor"))
        ours_rss, theirs_rss = peak_rss(guard, work), peak_rss(floor, work)
        rows.append((f"peak RSS against the file: {name}", f"{ours_rss / 1e6:.0f} MB = {ours_rss / size:.1f}×",
                     f"{theirs_rss / 1e6:.0f} MB = {theirs_rss / size:.1f}×", ""))
        ours_peak, theirs_peak = (allocation_peak(plan, work, reader) for reader in ("parse_plan", "json.loads"))
        rows.append((f"reading the plan, allocation peak (tracemalloc) against the file: {name}",
                     f"{ours_peak / size:.2f}×", f"{theirs_peak / size:.2f}×", ""))
    return rows


def allocation_peak(plan: Path, work: Path, reader: str) -> int:
    """The most memory Python allocated while reading the plan (its bytes included), in a fresh process."""
    read = ("from responder.changes.plan_document import parse_plan as read" if reader == "parse_plan"
            else "from json import loads as read")
    script = (f"import sys, tracemalloc\nsys.path.insert(0, {str(ROOT)!r})\n{read}\n"
              "from pathlib import Path\ntracemalloc.start()\nread(Path(sys.argv[1]).read_bytes())\n"
              "print(tracemalloc.get_traced_memory()[1])")
    done = subprocess.run([sys.executable, "-c", script, str(plan)], cwd=work, env=environment(),
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def bench_rego(work: Path, plan: Path) -> list[tuple[str, str, str, str]]:
    sys.path.insert(0, str(ROOT))
    from responder.config.guardrails import Policy

    policy = Policy()
    data = work / "policy.json"
    # Rego's glob.match takes the resource-type globs; "helm_release:CHART" needs the chart, which only
    # the responder's reader looks up, so the peer gets the rest.
    data.write_text(json.dumps({"policy": {
        "max_changes": policy.max_changes,
        "protected_resource_types": [kind for kind in policy.protected_resource_types if ":" not in kind]}}))
    rego = [sys.executable, str(PEERS / "rego_guard.py"), str(PEERS / "guard.rego"), str(data), str(plan)]
    guard = [str(BIN / "responder"), "guard", "--plan-json", str(plan), "--stack", "stacks/platform"]
    ours, theirs = timed(guard, work, rounds=3), timed(rego, work, rounds=1)
    return [(f"guard vs OPA/Rego (regopy), fresh process: {plan.stat().st_size / 1e6:.1f} MB plan",
             f"{ours * 1000:.0f} ms", f"{theirs * 1000:.0f} ms", f"{theirs / ours:.1f}×")]


# ---------------------------------------------------------------- 4. the status page


def bench_statuspage(work: Path) -> list[tuple[str, str, str, str]]:
    import importlib.util
    import random

    # bench/statuspage.py (by path: its name is the status page package's): the same catalogue, history, export.
    spec = importlib.util.spec_from_file_location("bench_statuspage", ROOT / "bench" / "statuspage.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench
    spec.loader.exec_module(bench)

    config = bench.make_config(work)
    rng = random.Random(42)
    history_file = bench.make_history(work, rng)
    issues, comments = bench.make_issues(rng)
    export = work / "issues.json"
    export.write_text(json.dumps({"issues": issues, "comments": comments}))
    argv = ["build", "--config", str(config), "--out", str(work / "public"), "--issues-file", str(export),
            "--history-file", str(history_file), "--no-probe", "--now", bench.NOW.strftime("%Y-%m-%dT%H:%M:%SZ")]
    build = best_of(lambda: bench.run(argv), rounds=3)
    floor = best_of(lambda: floor_render(config, export, history_file, work / "floor", bench.NOW), rounds=3)
    return [("status page: build vs a bare Jinja render of the same data (in-process)",
             f"{build * 1000:.0f} ms", f"{floor * 1000:.0f} ms", f"{build / floor:.1f}× the floor")]


def floor_render(config: Path, export: Path, history_file: Path, out: Path, now: Any) -> None:
    """The least a status page build can do: read the same three files, one Jinja render, one write."""
    import jinja2
    import yaml

    services = yaml.safe_load(config.read_text(encoding="utf-8"))["services"]
    recorded = json.loads(history_file.read_text(encoding="utf-8"))["services"]
    issues = json.loads(export.read_text(encoding="utf-8"))["issues"]
    since = (now - timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = []
    for service in services:
        days = (recorded.get(service["name"]) or {}).get("days") or {}
        worst = {day: _worst(encoded) for day, encoded in sorted(days.items())}
        rows.append({"title": service["title"], "days": worst})
    incidents = [issue for issue in issues if "incident" in {label["name"] for label in issue["labels"]}
                 and (issue.get("closed_at") or "9") >= since]
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(PEERS), autoescape=True)
    html = env.get_template("statuspage-floor.html.j2").render(services=rows, incidents=incidents)
    out.mkdir(exist_ok=True)
    (out / "index.html").write_text(html, encoding="utf-8")


def _worst(encoded: str) -> str:
    codes = set(re.sub(r"\d+", "", encoded))
    return next((code for code in "xdm-o" if code in codes), "o")


# ---------------------------------------------------------------- the table


def main() -> int:
    if sys.argv[1:2] == ["parse-loop"]:
        parse_loop(float(sys.argv[2]), sys.argv[3], sys.argv[4:])
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-peers-") as tmp:
        work = Path(tmp)
        rows = bench_parser(work)
        plans = write_plans(work)
        rows += bench_guard(work, plans)
        rows += bench_rego(work, plans["10,000 small resources"])
        rows += bench_statuspage(work)
    print("## Side by side with peers (make bench-peers)")
    print()
    print("| measure | responder | peer or floor | ratio |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print("Ratios: the peer's time over the responder's (above 1: the responder is faster), or the "
          "responder's over a floor (how many times the least possible work it takes).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
