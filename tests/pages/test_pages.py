"""AppTest runs of the app: Home, the Data page and the Segments page on the real sample."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pandas as pd
import pytest
import streamlit as st
from moto import mock_aws
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Dataframe
from support.page_support import APP, metrics_in_columns, sidebar_backend, unescaped
from support.segments_support import open_rfm_table

from pipeline.analysis import rfm
from pipeline.config import UCI_ONLINE_RETAIL_URL
from pipeline.loading.dataset import clean_transactions, load_transactions
from pipeline.workflows.registry import WORKFLOWS
from ui import data as ui_data
from ui.names import Key, Page

RUN_TIMEOUT = 120  # the first load parses 40k rows on a shared, busy machine
DATA_PAGE = Page.DATA
SEGMENTS_PAGE = Page.SEGMENTS


@pytest.fixture(scope="module")
def expected(sample_xlsx):
    """Independent figures of the sample, computed with plain pandas from the raw workbook."""
    raw = pd.read_excel(sample_xlsx, engine="calamine")
    invoice = raw["InvoiceNo"].astype(str)
    keep = raw["CustomerID"].notna() & ~invoice.str.startswith("C")
    keep &= (raw["Quantity"] > 0) & (raw["UnitPrice"] > 0)
    kept = raw[keep].drop_duplicates()
    return {"rows_read": len(raw), "rows_kept": len(kept), "customers": kept["CustomerID"].nunique()}


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.main.metric}


def sidebar_text(at: AppTest) -> str:
    return "\n".join(text.value for text in at.sidebar.text)


def start(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT).run()
    if page:
        at.switch_page(page).run()
    assert not at.exception
    return at


def load_bundled_sample(at: AppTest) -> AppTest:
    at.switch_page(DATA_PAGE).run()
    at.radio(key="data_source").set_value("Bundled sample").run()
    at.button(key="data_load").click().run()
    assert not at.exception
    return at


@pytest.fixture
def loaded() -> AppTest:
    """The app with the bundled sample loaded on the Data page."""
    return load_bundled_sample(start())


def test_home_explains_the_app_and_links_to_the_data_page_when_nothing_is_loaded():
    at = start()

    assert at.title[0].value == "RFM Workflow Studio"
    assert "Load a dataset on the Data page" in [link.label for link in at.get("page_link")]
    assert "No dataset loaded yet" in at.sidebar.caption[0].value
    assert sidebar_backend(at) == "Local engine (this machine)"


def test_data_page_offers_the_four_sources_and_shows_the_sample_attribution():
    at = start(DATA_PAGE)

    assert at.radio(key="data_source").options == ["Bundled sample", "Upload", "URL", "S3"]
    assert any("CC BY 4.0" in caption.value for caption in at.caption)


def test_loading_the_bundled_sample_shows_the_cleaning_report_charts_and_preview(loaded, expected):
    shown = metrics(loaded)
    assert shown["Rows read"] == f"{expected['rows_read']:,}"
    assert shown["Rows kept"] == f"{expected['rows_kept']:,}"
    assert shown["Customers"] == f"{expected['customers']:,}"
    assert len(loaded.get("plotly_chart")) == 3  # removed waterfall, revenue by month, top countries
    removed_table, preview = loaded.dataframe
    assert removed_table.value["Reason"].iloc[0] == "Missing CustomerID"
    assert len(preview.value) == 100
    assert not loaded.error


def test_the_table_of_removed_rows_follows_its_chart_where_a_narrow_page_stacks_them(loaded):
    # At 800 px the charts stack in reading order: the table of what cleaning removed must come
    # right under its chart, not after the revenue by month chart.
    order = [
        "table"
        if isinstance(element, Dataframe)
        else json.loads(element.proto.spec)["layout"]["title"]["text"]
        for element in loaded.main
        if isinstance(element, Dataframe) or element.type == "plotly_chart"
    ]

    assert order[:4] == [
        "What cleaning removed, and why",
        "table",
        "Revenue by month",
        order[3],
    ]
    assert order[3].startswith("Top 10 countries")


def test_the_sidebar_shows_the_active_dataset_on_every_page(loaded, expected):
    home = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    home.session_state[Key.ACTIVE_DATASET] = loaded.session_state[Key.ACTIVE_DATASET]
    for run_page in (
        lambda: loaded.switch_page(DATA_PAGE).run(),
        lambda: loaded.switch_page(SEGMENTS_PAGE).run(),
        home.run,
    ):
        text = sidebar_text(run_page())
        assert "online_retail_sample_40k.xlsx" in text
        assert f"{expected['customers']:,} customers" in text
        assert "2010-12-01 to 2011-12-09" in text


def test_home_shows_the_active_dataset_and_links_to_the_next_pages(loaded, expected):
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    at.session_state[Key.ACTIVE_DATASET] = loaded.session_state[Key.ACTIVE_DATASET]
    at.run()

    assert metrics(at)["Customers"] == f"{expected['customers']:,}"
    assert [link.label for link in at.get("page_link")] == [
        "See the RFM segments",
        "Launch a workflow",
        "Watch the executions",
        "Explore the clusters of a clustering run",
        "See the predictions of a price-regression run",
    ]


def test_home_presents_every_registry_workflow_with_its_purpose():
    at = start()

    shown = "\n".join(markdown.value for markdown in at.markdown)
    for spec in WORKFLOWS:
        assert f"- **{spec.title}**: {spec.purpose}" in shown


def test_home_shows_the_local_backend_healthy():
    at = start()

    assert "Local engine (this machine)" in [text.value for text in at.text]
    checks = [block.value for block in at.markdown if block.value.startswith(":material/")]
    assert checks and all("check_circle" in check for check in checks)
    assert not at.warning


def test_home_shows_what_the_aws_backend_is_missing():
    # tests/conftest.py leaves no AWS settings or credentials
    st.cache_data.clear()  # the backend and its health are cached per process
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    at.session_state[Key.BACKEND] = "aws"
    at.run()

    assert not at.exception
    assert "AWS (Step Functions + SageMaker)" in [text.value for text in at.text]
    assert any(":material/error:" in block.value for block in at.markdown)
    assert "RFM_AWS_REGION" in unescaped(" ".join(block.value for block in at.markdown))
    assert at.warning


def test_uploading_the_sample_workbook_loads_it(sample_xlsx, expected):
    at = start(DATA_PAGE)
    at.radio(key="data_source").set_value("Upload").run()
    upload = ("my-shop.xlsx", sample_xlsx.read_bytes(), "application/vnd.ms-excel")
    at.file_uploader(key="data_upload").set_value(upload)
    at.button(key="data_load").click().run()

    assert not at.exception and not at.error
    assert metrics(at)["Rows kept"] == f"{expected['rows_kept']:,}"
    assert "my-shop.xlsx" in sidebar_text(at)


def test_load_is_one_form_submit_button_whatever_the_source():
    # One form: Streamlit holds a form's submit button disabled while one of its files uploads
    # (chromium's side: tests/browser/test_browser_upload.py). One button: a Load clicked during
    # the rerun a source change causes counts (a form's button and a plain one were two widgets,
    # and such a click was lost in tests/browser/test_hostile_inputs.py).
    at = start(DATA_PAGE)
    ids = set()
    for source in ui_data.SOURCES:
        at.radio(key="data_source").set_value(source).run()
        load = at.button(key="data_load")
        assert load.form_id and load in at.form_submit_button, source
        ids.add(load.id)
    assert len(ids) == 1
    at.radio(key="data_source").set_value("Upload").run()
    assert at.file_uploader(key="data_upload").form_id == at.button(key="data_load").form_id


@pytest.mark.parametrize("source, key", [("URL", "data_url"), ("S3", "data_s3")])
def test_load_with_an_empty_address_says_what_to_do(source, key):
    at = start(DATA_PAGE)
    at.radio(key="data_source").set_value(source).run()
    at.text_input(key=key).set_value("  ")
    at.button(key="data_load").click().run()

    assert not at.exception and not at.error and not at.status
    assert [warning.value for warning in at.warning] == [ui_data.NOTHING_TO_LOAD[source]]
    assert Key.ACTIVE_DATASET not in at.session_state


def test_load_with_no_file_chosen_says_what_to_do_and_keeps_the_dataset(loaded):
    before = loaded.session_state[Key.ACTIVE_DATASET]
    loaded.radio(key="data_source").set_value("Upload").run()
    loaded.button(key="data_load").click().run()

    assert not loaded.exception and not loaded.error and not loaded.status
    assert [warning.value for warning in loaded.warning] == [ui_data.NO_FILE_CHOSEN]
    assert loaded.session_state[Key.ACTIVE_DATASET] == before
    assert "online_retail_sample_40k.xlsx" in sidebar_text(loaded)


def test_a_bad_upload_shows_an_error_and_keeps_the_previous_dataset(loaded):
    before = loaded.session_state[Key.ACTIVE_DATASET]
    loaded.radio(key="data_source").set_value("Upload").run()
    loaded.file_uploader(key="data_upload").set_value(("orders.csv", b"order,amount\n1,2\n", "text/csv"))
    loaded.button(key="data_load").click().run()

    assert not loaded.exception
    assert len(loaded.error) == 1
    assert "InvoiceNo" in loaded.error[0].value  # the loader names the missing columns
    assert loaded.session_state[Key.ACTIVE_DATASET] == before
    assert "online_retail_sample_40k.xlsx" in sidebar_text(loaded)
    assert len(loaded.get("plotly_chart")) == 3  # the previous dataset's report is still shown


def test_segments_page_without_a_dataset_points_to_the_data_page():
    at = start(SEGMENTS_PAGE)

    assert "Load a dataset on the Data page" in at.info[0].value
    assert [link.label for link in at.get("page_link")] == ["Load a dataset on the Data page"]
    assert not at.download_button


def test_segments_page_scores_every_customer_of_the_sample(loaded, expected):
    loaded.switch_page(SEGMENTS_PAGE).run()

    assert not loaded.exception and not loaded.error
    assert metrics(loaded)["Customers"] == f"{expected['customers']:,}"
    assert metrics(loaded)["As of"] == "2011-12-10"
    # One chart drawn: the open tab's treemap, plain HTML with a tile for each segment of the
    # sample (tests/pages/test_page_segments_drawing.py has the others).
    assert not loaded.get("plotly_chart")
    [treemap] = [html.proto.body for html in loaded.get("html") if 'class="tm"' in html.proto.body]
    assert treemap.count('class="tm-tile"') == len(rfm.SEGMENTS)  # all eleven occur in the sample
    table = open_rfm_table(loaded)  # in its expander; the segment figures' grid is in a closed tab
    assert len(table.value) == expected["customers"]
    columns = {"CustomerID", "Recency", "Frequency", "Monetary", "R", "F", "M", "Segment"}
    assert columns <= set(table.value.columns)
    assert loaded.download_button[0].label == "Download the RFM table (CSV)"


def test_segments_page_country_filter_scores_only_that_country(loaded, sample_xlsx):
    clean, _ = clean_transactions(load_transactions(sample_xlsx, use_cache=False).transactions)
    france = clean.loc[clean["Country"] == "France", "CustomerID"].nunique()
    loaded.switch_page(SEGMENTS_PAGE).run()

    loaded.multiselect[0].set_value(["France"]).run()

    assert not loaded.exception and not loaded.error
    assert metrics(loaded)["Customers"] == f"{france:,}"
    assert set(open_rfm_table(loaded).value["Country"]) == {"France"}


def test_segments_page_explains_an_as_of_date_before_the_last_invoice(loaded):
    loaded.switch_page(SEGMENTS_PAGE).run()
    loaded.toggle[0].set_value(True).run()

    loaded.date_input[1].set_value(dt.date(2011, 6, 1)).run()

    assert not loaded.exception
    assert "before the last invoice" in loaded.error[0].value
    assert not loaded.download_button


def test_segments_page_warns_when_the_as_of_date_is_after_the_data_ends(loaded):
    loaded.switch_page(SEGMENTS_PAGE).run()
    loaded.toggle[0].set_value(True).run()

    loaded.date_input[1].set_value(dt.date(2012, 3, 1)).run()

    assert not loaded.exception and not loaded.error
    warning = loaded.warning[0].value
    assert "82 days after the data ends (2011-12-09)" in warning
    assert "Recency" in warning


@pytest.fixture
def sample_server(sample_xlsx, monkeypatch):
    """An HTTP server on 127.0.0.1 serving the sample at /Online%20Retail.xlsx (loopback URLs
    allowed, as on-premise users allow them: the app refuses non-public addresses by default)."""
    monkeypatch.setenv("RFM_STUDIO_ALLOW_PRIVATE_URLS", "1")
    body = sample_xlsx.read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/Online%20Retail.xlsx":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def test_the_url_source_defaults_to_the_uci_download():
    at = start(DATA_PAGE)
    at.radio(key="data_source").set_value("URL").run()

    assert at.text_input(key="data_url").value == UCI_ONLINE_RETAIL_URL


def test_loading_from_a_url_shows_the_cleaning_report(sample_server, expected):
    at = start(DATA_PAGE)
    at.radio(key="data_source").set_value("URL").run()
    at.text_input(key="data_url").set_value(f"{sample_server}/Online%20Retail.xlsx")
    at.button(key="data_load").click().run()

    assert not at.exception and not at.error
    assert metrics(at)["Rows read"] == f"{expected['rows_read']:,}"


def test_a_url_that_answers_404_shows_the_loader_message(sample_server):
    at = start(DATA_PAGE)
    at.radio(key="data_source").set_value("URL").run()
    at.text_input(key="data_url").set_value(f"{sample_server}/missing.xlsx")
    at.button(key="data_load").click().run()

    assert not at.exception
    assert "404" in at.error[0].value
    assert Key.ACTIVE_DATASET not in at.session_state


def test_loading_from_s3_reads_the_object(monkeypatch, sample_xlsx, expected):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="shop-data")
        s3.put_object(Bucket="shop-data", Key="raw/retail.xlsx", Body=sample_xlsx.read_bytes())
        at = start(DATA_PAGE)
        at.radio(key="data_source").set_value("S3").run()
        at.text_input(key="data_s3").set_value("s3://shop-data/raw/retail.xlsx")
        at.button(key="data_load").click().run()

    assert not at.exception and not at.error
    assert metrics(at)["Rows kept"] == f"{expected['rows_kept']:,}"
    assert "retail.xlsx" in sidebar_text(at)


def test_an_unexpected_failure_is_a_friendly_error_not_a_traceback(loaded, monkeypatch):
    def broken_loader(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("pipeline.loading.dataset.load_transactions", broken_loader)
    before = loaded.session_state[Key.ACTIVE_DATASET]
    loaded.button(key="data_load").click().run()

    assert not loaded.exception
    assert "Loading failed unexpectedly (RuntimeError)" in unescaped(loaded.error[0].value)
    assert loaded.session_state[Key.ACTIVE_DATASET] == before


def test_revenue_metrics_are_in_pounds_with_thousands_separators(loaded, sample_clean):
    clean, _ = sample_clean
    revenue = float(clean["Revenue"].sum())

    assert metrics(loaded)["Revenue"] == f"£{revenue:,.0f}"
    loaded.switch_page(SEGMENTS_PAGE).run()
    assert metrics(loaded)["Revenue"] == f"£{revenue:,.0f}"


def test_home_data_and_segments_metrics_wrap_instead_of_cutting_values_off(loaded, expected):
    # At 1000 px the five Data metrics in st.columns showed "40,…" and Home "2010-1…".
    assert metrics(loaded)["Revenue"]
    assert metrics_in_columns(loaded.main) == []
    loaded.switch_page(SEGMENTS_PAGE).run()
    assert metrics(loaded)["As of"] == "2011-12-10"
    assert metrics_in_columns(loaded.main) == []
    home = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    home.session_state[Key.ACTIVE_DATASET] = loaded.session_state[Key.ACTIVE_DATASET]
    home.run()
    assert metrics(home)["Customers"] == f"{expected['customers']:,}"
    assert metrics_in_columns(home.main) == []
    assert "Invoices from 2010-12-01 to 2011-12-09" in [text.value for text in home.main.text]


@pytest.mark.parametrize("source, key", [("URL", "data_url"), ("S3", "data_s3")])
def test_the_url_and_s3_fields_refuse_a_path_on_the_server(loaded, sample_xlsx, source, key):
    before = loaded.session_state[Key.ACTIVE_DATASET]
    loaded.radio(key="data_source").set_value(source).run()
    loaded.text_input(key=key).set_value(str(sample_xlsx))

    loaded.button(key="data_load").click().run()

    assert not loaded.exception
    message = unescaped(loaded.error[0].value)
    assert "is not an" in message and str(sample_xlsx) in message
    assert loaded.session_state[Key.ACTIVE_DATASET] == before
    assert not [node for node in loaded.main.children.values() if getattr(node, "type", None) == "status"]


def test_a_failed_load_closes_its_status_box_as_failed_and_shows_the_reason_outside_it(loaded):
    loaded.radio(key="data_source").set_value("Upload").run()
    loaded.file_uploader(key="data_upload").set_value(("empty.csv", b"", "text/csv"))

    loaded.button(key="data_load").click().run()

    statuses = [node for node in loaded.main.children.values() if getattr(node, "type", None) == "status"]
    assert [(s.proto.label, s.proto.expanded) for s in statuses] == [("Loading failed", False)]
    assert "empty" in loaded.error[0].value
    assert not [e for e in statuses[0].children.values() if getattr(e, "type", None) == "alert"]
    assert "The active dataset is unchanged." in [caption.value for caption in loaded.main.caption]


def test_choosing_every_country_shows_all_countries_instead_of_a_tag_for_each(loaded, expected):
    loaded.switch_page(SEGMENTS_PAGE).run()
    every = list(loaded.multiselect[0].options)

    loaded.multiselect[0].set_value(every).run()

    assert not loaded.exception and not loaded.error
    assert loaded.multiselect[0].value == []  # the box shows its "All countries" placeholder
    assert metrics(loaded)["Customers"] == f"{expected['customers']:,}"


def test_the_as_of_date_says_which_days_it_accepts(loaded):
    loaded.switch_page(SEGMENTS_PAGE).run()
    loaded.toggle[0].set_value(True).run()

    as_of = loaded.date_input[1]
    assert as_of.proto.max == "2016-12-09"  # five years after the last invoice (2011-12-09)
    assert "2010-12-01 to 2016-12-09" in as_of.help
    assert "2010-12-01 to 2016-12-09" in " ".join(caption.value for caption in loaded.caption)
    assert "2010-12-01 to 2011-12-09" in loaded.date_input[0].help


def test_data_page_reruns_share_the_datasets_figures_instead_of_copying_them(loaded):
    from ui import data

    active = loaded.session_state[Key.ACTIVE_DATASET]
    figures = data.dataset_figures(*active.key)
    before = {name: figure.to_json() for name, figure in figures.items()}

    loaded.radio(key="data_source").set_value("URL").run()

    assert not loaded.exception
    assert len(loaded.get("plotly_chart")) == 3
    assert data.dataset_figures(*active.key) is figures  # the very object: no unpickled copy per rerun
    assert {name: figure.to_json() for name, figure in figures.items()} == before


def test_a_one_line_upload_is_counted_in_the_singular(sample_xlsx):
    # One real line of the sample, alone in a CSV: "Loaded 1 rows" and "1 customers" read as bugs.
    sample = pd.read_excel(sample_xlsx, nrows=50)
    line = sample[sample["CustomerID"].notna() & (sample["Quantity"] > 0)].head(1)
    at = start(DATA_PAGE)
    at.radio(key="data_source").set_value("Upload").run()
    body = line.to_csv(index=False).encode()
    at.file_uploader(key="data_upload").set_value(("one-line.csv", body, "text/csv"))

    at.button(key="data_load").click().run()

    assert not at.exception and not at.error
    assert [status.label for status in at.status] == ["Loaded 1 row"]
    text = sidebar_text(at)
    assert "1 of 1 row kept\n1 customer\n" in text
