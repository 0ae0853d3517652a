"""What a Segments filter change redraws in the browser (issue 10: a change under 0.3 s).

AppTest sees the elements a run sends, not what the front end does with them: whether an
element is updated in place or thrown away and mounted again, and whether an element outside
the filters' fragment is touched at all. Here chromium draws the page: DOM nodes are marked
before a filter change, and the marks that survive it show what was kept.
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
from test_browser import DRAWN, LAYOUT_PROBLEMS, STABLE_HEIGHT, WIDTHS

from ui.segments import RFM_TABLE_LABEL

pytestmark = pytest.mark.browser


#: Marks the descriptions table (the page's last static table), the grids and the view tabs' bar.
MARK = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const tables = main.querySelectorAll('[data-testid="stTable"]');
    const marked = {descriptions: tables[tables.length - 1],
                    grids: [...main.querySelectorAll('[data-testid="stDataFrame"]')],
                    tabs: main.querySelector('[data-testid="stTabs"] [role="tablist"]')};
    marked.descriptions.__kept = true;
    marked.grids.forEach(grid => { grid.__kept = true; });
    marked.tabs.__kept = true;
}"""

#: Which marked nodes are still in the page, each the same node as before.
KEPT = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const tables = main.querySelectorAll('[data-testid="stTable"]');
    return {descriptions: tables[tables.length - 1].__kept === true,
            grids: [...main.querySelectorAll('[data-testid="stDataFrame"]')].map(g => g.__kept === true),
            tabs: main.querySelector('[data-testid="stTabs"] [role="tablist"]').__kept === true};
}"""

#: The titles of the Plotly charts on the page, once each has drawn its SVG.
CHART_TITLES = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')]
    .map(plot => (plot.querySelector('.gtitle') || {}).textContent || '')"""


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[StreamlitServer]:
    home = tmp_path_factory.mktemp("segments-home")
    logs = tmp_path_factory.mktemp("segments-logs")
    with streamlit_server(home, logs) as running:
        yield running


@pytest.fixture
def segments_tab(browser, server):
    """A tab that has loaded the bundled sample and opened Segments, its first chart drawn."""
    with open_tab(browser) as page:
        page.goto(server.url)
        nav = page.get_by_test_id("stSidebarNav")
        nav.get_by_role("link", name="Data", exact=True).click()
        main = page.get_by_test_id("stMain")
        main.get_by_text("Bundled sample", exact=True).click()
        main.get_by_role("button", name="Load", exact=True).click()
        expect(main.get_by_role("heading", name="Active dataset")).to_be_visible()
        settled(page, STEP_TIMEOUT)
        nav.get_by_role("link", name="Segments", exact=True).click()
        expect(main.get_by_role("heading", name="What each segment means")).to_be_visible()
        expect(treemap(page)).to_be_visible()
        expect(main.get_by_test_id("stTable").last).to_be_visible()  # its code arrives after the run
        settled(page, STEP_TIMEOUT)
        yield page


def treemap(page):
    """The Sizes tab's treemap (plain HTML, ``pipeline.views.treemap_html``), by its text alternative."""
    return page.get_by_test_id("stMain").get_by_role(
        "img", name=re.compile(r"^Segment sizes \(area\) and revenue share: ")
    )


def customers(page) -> str:
    return page.get_by_test_id("stMain").get_by_test_id("stMetric").filter(has_text="Customers").inner_text()


def choose_france(page) -> None:
    """Pick France in the Countries box and wait until the page shows its figures."""
    # The figure alone: the metric's whole text ("Customers" and "3,591" in separate elements)
    # never equals its innerText ("Customers\n\n3,591"), so waiting for that to change waited for nothing.
    figure = page.get_by_test_id("stMain").get_by_test_id("stMetric").filter(has_text="Customers")
    figure = figure.get_by_test_id("stMetricValue")
    before = figure.inner_text()
    box = page.get_by_test_id("stMain").get_by_role("combobox", name="Countries")
    box.click()
    box.fill("France")
    page.get_by_role("option", name="France", exact=True).click()
    page.keyboard.press("Escape")
    expect(figure).not_to_have_text(before)
    settled(page, STEP_TIMEOUT)


def test_a_filter_change_redraws_one_chart_and_keeps_the_descriptions_and_the_tabs(segments_tab):
    segments_tab.evaluate(MARK)
    everyone = treemap(segments_tab).get_attribute("aria-label")

    choose_france(segments_tab)

    kept = segments_tab.evaluate(KEPT)
    assert kept == {"descriptions": True, "grids": [], "tabs": True}  # no grid: the RFM table is closed
    # The treemap now shows France's customers alone; it is HTML, no Plotly chart is mounted.
    france = int(customers(segments_tab).split()[-1].replace(",", ""))
    expect(treemap(segments_tab)).to_have_count(1)
    # The metric can be drawn a frame before the treemap further down: wait for the treemap too.
    expect(treemap(segments_tab)).not_to_have_attribute("aria-label", everyone, timeout=STEP_TIMEOUT)
    counts = re.findall(r"([\d,]+) customers?,", treemap(segments_tab).get_attribute("aria-label"))
    assert sum(int(count.replace(",", "")) for count in counts) == france
    assert segments_tab.evaluate(CHART_TITLES) == []


def test_an_opened_rfm_table_is_updated_in_place_by_a_filter_change(segments_tab):
    main = segments_tab.get_by_test_id("stMain")
    expect(main.get_by_test_id("stDataFrame")).to_have_count(0)
    main.get_by_test_id("stExpander").filter(has_text=RFM_TABLE_LABEL).get_by_text(RFM_TABLE_LABEL).click()
    expect(main.get_by_test_id("stDataFrame")).to_have_count(1)
    settled(segments_tab, STEP_TIMEOUT)
    segments_tab.evaluate(MARK)

    choose_france(segments_tab)

    assert segments_tab.evaluate(KEPT)["grids"] == [True]
    expect(main.get_by_role("button", name="Download the RFM table (CSV)")).to_be_visible()


#: The top and left edges of the main area's metrics, in page order.
METRIC_BOXES = """() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stMetric"]')]
    .map(metric => {
        const box = metric.getBoundingClientRect();
        const label = metric.querySelector('[data-testid="stMetricLabel"]').innerText.trim();
        return [label, Math.round(box.top), Math.round(box.left)];
    })"""


@pytest.mark.parametrize(("width", "rows"), [(1400, [4]), (800, [2, 2])])
def test_the_four_metrics_read_as_one_group_at_each_width(segments_tab, width, rows):
    segments_tab.set_viewport_size({"width": width, "height": VIEWPORT["height"]})
    segments_tab.wait_for_function(DRAWN)
    segments_tab.evaluate(STABLE_HEIGHT)

    boxes = segments_tab.evaluate(METRIC_BOXES)

    assert [label for label, _, _ in boxes] == ["Customers", "Transactions scored", "Revenue", "As of"]
    tops = sorted({top for _, top, _ in boxes})
    assert [sum(1 for _, top, _ in boxes if top == row) for row in tops] == rows
    if len(rows) == 2:  # two rows of two, the second starting under the first
        assert boxes[2][2] == boxes[0][2]


def test_the_figures_tab_shows_the_grid_alone_and_a_filter_change_updates_it_in_place(segments_tab):
    main = segments_tab.get_by_test_id("stMain")
    main.get_by_role("tab", name="Figures").click()
    expect(main.get_by_test_id("stDataFrame")).to_have_count(1)  # the RFM table's expander is closed
    settled(segments_tab, STEP_TIMEOUT)
    assert segments_tab.evaluate(CHART_TITLES) == []
    # Every segment in view without scrolling the grid: a header and 11 rows of 35 px ("Lost", the
    # last, was below the fold of the default 10-row grid).
    assert main.get_by_test_id("stDataFrame").bounding_box()["height"] >= 35 * 12
    segments_tab.evaluate(MARK)

    choose_france(segments_tab)

    assert segments_tab.evaluate(KEPT)["grids"] == [True]


def test_a_chart_tab_shows_its_chart_alone_and_stays_open_across_a_filter_change(segments_tab):
    main = segments_tab.get_by_test_id("stMain")
    main.get_by_role("tab", name="Distributions").click()
    segments_tab.wait_for_function(f"() => ({CHART_TITLES})().join() === 'Distributions'")

    choose_france(segments_tab)

    expect(main.get_by_role("tab", name="Distributions")).to_have_attribute("aria-selected", "true")
    segments_tab.wait_for_function(f"() => ({CHART_TITLES})().join() === 'Distributions'")


def test_every_view_tab_is_legible_at_both_widths(segments_tab):
    main = segments_tab.get_by_test_id("stMain")
    problems = {}
    for label in ("Sizes", "Figures", "Customers and revenue", "R and F", "Distributions"):
        main.get_by_role("tab", name=label).click()
        expect(main.get_by_role("tab", name=label)).to_have_attribute("aria-selected", "true")
        settled(segments_tab, STEP_TIMEOUT)
        for width in WIDTHS:
            segments_tab.set_viewport_size({"width": width, "height": VIEWPORT["height"]})
            segments_tab.wait_for_function(DRAWN)
            segments_tab.evaluate(STABLE_HEIGHT)  # the charts have taken the new width
            found = segments_tab.evaluate(LAYOUT_PROBLEMS)
            if found:
                problems[f"{label} at {width} px"] = found
        segments_tab.set_viewport_size(VIEWPORT)

    assert not problems, problems
