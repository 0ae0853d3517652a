"""The workflow graph drawn by chromium at the widths the app gives it: every state's text stays
inside its box at 940 px (a 1400 px window) and 468 px (an 800 px window).

The drawing is the app's own (``graph_svg.workflow_drawing``, as Executions and Launch draw it),
in a page of that width (no server, no network) in the app's font (the Source Sans Streamlit
ships); text is measured as the browser lays it out.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import os
from pathlib import Path

import pytest
import streamlit
from support.browser_support import STATE_NAMES_OUTSIDE_BOXES, open_tab

from pipeline.views.execution_view import StepRun
from pipeline.views.graph import IN_PROGRESS
from pipeline.views.graph_svg import workflow_drawing
from pipeline.workflows.clustering.build import workflow_definition as clustering_definition
from pipeline.workflows.clustering.sweep_steps import SWEEP_STATE
from pipeline.workflows.price_regression.build import workflow_definition as regression_definition

pytestmark = pytest.mark.browser

#: The main area's width in a 1400 px and an 800 px window (docs/ARCHITECTURE.md, Layout at 800 px).
WIDTHS = (940, 468)
clustering = functools.cache(clustering_definition)
regression = functools.cache(regression_definition)
SWEEPING = [StepRun(SWEEP_STATE, "Map", IN_PROGRESS, dt.datetime(2026, 11, 27, 12), None)]
DRAWINGS = {
    "clustering": lambda: workflow_drawing(clustering(), [], selectable=True, fluid=True),
    "clustering while sweeping": lambda: workflow_drawing(
        clustering(),
        SWEEPING,
        {SWEEP_STATE: "4/9 done, 1 failed, 2 running"},
        selectable=True,
        fluid=True,
    ),
    "clustering on Launch": lambda: workflow_drawing(clustering(), [], preview=True, fluid=True),
    "price regression": lambda: workflow_drawing(regression(), [], selectable=True, fluid=True),
}


@functools.cache
def source_sans() -> str:
    """An @font-face rule for the Source Sans Streamlit serves (as a data: URL: no request)."""
    media = Path(os.path.dirname(streamlit.__file__)) / "static" / "static" / "media"
    [font] = media.glob("SourceSansVF-Upright*.woff2")
    data = base64.b64encode(font.read_bytes()).decode("ascii")
    return (
        "@font-face{font-family:'Source Sans';font-weight:200 900;"
        f"src:url(data:font/woff2;base64,{data}) format('woff2')}}"
    )


@functools.cache
def page_html(workflow: str, width: int) -> str:
    body = DRAWINGS[workflow]().markup
    font = "font-family:'Source Sans',sans-serif"  # the page's font, which the SVG's text inherits
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><style>{source_sans()}</style></head>"
        f"<body style='margin:0;{font}'><div style='width:{width}px'>{body}</div></body></html>"
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("workflow", DRAWINGS)
def test_every_state_name_stays_inside_its_box(browser, workflow, width):
    with open_tab(browser, width=width + 40, height=900) as tab:
        tab.route("**/*", lambda route: route.abort())  # nothing leaves the page
        tab.set_content(page_html(workflow, width))
        tab.evaluate("() => document.fonts.load('bold 13px \"Source Sans\"')")
        drawn = tab.evaluate("() => document.querySelectorAll('svg.workflow-graph g.state').length")
        problems = tab.evaluate(STATE_NAMES_OUTSIDE_BOXES)

    assert drawn >= 10
    assert not problems, problems
