"""The workflow graph drawn by chromium at the widths the app gives it: every state's text stays
inside its box at 940 px (a 1400 px window) and 468 px (an 800 px window).

The figure is the app's own (``workflow_figure``), drawn in a page of that width with plotly.js
inline (no server, no network); text is measured as the browser lays it out, in the system's
sans font (wider than the app's Source Sans, so what fits here fits in the app).
"""

from __future__ import annotations

import functools

import pytest
from support.browser_support import STATE_NAMES_OUTSIDE_BOXES

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
def page_html(workflow: str, width: int) -> str:
    figure = FIGURES[workflow]()
    body = figure.to_html(include_plotlyjs=True, full_html=False, config={"responsive": True})
    return (
        "<!doctype html><html><head><meta charset='utf-8'></head><body style='margin:0'>"
        f"<div style='width:{width}px'>{body}</div></body></html>"
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("workflow", FIGURES)
def test_every_state_name_stays_inside_its_box(browser, workflow, width):
    context = browser.new_context(viewport={"width": width + 40, "height": 900})
    try:
        tab = context.new_page()
        tab.route("**/*", lambda route: route.abort())  # nothing leaves the page
        tab.set_content(page_html(workflow, width))
        tab.wait_for_function("() => document.querySelector('.js-plotly-plot .textpoint text')")
        drawn = tab.evaluate(
            "() => (document.querySelector('.js-plotly-plot').data.find(t => t.name === 'states') || {})"
            ".customdata.length"
        )
        problems = tab.evaluate(STATE_NAMES_OUTSIDE_BOXES)
    finally:
        context.close()

    assert drawn >= 10
    assert not problems, problems
