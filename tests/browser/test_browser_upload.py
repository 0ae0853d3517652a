"""A Load pressed just after choosing a new file loads that file, even while it is still uploading.

Found in a user check: with a dataset loaded from the upload box, a user chose another file and
pressed Load at once. The click reran the page while the new file was still on its way, so the
script saw the file the box held before (already loaded), and the new file's own rerun came
without a click: nothing changed, with no message. The box and its Load button now share a
form, and Streamlit holds a form's submit button disabled while one of its files uploads.

The upload is slowed with chromium's network emulation, so "while it uploads" lasts seconds
and the test does not depend on how fast this machine is.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from support.browser_support import STEP_TIMEOUT, StreamlitServer, file_chip, open_tab, streamlit_server
from support.hostile_data import transactions_csv

pytestmark = pytest.mark.browser

#: Bytes per second: the 2.5 MB sample workbook takes about five seconds to upload.
SLOW_UPLOAD = 500_000


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[StreamlitServer]:
    home = tmp_path_factory.mktemp("upload-home")
    logs = tmp_path_factory.mktemp("upload-logs")
    with streamlit_server(home, logs) as running:
        yield running


def choose(main, name: str, body: bytes, mime: str) -> None:
    main.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": body}]
    )
    expect(file_chip(main, name)).to_be_visible()


def active_dataset(main):
    """The line under "Active dataset" that names the loaded file."""
    return main.get_by_test_id("stText").filter(has_text="schema), invoices from")


def test_load_pressed_while_a_new_file_uploads_waits_for_it_and_loads_it(browser, server, sample_xlsx):
    with open_tab(browser) as tab:
        tab.goto(server.url)
        tab.get_by_test_id("stSidebarNav").get_by_role("link", name="Data", exact=True).click()
        main = tab.get_by_test_id("stMain")
        main.get_by_text("Upload", exact=True).click()
        load = main.get_by_role("button", name="Load", exact=True)

        choose(main, "first.csv", transactions_csv({17850: "United Kingdom", 12583: "France"}), "text/csv")
        load.click()
        expect(active_dataset(main)).to_contain_text("first.csv", timeout=STEP_TIMEOUT)

        network = tab.context.new_cdp_session(tab)
        network.send("Network.enable")
        network.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": SLOW_UPLOAD},
        )
        choose(main, "second.xlsx", sample_xlsx.read_bytes(), "application/vnd.ms-excel")
        # Read at once, not awaited: before the form, Load stayed enabled here until the page's
        # rerun for the emptied box came back, and a click in that time loaded the earlier file.
        assert load.is_disabled(), "Load could be pressed while the chosen file was still uploading"
        load.click(force=True)  # the user's click at once, on the disabled button: nothing runs
        tab.wait_for_timeout(1000)
        expect(load).to_be_disabled()
        expect(active_dataset(main)).to_contain_text("first.csv")

        expect(load).to_be_enabled(timeout=STEP_TIMEOUT)
        load.click()
        expect(active_dataset(main)).to_contain_text("second.xlsx", timeout=STEP_TIMEOUT)
        expect(main.get_by_test_id("stAlertContentError")).to_have_count(0)
