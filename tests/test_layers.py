"""The package layout holds: no import cycles, no private names across modules, a small top level.

The direction between layers is checked by import-linter (`lint-imports` in `make test`, contracts
in pyproject.toml); these tests check what contracts cannot express.
"""

from __future__ import annotations

import ast
import sys

import grimp
import pytest

from tests.conftest import ROOT

PACKAGES = ("responder", "postmortem", "statuspage")


def import_cycles() -> list[list[str]]:
    """Strongly connected groups of modules, counting every import (inside functions and TYPE_CHECKING too)."""
    graph = grimp.build_graph(*PACKAGES)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return groups


def test_there_is_no_import_cycle() -> None:
    assert import_cycles() == []


def test_the_cycle_finder_finds_a_cycle_hidden_inside_a_function(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    package = tmp_path / "cyclic"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from cyclic import b\n")
    (package / "b.py").write_text("def later() -> None:\n    from cyclic import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys.modules[__name__], "PACKAGES", ("cyclic",))
    assert import_cycles() == [["cyclic.a", "cyclic.b"]]


def test_no_module_imports_a_private_name_from_another() -> None:
    found = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PACKAGES:
                    found += [f"{path.relative_to(ROOT)}: from {node.module} import {alias.name}"
                              for alias in node.names if alias.name.startswith("_")]
    assert found == []


def test_responder_has_a_small_top_level_of_layers() -> None:
    entries = sorted(p.name for p in (ROOT / "responder").iterdir() if p.name != "__pycache__")
    assert len(entries) <= 15, entries
    assert [p for p in entries if p.endswith(".py")] == ["__init__.py", "__main__.py", "errors.py"]


def test_the_tests_mirror_the_layers() -> None:
    """tests/responder/<layer>/ for each layer of responder/, and no test file left at the top."""
    layers = {path.name for path in (ROOT / "responder").iterdir()
              if path.is_dir() and (path / "__init__.py").exists()}
    test_dirs = {path.name for path in (ROOT / "tests" / "responder").iterdir()
                 if path.is_dir() and path.name != "__pycache__"}
    assert test_dirs <= layers, f"test folders without a layer: {sorted(test_dirs - layers)}"
    assert not list((ROOT / "tests" / "responder").glob("test_*.py"))


# What may sit at the top of a stage beside its layers: the program, its subcommands, and modules
# that are an entry point of their own (the post-mortem stage's closed-incident plugin).
STAGE_TOP = {
    "postmortem": ["__init__.py", "cli.py", "commands", "lifecycle.py"],
    "statuspage": ["__init__.py", "cli.py", "commands"],
}
# Tests of a whole stage rather than of one layer: the built page in a real browser.
WHOLE_STAGE_TESTS = {"postmortem": set(), "statuspage": {"test_chromium.py"}}


@pytest.mark.parametrize("stage", sorted(STAGE_TOP))
def test_each_stage_has_a_small_top_level_of_layers(stage: str) -> None:
    entries = sorted(p.name for p in (ROOT / stage).iterdir() if p.name != "__pycache__")
    layers = [name for name in entries if name not in STAGE_TOP[stage]]
    assert [name for name in entries if name.endswith(".py")] == [n for n in STAGE_TOP[stage] if n.endswith(".py")]
    assert len(layers) <= 6, layers
    assert all((ROOT / stage / name / "__init__.py").exists() for name in layers), layers


@pytest.mark.parametrize("stage", sorted(STAGE_TOP))
def test_the_tests_of_each_stage_mirror_its_layers(stage: str) -> None:
    """tests/<stage>/<layer>/ for its layers and commands/; at the top only tests of its top-level modules."""
    packages = {path.name for path in (ROOT / stage).iterdir() if path.is_dir() and (path / "__init__.py").exists()}
    tests = ROOT / "tests" / stage
    test_dirs = {path.name for path in tests.iterdir() if path.is_dir() and path.name != "__pycache__"}
    assert test_dirs <= packages, f"test folders without a layer: {sorted(test_dirs - packages)}"
    assert all((tests / name / "__init__.py").exists() for name in test_dirs)
    modules = {f"test_{path.stem}.py" for path in (ROOT / stage).glob("*.py")}
    top = {path.name for path in tests.glob("test_*.py")}
    assert top <= modules | WHOLE_STAGE_TESTS[stage], sorted(top - modules - WHOLE_STAGE_TESTS[stage])
