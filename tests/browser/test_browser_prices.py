"""The Prices page's view tabs in chromium (issue 10: a run switch redraws only the open view).

AppTest sees the elements a run sends; here chromium draws them: only the open tab's charts or
grid are on the page, the open tab stays open when another run is chosen, ``/prices?run=NAME``
opens that run, and the five tabs, and each view, are legible at 1400 and 800 px.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from support.browser_support import (
    STEP_TIMEOUT,
    VIEWPORT,
    StreamlitServer,
    open_tab,
    settled,
    streamlit_server,
)
from support.cluster_support import FinishedRuns, make_runs
from test_browser import DRAWN, LAYOUT_PROBLEMS, STABLE_HEIGHT, WIDTHS

from pipeline.views import price_charts
from pipeline.workflows.price_regression.parameters import RegressionParameters
from ui import prices

pytestmark = pytest.mark.browser

#: Each chart's title as drawn (its note is a plotly subtitle, drawn apart), once its SVG is.
CHART_TITLES = """() => [...document.querySelectorAll(
    '[data-testid="stPlotlyChart"] .js-plotly-plot, [data-testid="stMain"] .ch-title')]
    .map(chart => chart.classList.contains('ch-title') ? chart.textContent
        : (chart.querySelector('.gtitle') || {}).textContent || '')"""

#: The density of predicted against actual (``price_html.density_html``): its plot's box, its
#: cells, its dots and how many dots fall outside the plot (by more than a dot's radius).
DENSITY = """() => {
    const plot = document.querySelector('[data-testid="stMain"] .dn-plot').getBoundingClientRect();
    const dots = [...document.querySelectorAll('[data-testid="stMain"] .dn-m')]
        .map(dot => dot.getBoundingClientRect());
    const outside = dots.filter(d => d.left < plot.left - 4 || d.right > plot.right + 4
        || d.top < plot.top - 4 || d.bottom > plot.bottom + 4).length;
    return {width: plot.width, height: plot.height, cells: document.querySelectorAll('.dn-c').length,
            dots: dots.length, outside};
}"""

#: The view tabs' bar: how wide its tabs are (from its left edge to the last tab's right one, and
#: what it would scroll) against the room it has (424 px of 468 at 800 px with the sidebar open).
TAB_BAR = """() => {
    const bar = document.querySelector('[data-testid="stMain"] [data-testid="stTabs"] [role="tablist"]');
    const tabs = bar.querySelectorAll('[role="tab"]');
    const last = tabs[tabs.length - 1].getBoundingClientRect();
    const needed = Math.max(last.right - bar.getBoundingClientRect().left, bar.scrollWidth);
    return {needed: Math.round(needed), room: bar.clientWidth, tabs: tabs.length};
}"""

#: The title each chart tab draws, in order (``ui.prices.TAB_CHARTS``); the grid tabs draw none.
TITLES = {
    prices.ERRORS_TAB: ["RMSE by split against the threshold", "Residuals, predicted - actual"],
    prices.PREDICTED_TAB: ["Predicted against actual unit price"],
    prices.IMPORTANCE_TAB: ["Feature importance (total gain)"],
    prices.STOCK_CODES_TAB: [],
    prices.PREDICTIONS_TAB: [],
}
#: How many of each tab's charts are plain HTML (``pipeline.views.price_html``), not Plotly.
HTML_CHARTS = {prices.ERRORS_TAB: 1, prices.PREDICTED_TAB: 1}


@pytest.fixture(scope="module")
def finished(sample_xlsx, tmp_path_factory) -> FinishedRuns:
    runs = make_runs(
        tmp_path_factory.mktemp("prices-browser-home"),
        sample_xlsx,
        {
            "shallow": RegressionParameters(max_depth=3, rmse_threshold=1000.0),
            "prices": RegressionParameters(),
        },
    )
    assert set(runs.results) == {"shallow", "prices"}, runs.descriptions
    return runs


@pytest.fixture(scope="module")
def server(finished, tmp_path_factory) -> Iterator[StreamlitServer]:
    with streamlit_server(finished.home, tmp_path_factory.mktemp("prices-logs")) as running:
        yield running


def open_prices(page, server: StreamlitServer, query: str = "") -> None:
    page.goto(f"{server.url}/prices{query}")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Price predictions", exact=True)).to_be_visible()
    expect(main.get_by_role("tab", name=prices.ERRORS_TAB, exact=True)).to_be_visible()
    drawn(page, prices.ERRORS_TAB)
    rmse = main.get_by_role("img", name=re.compile(r"^RMSE by split against the threshold [\d,.]+: train "))
    expect(rmse).to_contain_text("Validation")


def drawn(page, label: str) -> None:
    """Wait until the view tab ``label``'s charts and grid are there (elements arrive one by one:
    the first chart can be drawn while the second is on its way), the run ended and every chart
    on the page has its SVG. The titles are waited for too: going from one view of one chart to
    another, the count is right while the old chart is still in place."""
    main = page.get_by_test_id("stMain")
    expect(main.get_by_test_id("stPlotlyChart")).to_have_count(len(TITLES[label]) - HTML_CHARTS.get(label, 0))
    page.wait_for_function(
        f"expected => ({CHART_TITLES})().every((title, i) => title.startsWith(expected[i]))",
        arg=TITLES[label],
        timeout=STEP_TIMEOUT,
    )
    grids = 1 if label in (prices.STOCK_CODES_TAB, prices.PREDICTIONS_TAB) else 0
    expect(main.get_by_test_id("stDataFrame")).to_have_count(grids)
    settled(page, STEP_TIMEOUT)
    page.wait_for_function(DRAWN, timeout=STEP_TIMEOUT)
    page.evaluate(STABLE_HEIGHT)


def titles(page) -> list[str]:
    """The charts on the page by their title's first line (``TITLES``' names), in order."""
    known = [title for shown in TITLES.values() for title in shown]
    return [next((t for t in known if title.startswith(t)), title) for title in page.evaluate(CHART_TITLES)]


def open_view(page, label: str) -> None:
    main = page.get_by_test_id("stMain")
    main.get_by_role("tab", name=label, exact=True).click()
    expect(main.get_by_role("tab", name=label, exact=True)).to_have_attribute("aria-selected", "true")
    drawn(page, label)


def choose_run(page, index: int, label: str) -> None:
    """Pick the ``index``-th run of the picker (newest first) and wait for its figures (the open
    view tab ``label``'s)."""
    main = page.get_by_test_id("stMain")
    threshold = main.get_by_test_id("stMetric").filter(has_text="RMSE threshold")
    before = threshold.inner_text()
    main.get_by_role("combobox", name="Succeeded run").click()
    page.get_by_role("option").nth(index).click()
    expect(threshold).not_to_have_text(before)
    drawn(page, label)


def test_only_the_open_views_charts_are_drawn_and_the_tab_stays_open_across_run_and_page_switches(
    browser, server
):
    with open_tab(browser) as page:
        open_prices(page, server)
        main = page.get_by_test_id("stMain")
        assert titles(page) == TITLES[prices.ERRORS_TAB]
        expect(main.get_by_test_id("stDataFrame")).to_have_count(0)

        open_view(page, prices.PREDICTED_TAB)
        assert titles(page) == TITLES[prices.PREDICTED_TAB]
        choose_run(page, 1, prices.PREDICTED_TAB)  # the shallow run (threshold 1,000)

        expect(main.get_by_test_id("stMetric").filter(has_text="RMSE threshold")).to_contain_text("1,000.00")
        expect(main.get_by_role("tab", name=prices.PREDICTED_TAB, exact=True)).to_have_attribute(
            "aria-selected", "true"
        )
        assert titles(page) == TITLES[prices.PREDICTED_TAB]
        density = page.evaluate(DENSITY)  # a square of log cells, every dot inside it
        assert density["width"] == pytest.approx(density["height"], abs=1) and density["width"] > 250
        assert density["cells"] > 50 and density["dots"] == price_charts.MARKED_MISSES
        assert density["outside"] == 0

        open_view(page, prices.PREDICTIONS_TAB)
        choose_run(page, 0, prices.PREDICTIONS_TAB)
        expect(main.get_by_role("tab", name=prices.PREDICTIONS_TAB, exact=True)).to_have_attribute(
            "aria-selected", "true"
        )
        expect(main.get_by_test_id("stDataFrame")).to_have_count(1)
        assert titles(page) == []
        # The downloads stay in view whichever tab is open.
        for label in (
            "Download report (HTML)",
            "Download the predictions (CSV)",
            "Download the scores (JSON)",
        ):
            expect(main.get_by_role("button", name=label)).to_be_visible()

        # Another page and back: the view left is open again.
        nav = page.get_by_test_id("stSidebarNav")
        nav.get_by_role("link", name="Executions", exact=True).click()
        expect(main.get_by_role("heading", name="Executions", exact=True).first).to_be_visible()
        settled(page, STEP_TIMEOUT)
        nav.get_by_role("link", name="Prices", exact=True).click()
        expect(main.get_by_role("heading", name="Price predictions", exact=True)).to_be_visible()
        expect(main.get_by_role("tab", name=prices.PREDICTIONS_TAB, exact=True)).to_have_attribute(
            "aria-selected", "true"
        )
        drawn(page, prices.PREDICTIONS_TAB)


def test_a_run_link_opens_that_runs_predictions(browser, server, finished):
    name = finished.arns["shallow"].rsplit(":", 1)[-1]
    with open_tab(browser) as page:
        open_prices(page, server, f"?run={name}")

        main = page.get_by_test_id("stMain")
        expect(main.get_by_test_id("stMetric").filter(has_text="RMSE threshold")).to_contain_text("1,000.00")
        expect(main.get_by_role("combobox", name="Succeeded run")).to_have_value(re.compile(f"^{name} "))
        assert titles(page) == TITLES[prices.ERRORS_TAB]


#: The grid's code and stylesheet (Streamlit's ``DataFrame`` chunk and css) as the tab fetched
#: them: one entry a fetch.
GRID_CODE_FETCHES = """() => performance.getEntriesByType('resource')
    .filter(entry => /\\/static\\/(js|css)\\/DataFrame\\.[^/]*\\.(js|css)$/.test(entry.name)).length"""


def test_a_new_tab_loads_the_grids_code_while_the_user_looks_and_the_first_grid_finds_it(browser, server):
    # issue 10: Errors is plain HTML, so the first grid of a new tab (Largest errors, Predictions)
    # waited for Streamlit to load the grid's code and then its stylesheet: both are loaded ahead
    # (ui.grid_ahead; benchmarks/README.md, rounds 27 and 28).
    with open_tab(browser) as page:
        open_prices(page, server)
        main = page.get_by_test_id("stMain")

        page.wait_for_function("() => window.rfmGridLoaded === true", timeout=STEP_TIMEOUT)
        assert main.get_by_test_id("stDataFrame").count() == 0  # loaded ahead of any grid
        assert page.evaluate(GRID_CODE_FETCHES) == 2  # the code and its stylesheet
        open_view(page, prices.STOCK_CODES_TAB)

        grid = main.get_by_test_id("stDataFrame")
        expect(grid).to_be_visible()
        expect(grid.locator("canvas").first).to_be_visible()  # drawn
        assert page.evaluate(GRID_CODE_FETCHES) == 2  # Streamlit's own import found both loaded


def test_the_open_view_is_in_the_address_so_a_reload_or_a_shared_link_opens_it(browser, server, finished):
    name = finished.arns["shallow"].rsplit(":", 1)[-1]
    with open_tab(browser) as page:
        open_prices(page, server, f"?run={name}")
        open_view(page, prices.IMPORTANCE_TAB)
        expect(page).to_have_url(re.compile(r"[?&]prices_view=Importance(&|$)"))
        expect(page).to_have_url(re.compile(f"[?&]run={name}(&|$)"))

        page.reload()  # a new session: only the address is left

        main = page.get_by_test_id("stMain")
        expect(main.get_by_role("tab", name=prices.IMPORTANCE_TAB, exact=True)).to_have_attribute(
            "aria-selected", "true"
        )
        drawn(page, prices.IMPORTANCE_TAB)
        assert titles(page) == TITLES[prices.IMPORTANCE_TAB]
        expect(main.get_by_test_id("stMetric").filter(has_text="RMSE threshold")).to_contain_text("1,000.00")

    with open_tab(browser) as other:  # another visitor, given a link to the largest errors
        other.goto(f"{server.url}/prices?run={name}&prices_view=Largest+errors")
        main = other.get_by_test_id("stMain")
        expect(main.get_by_role("tab", name=prices.STOCK_CODES_TAB, exact=True)).to_have_attribute(
            "aria-selected", "true"
        )
        drawn(other, prices.STOCK_CODES_TAB)
        expect(main.get_by_test_id("stMetric").filter(has_text="RMSE threshold")).to_contain_text("1,000.00")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_view_and_the_tab_bar_are_legible_at_each_width(browser, server, width):
    with open_tab(browser, width=width, height=VIEWPORT["height"]) as page:
        open_prices(page, server)
        bar = page.evaluate(TAB_BAR)
        assert bar["tabs"] == 5 and bar["needed"] <= bar["room"], bar  # they fit: none scrolled out of sight
        problems = {}
        for label in prices.VIEW_TABS[1:] + prices.VIEW_TABS[:1]:
            open_view(page, label)
            assert titles(page) == TITLES[label]
            found = page.evaluate(LAYOUT_PROBLEMS)
            if found:
                problems[label] = found
        assert not problems, problems
