"""Hostile inputs in a real browser: a 1.5 KB workbook that once killed the server, data text
that plotly would have drawn as a live link, a cell over the length limit, S3 address mistakes,
and a file of ten thousand countries.

Own ``streamlit run app.py`` server (not the journey test's), Debian's chromium via Playwright.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from playwright.sync_api import expect
from support.browser_support import StreamlitServer, file_chip, open_tab, settled, streamlit_server
from support.hostile_files import GOOD_ROW, HEADER, csv_bytes, far_apart_cells

from pipeline.views.charts import top_countries
from pipeline.views.text import AXIS_LABEL_CHARS

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
    expect(file_chip(main, "tiny.xlsx")).to_be_visible()
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
    assert HOSTILE_COUNTRY[: AXIS_LABEL_CHARS - 1] + "…" in ticks  # drawn as text, cut as any long name


def upload(tab, name: str, data: bytes) -> None:
    main = tab.get_by_test_id("stMain")
    main.get_by_text("Upload", exact=True).click()
    main.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": data}]
    )
    expect(file_chip(main, name)).to_be_visible()
    main.get_by_role("button", name="Load", exact=True).click()


def test_a_cell_over_the_length_limit_is_refused_with_its_column_and_row(tab, server):
    tab.goto(server.url)
    open_page(tab, "Data")

    upload(tab, "long.csv", csv_bytes(Description="W" * 200_000))

    error = tab.get_by_test_id("stMain").get_by_test_id("stAlertContentError")
    expect(error).to_contain_text(
        "Column 'Description' of 'long.csv' has a cell over the limit of 1,000 characters"
    )
    expect(error).to_contain_text("data row 2 (200,000 characters)")
    assert "W" * 100 not in error.inner_text()
    assert server.process.poll() is None


@pytest.mark.parametrize(
    "address, expected",
    [("s3://b", "names no object, only the bucket"), ("s3://shop data/x.csv", "valid bucket name")],
)
def test_an_s3_address_mistake_shows_its_message_without_a_loading_box(tab, server, address, expected):
    tab.goto(server.url)
    open_page(tab, "Data")
    main = tab.get_by_test_id("stMain")
    main.get_by_text("S3", exact=True).click()
    main.get_by_role("textbox", name="S3 URI").fill(address)
    main.get_by_role("textbox", name="S3 URI").press("Enter")
    settled(tab)

    main.get_by_role("button", name="Load", exact=True).click()

    expect(main.get_by_test_id("stAlertContentError")).to_contain_text(expected)
    expect(main.get_by_test_id("stExpander")).to_have_count(0)  # st.status draws an expander


def test_a_file_of_ten_thousand_countries_loads_and_one_of_them_can_be_chosen(tab, server):
    rows = [
        ",".join({**GOOD_ROW, "CustomerID": str(20_000 + i), "Country": f"Country {i:05d}"}.values())
        for i in range(10_000)
    ]
    tab.goto(server.url)
    open_page(tab, "Data")
    upload(tab, "countries.csv", ("\n".join([HEADER, *rows]) + "\n").encode())
    expect(tab.get_by_test_id("stMain").get_by_role("heading", name="Active dataset")).to_be_visible()

    open_page(tab, "Segments")
    box = tab.get_by_test_id("stMain").get_by_role("combobox", name="Countries")
    box.click()
    box.fill("Country 09999")
    tab.get_by_role("option", name="Country 09999", exact=True).click()
    tab.keyboard.press("Escape")

    customers = tab.get_by_test_id("stMain").get_by_test_id("stMetric").filter(has_text="Customers")
    expect(customers).to_contain_text("1")
    expect(customers).not_to_contain_text("10,000")
    assert server.process.poll() is None
