"""Hostile text from data shows as text in the real renderer: no link, no image, no request.

Escaping alone does not stop GitHub-flavoured Markdown from linking bare URLs (it does so after
parsing, in the unescaped text), so what chromium draws is checked, not only the element's
body: a CSV whose header and a country are ``![x](http://127.0.0.1:9/t.png) [Log in](...)``
is uploaded, and the Data page's error and the Launch page's warning that quote them are read;
a price run on products so described shows them in the Executions step panel's static table, and
the runs table shows its dataset's hostile name as text.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from playwright.sync_api import expect
from support.browser_support import (
    STEP_TIMEOUT,
    StreamlitServer,
    file_chip,
    open_tab,
    settled,
    streamlit_server,
)
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
    expect(file_chip(main, name)).to_be_visible()
    main.get_by_role("button", name="Load", exact=True).click()  # waits while the form holds it disabled


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


def test_a_hostile_description_in_a_steps_static_table_shows_as_text(browser, sample_xlsx, tmp_path):
    # The step panel's short result tables are the app's HTML (pipeline.views.step_html; they were
    # st.table, which reads its cells as Markdown): a price run whose product descriptions are
    # hostile lists them under "Largest errors" as the characters they are.
    from support.cluster_support import make_runs

    from pipeline.loading.dataset import load_transactions
    from pipeline.workflows.price_regression.parameters import RegressionParameters

    home = tmp_path / "home"
    home.mkdir()
    transactions = load_transactions(sample_xlsx, use_cache=False).transactions.assign(Description=HOSTILE)
    hostile = tmp_path / "hostile-descriptions.parquet"
    transactions.to_parquet(hostile, index=False)
    # The dataset's name is the user's too (an upload's file name): the runs table shows it as text.
    hostile_name = HOSTILE + ' <img src="http://127.0.0.1:9/n.png"><b>bold</b>'
    finished = make_runs(
        home, hostile, {"prices": RegressionParameters(rmse_threshold=1000.0)}, dataset_name=hostile_name
    )
    assert finished.descriptions["prices"]["status"] == "SUCCEEDED", finished.descriptions

    (tmp_path / "logs").mkdir()
    requests: list[str] = []
    with streamlit_server(home, tmp_path / "logs") as server, open_tab(browser) as tab:
        tab.on("request", lambda request: requests.append(request.url))
        tab.goto(f"{server.url}/executions")
        main = tab.get_by_test_id("stMain")
        errors = main.locator("table.sp-table").filter(has_text="Share of squared error")
        expect(errors).to_be_visible(timeout=STEP_TIMEOUT)
        settled(tab, STEP_TIMEOUT)
        cells = errors.locator("td").filter(has_text="Log in")
        expect(cells.first).to_be_visible()
        assert cells.count() >= 1
        assert_plain(errors, HOSTILE)
        assert errors.locator("strong, em, code").count() == 0, errors.inner_html()
        runs_table = main.locator(".rt")
        dataset_cell = runs_table.locator("tbody td").nth(4)  # Name, Status, Quality, Workflow, Dataset
        assert dataset_cell.text_content() == hostile_name
        assert dataset_cell.get_attribute("title") == hostile_name
        assert runs_table.locator("a, img, b").count() == 0, runs_table.inner_html()
    assert not [url for url in requests if "127.0.0.1:9" in url or "evil.example" in url]
