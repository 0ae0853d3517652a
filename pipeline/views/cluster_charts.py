"""Figures and tables of the Clusters page: pure functions of a run's results, no Streamlit.

Inputs are what ``Backend.results`` returns: the clusters table (one row a customer: CustomerID,
Recency, Frequency, Monetary, R, F, M, Segment, Cluster, ClusterName, DistanceToCentre,
Country) and the summary dict written by the evaluate Lambda (``clusters``: one object a
cluster with Name, Customers, CustomerShare, RevenueShare, RecencyZ/FrequencyZ/MonetaryZ...).
Each cluster name keeps one colour in every chart and in both runs of a comparison, so
"High-value loyal" is the same green everywhere. Text from the data (countries, names, segments,
run labels) goes through :func:`pipeline.views.text.plain_text` first: plotly would render HTML
tags in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from pipeline.analysis.rfm import SEGMENTS
from pipeline.views.style import MARGINS, top_margin
from pipeline.views.text import plain_columns, plain_text, plain_texts

#: Most points the 3-D scatter draws; larger runs are sampled down (WebGL stays responsive).
MAX_SCATTER_POINTS = 3000
#: Seed of the scatter's sample: the same run always shows the same points.
SCATTER_SEED = 0

#: One colour a cluster name the evaluate Lambda gives (lambdas/evaluate_clusters CLUSTER_NAMES).
NAME_COLORS: dict[str, str] = {
    # Nine clearly distinct hues (one green only): neighbouring clusters never look alike.
    "High-value loyal": "#1a9850",
    "High-value cooling": "#7b3294",
    "High-value at risk": "#d73027",
    "Mid-value active": "#2166ac",
    "Mid-value steady": "#35b7c4",
    "Mid-value lapsing": "#f46d43",
    "New low-value": "#e7298a",
    "Low-value cooling": "#d9b300",
    "Lapsed low-value": "#969696",
}
_EXTRA_COLORS = ("#8c564b", "#e377c2", "#bcbd22", "#17becf", "#9467bd", "#7f7f7f")

#: The standardised profile columns of a summary cluster and how the charts label them.
PROFILE_COLUMNS = {
    "RecencyZ": "Recency (days since last order)",
    "FrequencyZ": "Frequency (orders)",
    "MonetaryZ": "Monetary (spend)",
}

#: Short labels of the profile columns, so the heatmap's columns are labelled upright at 450 px.
PROFILE_LABELS = {"RecencyZ": "Recency", "FrequencyZ": "Frequency", "MonetaryZ": "Monetary"}

#: The layout every chart of the page shares: small margins, a white template.
LAYOUT = MARGINS
#: A horizontal legend under the plot: a legend on the right took a third of a narrow chart.
LEGEND_BELOW = {"orientation": "h", "yanchor": "top", "y": -0.12, "xanchor": "left", "x": 0}
#: A horizontal legend at the chart's bottom edge, under a bar chart's x-axis labels: placed 12% of
#: the plot's height below it (``LEGEND_BELOW``), it covered the labels ("0%", "20%") of a short plot
#: (two clusters); hung from the chart's bottom, it keeps ``legend_room`` clear of them.
LEGEND_UNDER_AXIS = {
    "orientation": "h",
    "yref": "container",
    "y": 0,
    "yanchor": "bottom",
    "xanchor": "left",
    "x": 0,
}


def legend_room(rows: int = 1) -> int:
    """The bottom margin (px) for ``LEGEND_UNDER_AXIS`` of ``rows`` rows under the x-axis labels:
    the labels (~22 px), a gap, and a legend row (~26 px) each."""
    return 30 + 26 * rows


def cluster_color(name: str) -> str:
    """The colour of a cluster name; a numbered duplicate ("Mid-value steady #2") gets a
    colour of its own, derived deterministically from the name."""
    if name in NAME_COLORS:
        return NAME_COLORS[name]
    index = sum(name.encode("utf-8")) % len(_EXTRA_COLORS)
    return _EXTRA_COLORS[index]


def cluster_names(summary: dict[str, Any]) -> list[str]:
    """The run's cluster names in cluster order (the order every chart uses)."""
    clusters = sorted(summary.get("clusters", []), key=lambda c: int(c["Cluster"]))
    return [str(c["Name"]) for c in clusters]


def summary_table(summary: dict[str, Any]) -> pd.DataFrame:
    """The summary's clusters as a table, one row a cluster in cluster order, for display and CSV."""
    frame = pd.DataFrame(summary.get("clusters", []))
    if frame.empty:
        return frame
    return frame.sort_values("Cluster").reset_index(drop=True)


def sample_customers(
    clusters: pd.DataFrame, max_points: int = MAX_SCATTER_POINTS, seed: int = SCATTER_SEED
) -> pd.DataFrame:
    """At most ``max_points`` customers, drawn per cluster in proportion to its size.

    Deterministic (the same table and seed give the same rows) so reruns do not reshuffle the
    chart. Every cluster keeps at least one point, so a tiny cluster of outliers stays visible;
    the result may exceed ``max_points`` by at most the number of clusters. Rows keep the
    table's order.
    """
    if len(clusters) <= max_points:
        return clusters
    fraction = max_points / len(clusters)
    rng = np.random.default_rng(seed)
    chosen: list[np.ndarray] = []
    for _, rows in clusters.groupby("Cluster", sort=True):
        take = max(1, round(len(rows) * fraction))
        chosen.append(rng.choice(rows.index.to_numpy(), size=min(take, len(rows)), replace=False))
    index = np.sort(np.concatenate(chosen))
    return clusters.loc[index]


#: What a customer's point says on hover, after its cluster.
SCATTER_HOVER = (
    "Recency=%{x}<br>Frequency=%{y}<br>Monetary=%{z}<br>CustomerID=%{customdata[0]}"
    "<br>Segment=%{customdata[1]}<br>Country=%{customdata[2]}"
)


def rfm_scatter_3d(shown: pd.DataFrame, total: int | None = None) -> go.Figure:
    """Recency, Frequency and Monetary of each customer on log axes, coloured by cluster name.

    ``shown`` is the clusters table or a sample of it (``sample_customers``); ``total`` the
    number of customers of the run, so the title says when only a sample is drawn. Log axes
    because all three are heavily skewed; non-positive values, which a log axis cannot place,
    are left out and counted in the title.
    """
    total = len(shown) if total is None else total
    positive = (shown["Recency"] > 0) & (shown["Frequency"] > 0) & (shown["Monetary"] > 0)
    points = shown.loc[positive].copy()
    points["ClusterName"] = points["ClusterName"].astype("object")
    names = [str(n) for n in pd.unique(points.sort_values("Cluster")["ClusterName"])]
    points = plain_columns(points, ["ClusterName", "Segment", "Country"])
    # One Scatter3d a cluster, as px.scatter_3d drew it (name, colour, hover): built directly, in
    # about half px's time (0.25 s at 3,000 customers), which a user waits for on the first switch
    # to each run's scatter. Diamonds, not circles: WebGL draws each point as its symbol's
    # triangles, twice a frame (the picture and the hover's pick buffer), and a circle has several
    # times a diamond's; without a GPU a run switch drew 0.28-0.33 s with circles, 0.15-0.18 s
    # with diamonds (benchmarks/README.md, round 23). The points are 3 px: their shape tells nothing.
    fig = go.Figure(
        [
            go.Scatter3d(
                x=group["Recency"].to_numpy(),
                y=group["Frequency"].to_numpy(),
                z=group["Monetary"].to_numpy(),
                customdata=group[["CustomerID", "Segment", "Country"]].to_numpy(dtype=object),
                name=plain_text(name),
                legendgroup=plain_text(name),
                showlegend=True,
                mode="markers",
                marker={"color": cluster_color(name), "opacity": 0.7, "size": 3, "symbol": "diamond"},
                hovertemplate=f"Cluster={plain_text(name)}<br>{SCATTER_HOVER}<extra></extra>",
            )
            for name in names
            for group in [points[points["ClusterName"] == plain_text(name)]]
        ]
    )
    # A short title that fits a narrow chart; what was left out goes in its subtitle.
    notes = []
    if len(shown) < total:
        notes.append(f"a sample of {len(points):,} of {total:,} customers")
    dropped = int((~positive).sum())
    if dropped:
        notes.append(f"{dropped:,} with a zero value not drawn")
    fig.update_layout(
        title={
            "text": "Customers by R, F and M (log axes)",
            "subtitle": {"text": _sentence("; ".join(notes))},
        },
        height=620,
        scene={
            # One tick a power of ten: plotly's 2 and 5 between them ran into each other.
            "xaxis": {"title": {"text": "Recency (days)"}, "dtick": 1, "type": "log"},
            "yaxis": {"title": {"text": "Frequency (orders)"}, "dtick": 1, "type": "log"},
            "zaxis": {"title": {"text": "Monetary (£)"}, "dtick": 1, "type": "log"},
            # Farther than plotly's default eye (1.25, 1.25, 1.25): the axis titles stay inside
            # the scene at 450 px as at 1000.
            "camera": {"eye": {"x": 1.85, "y": 1.85, "z": 1.2}},
            "domain": {"x": [0, 1], "y": [0, 1]},
        },
        **LAYOUT,
    )
    # The legend below the scene, so the scene keeps the chart's whole width; the top margin holds
    # the title and its subtitle.
    fig.update_layout(
        legend=LEGEND_BELOW | {"itemsizing": "constant", "title": {"text": ""}, "tracegroupgap": 0},
        margin_t=top_margin(2),
    )
    return fig


def _sentence(text: str) -> str:
    """``text`` with its first letter in capitals (the rest as it is)."""
    return text[:1].upper() + text[1:]


def cluster_sizes(summary: dict[str, Any]) -> go.Figure:
    """Each cluster's share of customers beside its share of revenue: who the money comes from."""
    table = summary_table(summary)
    names = plain_texts(table["Name"])
    # Horizontal bars: the cluster names read as written at any width (upright names under
    # vertical bars took a third of a narrow chart), the legend fits under the bars.
    fig = go.Figure(
        [
            go.Bar(
                y=names,
                x=table["CustomerShare"].to_numpy(dtype=float),
                orientation="h",
                name="Customers",
                marker_color="#74add1",
                customdata=table["Customers"].to_numpy(dtype=int),
                hovertemplate="%{y}<br>%{x:.1%} of customers (%{customdata:,})<extra></extra>",
            ),
            go.Bar(
                y=names,
                x=table["RevenueShare"].to_numpy(dtype=float),
                orientation="h",
                name="Revenue",
                marker_color="#1a9850",
                customdata=table["Revenue"].to_numpy(dtype=float),
                hovertemplate="%{y}<br>%{x:.1%} of revenue (£%{customdata:,.0f})<extra></extra>",
            ),
        ]
    )
    fig.update_layout(
        title="Cluster sizes and revenue share",
        barmode="group",
        xaxis_tickformat=".0%",
        legend=LEGEND_UNDER_AXIS,
        height=120 + 60 * max(len(names), 1),
        **LAYOUT,
    )
    fig.update_layout(margin_b=legend_room())
    fig.update_yaxes(type="category", autorange="reversed")
    return fig


def cluster_profiles(summary: dict[str, Any], title: str = "Cluster profiles") -> go.Figure:
    """Mean standardised recency, frequency and monetary of each cluster as a diverging heatmap.

    Values are in standard deviations from the average customer (on the log features KMeans
    saw): blue below average, red above. Low recency means recent buyers.
    """
    table = summary_table(summary)
    values = table[list(PROFILE_COLUMNS)].to_numpy(dtype=float)
    limit = float(np.nanmax(np.abs(values))) if values.size else 1.0
    fig = go.Figure(
        go.Heatmap(
            z=values,
            x=list(PROFILE_LABELS.values()),
            customdata=np.array([list(PROFILE_COLUMNS.values())] * len(table)),
            y=plain_texts(table["Name"]),
            zmin=-limit,
            zmax=limit,
            zmid=0,
            colorscale="RdBu_r",
            text=np.round(values, 2),
            texttemplate="%{text:+.2f}",
            colorbar={"title": "std devs"},
            hovertemplate="%{y}<br>%{customdata}: %{z:+.2f} std devs<extra></extra>",
        )
    )
    fig.update_layout(title=title, **LAYOUT)
    fig.update_xaxes(tickangle=0)
    fig.update_yaxes(autorange="reversed", type="category")
    return fig


def segment_crosstab(clusters: pd.DataFrame, normalise: bool = False) -> pd.DataFrame:
    """Customers of each cluster (rows, cluster order) in each RFM segment (columns, SEGMENTS order).

    With ``normalise`` each row is divided by its cluster's size, so rows sum to 1 and clusters
    of different sizes read alike. Only segments present in the run are columns.
    """
    order = clusters[["Cluster", "ClusterName"]].drop_duplicates().sort_values("Cluster")
    rows = [str(n) for n in order["ClusterName"]]
    present = set(clusters["Segment"].astype("object").dropna())
    columns = [s for s in SEGMENTS if s in present] + sorted(present - set(SEGMENTS))
    table = pd.crosstab(clusters["ClusterName"].astype("object"), clusters["Segment"].astype("object"))
    table = table.reindex(index=rows, columns=columns, fill_value=0)
    table.index.name, table.columns.name = "Cluster", "Segment"
    if normalise:
        return table.div(table.sum(axis=1).replace(0, 1), axis=0)
    return table.astype("int64")


def cluster_segment_heatmap(clusters: pd.DataFrame, normalise: bool = False) -> go.Figure:
    """How each cluster spreads over the RFM segments (counts, or shares of the cluster)."""
    table = segment_crosstab(clusters, normalise)
    values = table.to_numpy(dtype=float)
    fig = go.Figure(
        go.Heatmap(
            z=values,
            x=plain_texts(table.columns),
            y=plain_texts(table.index),
            colorscale="Blues",
            texttemplate="%{z:.0%}" if normalise else "%{z:,}",
            colorbar={"title": "share" if normalise else "customers"},
            hovertemplate="%{y} / %{x}<br>%{z:" + (".1%" if normalise else ",") + "}<extra></extra>",
        )
    )
    title = "Clusters by RFM segment" + (" (share of each cluster)" if normalise else " (customers)")
    fig.update_layout(title=title, **LAYOUT)
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category")
    return fig


def filter_customers(clusters: pd.DataFrame, query: str = "", names: Sequence[str] = ()) -> pd.DataFrame:
    """The customers matching a search, for the page's table.

    ``query`` is matched case-insensitively as plain text (not a pattern) against CustomerID,
    cluster name, segment and country; ``names`` keeps only those clusters (empty: all).
    """
    rows = clusters
    if names:
        rows = rows[rows["ClusterName"].isin(list(names))]
    text = query.strip().lower()
    if not text:
        return rows
    hit = pd.Series(False, index=rows.index)
    for column in ("CustomerID", "ClusterName", "Segment", "Country"):
        values = rows[column].astype("string").str.lower()
        hit |= values.str.contains(text, regex=False).fillna(False).astype(bool)
    return rows[hit]
