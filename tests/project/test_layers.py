"""The import layers of docs/ARCHITECTURE.md ("Layers"), checked on the source of every module.

A lower layer never imports a higher one and packages of one layer never import each other, so
each part can be read, tested and deployed (the Lambda zips) without what sits above it; and
`pipeline/` never imports Streamlit, lazily or not. Imports are read with `ast`, so imports
inside functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Each top-level unit and its layer: a unit imports only units of a lower layer (or itself).
LAYERS = {
    "pipeline.errors": 0,
    "pipeline.config": 1,
    "pipeline.hashing": 1,
    "pipeline.output_file": 1,
    "pipeline.executions": 1,
    "pipeline.storage": 2,
    "pipeline.loading": 3,
    "pipeline.analysis": 4,
    "pipeline.views": 5,
    "pipeline.workflows": 5,
    "lambdas": 6,
    "pipeline.local": 6,
    "pipeline.backends": 7,
    "pipeline.report": 8,
    "pipeline.commands": 9,
    "pipeline.__main__": 10,
    "ui": 11,
    "app_pages": 12,
    "app": 13,
}

PROJECT_ROOTS = ("pipeline", "lambdas", "ui", "app_pages", "app")


def unit_of(module: str) -> str:
    """``pipeline.loading.dates`` -> ``pipeline.loading``; ``ui.launch`` -> ``ui``."""
    parts = module.split(".")
    if parts[0] == "pipeline" and len(parts) > 1:
        return f"pipeline.{parts[1]}"
    return parts[0]


def module_name(path: Path) -> str:
    relative = path.relative_to(ROOT).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """Every absolute module ``path`` imports (``from pipeline import x`` counts as ``pipeline.x``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module in ("pipeline", "lambdas"):
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
    return found


def project_sources() -> list[Path]:
    sources = [ROOT / "app.py"]
    for folder in PROJECT_ROOTS[:-1]:
        sources.extend(sorted((ROOT / folder).rglob("*.py")))
    return sources


def test_every_module_belongs_to_a_known_layer():
    units = {unit_of(module_name(path)) for path in project_sources()}
    units.discard("pipeline")  # the package's own __init__
    assert units <= set(LAYERS), f"add {sorted(units - set(LAYERS))} to LAYERS and to docs/ARCHITECTURE.md"


@pytest.mark.parametrize("path", project_sources(), ids=lambda path: str(path.relative_to(ROOT)))
def test_a_module_imports_only_lower_layers(path):
    unit = unit_of(module_name(path))
    if unit == "pipeline":
        return
    upward = sorted(
        module
        for module in imported_modules(path)
        if module.split(".")[0] in PROJECT_ROOTS
        and unit_of(module) != unit
        and LAYERS.get(unit_of(module), 99) >= LAYERS[unit]
    )
    assert not upward, f"{unit} (layer {LAYERS[unit]}) imports {upward}"


def test_the_library_and_the_lambdas_never_import_streamlit():
    offenders = [
        str(path.relative_to(ROOT))
        for path in project_sources()
        if path.parts[len(ROOT.parts)] in ("pipeline", "lambdas")
        and any(module.split(".")[0] == "streamlit" for module in imported_modules(path))
    ]
    assert offenders == []


def test_the_layer_check_sees_an_upward_import(tmp_path):
    """The check itself: an import inside a function, from a higher layer, is found."""
    source = tmp_path / "sample.py"
    source.write_text("def f():\n    from pipeline.backends import local\n    import streamlit as st\n")
    assert imported_modules(source) == {"pipeline.backends", "streamlit"}


def test_every_chart_is_drawn_through_ui_layout_plotly_which_gives_it_a_text_alternative():
    """``st.plotly_chart`` without ``alt`` left screen readers the chart's tick labels as its name."""
    drawing = [
        path.relative_to(ROOT).as_posix()
        for path in project_sources()
        if path.relative_to(ROOT).parts[0] in ("ui", "app_pages", "app.py")  # pipeline/ draws nothing
        and "st.plotly_chart(" in path.read_text(encoding="utf-8")
    ]
    assert drawing == ["ui/layout.py"]
