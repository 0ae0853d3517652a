"""The Clusters page's Profiles view as plain HTML: the clusters' sizes as bars, their profiles as
a heat table; and its Segments view's clusters by RFM segment as a heat table too (issue 10).

Profiles is the view the page opens on, and it is drawn again on every switch to another run.
As two Plotly charts (``cluster_charts.cluster_sizes`` and ``cluster_profiles``, which the run
report keeps) it cost two chart mounts a switch, which kept the switch at 0.29-0.36 s in the
browser (benchmarks/README.md, rounds 14 and 16). Here the same figures are a few plain elements
the browser lays out in milliseconds, at any width, in the page's font and colours (light or
dark theme). Nothing waits for a hover: each bar has its share written beside it, each cell its
value, and the profiles are a real table that screen readers read cell by cell.

The Segments view's heatmap was a Plotly chart mounted on every run switch and on every turn of
its "shares" toggle (0.34-0.54 s in the browser, benchmarks/README.md round 24): the same table of
counts, or shares of each cluster, is here a table whose cells are shaded by their value.

Every text from the run (cluster names) is escaped here; ``st.html`` sanitises again. No script,
no link, nothing fetched.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from pipeline.views.bar_rows import Bar, BarRow, bar_rows_html, figure
from pipeline.views.cluster_charts import PROFILE_COLUMNS, PROFILE_LABELS, summary_table
from pipeline.views.heat_table import MISSING, HeatTable, heat_table_html, top_of

#: The bars' colours, as the Plotly chart of the report has them.
CUSTOMERS_COLOUR = "#74add1"
REVENUE_COLOUR = "#1a9850"
#: The profile cells' colour scale: blue below the average customer, red above (as the report's).
PROFILE_SCALE = "RdBu_r"
#: The segment cells' colour scale: 0 to the table's largest count, or to a share of 100%.
SEGMENT_SCALE = "Blues"


def _percent(share: float) -> str:
    return MISSING if math.isnan(share) else f"{share:.1%}"


def sizes_html(summary: dict[str, Any], title: str = "Cluster sizes and revenue share") -> str:
    """Each cluster's share of the customers beside its share of the revenue, as bars.

    One row a cluster, in cluster order: its name, then two bars (customers, revenue) whose
    lengths are the shares against the largest one, each with its share written after it. A
    row's tooltip adds the counts. Screen readers read it as one image whose text names every
    share.
    """
    table = summary_table(summary)
    if table.empty:
        return ""
    rows, spoken = [], []
    for index, name in enumerate(table["Name"]):
        customers, revenue = (
            figure(table[column].iloc[index]) for column in ("CustomerShare", "RevenueShare")
        )
        count = figure(table["Customers"].iloc[index]) if "Customers" in table else math.nan
        money = figure(table["Revenue"].iloc[index]) if "Revenue" in table else math.nan
        tip = f"{name}: {_percent(customers)} of customers"
        tip += "" if math.isnan(count) else f" ({count:,.0f})"
        tip += f", {_percent(revenue)} of revenue"
        tip += "" if math.isnan(money) else f" (£{money:,.0f})"
        spoken.append(f"{name}: {_percent(customers)} of customers, {_percent(revenue)} of revenue")
        bars = (
            Bar(customers, CUSTOMERS_COLOUR, _percent(customers), "customers"),
            Bar(revenue, REVENUE_COLOUR, _percent(revenue), "revenue"),
        )
        rows.append(BarRow(str(name), bars, tip))
    legend = ((CUSTOMERS_COLOUR, "Customers"), (REVENUE_COLOUR, "Revenue"))
    return bar_rows_html(title, rows, alt=f"{title}. " + "; ".join(spoken) + ".", legend=legend)


def profiles_html(
    summary: dict[str, Any], title: str = "Cluster profiles", limit: float | None = None
) -> str:
    """Each cluster's mean standardised recency, frequency and monetary as a table of coloured cells.

    Values are in standard deviations from the average customer (on the log features KMeans saw):
    blue below average, red above, the scale symmetric around 0 as the report's heatmap has it,
    to the run's furthest value (or ``limit``: two runs compared on one scale). Low recency means
    recent buyers. Each cell writes its value; a colour key under the table gives the scale.
    """
    table = summary_table(summary)
    if table.empty:
        return ""
    columns = [column for column in PROFILE_COLUMNS if column in table]
    values = profile_values(summary)
    scope = "in this run" if limit is None else "in both runs"
    if limit is None:
        limit = profile_limit(values)
    heat = HeatTable(
        title=title,
        corner="Cluster",
        rows=[str(name) for name in table["Name"]],
        columns=[PROFILE_LABELS[column] for column in columns],
        values=values,
        scale=PROFILE_SCALE,
        low=-limit,
        high=limit,
        text=lambda value: f"{value:+.2f}",
        unit="standard deviations from the average customer",
        note="Blue below the average customer, red above; low recency means recent buyers. "
        f"The colours span ±{limit:.2f} {scope}.",
    )
    return heat_table_html(heat)


def customers(count: float) -> str:
    """A count of customers in words: "1 customer", "1,234 customers"."""
    return f"{count:,.0f} customer" + ("" if count == 1 else "s")


def profile_values(summary: dict[str, Any]) -> np.ndarray:
    """The summary's profile figures: one row a cluster (in cluster order), one column a profile
    figure the summary has (none: no columns), NaN where a figure is missing."""
    table = summary_table(summary)
    columns = [column for column in PROFILE_COLUMNS if column in table]
    return np.array(
        [[figure(table[column].iloc[row]) for column in columns] for row in range(len(table))], dtype=float
    ).reshape(len(table), len(columns))


def profile_limit(values: np.ndarray) -> float:
    """The furthest profile value from the average (the scale's ends), 1 when there is none."""
    finite = np.abs(values[np.isfinite(values)])
    return float(finite.max()) if finite.size and finite.max() > 0 else 1.0


def segments_html(table: pd.DataFrame, normalise: bool) -> str:
    """How each cluster spreads over the RFM segments, as a table of shaded cells.

    ``table`` is ``cluster_charts.segment_crosstab``'s: one row a cluster, one column a segment,
    customers (or, with ``normalise``, shares of the cluster's customers). It is drawn turned: one
    column a cluster, one row a segment in the segments' own order (Champions to Lost), so that
    a run's few clusters fit across an 800 px screen where ten segments did not, and each
    cluster's shares add up down its column. Cells are shaded from the palest blue to the darkest
    (the table's largest count, or a share of 100%); a cell of none is left unshaded; a cell's
    tooltip names its cluster and segment.
    """
    if table.empty:
        return ""
    values = table.to_numpy(dtype=float).T
    if normalise:  # on a scale of 0-100%: the same shade is the same share in every run
        text, tip, high = (lambda value: f"{value:.1%}"), (lambda value: f"{value:.1%} of the cluster"), 1.0
    else:
        text, tip, high = (lambda value: f"{value:,.0f}"), customers, top_of(values)
    what = "share of the cluster's customers in" if normalise else "customers of the cluster in"
    heat = HeatTable(
        title="Clusters by RFM segment" + (" (share of each cluster)" if normalise else " (customers)"),
        corner="Segment",
        rows=[str(segment) for segment in table.columns],
        columns=[str(cluster) for cluster in table.index],
        values=values,
        scale=SEGMENT_SCALE,
        low=0.0,
        high=high,
        text=text,
        tip=lambda segment, cluster, value: f"{cluster} / {segment}: {tip(value)}",
        kind="segments",
        blank_zero=True,
        note=f"Each cell: the {what} that RFM segment.",
    )
    return heat_table_html(heat)
