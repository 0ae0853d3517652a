"""A new tab on Clusters loads what its first grid needs while the user looks at Profiles.

Clusters opens on Profiles (plain HTML), so a new tab's first Customers view waited for
Streamlit to load the grid's code, then its stylesheet, then the code of the search box and the
cluster filter beside it: five chunks one after another (benchmarks/README.md, rounds 27 and 28).
``ui.grid_ahead`` loads all of them once the page is idle; the view's own drawing then fetches
no script and no stylesheet. Prices' side is in tests/browser/test_browser_prices.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from support.browser_support import STEP_TIMEOUT, StreamlitServer, open_tab, streamlit_server
from support.cluster_support import FinishedRuns, make_runs

from pipeline.workflows.clustering.parameters import ClusteringParameters
from ui import grid_ahead, scene_component

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def finished(sample_xlsx, tmp_path_factory) -> FinishedRuns:
    runs = make_runs(
        tmp_path_factory.mktemp("grid-ahead-home"), sample_xlsx, {"k3": ClusteringParameters(k=3)}
    )
    assert runs.descriptions["k3"]["status"] == "SUCCEEDED", runs.descriptions["k3"]
    return runs


@pytest.fixture(scope="module")
def server(finished, tmp_path_factory) -> Iterator[StreamlitServer]:
    with streamlit_server(finished.home, tmp_path_factory.mktemp("grid-ahead-logs")) as running:
        yield running


def code_and_styles(urls: list[str]) -> list[str]:
    return [url.rsplit("/", 1)[-1] for url in urls if url.endswith((".js", ".css"))]


def test_customers_first_opening_in_a_new_tab_fetches_no_code_or_stylesheet(browser, server):
    with open_tab(browser) as tab:
        fetched: list[str] = []
        tab.on("request", lambda request: fetched.append(request.url))
        tab.goto(f"{server.url}/clusters")
        main = tab.get_by_test_id("stMain")
        expect(main.get_by_role("tab", name="Customers")).to_be_visible()
        tab.wait_for_function("() => window.rfmGridLoaded === true", timeout=STEP_TIMEOUT)
        assert main.get_by_test_id("stDataFrame").count() == 0  # loaded ahead of any grid
        ahead = code_and_styles(fetched)
        for name in (grid_ahead.GRID_CHUNK, *grid_ahead.CUSTOMERS_WIDGETS):
            assert [file for file in ahead if file.startswith(f"{name}.") and file.endswith(".js")], name
        assert [
            file for file in ahead if file.startswith(f"{grid_ahead.GRID_STYLE}.") and file.endswith(".css")
        ]

        before = len(fetched)
        main.get_by_role("tab", name="Customers", exact=True).click()
        grid = main.get_by_test_id("stDataFrame")
        expect(grid.locator("canvas").first).to_be_visible()
        expect(main.get_by_role("textbox", name="Search")).to_be_visible()

        # The 3-D scene drawn ahead may load Plotly.js meanwhile (ui.scene_component): not the grid's.
        scene = f"{scene_component.PLOTLY_CHUNK}."
        assert [file for file in code_and_styles(fetched[before:]) if not file.startswith(scene)] == []
        assert len(code_and_styles(fetched)) == len(set(code_and_styles(fetched)))  # each file once
