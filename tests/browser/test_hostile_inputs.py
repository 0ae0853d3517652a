"""Hostile inputs in a real browser: a 1.5 KB workbook that once killed the server, and data
text that plotly would have drawn as a live link.

Own ``streamlit run app.py`` server (not the journey test's), Debian's chromium via Playwright.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from playwright.sync_api import expect
from support.browser_support import StreamlitServer, open_tab, streamlit_server
from support.hostile_files import far_apart_cells

from pipeline.views.charts import top_countries

pytestmark = pytest.mark.browser

HOSTILE_COUNTRY = '<a href="https://evil.example/login">United Kingdom</a>'


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[StreamlitServer]:
    home = tmp_path_factory.mktemp("hostile-browser-home")
    logs = tmp_path_factory.mktemp("hostile-browser-logs")
    with streamlit_server(home, logs) as running:
        yield running


@pytest.fixture
def tab(browser):
    with open_tab(browser) as page:
        yield page


def open_page(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", name=title, exact=True).first).to_be_visible()


def test_a_workbook_that_exhausts_the_reader_gets_a_message_and_the_app_carries_on(tab, server):
    workbook = far_apart_cells("XFD1048576", dimension=None)  # cells at A1 and XFD1048576, undeclared
    assert len(workbook) < 2000
    tab.goto(server.url)
    open_page(tab, "Data")
    main = tab.get_by_test_id("stMain")

    main.get_by_text("Upload", exact=True).click()
    main.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": "tiny.xlsx", "mimeType": "application/octet-stream", "buffer": workbook}]
    )
    main.get_by_role("button", name="Load", exact=True).click()

    error = main.get_by_test_id("stAlertContentError")
    expect(error).to_contain_text("stopped at the memory limit")
    expect(error).to_contain_text("RFM_STUDIO_PARSE_MEMORY_MB")
    assert server.process.poll() is None, f"the server died:\n{server.log_tail()}"

    # The same session goes on: the bundled sample loads and its segments show.
    main.get_by_text("Bundled sample", exact=True).click()
    main.get_by_role("button", name="Load", exact=True).click()
    expect(main.get_by_role("heading", name="Active dataset")).to_be_visible()
    open_page(tab, "Segments")
    expect(
        tab.get_by_test_id("stMain").get_by_role("heading", name="What each segment means")
    ).to_be_visible()
    assert server.process.poll() is None


def test_a_country_written_as_a_link_is_drawn_as_text_in_a_chart(tab):
    clean = pd.DataFrame(
        {
            "Country": [HOSTILE_COUNTRY, "France"],
            "Revenue": [100.0, 50.0],
            "CustomerID": [1, 2],
        }
    )
    tab.set_content(top_countries(clean).to_html(include_plotlyjs=True, full_html=True))
    chart = tab.locator(".js-plotly-plot .main-svg").first
    expect(chart).to_be_visible()

    links = tab.locator(".js-plotly-plot a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert not [href for href in links if "evil" in (href or "")]
    assert tab.locator(".js-plotly-plot svg a").count() == 0
    ticks = tab.locator(".js-plotly-plot .ytick text").all_text_contents()
    assert HOSTILE_COUNTRY in ticks
