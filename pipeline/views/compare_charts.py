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
