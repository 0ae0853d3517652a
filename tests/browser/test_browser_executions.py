"""The Executions page's runs table in chromium: after sorting by a column header, a click on a row
watches the run that row shows.

``st.dataframe`` sorts in the browser while the page's table keeps its own order, so a row's
place on screen and its place in the table the page picks from differ once sorted (the classic
bug: the selection index read against the wrong order). Three real runs of the sample are listed
newest first; sorting by Name reverses that, so a pick read in the wrong order would watch
another run. Which run a row shows is read from the grid's accessibility tree (the cells glide
renders for screen readers), never assumed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from support.browser_support import StreamlitServer, settled, streamlit_server
from support.cluster_support import FinishedRuns, make_runs

from pipeline.workflows.clustering.parameters import ClusteringParameters

pytestmark = pytest.mark.browser

STEP_TIMEOUT = 120_000  # ms: a cold app on a busy machine
HEADER_HEIGHT = 36  # px: the grid's header row (35) and its border
ROW_HEIGHT = 35  # px: Streamlit's default row height
ROW_MARKER_X = 17  # px from the grid's left edge to the centre of a row's selection box
NAME_HEADER_X = 200  # px from the grid's left edge: inside the Name column's header


@pytest.fixture(scope="module")
def finished(sample_xlsx, tmp_path_factory) -> FinishedRuns:
    runs = make_runs(
        tmp_path_factory.mktemp("executions-browser-home"),
        sample_xlsx,
        {f"k{k}": ClusteringParameters(k=k, quality_threshold=-1.0) for k in (2, 3, 4)},
        read_results=False,
    )
    assert {d["status"] for d in runs.descriptions.values()} == {"SUCCEEDED"}, runs.descriptions
    return runs


@pytest.fixture(scope="module")
def server(finished, tmp_path_factory) -> Iterator[StreamlitServer]:
    with streamlit_server(finished.home, tmp_path_factory.mktemp("executions-logs")) as running:
        yield running


def shown_rows(tab) -> list[dict[str, str]]:
    """The runs table's rows in the order the browser shows them: marker, name and k of each."""
    grid = tab.get_by_test_id("stMain").get_by_test_id("data-grid-canvas").first
    grid.focus()  # glide writes its accessibility cells for the focused grid
    return tab.evaluate(
        """() => [...document.querySelector('[data-testid="stMain"] [data-testid="data-grid-canvas"]')
            .querySelectorAll('tbody tr')].map(row => {
                const cell = i => row.querySelector(`td[aria-colindex="${i}"]`)?.textContent ?? '';
                return {selected: cell(1), name: cell(2), k: cell(7)};
            })"""
    )


def shows_in_order(tab, expected: list[str]) -> None:
    """Wait until the table's first rows show the runs named ``expected``, in that order."""
    tab.wait_for_function(
        """expected => {
            const grid = document.querySelector('[data-testid="stMain"] [data-testid="data-grid-canvas"]');
            grid.focus();
            const names = [...grid.querySelectorAll('tbody tr')].map(
                row => row.querySelector('td[aria-colindex="2"]')?.textContent);
            return expected.every((name, i) => names[i] === name);
        }""",
        arg=expected,
        timeout=STEP_TIMEOUT,
    )


def watched_run(tab) -> str:
    """The run the watch part shows: the heading above its full ARN."""
    main = tab.get_by_test_id("stMain")
    return main.get_by_role("heading", level=3).first.inner_text()


def test_a_click_on_a_row_after_sorting_watches_the_run_that_row_shows(browser, server, finished):
    names = {label: arn.rsplit(":", 1)[-1] for label, arn in finished.arns.items()}
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        tab = context.new_page()
        tab.set_default_timeout(STEP_TIMEOUT)
        expect.set_options(timeout=STEP_TIMEOUT)
        tab.goto(f"{server.url}/executions")
        main = tab.get_by_test_id("stMain")
        table = main.get_by_test_id("stDataFrame").first
        expect(table).to_be_visible()
        settled(tab, STEP_TIMEOUT)
        # Newest first, the newest watched.
        assert [row["name"] for row in shown_rows(tab)[:3]] == [names["k4"], names["k3"], names["k2"]]
        assert watched_run(tab) == names["k4"]

        box = table.bounding_box()
        tab.mouse.click(box["x"] + NAME_HEADER_X, box["y"] + HEADER_HEIGHT / 2)  # sort by Name
        shows_in_order(tab, [names["k2"], names["k3"], names["k4"]])

        for position in (0, 2):  # the first and the last shown row: each the other's place unsorted
            row = shown_rows(tab)[position]
            tab.mouse.click(box["x"] + ROW_MARKER_X, box["y"] + HEADER_HEIGHT + ROW_HEIGHT * position + 17)
            heading = main.get_by_role("heading", name=row["name"], exact=True)
            expect(heading).to_be_visible()
            settled(tab, STEP_TIMEOUT)
            assert watched_run(tab) == row["name"]
            arn = finished.arns[f"k{row['k']}"]
            expect(main.get_by_test_id("stCode").filter(has_text=arn).first).to_be_visible()
            # The table stays sorted and marks the watched run on the row that was clicked.
            now = shown_rows(tab)[:3]
            assert [r["name"] for r in now] == [names["k2"], names["k3"], names["k4"]]
            assert now[position]["selected"] == "▶"
    finally:
        context.close()
