"""The Data page against hostile or mistaken input: S3 address mistakes read like URL mistakes
(a message in plain sight, no "Loading" box), a cell over the length limit is refused with the
previous dataset kept."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from support.hostile_files import csv_bytes
from support.page_support import APP, unescaped

from ui.names import Key, Page

RUN_TIMEOUT = 120


def data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT).run()
    at.switch_page(Page.DATA).run()
    assert not at.exception
    return at


def statuses(at: AppTest) -> list:
    return [node for node in at.main.children.values() if getattr(node, "type", None) == "status"]


def press_load(at: AppTest, source: str, key: str, address: str) -> AppTest:
    at.radio(key="data_source").set_value(source).run()
    at.text_input(key=key).set_value(address)
    at.button(key="data_load").click().run()
    assert not at.exception
    return at


@pytest.mark.parametrize(
    "address, expected",
    [
        ("not-s3", "'not-s3' is not an S3 URI"),
        ("s3://b", "'s3://b' names no object, only the bucket"),
        ("s3://shop-data/", "'s3://shop-data/' names no object, only the bucket"),
        ("s3://shop-data/raw/", "'s3://shop-data/raw/' names no object, only a folder"),
        ("s3://", "'s3://' names no bucket"),
        ("s3://shop data/x.csv", "does not start with a valid bucket name"),
        ("s3://bob:hunter2@shop-data/x.csv", "holds a user name or password"),
        ("https://shop.s3.amazonaws.com/x.csv", "is a web address, not an S3 URI"),
    ],
)
def test_an_s3_address_mistake_is_shown_like_a_url_mistake_without_a_loading_box(address, expected):
    at = press_load(data_page(), "S3", "data_s3", address)

    assert [expected in unescaped(error.value) for error in at.error] == [True]
    assert "hunter2" not in unescaped(at.error[0].value)
    assert statuses(at) == []
    assert Key.ACTIVE_DATASET not in at.session_state


def test_a_url_address_mistake_is_shown_the_same_way():
    at = press_load(data_page(), "URL", "data_url", "http://[::1/x.csv")

    assert [("is not a valid URL" in unescaped(error.value)) for error in at.error] == [True]
    assert statuses(at) == []


def test_an_uploaded_cell_over_the_length_limit_is_refused_and_the_previous_dataset_kept():
    at = data_page()
    at.radio(key="data_source").set_value("Upload").run()
    at.file_uploader(key="data_upload").set_value(("good.csv", csv_bytes(), "text/csv"))
    at.button(key="data_load").click().run()
    before = at.session_state[Key.ACTIVE_DATASET]

    at.file_uploader(key="data_upload").set_value(("long.csv", csv_bytes(Country="Y" * 5000), "text/csv"))
    at.button(key="data_load").click().run()

    assert not at.exception
    message = unescaped(at.error[0].value)
    assert "Column 'Country' of 'long.csv' has a cell over the limit of 1,000 characters" in message
    assert "data row 2" in message and "RFM_STUDIO_MAX_CELL_CHARS" in message
    assert "Y" * 100 not in message
    assert at.session_state[Key.ACTIVE_DATASET] == before
