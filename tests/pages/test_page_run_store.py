"""Pages over a damaged local run store (runs.sqlite): a message that names the file, never a traceback.

The store is opened by every page that lists or launches local runs; a corrupt file there (a crash
mid-write, a file copied over it) must leave the rest of the app usable: the sidebar, the Data page,
and a message on the pages that need the runs saying which file to move aside.
"""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from support.page_support import APP, sidebar_backend, unescaped

import ui.backend
from ui.names import Page

PAGE_TIMEOUT = 120


@pytest.fixture
def corrupt_store(studio_home):
    path = studio_home / "runs.sqlite"
    path.write_bytes(b"this is not a SQLite database, just some text that landed here\n" * 64)
    ui.backend.backend.clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    yield path
    ui.backend.backend.clear()
    st.cache_data.clear()
    st.cache_resource.clear()


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=PAGE_TIMEOUT)
    at.run()
    at.switch_page(page).run()
    return at


def shown_text(at: AppTest) -> str:
    elements = [*at.error, *at.warning, *at.info]
    return "\n".join(unescaped(element.value) for element in elements)


@pytest.mark.parametrize("page", [Page.EXECUTIONS, Page.CLUSTERS])
def test_a_page_listing_runs_names_the_damaged_store_and_keeps_the_sidebar(corrupt_store, page):
    at = open_page(page)

    assert not at.exception, at.exception
    shown = shown_text(at)
    assert str(corrupt_store) in shown and "Move it aside" in shown
    assert "failed unexpectedly" not in shown
    assert sidebar_backend(at) == "Local engine (this machine)"


def test_the_data_page_still_loads_the_sample_over_a_damaged_store(corrupt_store):
    at = open_page(Page.DATA)
    at.button(key="data_load").click().run()

    assert not at.exception, at.exception
    assert not at.error
    assert "40,000" in " ".join(str(metric.value) for metric in at.main.metric)
