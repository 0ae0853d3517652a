"""The Data page's logic: the sources offered, loading with a plain message on failure, the report.

A load either makes the source the session's active dataset or leaves the one the user had;
the page draws the cleaning report and preview of whichever is active, from caches keyed by
the dataset's content hash.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pyarrow.parquet as pq
import streamlit as st

from pipeline.views import charts
from ui import state
from ui.errors import message_for

SOURCES = ("Bundled sample", "Upload", "URL", "S3")
NO_FILE_CHOSEN = (
    "No file chosen yet: drop an xlsx, csv or parquet file in the box (or press Upload), then press Load."
)
#: What Load says when its source's box is empty (the bundled sample is always there).
NOTHING_TO_LOAD = {
    "Upload": NO_FILE_CHOSEN,
    "URL": "No address given: enter the http(s) URL of an xlsx, csv or parquet file, then press Load.",
    "S3": "No S3 URI given: enter one like s3://bucket/key.xlsx, then press Load.",
}
SAMPLE_ATTRIBUTION = (
    "A random 40,000-row sample of the UCI Online Retail dataset (Daqing Chen, Sai Liang Sain and "
    "Kun Guo, 2012; UCI Machine Learning Repository), licensed CC BY 4.0."
)
PREVIEW_ROWS = 100
#: Column widths (px) of the removed-rows table: the longest reason ("Cancellation (invoice starts
#: with C)") and the count both whole within ``ui.layout.CHART_WIDTH``.
REMOVED_WIDTHS = {"reason": 300, "rows": 110}
UNEXPECTED_HINT = "Check that the source is an Online Retail export in xlsx, csv or parquet."


def load(source: Any, name: str | None = None) -> str | None:
    """Load ``source`` as the active dataset; None on success, else what to tell the user.

    On failure the active dataset is unchanged (``ui.state.load_dataset`` sets it last).
    """
    try:
        state.load_dataset(source, name=name)
    except Exception as error:  # never a traceback in the page; the log keeps the details
        return message_for(error, "Loading", hint=UNEXPECTED_HINT)
    return None


def report_metrics(report: Any) -> list[tuple[str, str]]:
    """The cleaning report's headline figures for ``ui.metrics.metric_row``."""
    return [
        ("Rows read", f"{report.rows_read:,}"),
        ("Rows kept", f"{report.rows_kept:,}"),
        ("Customers", f"{report.customers:,}"),
        ("Countries", f"{report.countries:,}"),
        ("Revenue", f"£{report.revenue:,.0f}"),
    ]


def removed_rows(report: Any) -> list[dict[str, Any]]:
    """The cleaning report's removed rows as table rows, in the order cleaning removes them."""
    return [{"Reason": reason, "Rows removed": rows} for reason, rows in report.removed()]


@st.cache_data(max_entries=8, show_spinner=False)
def preview(content_hash: str, path: str, rows: int = PREVIEW_ROWS) -> pd.DataFrame:
    """The first rows as read (before cleaning), read from the Parquet copy without loading it all."""
    batches = pq.ParquetFile(path).iter_batches(batch_size=rows)
    first = next(batches, None)
    return first.to_pandas() if first is not None else pd.DataFrame()


@st.cache_resource(max_entries=8, show_spinner=False)
def dataset_figures(content_hash: str, path: str) -> dict[str, go.Figure]:
    """The Data page's charts of one dataset: cleaning waterfall, revenue by month, top countries.

    Shared read-only (``st.cache_resource``): with ``st.cache_data`` every widget change on the
    page unpickled the three figures, plotly re-validating each."""
    clean, report = state.cleaned(content_hash, path)
    return {
        "removed": charts.cleaning_waterfall(report.rows_read, report.removed()),
        "monthly": charts.revenue_by_month(clean),
        "countries": charts.top_countries(clean),
    }
