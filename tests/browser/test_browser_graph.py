"""The workflow graph drawn by chromium at the widths the app gives it: every state's text stays
inside its box at 940 px (a 1400 px window) and 468 px (an 800 px window).

The figure is the app's own (``workflow_figure``), drawn in a page of that width with plotly.js
inline (no server, no network) in the app's font (the Source Sans Streamlit ships, which its
chart theme sets); text is measured as the browser lays it out.
"""

from __future__ import annotations

import base64
import functools
import os
from pathlib import Path

import pytest
import streamlit
from support.browser_support import STATE_NAMES_OUTSIDE_BOXES, open_tab

from pipeline.views.graph_figure import workflow_figure
from pipeline.workflows.clustering.build import workflow_definition as clustering_definition
from pipeline.workflows.clustering.sweep_steps import SWEEP_STATE
from pipeline.workflows.price_regression.build import workflow_definition as regression_definition

pytestmark = pytest.mark.browser

#: The main area's width in a 1400 px and an 800 px window (docs/ARCHITECTURE.md, Layout at 800 px).
WIDTHS = (940, 468)
clustering = functools.cache(clustering_definition)
regression = functools.cache(regression_definition)
FIGURES = {
    "clustering": lambda: workflow_figure(clustering()),
    "clustering while sweeping": lambda: workflow_figure(
        clustering(), {SWEEP_STATE: "in progress"}, None, {SWEEP_STATE: "4/9 done, 1 failed, 2 running"}
    ),
    "clustering on Launch": lambda: workflow_figure(clustering(), preview=True),
    "price regression": lambda: workflow_figure(regression()),
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
    figure = FIGURES[workflow]()
    figure.update_layout(font_family='"Source Sans", sans-serif')  # as Streamlit's chart theme does
    body = figure.to_html(include_plotlyjs=True, full_html=False, config={"responsive": True})
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><style>{source_sans()}</style></head>"
        f"<body style='margin:0'><div style='width:{width}px'>{body}</div></body></html>"
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("workflow", FIGURES)
def test_every_state_name_stays_inside_its_box(browser, workflow, width):
    with open_tab(browser, width=width + 40, height=900) as tab:
        tab.route("**/*", lambda route: route.abort())  # nothing leaves the page
        tab.set_content(page_html(workflow, width))
        tab.evaluate("() => document.fonts.load('bold 13px \"Source Sans\"')")
        tab.wait_for_function("() => document.querySelector('.js-plotly-plot .textpoint text')")
        drawn = tab.evaluate(
            "() => (document.querySelector('.js-plotly-plot').data.find(t => t.name === 'states') || {})"
            ".customdata.length"
        )
        problems = tab.evaluate(STATE_NAMES_OUTSIDE_BOXES)

    assert drawn >= 10
    assert not problems, problems
