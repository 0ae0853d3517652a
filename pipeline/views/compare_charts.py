"""The Sankey diagram of the Clusters page's comparison of two runs: a pure function, no Streamlit.

The comparison's sizes, profiles and moves table are plain HTML (``pipeline.views.compare_html``).

Inputs are ``pipeline.analysis.cluster_compare``'s (sizes side by side, the moves table of shared
customers) and the runs' summaries. Colours and layout conventions are those of
:mod:`pipeline.views.cluster_charts`, so a cluster name has the same colour on both tabs; text from
the data goes through :func:`pipeline.views.text.plain_text`.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from pipeline.views.cluster_charts import (
    LAYOUT,
    cluster_color,
)
from pipeline.views.text import plain_text


def _translucent(colour: str, alpha: float) -> str:
    """A ``#rrggbb`` colour as ``rgba(r, g, b, alpha)``."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"


#: The Sankey's node columns (run A's, run B's) as shares of the plot's width: above 0, which
#: Plotly takes for "no position given", and inside the plot, so a node is not cut at the edge.
_LEFT_X, _RIGHT_X = 0.01, 0.99
#: The share of the plot's height between two nodes of a column (Plotly's own padding, 16 px, is
#: kept where these positions would make nodes overlap).
_GAP = 0.04


def _centres(totals: list[int]) -> list[float]:
    """Vertical centres (0 top, 1 bottom) for one column of nodes in the given order, each as tall
    as its share of the customers: where Plotly would stack them, but in this order, not in
    Plotly's own (it reorders nodes to cross fewer links)."""
    total = sum(totals) or 1
    scale = max(0.0, 1 - _GAP * (len(totals) - 1))
    centres, above = [], 0
    for place, count in enumerate(totals):
        centre = (above + count / 2) / total * scale + _GAP * place
        centres.append(min(max(centre, 0.001), 0.999))
        above += count
    return centres


def movement_sankey(moves: pd.DataFrame) -> go.Figure:
    """The same moves as a Sankey diagram: run A's clusters on the left, run B's on the right, each
    side top to bottom in the moves table's order (its rows, its columns), so the two read alike."""
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
                "x": [_LEFT_X] * len(left) + [_RIGHT_X] * len(right),
                "y": _centres([int(v) for v in moves.sum(axis=1)])
                + _centres([int(v) for v in moves.sum(axis=0)]),
            },
            # Light links in the colour of their run-A cluster: the node labels drawn over them
            # stay readable (grey links under grey text were not).
            link={
                "source": sources,
                "target": targets,
                "value": counts,
                "color": [_translucent(cluster_color(left[i]), 0.25) for i in sources],
            },
            # The label colour is the page's to set (``ui.clusters.sankey_for_theme``): a fixed dark
            # grey was dark on dark in the dark theme, blurred by Plotly's light outline.
            textfont={"size": 13},
        )
    )
    fig.update_layout(
        title="Customers from run A's clusters to run B's",
        height=120 + 45 * max(len(left), len(right)),
        **LAYOUT,
    )
    return fig
