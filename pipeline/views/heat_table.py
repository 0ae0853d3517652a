"""A table of figures whose cells are shaded by their value, as plain HTML (issue 10).

Clusters' heatmaps that change with every run shown (its profiles, its clusters by RFM segment,
how customers moved between two runs) were Plotly charts mounted anew on every run switch, a good
part of the switch's time in the browser (benchmarks/README.md, rounds 16 and 24). As a real table
the browser lays it out in milliseconds, at any width, in the page's font and colours (light or
dark theme); each cell writes its figure (nothing waits for a hover), its text black or white,
whichever contrasts more with its shade (WCAG AA), and screen readers read it cell by cell. A
colour key under the table gives the scale's ends.

Every text is escaped here; ``st.html`` sanitises again. No script, no link, nothing fetched.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.views.bar_rows import TITLE_STYLE
from pipeline.views.contrast import text_colour_on
from pipeline.views.style import scale_colour
from pipeline.views.text import html_text

#: Shown for a figure the data lacks.
MISSING = "–"


@dataclass(frozen=True)
class HeatTable:
    """What a heat table shows.

    ``values`` has one row a name of ``rows`` and one column a name of ``columns``; NaN is a
    figure the data lacks (a dash). The shade runs along ``scale`` (a Plotly colour scale's name)
    from ``low`` to ``high``; ``text`` writes a figure, ``tip`` a cell's tooltip from its row's and
    column's names and its value. ``kind`` is a class of its own for the table (``cp-<kind>``),
    ``unit`` a quieter word after the title, ``note`` a line under the key. With ``blank_zero`` a
    zero is "none", not the scale's low end: its cell is left unshaded (a table of counts, whose
    zeros were the brightest cells on the dark theme)."""

    title: str
    corner: str
    rows: Sequence[str]
    columns: Sequence[str]
    values: np.ndarray
    scale: str
    low: float
    high: float
    text: Callable[[float], str]
    tip: Callable[[str, str, float], str] | None = None
    kind: str = ""
    unit: str = ""
    note: str = ""
    blank_zero: bool = False


def top_of(values: np.ndarray) -> float:
    """The largest finite value of ``values`` (a scale's high end), 1 when there is none above 0."""
    finite = values[np.isfinite(values)]
    return float(finite.max()) if finite.size and finite.max() > 0 else 1.0


def heat_table_html(table: HeatTable) -> str:
    """The table, its colour key and its note as one HTML fragment ("" for a table without rows)."""
    if not len(table.rows):
        return ""
    header = "".join(f'<th scope="col">{html_text(column)}</th>' for column in table.columns)
    body = []
    for row, name in enumerate(table.rows):
        cells = "".join(
            _cell(table, str(name), str(column), float(table.values[row, column_index]))
            for column_index, column in enumerate(table.columns)
        )
        body.append(f'<tr><th scope="row">{html_text(name)}</th>{cells}</tr>')
    stops = ",".join(scale_colour(table.scale, position) for position in np.linspace(0.0, 1.0, 9))
    low, high = html_text(table.text(table.low)), html_text(table.text(table.high))
    key = (
        f'<div class="cp-key" aria-hidden="true"><span class="cp-limit">{low}</span>'
        f'<span class="cp-ramp" style="background:linear-gradient(to right,{stops})"></span>'
        f'<span class="cp-limit">{high}</span></div>'
    )
    note = f'<div class="cp-note">{html_text(table.note)}</div>' if table.note else ""
    # The unit in the caption, the table's name: a screen reader hears "+0.46" with what it counts.
    unit = f' <span class="cp-unit">({html_text(table.unit)})</span>' if table.unit else ""
    kind = f" cp-{table.kind}" if table.kind else ""
    return (
        f"<style>{_STYLE}</style>"
        f'<div class="cp{kind}"><div class="cp-scroll"><table class="cp-table">'
        f'<caption class="ch-title">{html_text(table.title)}{unit}</caption>'
        f'<thead><tr><th scope="col">{html_text(table.corner)}</th>{header}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>{key}{note}</div>"
    )


def shade(table: HeatTable, value: float) -> str:
    """The colour of ``value`` on the table's scale (clamped to its ends)."""
    span = table.high - table.low
    return scale_colour(table.scale, (value - table.low) / span if span > 0 else 0.0)


def _cell(table: HeatTable, row: str, column: str, value: float) -> str:
    if math.isnan(value):
        return f'<td class="cp-missing">{MISSING}</td>'
    tip = f' title="{html_text(table.tip(row, column, value))}"' if table.tip else ""
    if table.blank_zero and value == 0:
        return f'<td{tip} class="cp-zero">{html_text(table.text(value))}</td>'
    background = shade(table, value)
    return (
        f'<td{tip} style="background:{background};color:{text_colour_on(background)}">'
        f"{html_text(table.text(value))}</td>"
    )


#: Constants only: classes scoped by the ``cp`` prefix, sizes from the page's font. Row names
#: wrap at their spaces; a table wider than its column (many clusters) scrolls in a box of its
#: own rather than widening the page.
_STYLE = TITLE_STYLE + (
    ".cp{font-size:0.875rem;line-height:1.3}"
    ".cp~.cp{margin-top:1.5rem}"  # two tables one after the other (the runs compared)
    ".cp-scroll{overflow-x:auto}"
    ".cp-table{width:100%;border-collapse:separate;border-spacing:2px;table-layout:auto}"
    ".cp-table caption{caption-side:top}"
    ".cp-table th{font-weight:400;padding:0.2rem 0.4rem}"
    ".cp-table thead th{text-align:center;opacity:0.8;vertical-align:bottom}"
    ".cp-table tbody th{text-align:right;overflow-wrap:anywhere}"
    ".cp-table td{text-align:center;padding:0.7rem 0.4rem;font-variant-numeric:tabular-nums;"
    "border-radius:2px;min-width:4.5rem}"
    ".cp-missing{background:rgba(128,128,128,.15)}"
    ".cp-zero{box-shadow:inset 0 0 0 1px rgba(128,128,128,.3);opacity:0.6}"
    ".cp-key{display:flex;align-items:center;gap:0.5rem;margin-top:0.6rem;font-size:0.8rem;"
    "font-variant-numeric:tabular-nums;justify-content:flex-end}"
    ".cp-ramp{display:inline-block;width:10rem;height:0.7rem;border-radius:2px}"
    ".cp-note{font-size:0.8rem;opacity:0.75;margin-top:0.4rem}"
    ".cp-unit{font-weight:400;font-size:0.8rem;opacity:0.75}"
    # Tables of counts (clusters by segment, moves between runs): narrower cells, row names on
    # one line.
    ".cp-segments .cp-table tbody th,.cp-moves .cp-table tbody th{white-space:nowrap;overflow-wrap:normal}"
    ".cp-segments .cp-table td,.cp-moves .cp-table td{min-width:3.5rem;padding:0.45rem 0.3rem}"
)
