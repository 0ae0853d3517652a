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
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from pipeline.analysis import rfm
from pipeline.views import charts, treemap_html
from pipeline.views.csv_download import spreadsheet_safe_csv
from pipeline.views.wording import AVG_FREQUENCY_LABEL, AVG_MONETARY_LABEL, AVG_RECENCY_LABEL
from ui import shares
from ui.layout import MONEY
from ui.state import ActiveDataset, transactions_index


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")


def download_name(
    dataset_name: str,
    countries: Sequence[str] = (),
    window: tuple[dt.date | None, dt.date | None] | None = None,
    as_of: dt.date | None = None,
) -> str:
    """The RFM table's file name: ``rfm-<dataset>[-<countries>][-<first>_<last>][-asof-<day>].csv``,
    safe characters only. The filters that shaped the table are in the name (``window`` only
    when it is not the whole dataset's), so a Germany download does not take the name of the
    unfiltered one; more than three countries are counted, not listed."""
    parts = [_slug(dataset_name.rsplit(".", 1)[0]) or "dataset"]
    if countries:
        listed = "+".join(_slug(country) or "country" for country in countries)
        parts.append(listed if len(countries) <= 3 else f"{len(countries)}_countries")
    if window is not None:
        first, last = (f"{day:%Y-%m-%d}" if day else "open" for day in window)
        parts.append(f"{first}_{last}")
    if as_of is not None:
        parts.append(f"asof-{as_of:%Y-%m-%d}")
    return f"rfm-{'-'.join(parts)}.csv"


#: The Segments charts by name, each built from the RFM table of a filter choice: Plotly figures,
#: and the treemap as HTML (``pipeline.views.treemap_html``: a Plotly treemap was mounted anew on
#: every new filter choice, the main part of its time in the browser).
FIGURE_BUILDERS: dict[str, Callable[[pd.DataFrame], go.Figure | str]] = {
    "treemap": lambda table: treemap_html.segment_treemap_html(table, order=rfm.SEGMENTS),
    "bars": lambda table: charts.segment_bars(table, order=rfm.SEGMENTS),
    "heatmap": charts.rf_heatmap,
    "distributions": charts.rfm_distributions,
}


@dataclass(frozen=True)
class SegmentsView:
    """Everything the Segments page draws for one filter choice (cached as one value).

    The charts are built on first ask (``figure``) and kept: the page draws only the open tab's
    chart, so a new filter choice builds one figure, not four (~0.05 s each at full scale).
    """

    rfm: pd.DataFrame
    as_of: dt.date
    transactions: int
    summary: pd.DataFrame
    _figures: dict[str, go.Figure | str] = field(default_factory=dict, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def figure(self, name: str) -> go.Figure | str:
        """The chart ``name`` (a key of ``FIGURE_BUILDERS``: a figure, or HTML), built once and
        shared read-only."""
        with self._lock:  # one build even when two sessions open the same tab at once
            if name not in self._figures:
                self._figures[name] = FIGURE_BUILDERS[name](self.rfm)
            return self._figures[name]

    def csv(self) -> bytes:
        """The RFM table as UTF-8 CSV: what the download button gives, built when it is clicked."""
        return spreadsheet_safe_csv(self.rfm)


@st.cache_resource(max_entries=32, show_spinner="Scoring customers…")
def segments_view(
    content_hash: str,
    path: str,
    countries: tuple[str, ...] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
    as_of: dt.date | None = None,
) -> SegmentsView:
    """RFM table and segment summary for one (dataset, filters, as-of) choice, shared read-only
    (its charts are built when first drawn).

    Raises ``DataError`` when the filters leave nothing to score or ``as_of`` is too early;
    errors are not cached, so correcting the filter recomputes.
    """
    scored = transactions_index(content_hash, path).score(
        list(countries) or None, start, end, pd.Timestamp(as_of) if as_of is not None else None
    )
    table = scored.table
    summary = rfm.segment_summary(table)
    summary["Description"] = summary["Segment"].map(rfm.SEGMENT_DESCRIPTIONS).astype("string")
    return SegmentsView(
        rfm=table, as_of=scored.as_of.date(), transactions=scored.transactions, summary=summary
    )


def view_metrics(view: SegmentsView) -> list[tuple[str, str]]:
    """The headline figures of a filter choice for ``ui.metrics.metric_row``."""
    return [
        ("Customers", f"{len(view.rfm):,}"),
        ("Transactions scored", f"{view.transactions:,}"),
        ("Revenue", f"£{view.rfm['Monetary'].sum():,.0f}"),
        ("As of", f"{view.as_of:%Y-%m-%d}"),
    ]


#: The expander holding the RFM table (one row a customer); fixed text: an expander's label is
#: part of its identity, and a changing one would close it.
RFM_TABLE_LABEL = "RFM table: one row per customer"

#: Widths (px) of the Segments filters: one row at 1400 px, wrapped onto three at 800 px, no
#: label or date cut (st.columns gave each of the four a quarter of the row).
FILTER_WIDTHS = {"countries": 280, "window": 250, "as_of": 150}


def count_and_share(count: float, share: float) -> str:
    """``354,971 (58.9%)``: a figure with thousands separators and its share of the total."""
    if pd.isna(count):
        return ""
    text = f"{count:,.0f}"
    return f"{text} ({share:.1%})" if pd.notna(share) else text


#: The Segments charts: (tab label, figure name in ``FIGURE_BUILDERS``, element key). The labels
#: are short so the five tabs fit an 800 px window's main area (each chart's title says the rest).
CHART_TABS: tuple[tuple[str, str, str], ...] = (
    ("Sizes", "treemap", "chart_treemap"),
    ("Customers and revenue", "bars", "chart_segment_bars"),
    ("R and F", "heatmap", "chart_rf_heatmap"),
    ("Distributions", "distributions", "chart_distributions"),
)
#: The tab with the segment figures as a grid (``segment_figures``).
FIGURES_TAB = "Figures"
#: The figures grid's height (px): its header and a row for each of the 11 segments (35 px each in
#: Streamlit's grid, 3 px of borders), so "Lost", the last, is in view without scrolling the grid;
#: fixed, so a choice with fewer segments keeps the same element.
FIGURES_HEIGHT = 35 * (len(rfm.SEGMENTS) + 1) + 3
#: The page's views of a filter choice, as tabs in this order; only the open one is drawn
#: (``st.tabs(on_change="rerun")``, ``.open``), so a filter change redraws one chart or one grid.
#: Drawn all at once, a change remounted and drew four Plotly.js charts from scratch (Streamlit's
#: chart id includes the figure), ~0.35 s of the page's CPU, and the figures' grid ~0.1 s more
#: (benchmarks/README.md, "Round 5: the Segments redraw").
VIEW_TABS: tuple[str, ...] = (CHART_TABS[0][0], FIGURES_TAB, *(label for label, _, _ in CHART_TABS[1:]))


#: The segments the note under the treemap names with their figures: those whose tiles may have
#: no room for them (``pipeline.views.treemap_html`` hides what a tile cannot fit).
SMALL_SEGMENT_SHARE = charts.COMPACT_LABEL_SHARE


def small_segments_note(summary: pd.DataFrame) -> str | None:
    """The segments under ``SMALL_SEGMENT_SHARE`` of the customers, with their customers, share
    and share of the revenue, as a sentence for a caption under the treemap (``None`` when there
    are none).

    Their tiles may be too small for their figures, or even their name, depending on the tile's
    shape and the window's width, unknown here: every such segment is named in the note with its
    figures, so none goes unread. A review found a segment of 3.5% of the customers and 12% of the
    revenue whose revenue share was nowhere to be seen but in the hover: the note gives it too."""
    small = summary[summary["CustomerShare"] < SMALL_SEGMENT_SHARE]
    if small.empty:
        return None
    named = "; ".join(
        f"{name} {count_and_share(count, share)}, {treemap_html.share_text(float(revenue))} of revenue"
        for name, count, share, revenue in zip(
            small["Segment"], small["Customers"], small["CustomerShare"], small["RevenueShare"], strict=True
        )
    )
    share = f"{SMALL_SEGMENT_SHARE:.0%}"
    return f"Under {share} of the customers, their tiles may be too small to show their figures: {named}."


def segment_figures(summary: pd.DataFrame) -> pd.DataFrame:
    """One row a segment present: customers, revenue, their shares in percent points (``ui.shares``)
    and the segment's averages, as numbers for ``st.dataframe`` (formatted by
    ``segment_figure_columns``, not turned into text); revenue and spend in whole pounds."""
    return pd.DataFrame(
        {
            "Segment": summary["Segment"].astype(str),
            "Customers": summary["Customers"].astype("int64"),
            "Share of customers": summary["CustomerShare"].astype(float) * 100,
            "Revenue": summary["Revenue"].round().astype("int64"),
            "Share of revenue": summary["RevenueShare"].astype(float) * 100,
            "Days since last purchase": summary["MeanRecency"].astype(float),
            "Purchases": summary["MeanFrequency"].astype(float),
            "Spend per customer": summary["MeanMonetary"].round().astype("int64"),
        }
    ).reset_index(drop=True)


def segment_figure_columns() -> dict[str, object]:
    """``st.dataframe`` column settings for ``segment_figures``: thousands separators, shares as
    bars with their percentage, the units in the headers."""
    number = st.column_config.NumberColumn
    return {
        "Customers": number(format="localized"),
        "Share of customers": shares.share_bar("Customers %"),
        "Revenue": number("Revenue (£)", format=MONEY),
        "Share of revenue": shares.share_bar("Revenue %"),
        "Days since last purchase": number(AVG_RECENCY_LABEL, format="%.0f"),
        "Purchases": number(AVG_FREQUENCY_LABEL, format="%.1f"),
        "Spend per customer": number(AVG_MONETARY_LABEL, format=MONEY),
    }


def descriptions_table() -> pd.DataFrame:
    """What every segment means, in ``SEGMENTS`` order: the same for any filter, so the page draws
    it once, outside the fragment the filters rerun."""
    return pd.DataFrame(
        {
            "Segment": list(rfm.SEGMENTS),
            "What it means": [rfm.SEGMENT_DESCRIPTIONS.get(name, "") for name in rfm.SEGMENTS],
        }
    )


def every_country_is_no_filter(key: str, countries: tuple[str, ...]) -> None:
    """``on_change`` of the Countries box: every country chosen (its "Select all") is the same
    filter as none, so the box goes back to "All countries" instead of 35 tags scrolling sideways."""
    chosen = st.session_state.get(key) or []
    if chosen and set(countries) <= set(chosen):
        st.session_state[key] = []


#: How far after the data's end an own as-of date may go (Recency then counts unknown days).
AS_OF_YEARS_AFTER = 5


def latest_as_of(last_invoice: dt.date) -> dt.date:
    """The latest as-of date the page accepts: ``AS_OF_YEARS_AFTER`` years after the last invoice."""
    end = last_invoice.date() if isinstance(last_invoice, dt.datetime) else last_invoice
    return end.replace(year=end.year + AS_OF_YEARS_AFTER, day=min(end.day, 28))


def window_help(first_invoice: dt.date, last_invoice: dt.date) -> str:
    """The invoice window's tooltip: the dates it accepts (a typed date outside them is refused)."""
    return f"Any days from {first_invoice:%Y-%m-%d} to {last_invoice:%Y-%m-%d}, the dataset's invoices."


def as_of_help(first_invoice: dt.date, last_invoice: dt.date, latest: dt.date) -> str:
    """The as-of date's tooltip: the dates it accepts and which of them make sense."""
    return (
        f"A day from {first_invoice:%Y-%m-%d} to {latest:%Y-%m-%d} (a typed date outside is refused). "
        f"Recency needs a day after the last invoice in the window ({last_invoice:%Y-%m-%d} for all of it)."
    )


def as_of_in_force_box(
    slot: st.delta_generator.DeltaGenerator, as_of: dt.date | None, active: ActiveDataset, help: str
) -> None:
    """The greyed "As of" box while no own date is chosen, filling ``slot``: it shows the as-of in
    force for the choice (``as_of``, the metric's date), not the whole dataset's, so the two never
    disagree; the day after the dataset's last invoice when the choice could not be scored.

    Without a key: the box is identified by its date, so a new choice's date replaces it (a keyed
    box would keep showing the date it was created with)."""
    shown = as_of if as_of is not None else active.last_invoice + dt.timedelta(days=1)
    slot.date_input(
        "As of",
        value=shown,
        min_value=min(active.first_invoice, shown),
        max_value=max(latest_as_of(active.last_invoice), shown),
        help=help,
        disabled=True,
        width=FILTER_WIDTHS["as_of"],
    )


def default_as_of_caption(countries: Sequence[str]) -> str:
    """What the as-of date in force is, under the metrics: with countries chosen it is their last
    invoice's next day, which can be months before the dataset's end (Brazil in the sample)."""
    whose = " of the chosen countries" if countries else ""
    return (
        f"Recency counts whole days from a customer's last purchase to the day after the last invoice{whose} "
        "in the window, so a purchase on that last day counts 0."
    )


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
