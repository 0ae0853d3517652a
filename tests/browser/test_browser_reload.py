"""A browser reload (F5) and a copied link keep the loaded dataset (``?dataset=<hash>``, ui/dataset_link.py).

The bug this guards against is the browser's: a reload starts a new Streamlit session, and the
dataset lived only in the old one. AppTest has no reload and no address bar, and Streamlit's
navigation's handling of the address is the browser's, so this is chromium.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from support.browser_support import STEP_TIMEOUT, StreamlitServer, open_tab, settled, streamlit_server

pytestmark = pytest.mark.browser

SAMPLE_NAME = "online_retail_sample_40k.xlsx"
DATASET_IN_ADDRESS = re.compile(r"[?&]dataset=[0-9a-f]{64}(&|$)")


@pytest.fixture
def server(tmp_path) -> Iterator[StreamlitServer]:
    with streamlit_server(tmp_path / "home", tmp_path) as running:
        yield running


def open_page(tab, title: str) -> None:
    tab.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    expect(tab.get_by_test_id("stMain").get_by_role("heading", name=title, exact=True).first).to_be_visible()
    settled(tab, STEP_TIMEOUT)


def test_a_reload_and_a_copied_link_keep_the_loaded_dataset(browser, server):
    with open_tab(browser) as tab:
        tab.goto(server.url)
        open_page(tab, "Data")
        main = tab.get_by_test_id("stMain")
        main.get_by_text("Bundled sample", exact=True).click()
        main.get_by_role("button", name="Load", exact=True).click()
        expect(main.get_by_role("heading", name="Active dataset")).to_be_visible()
        settled(tab, STEP_TIMEOUT)
        expect(tab).to_have_url(DATASET_IN_ADDRESS)

        open_page(tab, "Segments")  # the address still names the dataset on another page
        expect(tab).to_have_url(DATASET_IN_ADDRESS)
        address = tab.url

        tab.reload()

        sidebar = tab.get_by_test_id("stSidebar")
        expect(sidebar.get_by_text(SAMPLE_NAME, exact=True)).to_be_visible()
        main = tab.get_by_test_id("stMain")
        expect(main.get_by_role("heading", name="Segments", exact=True).first).to_be_visible()
        expect(tab.get_by_test_id("stMetric").filter(has_text="Customers").first).to_be_visible()
        expect(tab.get_by_text("Load a dataset on the Data page")).to_have_count(0)
        expect(tab).to_have_url(address)

    with open_tab(browser) as other:  # another visitor, given the link
        other.goto(address)
        expect(other.get_by_test_id("stSidebar").get_by_text(SAMPLE_NAME, exact=True)).to_be_visible()
        expect(other.get_by_test_id("stException")).to_have_count(0)
