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

from pipeline.views.bar_rows import TITLE_STYLE, Bar, BarRow, bar_rows_html, figure
from pipeline.views.cluster_charts import PROFILE_COLUMNS, PROFILE_LABELS, summary_table
from pipeline.views.contrast import text_colour_on
from pipeline.views.style import scale_colour
from pipeline.views.text import html_text

#: The bars' colours, as the Plotly chart of the report has them.
CUSTOMERS_COLOUR = "#74add1"
REVENUE_COLOUR = "#1a9850"
#: The profile cells' colour scale: blue below the average customer, red above (as the report's).
PROFILE_SCALE = "RdBu_r"
#: The segment cells' colour scale, 0 to the table's largest value (as the report's heatmap).
SEGMENT_SCALE = "Blues"
#: Shown for a figure the summary lacks (an empty cluster has no averages).
MISSING = "–"


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


def profiles_html(summary: dict[str, Any], title: str = "Cluster profiles") -> str:
    """Each cluster's mean standardised recency, frequency and monetary as a table of coloured cells.

    Values are in standard deviations from the average customer (on the log features KMeans saw):
    blue below average, red above, the scale symmetric around 0 as the report's heatmap has it.
    Low recency means recent buyers. Each cell writes its value; its text is black or white,
    whichever contrasts more with its colour (``contrast.text_colour_on``). A colour key under the
    table gives the scale.
    """
    table = summary_table(summary)
    if table.empty:
        return ""
    columns = [column for column in PROFILE_COLUMNS if column in table]
    # One row a cluster, one column a profile figure the summary has (none: rows of names alone).
    values = np.array(
        [[figure(table[column].iloc[row]) for column in columns] for row in range(len(table))], dtype=float
    ).reshape(len(table), len(columns))
    finite = np.abs(values[np.isfinite(values)])
    limit = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    header = "".join(
        f'<th scope="col" title="{html_text(PROFILE_COLUMNS[column])}">'
        f"{html_text(PROFILE_LABELS[column])}</th>"
        for column in columns
    )
    body = []
    for name, row_values in zip(table["Name"], values, strict=True):
        cells = "".join(_cell(value, limit) for value in row_values)
        body.append(f'<tr><th scope="row">{html_text(name)}</th>{cells}</tr>')
    stops = ",".join(_colour(position) for position in np.linspace(0.0, 1.0, 9))
    key = (
        f'<div class="cp-key" aria-hidden="true"><span class="cp-limit">{-limit:+.2f}</span>'
        f'<span class="cp-ramp" style="background:linear-gradient(to right,{stops})"></span>'
        f'<span class="cp-limit">{limit:+.2f}</span></div>'
    )
    note = (
        '<div class="cp-note">Blue below the average customer, red above; low recency means recent '
        f"buyers. The colours span ±{limit:.2f} in this run.</div>"
    )
    # The unit in the caption, the table's name: a screen reader hears "+0.46" with what it counts.
    caption = (
        f'{html_text(title)} <span class="cp-unit">(standard deviations from the average customer)</span>'
    )
    return (
        f"<style>{_STYLE}</style>"
        f'<div class="cp"><table class="cp-table"><caption class="ch-title">{caption}</caption>'
        f'<thead><tr><th scope="col">Cluster</th>{header}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>{key}{note}</div>"
    )


def segments_html(table: pd.DataFrame, normalise: bool) -> str:
    """How each cluster spreads over the RFM segments, as a table of shaded cells.

    ``table`` is ``cluster_charts.segment_crosstab``'s: one row a cluster, one column a segment,
    customers (or, with ``normalise``, shares of the cluster's customers). It is drawn turned: one
    column a cluster, one row a segment in the segments' own order (Champions to Lost), so that
    a run's few clusters fit across an 800 px screen where ten segments did not, and each
    cluster's shares add up down its column. Each cell writes its value, shaded from white (none)
    to the darkest blue (the table's largest value), its text black or white whichever contrasts
    more; its tooltip names the cluster and the segment.
    """
    title = "Clusters by RFM segment" + (" (share of each cluster)" if normalise else " (customers)")
    if table.empty:
        return ""
    values = table.to_numpy(dtype=float)
    largest = float(np.nanmax(values)) if values.size and np.nanmax(values) > 0 else 1.0
    header = "".join(f'<th scope="col">{html_text(cluster)}</th>' for cluster in table.index)
    body = []
    for column, segment in enumerate(table.columns):
        cells = "".join(
            _segment_cell(values[row, column], largest, normalise, f"{cluster} / {segment}")
            for row, cluster in enumerate(table.index)
        )
        body.append(f'<tr><th scope="row">{html_text(segment)}</th>{cells}</tr>')
    stops = ",".join(scale_colour(SEGMENT_SCALE, position) for position in np.linspace(0.0, 1.0, 9))
    shown = (lambda value: f"{value:.0%}") if normalise else (lambda value: f"{value:,.0f}")
    key = (
        f'<div class="cp-key" aria-hidden="true"><span class="cp-limit">{shown(0)}</span>'
        f'<span class="cp-ramp" style="background:linear-gradient(to right,{stops})"></span>'
        f'<span class="cp-limit">{shown(largest)}</span></div>'
    )
    what = "share of the cluster's customers in" if normalise else "customers of the cluster in"
    note = f'<div class="cp-note">Each cell: the {what} that RFM segment.</div>'
    return (
        f"<style>{_STYLE}</style>"
        f'<div class="cp cs"><div class="cs-scroll"><table class="cp-table">'
        f'<caption class="ch-title">{html_text(title)}</caption>'
        f'<thead><tr><th scope="col">Segment</th>{header}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>{key}{note}</div>"
    )


def _segment_cell(value: float, largest: float, normalise: bool, where: str) -> str:
    if math.isnan(value):
        return f'<td class="cp-missing">{MISSING}</td>'
    background = scale_colour(SEGMENT_SCALE, value / largest)
    text = f"{value:.0%}" if normalise else f"{value:,.0f}"
    tip = f"{where}: " + (f"{value:.1%} of the cluster" if normalise else f"{value:,.0f} customers")
    return (
        f'<td title="{html_text(tip)}" style="background:{background};color:{text_colour_on(background)}">'
        f"{text}</td>"
    )


def _colour(position: float) -> str:
    """The scale's colour at ``position`` (0 = the lowest value, 1 = the highest)."""
    return scale_colour(PROFILE_SCALE, position)


def _cell(value: float, limit: float) -> str:
    if math.isnan(value):
        return f'<td class="cp-missing">{MISSING}</td>'
    background = _colour((value / limit + 1) / 2)
    return f'<td style="background:{background};color:{text_colour_on(background)}">{value:+.2f}</td>'


#: Constants only: classes scoped by the ``cp`` prefix, sizes from the page's font.
_STYLE = TITLE_STYLE + (
    ".cp{font-size:0.875rem;line-height:1.3}"
    ".cp-table{width:100%;border-collapse:separate;border-spacing:2px;table-layout:auto}"
    ".cp-table caption{caption-side:top}"
    ".cp-table th{font-weight:400;padding:0.2rem 0.4rem}"
    ".cp-table thead th{text-align:center;opacity:0.8}"
    ".cp-table tbody th{text-align:right;overflow-wrap:anywhere}"
    ".cp-table td{text-align:center;padding:0.7rem 0.4rem;font-variant-numeric:tabular-nums;"
    "border-radius:2px;min-width:4.5rem}"
    ".cp-missing{background:rgba(128,128,128,.15)}"
    ".cp-key{display:flex;align-items:center;gap:0.5rem;margin-top:0.6rem;font-size:0.8rem;"
    "font-variant-numeric:tabular-nums;justify-content:flex-end}"
    ".cp-ramp{display:inline-block;width:10rem;height:0.7rem;border-radius:2px}"
    ".cp-note{font-size:0.8rem;opacity:0.75;margin-top:0.4rem}"
    ".cp-unit{font-weight:400;font-size:0.8rem;opacity:0.75}"
    # The segments' table: cluster names wrap at their spaces, segment names do not; a run of many
    # clusters scrolls in its own box rather than widening the page.
    ".cs-scroll{overflow-x:auto}"
    ".cs .cp-table thead th{vertical-align:bottom}"
    ".cs .cp-table tbody th{white-space:nowrap;overflow-wrap:normal}"
    ".cs .cp-table td{min-width:3.5rem;padding:0.45rem 0.3rem}"
)
