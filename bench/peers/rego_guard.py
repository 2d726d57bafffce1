"""The Rego peer of `responder guard`: evaluate bench/peers/guard.rego over a plan JSON with regopy.

Run: python bench/peers/rego_guard.py POLICY.rego DATA.json PLAN.json   (prints the deny set as JSON)
"""

import sys
from pathlib import Path

from regopy import Interpreter


def main(policy: str, data: str, plan: str) -> int:
    rego = Interpreter()
    rego.add_module("guard", Path(policy).read_text(encoding="utf-8"))
    rego.add_data_json(Path(data).read_text(encoding="utf-8"))
    rego.set_input_term(Path(plan).read_text(encoding="utf-8"))
    print(rego.query("data.guard.deny"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:4]))
