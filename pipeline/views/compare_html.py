"""The Clusters page's comparison of two runs as plain HTML: sizes as bars, profiles and moves as
heat tables (issue 10).

Choosing a run to compare with drew four Plotly charts, 1.07 s in the browser at full scale
(benchmarks/README.md, round 23), and each run switch on the view drew them again. Three of them
are tables of figures: the clusters' sizes in both runs (bars, ``bar_rows``), both runs' profiles
on one colour scale and how the shared customers moved between the runs' clusters (heat tables,
``heat_table``). The Sankey diagram of the same moves stays a Plotly chart
(``compare_charts.movement_sankey``).

Inputs are ``pipeline.analysis.cluster_compare``'s (sizes side by side, the moves table of shared
customers) and the runs' summaries. Every text from the runs (cluster names, run labels) is
escaped by ``bar_rows`` and ``heat_table``; ``st.html`` sanitises again.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from pipeline.views import cluster_html
from pipeline.views.bar_rows import Bar, BarRow, bar_rows_html, figure
from pipeline.views.heat_table import MISSING, HeatTable, heat_table_html, top_of

#: Each run's colour, as the comparison's bars have had them.
RUN_A_COLOUR = "#4575b4"
RUN_B_COLOUR = "#fdae61"
#: The moves' colour scale, 0 to the most customers any one move has.
MOVES_SCALE = "Purples"


def _share(value: float) -> str:
    return MISSING if math.isnan(value) else f"{value:.1%}"


def sizes_html(sizes: pd.DataFrame, label_a: str = "Run A", label_b: str = "Run B") -> str:
    """Each cluster name's share of the customers in run A beside its share in run B, as bars.

    ``sizes`` is ``cluster_compare.sizes_side_by_side``'s long table. One row a name, in the order
    the runs name them (A's first); a name one run lacks has a dash for that run. A row's tooltip
    adds the counts.
    """
    if sizes.empty:
        return ""
    names = list(dict.fromkeys(str(name) for name in sizes["Name"]))
    by_run = {
        run: sizes[sizes["Run"] == run].assign(Name=lambda t: t["Name"].astype(str)).set_index("Name")
        for run in ("A", "B")
    }
    rows, spoken = [], []
    for name in names:
        shares, counts = {}, {}
        for run, table in by_run.items():
            found = name in table.index
            shares[run] = figure(table.at[name, "CustomerShare"]) if found else math.nan
            counts[run] = figure(table.at[name, "Customers"]) if found else math.nan
        said = [
            f"{label} {_share(shares[run])}" + ("" if math.isnan(counts[run]) else f" ({counts[run]:,.0f})")
            for run, label in (("A", label_a), ("B", label_b))
        ]
        spoken.append(f"{name}: " + ", ".join(said))
        bars = (
            Bar(shares["A"], RUN_A_COLOUR, _share(shares["A"]), "run-a"),
            Bar(shares["B"], RUN_B_COLOUR, _share(shares["B"]), "run-b"),
        )
        rows.append(BarRow(name, bars, f"{name}: " + ", ".join(said) + " of customers"))
    title = "Cluster sizes in both runs"
    legend = ((RUN_A_COLOUR, label_a), (RUN_B_COLOUR, label_b))
    return bar_rows_html(
        title, rows, alt=f"{title}, share of customers. " + "; ".join(spoken) + ".", legend=legend
    )


def profiles_html(summary_a: dict[str, Any], summary_b: dict[str, Any]) -> str:
    """Both runs' standardised profiles, run A's table above run B's, on one colour scale (the
    furthest value of either run): the same shade means the same distance from the average."""
    both = [cluster_html.profile_values(summary).ravel() for summary in (summary_a, summary_b)]
    limit = cluster_html.profile_limit(np.concatenate(both))
    return cluster_html.profiles_html(
        summary_a, "Cluster profiles, run A", limit
    ) + cluster_html.profiles_html(summary_b, "Cluster profiles, run B", limit)


def moves_html(moves: pd.DataFrame) -> str:
    """Shared customers by cluster in run A (rows) and run B (columns): where each cluster went.

    ``moves`` is ``RunComparison.moves``. Each cell writes its count; its tooltip adds the share of
    the run-A cluster that went there.
    """
    if moves.empty:
        return ""
    values = moves.to_numpy(dtype=float)
    totals = dict(zip((f"A: {name}" for name in moves.index), np.nansum(values, axis=1), strict=True))

    def tip(row: str, column: str, value: float) -> str:
        total = totals[row]
        share = f" ({value / total:.1%} of the A cluster)" if total > 0 else ""
        return f"{row} -> {column}: {cluster_html.customers(value)}{share}"

    heat = HeatTable(
        title="How customers moved between clusters",
        corner="Run A's cluster",
        rows=[f"A: {name}" for name in moves.index],
        columns=[f"B: {name}" for name in moves.columns],
        values=values,
        scale=MOVES_SCALE,
        low=0.0,
        high=top_of(values),
        text=lambda value: f"{value:,.0f}",
        tip=tip,
        kind="moves",
        blank_zero=True,
        unit="shared customers",
        note="Each cell: the customers of run A's cluster (row) that run B put in its cluster (column).",
    )
    return heat_table_html(heat)
