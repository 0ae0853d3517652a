"""The active dataset in ``st.session_state`` and the cached pipeline calls behind the pages.

Pages must feel instant on the full 541,909-row workbook, and Streamlit reruns the whole page
on every widget change. So the session keeps only a small ``ActiveDataset`` record (content
hash, name, the path of its canonical Parquet copy and a few headline figures), and every
expensive step is cached by that hash, never by hashing a large frame on each rerun:

- ``cleaned(hash, path)``: read and clean once per dataset and process (``st.cache_resource``:
  the frame is shared, not copied; pandas copy-on-write keeps it read-only for callers);
- ``rfm_for(hash, path, countries, start, end, as_of)``: one RFM table a filter choice;
- figure and preview helpers keyed the same way.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pyarrow.parquet as pq
import streamlit as st

from pipeline.analysis import rfm
from pipeline.views import charts

log = logging.getLogger(__name__)

ACTIVE_KEY = "active_dataset"
PREVIEW_ROWS = 100


@dataclass(frozen=True)
class ActiveDataset:
    """What the session remembers about the loaded dataset: small, so reruns stay cheap."""

    content_hash: str
    name: str
    source: str
    schema: str
    path: str
    rows_read: int
    rows_kept: int
    customers: int
    first_invoice: dt.date
    last_invoice: dt.date

    @classmethod
    def of(cls, dataset: Any, path: Path | str, report: Any) -> ActiveDataset:
        """The record of a loaded ``Dataset``, its canonical Parquet and cleaning report."""
        return cls(
            content_hash=dataset.content_hash,
            name=str(dataset.name),
            source=str(dataset.source),
            schema=str(dataset.schema),
            path=str(path),
            rows_read=int(report.rows_read),
            rows_kept=int(report.rows_kept),
            customers=int(report.customers),
            first_invoice=pd.Timestamp(report.first_invoice).date(),
            last_invoice=pd.Timestamp(report.last_invoice).date(),
        )

    @property
    def key(self) -> tuple[str, str]:
        """The cache key of the dataset's frames: its content hash and Parquet path."""
        return self.content_hash, self.path


def get_active() -> ActiveDataset | None:
    """The dataset the pages work on, or None before the user loaded one (or if its cache is gone)."""
    active = st.session_state.get(ACTIVE_KEY)
    if active is None:
        return None
    if not Path(active.path).exists():
        log.warning("cached dataset %s vanished; clearing the active dataset", active.path)
        del st.session_state[ACTIVE_KEY]
        return None
    return active


def load_dataset(source: Any, *, name: str | None = None) -> ActiveDataset:
    """Load ``source`` (path, URL, s3:// URI or uploaded file), clean it, and make it the active dataset.

    The session's active dataset changes only when everything succeeded, so a bad file never
    costs the user the dataset they had. Raises what ``pipeline.loading.dataset`` raises (``DataError``
    with a message for the user).
    """
    from pipeline.loading import dataset as data  # imported late: the loader is the heavy part of the library

    dataset = data.load_transactions(source, name=name)
    path = data.canonical_parquet(dataset)
    _, report = cleaned(dataset.content_hash, str(path))
    active = ActiveDataset.of(dataset, path, report)
    st.session_state[ACTIVE_KEY] = active
    return active


@st.cache_resource(max_entries=4, show_spinner="Cleaning the transactions…")
def cleaned(content_hash: str, path: str) -> tuple[pd.DataFrame, Any]:
    """The clean transactions and the CleaningReport of one dataset, computed once per process."""
    from pipeline.loading import dataset as data

    transactions = pd.read_parquet(path)
    return data.clean_transactions(transactions)


@st.cache_data(max_entries=8, show_spinner=False)
def preview(content_hash: str, path: str, rows: int = PREVIEW_ROWS) -> pd.DataFrame:
    """The first rows as read (before cleaning), read from the Parquet copy without loading it all."""
    batches = pq.ParquetFile(path).iter_batches(batch_size=rows)
    first = next(batches, None)
    return first.to_pandas() if first is not None else pd.DataFrame()


@st.cache_data(max_entries=8, show_spinner=False)
def dataset_figures(content_hash: str, path: str) -> dict[str, go.Figure]:
    """The Data page's charts of one dataset: cleaning waterfall, revenue by month, top countries."""
    clean, report = cleaned(content_hash, path)
    return {
        "removed": charts.cleaning_waterfall(report.rows_read, report.removed()),
        "monthly": charts.revenue_by_month(clean),
        "countries": charts.top_countries(clean),
    }


@st.cache_data(max_entries=8, show_spinner=False)
def countries(content_hash: str, path: str) -> list[str]:
    """The countries of the clean transactions, sorted, for the Segments page filter."""
    clean, _ = cleaned(content_hash, path)
    return sorted(str(c) for c in clean["Country"].dropna().unique())


@dataclass(frozen=True)
class SegmentsView:
    """Everything the Segments page draws for one filter choice (cached as one value)."""

    rfm: pd.DataFrame
    as_of: dt.date
    transactions: int
    summary: pd.DataFrame
    figures: dict[str, go.Figure]
    csv: bytes


@st.cache_data(max_entries=32, show_spinner="Scoring customers…")
def segments_view(
    content_hash: str,
    path: str,
    countries: tuple[str, ...] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
    as_of: dt.date | None = None,
) -> SegmentsView:
    """RFM table, segment summary, charts and CSV for one (dataset, filters, as-of) choice.

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
        csv=table.to_csv(index=False).encode("utf-8"),
    )
