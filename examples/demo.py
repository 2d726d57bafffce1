"""`make demo`: the whole pipeline, offline, on the examples, in parts.

1. intake: every event in examples/events/ handled with `responder handle
   --dry-run --offline --no-probe --no-plan`, as a maintainer replays a report;
2. guarded Terraform (demo_terraform.py), 3. investigation (demo_investigation.py),
4. post-mortems (demo_postmortem.py), 5. the status page (demo_statuspage.py),
6. adopting it in a new repository with `responder init` (demo_init.py).

Nothing talks to GitHub or a real cluster; the parts that change
infrastructure do it in a scratch copy with the machine's terraform.
"""

from __future__ import annotations

import io
import json
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import demo_investigation  # type: ignore[import-not-found]  # a sibling module in examples/
from demo_postmortem import postmortem_demo
from demo_terraform import terraform_demo

from responder.cli.main import main

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "responder.yml"
WIDTH = 100


def rule(title: str) -> None:
    print()
    print(f"── {title} " + "─" * max(0, WIDTH - len(title) - 4))


def handle(event: Path) -> dict[str, object]:
    out, err = io.StringIO(), io.StringIO()
    argv = ["handle", "--config", str(CONFIG), "--event", str(event), "--dry-run", "--offline", "--no-probe",
            "--no-plan"]
    code = main(argv, env={}, stdout=out, stderr=err)
    if code != 0:
        print(err.getvalue(), file=sys.stderr)
        raise SystemExit(code)
    decision: dict[str, object] = json.loads(out.getvalue())
    return decision


def show(event: Path, decision: dict[str, object], full_comment: bool) -> None:
    payload = json.loads(event.read_text())
    title = payload.get("issue", {}).get("title", "")
    rule(f"{event.name}  (#{decision['issue']} {title!r})")
    severity = f"  severity {decision['severity']}" if decision["severity"] else ""
    print(f"{decision['event']} → outcome {decision['outcome']}{severity}  kind {decision['kind']}"
          f"  trusted {decision['trusted']}")
    for reason in decision["reasons"]:  # type: ignore[attr-defined]
        print(textwrap.fill(str(reason), WIDTH, initial_indent="  · ", subsequent_indent="    "))
    for action in decision["actions"]:  # type: ignore[attr-defined]
        if action["type"] == "comment":
            body = action["body"]
            preview = body.split("\n", 1)[0]
            print(f"  → comment: {preview}")
            if full_comment:
                print(textwrap.indent(body, "    │ ", predicate=lambda line: True))
        else:
            detail = "; ".join(", ".join(v) if isinstance(v, list) else str(v)
                               for k, v in action.items() if k != "type")
            print(f"  → {action['type']}: {detail}")


def intake_demo() -> None:
    print("Part 1, intake: example issue events handled offline (dry run, no GitHub, no cluster, no terraform)")
    print(f"config: {CONFIG.relative_to(HERE.parent)}")
    events = sorted((HERE / "events").glob("*.json"))
    for index, event in enumerate(events):
        show(event, handle(event), full_comment=index == 0)
    rule("intake done")
    print(f"{len(events)} events handled. Replay any of them with:")
    print(f"  .venv/bin/responder handle --config examples/responder.yml --event examples/events/{events[0].name} "
          "--dry-run --offline --no-probe --no-plan")


def _statuspage_demo() -> None:
    from demo_statuspage import statuspage_demo  # examples/ is on sys.path when this file runs

    statuspage_demo(rule)


def _init_demo() -> None:
    from demo_init import init_demo

    init_demo(rule)


# Each stage of the product adds its own part here (a function taking no arguments).
PARTS: list[Callable[[], None]] = [intake_demo, terraform_demo, demo_investigation.investigation_demo,
                                   postmortem_demo, _statuspage_demo, _init_demo]


def main_demo() -> int:
    print("issueops-responder demo")
    for part in PARTS:
        part()
    return 0


if __name__ == "__main__":
    raise SystemExit(main_demo())
