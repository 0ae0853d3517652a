"""Plotly figure builders for the pages: pure functions of DataFrames, no Streamlit.

Each builder takes the frames the library produces (the cleaned transactions of
``pipeline.loading.dataset.clean_transactions`` or the RFM table of ``pipeline.analysis.rfm.compute_rfm``),
aggregates what it draws, and returns a ``plotly.graph_objects.Figure``. Keeping them here
lets the pages stay short and lets the tests check every chart on real data without a browser.
Text taken from the data (countries, segment names) goes through
:func:`pipeline.views.text.plain_text` first: plotly would render HTML tags in it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from pipeline.analysis.rfm import segment_totals
from pipeline.views.binning import equal_bins
from pipeline.views.style import MARGINS, top_margin
from pipeline.views.text import HOVER_TEXT_CHARS, axis_labels, plain_text, plain_texts, short_text
from pipeline.views.wording import WCSS_LABEL, counted

#: One colour a segment, so the treemap and the bars of the Segments page agree.
SEGMENT_COLORS: dict[str, str] = {
    "Champions": "#1a9850",
    "Loyal Customers": "#66bd63",
    "Potential Loyalist": "#a6d96a",
    "New Customers": "#4575b4",
    "Promising": "#74add1",
    "Need Attention": "#fee08b",
    "About to Sleep": "#fdae61",
    "At Risk": "#f46d43",
    "Can't Lose Them": "#d73027",
    "Hibernating": "#9e9ac8",
    "Lost": "#969696",
}
_FALLBACK_COLORS = ("#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")

#: The unit each RFM column is counted in, for the distributions' titles.
DISTRIBUTION_UNITS = {"Recency": "days", "Frequency": "orders", "Monetary": "£"}

#: A distribution is drawn on a log axis when its skewness exceeds this (and all values are > 0).
SKEW_FOR_LOG = 1.0

_LAYOUT = MARGINS


def _fixed_margins(
    fig: go.Figure, left: int, right: int = 15, top: int = top_margin(), bottom: int = 10
) -> go.Figure:
    """Margins set here, none measured by Plotly.js.

    With ``automargin`` (which Streamlit's chart theme turns on for every axis) Plotly.js measures
    each tick label and, when the margins move, draws the whole chart a second time: half of
    the Segments charts' drawing time in the browser (benchmarks/README.md, round 4). The
    Segments charts are drawn a fixed ``ui.layout.CHART_WIDTH`` wide with known labels (segment
    names, scores, numbers), so margins sized for those labels once are enough.
    """
    fig.update_xaxes(automargin=False)
    fig.update_yaxes(automargin=False)
    fig.update_layout(margin={"l": left, "r": right, "t": top, "b": bottom})
    return fig


def segment_color(name: str, index: int) -> str:
    """A segment's colour in every chart (``SEGMENT_COLORS``), one of the fallbacks for another name."""
    return SEGMENT_COLORS.get(name, _FALLBACK_COLORS[index % len(_FALLBACK_COLORS)])


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} needs the columns {', '.join(missing)}; got {', '.join(frame.columns)}")


def revenue_by_month(clean: pd.DataFrame) -> go.Figure:
    """Revenue per calendar month as bars: shows the seasonality and any gap in the data."""
    _require(clean, ["InvoiceDate", "Revenue"], "revenue_by_month")
    months = clean["InvoiceDate"].dt.to_period("M")
    monthly = clean.groupby(months, sort=True)["Revenue"].sum()
    labels = [str(p) for p in monthly.index]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=monthly.to_numpy(dtype=float),
            name="Revenue",
            marker_color="#4575b4",
            hovertemplate="%{x}<br>revenue %{y:,.0f}<extra></extra>",
        )
    )
    fig.update_layout(title="Revenue by month", xaxis_title="Month", yaxis_title="Revenue (£)", **_LAYOUT)
    fig.update_xaxes(type="category")
    return fig


def top_countries(clean: pd.DataFrame, n: int = 10) -> go.Figure:
    """The ``n`` countries with the most revenue, largest on top, with customers in the hover."""
    _require(clean, ["Country", "Revenue", "CustomerID"], "top_countries")
    by_country = (
        clean.groupby("Country", sort=False)
        .agg(revenue=("Revenue", "sum"), customers=("CustomerID", "nunique"))
        .sort_values("revenue", ascending=False)
        .head(n)
        .iloc[::-1]
    )
    fig = go.Figure(
        go.Bar(
            x=by_country["revenue"].to_numpy(dtype=float),
            y=axis_labels(by_country.index),  # a long name cut, not the chart squeezed
            orientation="h",
            name="Revenue",
            customdata=by_country["customers"].to_numpy(),
            hovertext=[short_text(country, HOVER_TEXT_CHARS) for country in by_country.index],
            marker_color="#66bd63",
            hovertemplate="%{hovertext}<br>revenue %{x:,.0f}<br>%{customdata} customers<extra></extra>",
        )
    )
    fig.update_layout(
        title=f"Top {counted(len(by_country), 'country', 'countries')} by revenue",
        xaxis_title="Revenue (£)",
        **_LAYOUT,
    )
    return fig


def cleaning_waterfall(rows_read: int, removed: Iterable[tuple[str, int]]) -> go.Figure:
    """What cleaning removed and why, as a waterfall from rows read down to rows kept.

    ``removed`` is ``CleaningReport.removed()``: ordered (reason, rows) pairs, each row counted
    once at the step that removed it, so the bars add up to exactly the rows kept.
    """
    steps = [(plain_text(reason), int(rows)) for reason, rows in removed]
    kept = int(rows_read) - sum(rows for _, rows in steps)
    labels = ["Rows read", *[reason for reason, _ in steps], "Rows kept"]
    values = [int(rows_read), *[-rows for _, rows in steps], kept]
    measures = ["absolute", *["relative"] * len(steps), "total"]
    # Horizontal, so the reasons read as written at any width (upright labels of a vertical
    # waterfall took half of a narrow chart's height); the first step on top.
    fig = go.Figure(
        go.Waterfall(
            y=labels,
            x=values,
            measure=measures,
            orientation="h",
            text=[f"{abs(v):,}" for v in values],
            textposition="outside",
            cliponaxis=False,
            decreasing={"marker": {"color": "#d73027"}},
            totals={"marker": {"color": "#4575b4"}},
            increasing={"marker": {"color": "#4575b4"}},
            connector={"line": {"color": "#bbbbbb"}},
        )
    )
    fig.update_layout(title="What cleaning removed, and why", xaxis_title="Rows", showlegend=False, **_LAYOUT)
    fig.update_yaxes(autorange="reversed", type="category", automargin=True)
    fig.update_xaxes(range=[0, int(rows_read) * 1.18], tickformat=",")
    return fig


def segment_table(rfm: pd.DataFrame, order: Sequence[str] | None) -> pd.DataFrame:
    """Customers and revenue of each segment present, in ``order`` (other names after, sorted),
    else the largest first; indexed by the segment's name."""
    _require(rfm, ["Segment", "CustomerID", "Monetary"], "segment charts")
    totals = segment_totals(rfm, ("Monetary",))  # np.bincount: a groupby cost 10 ms a chart
    table = pd.DataFrame({"customers": totals["Customers"], "revenue": totals["Monetary"]})
    if order:
        known = [s for s in order if s in table.index]
        extra = [s for s in table.index if s not in set(order)]
        table = table.loc[known + sorted(extra)]
    else:
        table = table.sort_values("customers", ascending=False)
    table.index = [str(s) for s in table.index]
    return table


def _segment_labels(table: pd.DataFrame) -> list[str]:
    """The segment names of a segment table as plotly draws them (plain text)."""
    return plain_texts(table.index)


#: A segment with less of the customers than this gets only its name on its treemap tile (its
#: figures are in the hover and, on the Segments page, in the note under the chart). Plotly.js hides
#: a label that would need a font under 11 px: with three lines, a 4.7-6.5% segment lost its label at
#: 640-1000 px wide (a wide, short tile), while its name alone fits on one line.
COMPACT_LABEL_SHARE = 0.10

_FULL_TILE_LABEL = "%{label}<br>%{customdata[2]}<br>%{customdata[1]:.0%} of revenue"


def segment_treemap(rfm: pd.DataFrame, order: Sequence[str] | None = None) -> go.Figure:
    """Customers per segment as a treemap (area = customers), with each segment's revenue share;
    segments under ``COMPACT_LABEL_SHARE`` of the customers labelled with their name alone."""
    table = segment_table(rfm, order)
    total_revenue = float(table["revenue"].sum()) or 1.0
    customer_shares = table["customers"] / max(int(table["customers"].sum()), 1)
    names = list(table.index)
    labels = _segment_labels(table)
    # Plotly templates cannot pluralise, so the customer count is written out here.
    counts = [f"{n:,} customer{'s' if n != 1 else ''}" for n in table["customers"]]
    fig = go.Figure(
        go.Treemap(
            labels=labels,
            parents=[""] * len(labels),
            values=table["customers"].to_numpy(),
            customdata=[
                [float(revenue), float(revenue) / total_revenue, count]
                for revenue, count in zip(table["revenue"], counts, strict=True)
            ],
            marker={"colors": [segment_color(s, i) for i, s in enumerate(names)]},
            texttemplate=[
                _FULL_TILE_LABEL if share >= COMPACT_LABEL_SHARE else "%{label}" for share in customer_shares
            ],
            hovertemplate="%{label}<br>%{customdata[2]}<br>revenue %{customdata[0]:,.0f}<extra></extra>",
            sort=False,
        )
    )
    # A label that only fits in a tiny font is hidden (the hover and the bars beside it still
    # name the segment) rather than drawn illegibly small.
    fig.update_layout(
        title="Segment sizes (area) and revenue share",
        uniformtext={"minsize": 11, "mode": "hide"},
        height=480,
        **_LAYOUT,
    )
    return fig


def segment_bars(rfm: pd.DataFrame, order: Sequence[str] | None = None) -> go.Figure:
    """Customers and revenue per segment side by side, as two bar panels sharing the segment axis."""
    table = segment_table(rfm, order)
    labels = _segment_labels(table)
    colors = [segment_color(s, i) for i, s in enumerate(table.index)]
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, subplot_titles=("Customers", "Revenue (£)"))
    fig.add_trace(
        go.Bar(
            x=table["customers"].to_numpy(), y=labels, orientation="h", name="Customers", marker_color=colors
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Bar(
            x=table["revenue"].to_numpy(dtype=float),
            y=labels,
            orientation="h",
            name="Revenue",
            marker_color=colors,
        ),
        row=1,
        col=2,
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(nticks=4, tickformat="~s")
    fig.update_xaxes(tickprefix="£", row=1, col=2)
    fig.update_layout(title="Customers and revenue per segment", showlegend=False, height=480)
    # Room for the longest segment name ("Potential Loyalist") on the left, the subplot titles
    # under the chart's title (a line of the top margin), the ticks below.
    return _fixed_margins(fig, left=120, bottom=30, top=top_margin(2))


def rf_heatmap(rfm: pd.DataFrame) -> go.Figure:
    """Customers in each (R score, F score) cell: where the base sits between new, loyal and lost."""
    _require(rfm, ["R", "F"], "rf_heatmap")
    scores = list(range(1, 6))
    counts = (
        pd.crosstab(rfm["F"].astype(int), rfm["R"].astype(int))
        .reindex(index=scores, columns=scores, fill_value=0)
        .to_numpy()
    )
    fig = go.Figure(
        go.Heatmap(
            z=counts,
            x=[str(s) for s in scores],
            y=[str(s) for s in scores],
            colorscale="Blues",
            text=counts,
            texttemplate="%{text}",
            hovertemplate="R %{x}, F %{y}<br>%{z} customers<extra></extra>",
            colorbar={"title": {"text": "Customers"}},
        )
    )
    fig.update_layout(
        title="Customers per R and F score",
        xaxis_title="R score (5 = most recent)",
        yaxis_title="F score",
    )
    fig.update_xaxes(type="category")
    fig.update_yaxes(type="category")
    # The scores and axis titles on the left and below; the colour bar pushes the right margin.
    return _fixed_margins(fig, left=60, right=10, bottom=50)


def _is_skewed(values: pd.Series) -> bool:
    values = values.dropna()
    return len(values) > 2 and bool((values > 0).all()) and float(values.skew()) > SKEW_FOR_LOG


def _log_ticks(values: np.ndarray) -> tuple[list[float], list[str]]:
    low, high = int(np.floor(values.min())), int(np.ceil(values.max()))
    ticks = list(range(low, high + 1))
    return [float(t) for t in ticks], [f"{10.0**t:,.{max(0, -t)}f}" for t in ticks]


def rfm_distributions(
    rfm: pd.DataFrame, columns: Sequence[str] = ("Recency", "Frequency", "Monetary")
) -> go.Figure:
    """Distributions of Recency, Frequency and Monetary as binned bars; a skewed one on a log10 axis.

    Frequency and Monetary are heavily right-skewed (a few wholesalers dwarf everyone), so on a
    linear axis nearly every customer falls into the first bin; log bins show the real shape.
    The bins are counted here (``pipeline.views.binning``), not by Plotly.js in the browser:
    the figure carries 40 bars a panel instead of every customer's value.
    """
    _require(rfm, list(columns), "rfm_distributions")
    titles = []
    logs = []
    for column in columns:
        log = _is_skewed(rfm[column])
        logs.append(log)
        unit = DISTRIBUTION_UNITS.get(column)
        details = ", ".join(part for part in (unit, "log axis" if log else None) if part)
        titles.append(f"{column} ({details})" if details else column)
    # One above the other: three panels side by side left about 140 px each in a half-width
    # chart, where the titles ran into each other and the ticks overlapped.
    fig = make_subplots(rows=len(columns), cols=1, subplot_titles=titles, vertical_spacing=0.14)
    for i, (column, log) in enumerate(zip(columns, logs, strict=True), start=1):
        values = rfm[column].dropna().to_numpy(dtype=float)
        if log:
            values = np.log10(values)
            tickvals, ticktext = _log_ticks(values)
            fig.update_xaxes(tickvals=tickvals, ticktext=ticktext, row=i, col=1)
        fig.add_trace(_binned_bars(values, column, log), row=i, col=1)
        fig.update_yaxes(title_text="Customers", nticks=4, row=i, col=1)
    fig.update_layout(title="Distributions", showlegend=False, height=180 + 170 * len(columns))
    # The first panel's title is a line under the chart's title.
    return _fixed_margins(fig, left=70, bottom=30, top=top_margin(2))


def _binned_bars(values: np.ndarray, column: str, log: bool) -> go.Bar:
    """One distribution's bars: customers per bin, the bin's range in the column's unit in the hover."""
    bins = equal_bins(values)
    edges = 10.0**bins.edges if log else bins.edges
    unit = DISTRIBUTION_UNITS.get(column, "")
    return go.Bar(
        x=bins.centers,
        y=bins.counts,
        width=bins.width * 0.95,  # the histograms' bargap of 0.05
        name=column,
        marker_color="#4575b4",
        customdata=np.column_stack([edges[:-1], edges[1:]]),
        hovertemplate=f"%{{customdata[0]:,.3~r}} to %{{customdata[1]:,.3~r}} {unit}"
        "<br>%{y:,} customers<extra></extra>",
    )


#: Try k's table as shown: the measures under the names the rest of the app gives them.
K_SELECTION_COLUMNS = {
    "k": "k",
    "inertia": WCSS_LABEL,
    "silhouette": "Silhouette",
    "silhouette_sample": "Customers scored for the silhouette",
}


def k_selection_table(table: pd.DataFrame) -> pd.DataFrame:
    """``try_k``'s table with readable headers ("inertia" is scikit-learn's word, shown nowhere else)."""
    _require(table, list(K_SELECTION_COLUMNS), "k_selection_table")
    return table[list(K_SELECTION_COLUMNS)].rename(columns=K_SELECTION_COLUMNS)


def k_selection_chart(table: pd.DataFrame, best_k: int | None = None) -> go.Figure:
    """Elbow (within-cluster sum of squares) and silhouette against k side by side, best k marked.

    ``table`` is ``pipeline.analysis.k_selection.try_k``'s (columns k, inertia, silhouette). The
    ``inertia`` column is KMeans' name for the within-cluster sum of squares; the chart says the name
    the Clusters page, the report and the CLI use (``wording.WCSS_LABEL``), so a user meets one
    measure under one name. It always falls as k grows: the useful k is where it stops falling fast
    (the elbow); the silhouette says how well separated the clusters are, and is what the workflow's
    quality threshold checks.
    """
    _require(table, ["k", "inertia", "silhouette"], "k_selection_chart")
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=("Elbow: WCSS (lower is tighter)", "Silhouette (higher is better)")
    )
    fig.add_trace(
        go.Scatter(
            x=table["k"],
            y=table["inertia"],
            mode="lines+markers",
            name=WCSS_LABEL,
            marker_color="#4575b4",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=table["k"],
            y=table["silhouette"],
            mode="lines+markers",
            name="Silhouette",
            marker_color="#1a9850",
        ),
        row=1,
        col=2,
    )
    if best_k is not None and (table["k"] == best_k).any():
        best = table.loc[table["k"] == best_k].iloc[0]
        for col, column in ((1, "inertia"), (2, "silhouette")):
            fig.add_trace(
                go.Scatter(
                    x=[best_k],
                    y=[best[column]],
                    mode="markers+text",
                    text=[f"best k = {best_k}"] if col == 2 else [""],
                    textposition="middle right",
                    marker={"size": 14, "color": "#d73027", "symbol": "star"},
                    name=f"Best silhouette (k = {best_k})",
                    showlegend=col == 2,
                ),
                row=1,
                col=col,
            )
    fig.update_xaxes(title_text="k (clusters)", dtick=1)
    fig.update_yaxes(title_text=WCSS_LABEL, row=1, col=1)
    fig.update_yaxes(title_text="Silhouette", row=1, col=2)
    # The subplot titles are a line under the chart's title.
    fig.update_layout(title="Choosing k", showlegend=False, margin=MARGINS["margin"] | {"t": top_margin(2)})
    return fig
