"""The engine's package rules: no import cycles anywhere in pipeline/local, no module over ~400 lines.

Imports are read from the source (every ``import`` statement, those inside functions and
under ``TYPE_CHECKING`` included), so a cycle hidden behind a lazy import counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PIPELINE = Path(__file__).resolve().parents[2] / "pipeline"
LOCAL = PIPELINE / "local"
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(PIPELINE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(LOCAL.rglob("*.py"))}


def imported_modules(name: str, path: Path) -> set[str]:
    """The pipeline.local modules ``name`` imports (a package's parents count: importing
    ``a.b.c`` runs ``a.b``'s ``__init__`` too)."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        for target in targets:
            while target:
                if target in MODULES and target != name:
                    found.add(target)
                target = target.rpartition(".")[0]
    return found


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of the graph as a list of modules, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        stack.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (cycle := visit(module)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_pipeline_local_has_no_import_cycles():
    graph = {name: imported_modules(name, path) for name, path in MODULES.items()}
    assert find_cycle(graph) is None


def test_templates_paths_and_intrinsics_import_in_one_direction():
    graph = {name: imported_modules(name, path) for name, path in MODULES.items()}
    assert "pipeline.local.asl.intrinsics" not in graph["pipeline.local.asl.paths"]
    assert "pipeline.local.asl.paths" in graph["pipeline.local.asl.intrinsics"]
    assert "pipeline.local.asl.intrinsics" in graph["pipeline.local.asl.templates"]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_stays_small(name):
    lines = len(MODULES[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines; split it by concern"
