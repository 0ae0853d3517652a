"""A deep link on a fresh server: the first request a server ever gets is for /segments (say).

The page must run through app.py (its navigation, config and sidebar), as every page does.
With a ``pages/`` folder beside app.py, Streamlit 1.67 ran such a first request as the page
file alone; a server that had already served the root could not show it. So each case gets
a server of its own, started for it, whose first request is the deep link.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from support.browser_support import StreamlitServer, open_tab, streamlit_server

pytestmark = pytest.mark.browser

DEEP_LINKS = {
    "segments": ("Segments", "Load a dataset on the Data page to see its customer segments."),
    "executions": ("Executions", "No executions yet: launch a clustering run on the Launch page."),
}


@pytest.fixture
def fresh_server(tmp_path) -> Iterator[StreamlitServer]:
    """A server nobody has opened yet, with its own data directory."""
    with streamlit_server(tmp_path / "home", tmp_path) as running:
        yield running


@pytest.mark.parametrize("path", list(DEEP_LINKS))
def test_a_deep_link_as_first_request_opens_the_page_inside_the_app_with_its_sidebar(
    browser, fresh_server, path
):
    title, empty_state = DEEP_LINKS[path]
    with open_tab(browser) as tab:
        tab.goto(f"{fresh_server.url}/{path}")

        main = tab.get_by_test_id("stMain")
        expect(main.get_by_role("heading", name=title, exact=True).first).to_be_visible()
        expect(main.get_by_text(empty_state)).to_be_visible()
        sidebar = tab.get_by_test_id("stSidebar")
        expect(sidebar.get_by_role("link", name="Launch", exact=True)).to_be_visible()
        expect(sidebar.get_by_text("No dataset loaded yet: choose one on the Data page.")).to_be_visible()
        expect(sidebar.get_by_text("Local engine (this machine)")).to_be_visible()
