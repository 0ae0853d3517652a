"""The Segments page's logic: RFM scores, segments, charts and the CSV for one filter choice.

Cached by the dataset's content hash and the filters, so a widget change that comes back to
an earlier choice redraws at once. Errors are not cached: correcting a filter recomputes.

The view is cached with ``st.cache_resource``: every session shares the one object and a hit
costs nothing. ``st.cache_data`` pickled the view on every hit (four plotly figures re-validated
while unpickling, the RFM table and its CSV copied): 0.1-0.3 s of each rerun at full scale,
before the page drew anything. The page treats the view as read-only (tests/pages check that
a page run leaves it unchanged). The CSV is built only when the user clicks the download.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from pipeline.analysis import rfm
from pipeline.views import charts
from ui.state import cleaned


def download_name(dataset_name: str) -> str:
    """The RFM table's file name for a dataset: ``rfm-<name without extension>.csv``, safe characters only."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", dataset_name.rsplit(".", 1)[0]).strip("_") or "dataset"
    return f"rfm-{stem}.csv"


@dataclass(frozen=True)
class SegmentsView:
    """Everything the Segments page draws for one filter choice (cached as one value)."""

    rfm: pd.DataFrame
    as_of: dt.date
    transactions: int
    summary: pd.DataFrame
    figures: dict[str, go.Figure]

    def csv(self) -> bytes:
        """The RFM table as UTF-8 CSV: what the download button gives, built when it is clicked."""
        return self.rfm.to_csv(index=False).encode("utf-8")


@st.cache_resource(max_entries=32, show_spinner="Scoring customers…")
def segments_view(
    content_hash: str,
    path: str,
    countries: tuple[str, ...] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
    as_of: dt.date | None = None,
) -> SegmentsView:
    """RFM table, segment summary and charts for one (dataset, filters, as-of) choice, shared read-only.

    Raises ``DataError`` when the filters leave nothing to score or ``as_of`` is too early;
    errors are not cached, so correcting the filter recomputes.
    """
    clean, _ = cleaned(content_hash, path)
    window = rfm.filter_transactions(clean, list(countries) or None, start, end)
    snapshot = pd.Timestamp(as_of) if as_of is not None else None
    table = rfm.compute_rfm(window, snapshot)
    used_as_of = snapshot if snapshot is not None else rfm.default_as_of(window)
    summary = rfm.segment_summary(table)
    summary["Description"] = summary["Segment"].map(rfm.SEGMENT_DESCRIPTIONS).astype("string")
    figures = {
        "treemap": charts.segment_treemap(table, order=rfm.SEGMENTS),
        "bars": charts.segment_bars(table, order=rfm.SEGMENTS),
        "heatmap": charts.rf_heatmap(table),
        "distributions": charts.rfm_distributions(table),
    }
    return SegmentsView(
        rfm=table,
        as_of=used_as_of.date(),
        transactions=len(window),
        summary=summary,
        figures=figures,
    )


def view_metrics(view: SegmentsView) -> list[tuple[str, str]]:
    """The headline figures of a filter choice for ``ui.metrics.metric_row``."""
    return [
        ("Customers", f"{len(view.rfm):,}"),
        ("Transactions scored", f"{view.transactions:,}"),
        ("Revenue", f"{view.rfm['Monetary'].sum():,.0f}"),
        ("As of", f"{view.as_of:%Y-%m-%d}"),
    ]


#: The segment summary's columns as the page shows them: readable headers, formatted figures.
SUMMARY_COLUMNS = {
    "Segment": ("Segment", str),
    "Description": ("What it means", str),
    "Customers": ("Customers", "{:,.0f}".format),
    "CustomerShare": ("Share of customers", "{:.1%}".format),
    "Revenue": ("Revenue (£)", "{:,.0f}".format),
    "RevenueShare": ("Share of revenue", "{:.1%}".format),
    "MeanRecency": ("Days since last purchase (mean)", "{:,.0f}".format),
    "MeanFrequency": ("Purchases (mean)", "{:,.1f}".format),
    "MeanMonetary": ("Spend per customer (£, mean)", "{:,.0f}".format),
}


def summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The segment summary with readable headers and thousands separators, every value as text."""
    shown = pd.DataFrame(index=summary.index)
    for column, (header, formatter) in SUMMARY_COLUMNS.items():
        if column in summary:
            shown[header] = [formatter(value) if pd.notna(value) else "" for value in summary[column]]
    return shown.reset_index(drop=True)


def as_of_warning(as_of: dt.date | None, last_invoice: dt.date) -> str | None:
    """A warning when the as-of date is after the data's end: Recency would count unknown silence."""
    if as_of is None:
        return None
    end = last_invoice.date() if isinstance(last_invoice, dt.datetime) else last_invoice
    if as_of <= end + dt.timedelta(days=1):
        return None
    days = (as_of - end).days - 1
    return (
        f"The as-of date is {days:,} days after the data ends ({end:%Y-%m-%d}): Recency then counts "
        "days the data knows nothing about, and every customer looks that much less recent."
    )
