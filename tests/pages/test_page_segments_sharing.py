"""The Segments page's view is shared, not copied, and its CSV is built when the download is clicked.

``ui.segments.segments_view`` is an ``st.cache_resource``: every rerun and session gets the very
object the first computation made (no pickle copy per hit), so a page run must never change it.
The RFM table's CSV is no longer built with the view: the download button gets a callable that
Streamlit runs when the user clicks it, and it must still give the table the page shows.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest
from support.segments_support import load_sample_state, open_rfm_table, open_segments

from ui import segments, state


@pytest.fixture(scope="module")
def loaded_state(tmp_path_factory):
    """The bundled sample's active dataset record, loaded once for the module."""
    return load_sample_state(tmp_path_factory.mktemp("segments-home"))


@pytest.fixture
def segments_page(loaded_state) -> AppTest:
    return open_segments(loaded_state)


@pytest.fixture
def deferred_downloads(monkeypatch) -> list[tuple[object, str | None, str | None]]:
    """Every callable a page hands to a download button in this test: (callable, file name, mime)."""
    recorded: list[tuple[object, str | None, str | None]] = []
    original = MediaFileManager.add_deferred

    def recording(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        recorded.append((data_callable, file_name, mimetype))
        return original(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", recording)
    return recorded


def page_view(active: state.ActiveDataset, countries: tuple[str, ...]) -> segments.SegmentsView:
    """The view the page asks for with these countries and the default window and as-of."""
    return segments.segments_view(*active.key, countries, active.first_invoice, active.last_invoice, None)


def test_the_download_gives_the_filtered_tables_csv_when_clicked(segments_page, deferred_downloads):
    segments_page.multiselect[0].set_value(["France"]).run()

    build, file_name, mime = deferred_downloads[-1]
    assert (file_name, mime) == ("rfm-online_retail_sample_40k-France.csv", "text/csv")  # the filter named
    downloaded = pd.read_csv(io.BytesIO(build()))
    shown = open_rfm_table(segments_page).value
    assert set(downloaded["Country"]) == {"France"}
    assert downloaded["CustomerID"].tolist() == shown["CustomerID"].tolist()
    assert downloaded["Segment"].tolist() == shown["Segment"].astype(str).tolist()
    assert downloaded["Monetary"].round(2).tolist() == shown["Monetary"].round(2).tolist()


def test_the_unfiltered_download_is_named_after_the_dataset_alone(segments_page, deferred_downloads):
    segments_page.run()

    _, file_name, _ = deferred_downloads[-1]
    assert file_name == "rfm-online_retail_sample_40k.csv"


def test_the_download_name_carries_every_filter_that_shaped_the_table():
    name = segments.download_name(
        "Online Retail (2).xlsx",
        ("United Kingdom", "EIRE"),
        (dt.date(2011, 1, 1), dt.date(2011, 6, 30)),
        dt.date(2011, 7, 1),
    )
    assert name == "rfm-Online_Retail_2-United_Kingdom+EIRE-2011-01-01_2011-06-30-asof-2011-07-01.csv"
    assert segments.download_name("shop.csv", ("A", "B", "C", "D")) == "rfm-shop-4_countries.csv"
    half_open = (dt.date(2011, 1, 1), None)  # the window's end not picked yet
    assert segments.download_name("shop.csv", (), half_open) == "rfm-shop-2011-01-01_open.csv"
    assert segments.download_name("<script>.csv", ("../etc",)) == "rfm-script-.._etc.csv"


def test_reruns_get_the_same_view_object_and_leave_it_unchanged(segments_page, loaded_state):
    segments_page.multiselect[0].set_value(["France"]).run()
    view = page_view(loaded_state, ("France",))
    rfm, summary = view.rfm.copy(deep=True), view.summary.copy(deep=True)
    treemap = view.figure("treemap")  # the open tab's chart, HTML (a str: nothing to change in place)

    segments_page.multiselect[0].set_value([]).run()
    segments_page.multiselect[0].set_value(["France"]).run()  # back to a choice seen before: a hit

    assert not segments_page.exception and not segments_page.error
    assert page_view(loaded_state, ("France",)) is view  # shared, not a copy
    pd.testing.assert_frame_equal(view.rfm, rfm)
    pd.testing.assert_frame_equal(view.summary, summary)
    assert view.figure("treemap") is treemap


def test_the_country_list_is_shared_and_cannot_be_changed_in_place(loaded_state):
    countries = state.countries(*loaded_state.key)

    assert isinstance(countries, tuple)
    assert state.countries(*loaded_state.key) is countries
    assert "France" in countries and list(countries) == sorted(countries)
