"""No request leaves the machine: the app, its page icon and its charts come from 127.0.0.1.

Every request chromium makes to anything but the app's server is blocked and recorded; the
Home page and the Executions page must draw without one. The page icon used to be a Material
icon that the browser fetched from a font CDN; it is the app's own PNG, sent inline by the
server (ui/page_icon.py).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from support.browser_support import STEP_TIMEOUT, StreamlitServer, open_tab, streamlit_server

from ui.page_icon import ICON

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path) -> Iterator[StreamlitServer]:
    with streamlit_server(tmp_path / "home", tmp_path) as running:
        yield running


def test_the_app_and_its_page_icon_load_with_every_outside_request_blocked(browser, server):
    outside: list[str] = []

    def only_local(route) -> None:
        url = route.request.url
        if url.startswith(server.url) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    with open_tab(browser) as tab:
        tab.context.route("**/*", only_local)
        tab.goto(server.url)
        main = tab.get_by_test_id("stMain")
        expect(main.get_by_role("heading", name="RFM Workflow Studio")).to_be_visible(timeout=STEP_TIMEOUT)
        icon = tab.locator("link[rel='icon'], link[rel='shortcut icon']").first
        expect(icon).to_have_attribute("href", re.compile("^data:image/png;base64,"))
        href = icon.get_attribute("href") or ""
        assert base64.b64decode(href.split(",", 1)[1]) == ICON.read_bytes()  # our own PNG, inline
        tab.get_by_test_id("stSidebarNav").get_by_role("link", name="Executions", exact=True).click()
        expect(main.get_by_text("No executions yet")).to_be_visible(timeout=STEP_TIMEOUT)
        tab.wait_for_load_state("networkidle")

    assert outside == []
