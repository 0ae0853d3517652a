"""The Prices page's charts as plain HTML: the RMSE by split as bars against the threshold, and
predicted against actual as a density of log cells (issue 10).

Errors is the view the page opens on, drawn again on every switch to another run; its RMSE chart
(``price_charts.rmse_chart``, which the run report keeps) was a Plotly chart mounted anew each
time. Here it is ``bar_rows``: a bar a split with its RMSE written after it, the threshold a
dashed line across them, so which split passed reads at a glance.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from pipeline.views.bar_rows import TITLE_STYLE, Bar, BarRow, Marker, bar_rows_html, figure
from pipeline.views.price_charts import (
    DENSITY_COLOURS,
    MISS_COLOUR,
    PREDICTED_TITLE,
    SPLIT_COLOURS,
    SPLITS,
    PriceDensity,
    miss_names,
)
from pipeline.views.style import scale_colour
from pipeline.views.text import html_text
from pipeline.views.wording import counted

#: The threshold's line, as the report's chart draws it.
THRESHOLD_COLOUR = "#d73027"


def rmse_html(scores: dict[str, Any], title: str = "RMSE by split against the threshold") -> str:
    """The RMSE of each split the scores have (train, validation, test) as bars, the threshold a
    dashed line: the workflow's Choice compared the validation RMSE with it."""
    rows = []
    spoken = []
    for (label, key), colour in zip(SPLITS, SPLIT_COLOURS, strict=True):
        value = figure(scores.get(key))
        if math.isnan(value):
            continue
        tip = f"{label} RMSE {value:,.4g}"
        tip += " (the Choice compared this one with the threshold)" if key == "validation_rmse" else ""
        rows.append(BarRow(label, (Bar(value, colour, f"{value:,.2f}", key),), tip))
        spoken.append(f"{label.lower()} {value:,.2f}")
    if not rows:
        return ""
    threshold = figure(scores.get("rmse_threshold"))
    marker = None
    if not math.isnan(threshold):
        marker = Marker(threshold, f"threshold {threshold:g}", THRESHOLD_COLOUR)
    against = "" if marker is None else f" against the threshold {threshold:g}"
    alt = f"RMSE by split{against}: " + ", ".join(spoken) + "."
    return bar_rows_html(title, rows, alt=alt, marker=marker)


def density_html(density: PriceDensity, title: str = PREDICTED_TITLE) -> str:
    """Predicted against actual unit price as plain HTML: each non-empty log cell of ``density``
    a square shaded by its count (log scale), the line where predicted equals actual, and the
    largest misses as dots; every cell and dot says what it holds in its tooltip.

    Why not the report's Plotly heatmap (``price_charts.predicted_vs_actual``): on a run switch the
    browser mounted it anew, ~0.1 s of the switch (benchmarks/README.md, round 18), where these few
    hundred boxes are laid out in milliseconds. Both axes span the same log range, so the equal line
    is the square's diagonal.
    """
    if not density.placed:
        return (
            f"<style>{_DENSITY_STYLE}</style>"
            f'<div class="dn" role="img" aria-label="{html_text(f"{title}. {density.note}.")}">'
            f'<div class="ch-title" aria-hidden="true">{html_text(title)}</div>'
            f'<div class="dn-note" aria-hidden="true">{html_text(density.note)}</div></div>'
        )
    low, high = float(density.edges[0]), float(density.edges[-1])
    side = 100.0 / (len(density.edges) - 1)
    top = max(int(density.counts.max()), 1)
    misses = density.misses
    ticks = _decades(low, high)
    grid = "".join(
        f'<div class="dn-gx" style="left:{at:.3f}%"></div><div class="dn-gy" style="bottom:{at:.3f}%"></div>'
        for at, _ in ticks
    )
    y_ticks = "".join(f'<span style="bottom:{at:.3f}%">{label}</span>' for at, label in ticks)
    # A tick in the corner is named once, by the y axis: both labels met there.
    x_ticks = "".join(f'<span style="left:{at:.3f}%">{label}</span>' for at, label in ticks if at >= CORNER)
    alt = f"{title}. {density.note}."
    if len(misses):
        worst = misses.iloc[0]
        alt += (
            f" The largest miss: {miss_names(misses.head(1))[0]}, actual "
            f"{_price(worst['UnitPrice'])}, predicted {_price(worst['Predicted'])}."
        )
    legend = (
        f'<span class="dn-key"><span class="dn-ramp" style="background:linear-gradient(to right,'
        f'{_shade(1, top)},{_shade(top, top)})"></span>'
        f"{f'1 to {top:,} lines' if top > 1 else '1 line'} a cell</span>"
        + (
            '<span class="dn-key"><span class="dn-dot"></span>'
            f"the {len(misses):,} largest misses drawn</span>"
            if len(misses)
            else ""
        )
        + '<span class="dn-key"><span class="dn-line"></span>predicted = actual</span>'
    )
    return (
        f"<style>{_DENSITY_STYLE}</style>"
        f'<div class="dn" role="img" aria-label="{html_text(alt)}">'
        f'<div class="ch-title" aria-hidden="true">{html_text(title)}</div>'
        f'<div class="dn-note" aria-hidden="true">{html_text(density.note)}</div>'
        '<div class="dn-grid" aria-hidden="true">'
        '<div class="dn-ytitle">Predicted UnitPrice (log)</div>'
        f'<div class="dn-yticks">{y_ticks}</div>'
        f'<div class="dn-plot" style="--cell:{side:.4f}%">{grid}{_cells(density, top)}'
        f'<div class="dn-diag"></div>{_dots(misses, low, high)}</div>'
        f'<div></div><div></div><div class="dn-xticks">{x_ticks}</div>'
        '<div></div><div></div><div class="dn-xtitle">Actual UnitPrice (log)</div>'
        f'</div><div class="dn-legend" aria-hidden="true">{legend}</div></div>'
    )


#: How near the plot's left end (percent of its width) an x tick goes unlabelled: the y axis's label
#: of the same power of ten sits there.
CORNER = 8.0


def _cells(density: PriceDensity, top: int) -> str:
    """Each non-empty cell as a box placed by its column (actual) and row (predicted), shaded by
    its count, its price ranges and count in its tooltip."""
    side = 100.0 / (len(density.edges) - 1)
    shades = _shades(density.counts, top)
    prices = 10**density.edges
    cells = []
    for row, column in zip(*np.nonzero(density.counts), strict=True):
        count = int(density.counts[row, column])
        tip = (
            f"actual {_price(prices[column])}–{_price(prices[column + 1])}, "
            f"predicted {_price(prices[row])}–{_price(prices[row + 1])}: "
            f"{counted(count, 'test line')}"
        )
        cells.append(
            f'<div class="dn-c" style="left:{column * side:.3f}%;bottom:{row * side:.3f}%;'
            f'background:{shades[count]}" title="{html_text(tip)}"></div>'
        )
    return "".join(cells)


def _dots(misses: pd.DataFrame, low: float, high: float) -> str:
    """Each marked miss as a dot where its actual and predicted prices fall on the log axes
    spanning ``low`` to ``high`` (log10), named by its product in its tooltip."""
    dots = []
    for name, actual, predicted in zip(
        miss_names(misses), misses["UnitPrice"], misses["Predicted"], strict=True
    ):
        tip = f"{name}: actual {_price(actual)}, predicted {_price(predicted)}"
        left = (math.log10(actual) - low) / (high - low) * 100
        bottom = (math.log10(predicted) - low) / (high - low) * 100
        dots.append(
            f'<div class="dn-m" style="left:{left:.3f}%;bottom:{bottom:.3f}%" title="{html_text(tip)}"></div>'
        )
    return "".join(dots)


def _shade(count: int, top: int) -> str:
    """A cell's colour: ``DENSITY_COLOURS`` at the log of its count against the largest's."""
    position = math.log10(count) / math.log10(top) if top > 1 else 1.0
    return scale_colour(DENSITY_COLOURS, position)


def _shades(counts: np.ndarray, top: int) -> dict[int, str]:
    """The colour of every count present (a few hundred at most: sampled once each)."""
    return {int(count): _shade(int(count), top) for count in np.unique(counts[counts > 0])}


def _price(value: float) -> str:
    """A unit price as the tooltips write it: pence under a pound keep two figures."""
    value = float(value)
    return f"{value:,.2f}" if value >= 0.1 else f"{value:.2g}"


def _decades(low: float, high: float) -> list[tuple[float, str]]:
    """The axis ticks, one a power of ten within [low, high] (log10), each as (percent along the
    axis, label); the two ends when the range holds no power of ten."""
    span = high - low
    powers = range(math.ceil(low - 1e-9), math.floor(high + 1e-9) + 1)
    at = [(power - low) / span * 100 for power in powers]
    labels = [f"{10**power:,.0f}" if power >= 0 else f"{10**power:.{-power}f}" for power in powers]
    if not labels:
        return [(0.0, _price(10**low)), (100.0, _price(10**high))]
    return list(zip(at, labels, strict=True))


#: Constants only, scoped by the ``dn`` prefix. The plot is a square (the same log range on both
#: axes) on white in both themes, as the workflow graph's card: on the dark theme's background the
#: busiest cells, the darkest, vanished. Cells overlap by a hair so no seam shows between neighbours.
_DENSITY_STYLE = TITLE_STYLE + (
    ".dn{font-size:0.8rem;line-height:1.25}"
    ".dn-note{opacity:0.75;margin:-0.4rem 0 0.6rem}"
    ".dn-grid{display:grid;grid-template-columns:1.2rem auto minmax(0,1fr)}"
    ".dn-ytitle{writing-mode:vertical-rl;transform:rotate(180deg);text-align:center}"
    ".dn-yticks{position:relative;min-width:2.4rem}"
    ".dn-yticks span{position:absolute;right:0.3rem;transform:translateY(50%);white-space:nowrap}"
    ".dn-plot{position:relative;aspect-ratio:1;border:1px solid rgba(128,128,128,0.5);"
    "margin:0.5rem 0.8rem 0 0;background:#fff;color:#31333f}"
    ".dn-gx,.dn-gy{position:absolute;border:0 solid rgba(128,128,128,0.22)}"
    ".dn-gx{top:0;bottom:0;border-left-width:1px}.dn-gy{left:0;right:0;border-top-width:1px}"
    ".dn-c{position:absolute;width:calc(var(--cell) + 0.5px);height:calc(var(--cell) + 0.5px)}"
    ".dn-diag{position:absolute;inset:0;pointer-events:none;opacity:0.7;background:linear-gradient("
    "to bottom right,transparent calc(50% - 0.7px),currentColor 50%,transparent calc(50% + 0.7px))}"
    f".dn-m,.dn-dot{{width:7px;height:7px;border-radius:50%;background:{MISS_COLOUR};"
    "border:1px solid #fff;box-sizing:border-box}"
    ".dn-m{position:absolute;transform:translate(-50%,50%)}"
    ".dn-xticks{position:relative;height:1.3rem;margin-right:0.8rem}"
    ".dn-xticks span{position:absolute;top:0.2rem;transform:translateX(-50%);white-space:nowrap}"
    ".dn-xtitle{text-align:center;margin-right:0.8rem}"
    ".dn-legend{display:flex;flex-wrap:wrap;gap:0.3rem 1rem;margin-top:0.5rem}"
    ".dn-key{display:inline-flex;align-items:center;gap:0.35rem}"
    ".dn-ramp{display:inline-block;width:3rem;height:0.7rem;border:2px solid #fff}"
    ".dn-dot{display:inline-block}"
    ".dn-line{display:inline-block;width:1.2rem;border-top:1px solid currentColor;opacity:0.7}"
)
