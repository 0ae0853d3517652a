"""Hostile text from data shows as text in the real renderer: no link, no image, no request.

Escaping alone does not stop GitHub-flavoured Markdown from linking bare URLs (it does so after
parsing, in the unescaped text), so what chromium draws is checked, not only the element's
body: a CSV whose header and a country are ``![x](http://127.0.0.1:9/t.png) [Log in](...)``
is uploaded, and the Data page's error and the Launch page's warning that quote them are read.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from playwright.sync_api import expect
from support.browser_support import STEP_TIMEOUT, StreamlitServer, open_tab, settled, streamlit_server
from support.hostile_data import HOSTILE, HOSTILE_HEADER_CSV, ONE_HOSTILE_COUNTRY, transactions_csv
from support.page_support import WORD_JOINER

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[StreamlitServer]:
    home = tmp_path_factory.mktemp("plain-home")
    logs = tmp_path_factory.mktemp("plain-logs")
    with streamlit_server(home, logs) as running:
        yield running


@pytest.fixture
def new_tab(browser, server):
    """Opens tabs on the app, each in a session of its own; every request they make is recorded."""
    requests: list[str] = []
    with ExitStack() as tabs:

        def new_session_tab():
            tab = tabs.enter_context(open_tab(browser))
            tab.on("request", lambda request: requests.append(request.url))
            tab.goto(server.url)
            return tab

        new_session_tab.requests = requests
        yield new_session_tab


def upload(tab, name: str, body: bytes) -> None:
    tab.get_by_test_id("stSidebarNav").get_by_role("link", name="Data", exact=True).click()
    main = tab.get_by_test_id("stMain")
    main.get_by_text("Upload", exact=True).click()
    main.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": body}]
    )
    expect(main.get_by_text(name)).to_be_visible()
    settled(tab, STEP_TIMEOUT)  # the upload's own run is over: Load now reads this file
    main.get_by_role("button", name="Load", exact=True).click()


def assert_plain(alert, text: str) -> None:
    """The alert shows ``text`` as characters (invisible word joiners aside), with no link or image."""
    assert text in alert.inner_text().replace(WORD_JOINER, "")
    assert alert.locator("a").count() == 0, alert.inner_html()
    assert alert.locator("img").count() == 0, alert.inner_html()


def test_a_hostile_header_and_country_show_as_text_and_fetch_nothing(new_tab):
    tab = new_tab()
    upload(tab, "orders.csv", HOSTILE_HEADER_CSV)
    error = tab.get_by_test_id("stMain").get_by_test_id("stAlertContentError")
    expect(error).to_be_visible()
    assert_plain(error, "InvoiceNo")

    tab = new_tab()
    upload(tab, "shop.csv", transactions_csv(ONE_HOSTILE_COUNTRY))
    main = tab.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Active dataset")).to_be_visible()
    tab.get_by_test_id("stSidebarNav").get_by_role("link", name="Launch", exact=True).click()
    main.get_by_role("combobox", name="Country").click()
    tab.get_by_role("option", name=HOSTILE).click()

    warning = main.get_by_test_id("stAlertContentWarning").filter(has_text="Log in")
    expect(warning).to_be_visible()
    assert_plain(warning, HOSTILE)
    assert not [url for url in new_tab.requests if "127.0.0.1:9" in url or "evil.example" in url]
