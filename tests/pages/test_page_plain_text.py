"""Text from data or users shows as plain text: never a link, an image or formatting.

A CSV header, a country, a file name or a state name such as
``![x](http://host/t.png) [Log in](https://evil.example)`` showed as a remote image (the
browser fetched it) and a live link inside an error box. Each test puts such text where data
or users put it and inspects the body of the Markdown element that shows it: every Markdown
character is escaped, and unescaped it reads exactly as the data did.
"""

from __future__ import annotations

import html
import json

from streamlit.testing.v1 import AppTest
from support.hostile_data import HOSTILE, HOSTILE_HEADER_CSV, ONE_HOSTILE_COUNTRY, transactions_csv
from support.page_support import APP, autolinks, static_tables, unescaped, unescaped_punctuation
from support.streamlit_caches import fresh_caches  # noqa: F401 - autouse: no cached backends or results

import ui.backend
from pipeline.backends.local import LocalBackend
from pipeline.errors import DataError
from pipeline.local.client import LocalStepFunctionsClient, wait_for_status
from pipeline.workflows.clustering.build import WORKFLOW_NAME
from ui.names import Key, Page
from ui.sidebar import SIDEBAR_NAME_CHARS
from ui.text import middle_truncated

RUN_TIMEOUT = 120


def assert_shows_plainly(body: str, text: str) -> None:
    """``body`` (a Markdown element's) has no Markdown syntax and shows ``text`` literally."""
    assert unescaped_punctuation(body) == [], body
    assert autolinks(body) == [], body
    assert text in unescaped(body)


def show_data_error() -> None:
    from pipeline.errors import DataError
    from ui.errors import show_error

    show_error(DataError("Columns found: ![x](http://127.0.0.1:9/t.png) [Log in](https://evil.example)."))


def show_unexpected_error() -> None:
    from ui.errors import show_error

    show_error(RuntimeError("![x](http://127.0.0.1:9/t.png)"), "Loading")


def test_an_error_message_quoting_markdown_shows_it_as_plain_text():
    at = AppTest.from_function(show_data_error).run()

    assert not at.exception
    [error] = at.error
    assert_shows_plainly(error.value, f"Columns found: {HOSTILE}.")
    assert "](" not in error.value and "![" not in error.value


def test_an_unexpected_error_names_its_type_and_never_shows_its_text():
    at = AppTest.from_function(show_unexpected_error).run()

    [error] = at.error
    shown = unescaped(error.value)
    assert shown.startswith("Loading failed unexpectedly (RuntimeError); the server log has the details.")
    assert "127.0.0.1" not in shown
    assert unescaped_punctuation(error.value) == []


def upload(name: str, body: bytes) -> AppTest:
    """A new session of the app with ``body`` uploaded as ``name`` on the Data page."""
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT).run()
    at.switch_page(Page.DATA).run()
    at.radio(key="data_source").set_value("Upload").run()
    at.file_uploader(key="data_upload").set_value((name, body, "text/csv"))
    at.button(key="data_load").click().run()
    assert not at.exception
    return at


def test_a_hostile_csv_header_in_the_loaders_message_is_plain_text():
    at = upload("orders.csv", HOSTILE_HEADER_CSV)

    [error] = at.error
    assert unescaped_punctuation(error.value) == [] and autolinks(error.value) == [], error.value
    assert "InvoiceNo" in unescaped(error.value)  # the loader still says what is missing


def test_a_hostile_country_is_plain_text_in_the_launch_pages_warning():
    at = upload("shop.csv", transactions_csv(ONE_HOSTILE_COUNTRY))
    assert not at.error
    at.switch_page(Page.LAUNCH).run()
    active = at.session_state[Key.ACTIVE_DATASET]

    at.selectbox(key=f"launch_country_{active.content_hash[:12]}").set_value(HOSTILE).run()

    assert not at.exception
    [warning] = at.warning
    assert_shows_plainly(warning.value, HOSTILE)  # "Only 1 customer(s) in <country> to cluster ..."
    assert at.button(key="launch_run").disabled


def test_a_hostile_file_name_is_plain_text_on_every_page_it_shows():
    name = "![x](t.png) [Log in](javascript:alert(1)).csv"  # no slash: a browser sends none
    countries = {17850: "United Kingdom", 13047: "France", 12583: "Germany"}
    at = upload(name, transactions_csv(countries))
    assert not at.error

    for page in (Page.DATA, Page.LAUNCH, Page.HOME):
        at.switch_page(page).run()
        assert not at.exception
        texts = [element.value for element in at.text] + [element.value for element in at.sidebar.text]
        assert any(name in text for text in texts), page  # st.text never parses Markdown
        markdown = [element.value for element in (*at.markdown, *at.caption, *at.warning, *at.info)]
        assert not any("](" in body for body in markdown), page


def test_a_long_file_name_is_cut_in_the_middle_in_the_sidebar_whole_in_its_tooltip():
    """The sidebar split "online_retail_resampled_541909.xlsx" inside its extension ("….xl" / "sx")."""
    name = "online_retail_resampled_541909.xlsx"
    countries = {17850: "United Kingdom", 13047: "France"}
    at = upload(name, transactions_csv(countries))
    assert not at.error

    [shown] = [text for text in at.sidebar.text if "\u2026" in text.value]
    assert shown.value == "online_retail_\u2026led_541909.xlsx"  # start and extension kept whole
    assert len(shown.value) == SIDEBAR_NAME_CHARS
    assert unescaped(shown.proto.help) == name
    assert not unescaped_punctuation(shown.proto.help)  # the tooltip is Markdown: escaped

    short = "orders.csv"
    assert middle_truncated(short, SIDEBAR_NAME_CHARS) == short


def test_a_hostile_state_name_is_plain_text_in_the_steps_of_an_execution(tmp_path, monkeypatch):
    monkeypatch.setenv("RFM_STUDIO_HOME", str(tmp_path))
    monkeypatch.setattr(
        ui.backend, "get_backend", lambda name: LocalBackend(LocalStepFunctionsClient(mode="thread"))
    )
    client = LocalStepFunctionsClient(mode="thread")
    # Its result as the step panel's static tables read it (Markdown, unlike a grid): a figure, a
    # header and a list's cell from data.
    result = {"note": HOSTILE, HOSTILE: "1", "items": [{"description": HOSTILE, "customer_share": 0.25}]}
    definition = {
        "StartAt": "Make result",
        "States": {
            "Make result": {"Type": "Pass", "Result": result, "Next": HOSTILE},
            HOSTILE: {"Type": "Succeed"},  # its output is the workflow's result, which the panel shows
        },
    }
    machine = client.create_state_machine(
        name=WORKFLOW_NAME, definition=json.dumps(definition), roleArn="arn:aws:iam::000000000000:role/x"
    )
    arn = client.start_execution(stateMachineArn=machine["stateMachineArn"], name="hostile", input="{}")[
        "executionArn"
    ]
    assert wait_for_status(client, arn, RUN_TIMEOUT)["status"] == "SUCCEEDED"

    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT).run()
    at.switch_page(Page.EXECUTIONS).run()

    assert not at.exception and not at.error
    # The step picker is a selectbox (never Markdown); the details panel's heading, status line and
    # short tables are the app's own HTML (pipeline.views.step_html), every text from the run escaped.
    assert list(at.selectbox(key=f"step_{arn}").options) == ["Make result", HOSTILE]
    [panel] = [element.proto.body for element in at.get("html") if 'class="sp-name"' in element.proto.body]
    assert f'<h4 class="sp-name">{html.escape(HOSTILE)}</h4>' in panel
    assert "<a" not in panel and "<img" not in panel  # st.html reads no Markdown: no link, no image
    assert not at.table  # no Markdown table
    figures, items = static_tables(at)
    assert HOSTILE in set(figures["Value"])
    assert items.to_dict("records") == [{"Description": HOSTILE, "Customer share": "25.00%"}]


def test_data_error_messages_keep_their_text_when_unescaped():
    # The escaping loses nothing: what the user reads is the message, character for character.
    from ui.text import plain

    markup = "\\ `code` <b>&amp;</b> $x$ :red[y] :material/home: # * _ ~ | = www.example.com a@b.example"
    message = str(DataError(f"'{HOSTILE}' lacks the column {markup}\n# heading"))
    assert unescaped(plain(message)) == message
    assert unescaped_punctuation(plain(message)) == []
    assert autolinks(message) and autolinks(plain(message)) == []
