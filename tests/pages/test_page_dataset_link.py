"""``?dataset=<hash>``: a reload or a copied link keeps the dataset the user loaded (ui/dataset_link.py).

Each AppTest here is its own session, as a browser reload or a new tab is: what the second one
shows comes from the address alone, and from this server's cache of the real sample.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from support.page_support import APP

import pipeline.loading.loaded_records as loaded_records
from ui.dataset_link import GONE_MESSAGE
from ui.names import DATASET_QUERY_PARAM, RUN_QUERY_PARAM, Key, Page
from ui.state import ActiveDataset

RUN_TIMEOUT = 120  # the first load parses 40k rows on a shared, busy machine
SAMPLE_NAME = "online_retail_sample_40k.xlsx"


def sidebar_text(at: AppTest) -> str:
    return "\n".join(text.value for text in at.sidebar.text)


def load_bundled_sample() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT).run()
    at.switch_page(Page.DATA).run()
    at.radio(key="data_source").set_value("Bundled sample").run()
    at.button(key="data_load").click().run()
    assert not at.exception
    return at


def new_session(query: dict[str, str], page: str | None = None) -> AppTest:
    """A new session (a reload, a new tab) opened on ``query``, on Home or then ``page``."""
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    at.query_params.update(query)
    at.run()
    if page is not None:
        at.switch_page(page).run()
    return at


def test_a_reload_restores_the_loaded_dataset_on_every_page(sample_dataset):
    loaded = load_bundled_sample()
    active = loaded.session_state[Key.ACTIVE_DATASET]
    assert active.content_hash == sample_dataset.content_hash
    assert loaded.query_params[DATASET_QUERY_PARAM] == active.content_hash

    home = new_session({DATASET_QUERY_PARAM: active.content_hash})

    assert not home.exception
    assert GONE_MESSAGE not in [info.value for info in home.info]
    assert home.session_state[Key.ACTIVE_DATASET] == active  # the record load_dataset made, whole
    assert SAMPLE_NAME in sidebar_text(home)
    assert "2010-12-01 to 2011-12-09" in sidebar_text(home)

    home.switch_page(Page.SEGMENTS).run()
    assert not home.exception
    assert home.query_params[DATASET_QUERY_PARAM] == active.content_hash  # put back after the switch
    assert "Load a dataset on the Data page" not in " ".join(info.value for info in home.info)
    shown = {metric.label: metric.value for metric in home.main.metric}
    assert shown["Customers"] == f"{active.customers:,}"

    data = new_session({DATASET_QUERY_PARAM: active.content_hash}, Page.DATA)
    assert not data.exception
    assert {metric.label: metric.value for metric in data.main.metric}["Rows kept"] == f"{active.rows_kept:,}"
    assert data.main.text[0].value == (
        f"{SAMPLE_NAME} (Online Retail schema), invoices from 2010-12-01 to 2011-12-09"
    )


def test_loading_another_dataset_replaces_the_one_in_the_address(sample_dataset):
    loaded = load_bundled_sample()
    first = loaded.query_params[DATASET_QUERY_PARAM]
    part = sample_dataset.transactions.head(3000).to_csv(index=False).encode()
    loaded.radio(key="data_source").set_value("Upload").run()
    loaded.file_uploader(key="data_upload").set_value(("first-3000.csv", part, "text/csv"))
    loaded.button(key="data_load").click().run()
    assert not loaded.exception and not loaded.error

    second = loaded.query_params[DATASET_QUERY_PARAM]
    assert second != first
    assert second == loaded.session_state[Key.ACTIVE_DATASET].content_hash

    reloaded = new_session({DATASET_QUERY_PARAM: second})
    assert "first-3000.csv" in sidebar_text(reloaded)


@pytest.mark.parametrize(
    "hostile",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "abc123",
        "a" * 63,
        "a" * 65,
        "A" * 64,  # upper case: not how the loader writes a hash
        "0" * 63 + "g",
        "0" * 62 + "/x",
        "",
    ],
)
def test_a_malformed_dataset_parameter_is_dropped_without_touching_the_disk(hostile, monkeypatch):
    touched: list[str] = []
    monkeypatch.setattr(loaded_records, "cache_paths", lambda *args: touched.append("cache") or ())
    monkeypatch.setattr(loaded_records, "data_subdir", lambda *args: touched.append("subdir") or ())

    at = new_session({DATASET_QUERY_PARAM: hostile})

    assert not at.exception and not at.error
    assert GONE_MESSAGE not in [info.value for info in at.info]
    assert touched == []
    assert Key.ACTIVE_DATASET not in at.session_state
    assert DATASET_QUERY_PARAM not in at.query_params
    assert "No dataset loaded yet" in at.sidebar.caption[0].value


def test_a_link_to_a_dataset_this_server_no_longer_has_says_so_in_one_line():
    at = new_session({DATASET_QUERY_PARAM: "0123456789abcdef" * 4}, None)

    assert not at.exception and not at.error
    assert [info.value for info in at.info].count(GONE_MESSAGE) == 1
    assert at.main.children[0].value == GONE_MESSAGE  # above the page, where it is seen first
    assert Key.ACTIVE_DATASET not in at.session_state
    assert DATASET_QUERY_PARAM not in at.query_params

    at.switch_page(Page.SEGMENTS).run()  # said once: the parameter is gone, the page's own hint stays
    assert GONE_MESSAGE not in [info.value for info in at.info]


def test_a_damaged_record_beside_an_intact_cache_entry_is_the_same_one_line(sample_xlsx):
    from pipeline.loading.dataset import load_transactions

    content_hash = load_transactions(sample_xlsx).content_hash  # a real cache entry
    loaded_records.save_loaded(content_hash, {"content_hash": content_hash, "rows_read": "many"})

    at = new_session({DATASET_QUERY_PARAM: content_hash})

    assert not at.exception and not at.error
    assert GONE_MESSAGE in [info.value for info in at.info]
    assert Key.ACTIVE_DATASET not in at.session_state


def test_a_run_link_still_lands_on_executions_and_keeps_the_dataset():
    content_hash = load_bundled_sample().query_params[DATASET_QUERY_PARAM]

    at = new_session({RUN_QUERY_PARAM: "rfm-19990101-000000-deadbeef", DATASET_QUERY_PARAM: content_hash})

    assert not at.exception
    assert at.title[0].value == "Executions"
    assert at.query_params[RUN_QUERY_PARAM] == "rfm-19990101-000000-deadbeef"
    assert at.query_params[DATASET_QUERY_PARAM] == content_hash
    assert SAMPLE_NAME in sidebar_text(at)


def test_a_record_comes_back_as_the_same_active_dataset_and_a_damaged_one_not_at_all(
    sample_dataset, sample_clean
):
    path = Path("cache") / f"{sample_dataset.content_hash}-v1.parquet"
    active = ActiveDataset.of(sample_dataset, path, sample_clean[1])
    record = active.record()

    assert "path" not in record
    assert ActiveDataset.from_record(record, path) == active
    for field, damage in [
        ("rows_read", str(active.rows_read)),
        ("customers", True),
        ("first_invoice", "2010-13-01"),
        ("name", None),
    ]:
        assert ActiveDataset.from_record(dict(record, **{field: damage}), path) is None, field
    assert ActiveDataset.from_record({k: v for k, v in record.items() if k != "schema"}, path) is None
