"""Figures of the Clusters page's comparison of two runs: pure functions, no Streamlit.

Inputs are ``pipeline.analysis.cluster_compare``'s (sizes side by side, the moves table of shared
customers) and the runs' summaries. Colours and layout conventions are those of
:mod:`pipeline.views.cluster_charts`, so a cluster name has the same colour on both tabs; text from
the data goes through :func:`pipeline.views.text.plain_text`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from pipeline.views.cluster_charts import (
    LAYOUT,
    LEGEND_UNDER_AXIS,
    PROFILE_COLUMNS,
    cluster_color,
    legend_room,
    summary_table,
)
from pipeline.views.style import top_margin
from pipeline.views.text import plain_text, plain_texts


def _translucent(colour: str, alpha: float) -> str:
    """A ``#rrggbb`` colour as ``rgba(r, g, b, alpha)``."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"


def sizes_comparison(sizes: pd.DataFrame, label_a: str = "Run A", label_b: str = "Run B") -> go.Figure:
    """Customer share of every cluster name in two runs side by side (``sizes_side_by_side``)."""
    names = list(dict.fromkeys(str(n) for n in sizes["Name"]))
    fig = go.Figure()
    for run, label, colour in (("A", plain_text(label_a), "#4575b4"), ("B", plain_text(label_b), "#fdae61")):
        rows = sizes[sizes["Run"] == run].assign(Name=lambda t: t["Name"].astype(str)).set_index("Name")
        rows = rows.reindex(names)
        fig.add_trace(
            go.Bar(
                y=plain_texts(names),
                x=rows["CustomerShare"].to_numpy(dtype=float),
                orientation="h",
                name=label,
                marker_color=colour,
                customdata=rows["Customers"].fillna(0).to_numpy(dtype=int),
                hovertemplate="%{y}<br>%{x:.1%} of customers (%{customdata:,})<extra>" + label + "</extra>",
            )
        )
    fig.update_layout(
        title="Cluster sizes in both runs",
        barmode="group",
        xaxis_tickformat=".0%",
        legend=LEGEND_UNDER_AXIS,
        height=120 + 50 * max(len(names), 1),
        **LAYOUT,
    )
    # The runs' labels are long: past ~60 characters together they take two rows at 800 px.
    fig.update_layout(margin_b=legend_room(1 if len(label_a) + len(label_b) <= 60 else 2))
    fig.update_yaxes(type="category", autorange="reversed")
    return fig


def movement_heatmap(moves: pd.DataFrame) -> go.Figure:
    """Shared customers by cluster in run A (rows) and run B (columns): where each cluster went.

    Cells show counts; the hover adds the share of the run-A cluster that went there.
    """
    values = moves.to_numpy(dtype=float)
    totals = values.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(totals > 0, values / totals, 0.0)
    fig = go.Figure(
        go.Heatmap(
            z=values,
            x=[f"B: {plain_text(c)}" for c in moves.columns],
            y=[f"A: {plain_text(i)}" for i in moves.index],
            customdata=shares,
            colorscale="Purples",
            texttemplate="%{z:,}",
            colorbar={"title": "customers"},
            hovertemplate=(
                "%{y} -> %{x}<br>%{z:,} customers (%{customdata:.0%} of the A cluster)<extra></extra>"
            ),
        )
    )
    fig.update_layout(title="How customers moved between clusters", **LAYOUT)
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category")
    return fig


def movement_sankey(moves: pd.DataFrame) -> go.Figure:
    """The same moves as a Sankey diagram: run A's clusters on the left, run B's on the right."""
    left = [str(i) for i in moves.index]
    right = [str(c) for c in moves.columns]
    sources, targets, counts = [], [], []
    for i in range(len(left)):
        for j in range(len(right)):
            count = int(moves.iat[i, j])
            if count:
                sources.append(i)
                targets.append(len(left) + j)
                counts.append(count)
    fig = go.Figure(
        go.Sankey(
            node={
                "label": [f"A: {plain_text(n)}" for n in left] + [f"B: {plain_text(n)}" for n in right],
                "color": [cluster_color(n) for n in left + right],
                "pad": 16,
            },
            # Light links in the colour of their run-A cluster: the node labels drawn over them
            # stay readable (grey links under grey text were not).
            link={
                "source": sources,
                "target": targets,
                "value": counts,
                "color": [_translucent(cluster_color(left[i]), 0.25) for i in sources],
            },
            textfont={"size": 13, "color": "#1f2937"},
        )
    )
    fig.update_layout(
        title="Customers from run A's clusters to run B's",
        height=120 + 45 * max(len(left), len(right)),
        **LAYOUT,
    )
    return fig


def profiles_comparison(summary_a: dict[str, Any], summary_b: dict[str, Any]) -> go.Figure:
    """Both runs' standardised profiles in one figure on the same colour scale, run A above run B.

    Stacked, not side by side: each run has its own cluster names, and in the half-width column
    the page gives this chart, run B's names drawn beside run A's heatmap covered its cells.
    """
    tables = [summary_table(summary_a), summary_table(summary_b)]
    values = [t[list(PROFILE_COLUMNS)].to_numpy(dtype=float) for t in tables]
    limit = max((float(np.nanmax(np.abs(v))) for v in values if v.size), default=1.0)
    heights = [max(len(t), 1) for t in tables]
    fig = make_subplots(
        rows=2,
        cols=1,
        subplot_titles=("Run A", "Run B"),
        row_heights=[h / sum(heights) for h in heights],
        vertical_spacing=0.12,
        shared_xaxes=True,
    )
    for row, (table, z) in enumerate(zip(tables, values, strict=True), start=1):
        fig.add_trace(
            go.Heatmap(
                z=z,
                x=["Recency", "Frequency", "Monetary"],
                y=plain_texts(table["Name"]),
                zmin=-limit,
                zmax=limit,
                zmid=0,
                colorscale="RdBu_r",
                texttemplate="%{z:+.2f}",
                showscale=row == 1,
                colorbar={"title": "std devs"},
                hovertemplate="%{y}<br>%{x}: %{z:+.2f} std devs<extra></extra>",
            ),
            row=row,
            col=1,
        )
        fig.update_yaxes(autorange="reversed", type="category", row=row, col=1)
    fig.update_layout(height=160 + 45 * sum(heights))
    # "Run A" is a line under the chart's title.
    fig.update_layout(title="Cluster profiles, A and B", margin=LAYOUT["margin"] | {"t": top_margin(2)})
    return fig
