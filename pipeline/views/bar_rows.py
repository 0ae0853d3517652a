"""Rows of horizontal bars as plain HTML, each bar's figure written beside it (issue 10).

A chart of a handful of bars that changes with every run shown (Clusters' sizes, Prices' RMSE by
split) was a Plotly chart mounted anew on every run switch, a good part of the switch's time in
the browser (benchmarks/README.md, round 16). As a few plain elements the browser lays it out in
milliseconds, at any width, in the page's font and colours (light or dark theme), and nothing
waits for a hover: each figure is written after its bar, a row's tooltip may add more. Screen
readers read the whole as one image, with the text alternative the caller writes.

Every text is escaped here; ``st.html`` sanitises again. No script, no link, nothing fetched.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.views.contrast import text_colour_on
from pipeline.views.text import html_text

#: The longest bar's (or the marker's) share of its track: the rest is room for the figure after it.
BAR_ROOM = 72.0
#: A marker further than this many times the longest bar is off the scale (``bar_rows_html``).
OFF_SCALE = 2.0
#: The room a bar's figure takes after it, as a share of the track: a marker's line within it
#: would cross the figure.
FIGURE_ROOM = 14.0
#: A chart's title, as the page's Plotly charts have theirs (bold, a little larger than the text).
TITLE_STYLE = ".ch-title{font-weight:600;font-size:1rem;text-align:left;margin-bottom:0.6rem}"


def figure(value: Any) -> float:
    """A figure of a run's results as a float, NaN when it has none (None, text, inf): a bar with
    no length and a dash, never an exception for a summary with holes."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number if math.isfinite(number) else math.nan


@dataclass(frozen=True)
class Bar:
    """One bar: its value (NaN when the figure is missing: no bar), colour and the text after it."""

    value: float
    colour: str
    text: str
    kind: str = ""


@dataclass(frozen=True)
class BarRow:
    """A row: its name on the left, its bars one under another, and a tooltip."""

    name: str
    bars: Sequence[Bar]
    tip: str = ""


@dataclass(frozen=True)
class Marker:
    """A dashed line across every row at ``value`` (a threshold), labelled above the rows."""

    value: float
    label: str
    colour: str


def bar_rows_html(
    title: str,
    rows: Sequence[BarRow],
    *,
    alt: str,
    legend: Sequence[tuple[str, str]] = (),
    marker: Marker | None = None,
) -> str:
    """The rows as a chart: bar lengths are values against the largest (the marker's included),
    which takes ``BAR_ROOM`` percent of its track. ``legend``: (colour, label) pairs under the rows.
    ``alt``: what screen readers hear instead.

    A marker more than ``OFF_SCALE`` times the longest bar is off the scale: drawn to it, the bars
    were slivers (a threshold of 1,000 against RMSEs of 3 to 60); the bars keep their own scale
    and the marker is named at the track's end with an arrow. A figure the marker's line would
    cross goes inside its bar, or after the line when the bar is too short to hold it.
    """
    values = [bar.value for row in rows for bar in row.bars if math.isfinite(bar.value)]
    longest = max(values, default=0.0)
    line = marker if marker is not None and math.isfinite(marker.value) else None
    off_scale = line is not None and line.value > OFF_SCALE * longest
    scale = max(longest if line is None or off_scale else max(longest, line.value), 1e-12)
    place = None if line is None or off_scale else max(line.value, 0.0) / scale * BAR_ROOM
    drawn = []
    if line is not None:
        where = "right:0" if place is None else f"left:{place:.3f}%;transform:translateX(-50%)"
        text = f"{line.label} →" if place is None else line.label
        drawn.append(
            '<div></div><div class="br-marker-label">'
            f'<span style="{where};color:{line.colour}">{html_text(text)}</span></div>'
        )
    for row in rows:
        bars = "".join(_bar(bar, scale, place) for bar in row.bars)
        if line is not None and place is not None:
            bars += f'<div class="br-marker" style="left:{place:.3f}%;border-color:{line.colour}"></div>'
        drawn.append(
            f'<div class="br-name">{html_text(row.name)}</div>'
            f'<div class="br-bars" title="{html_text(row.tip)}">{bars}</div>'
        )
    keys = "".join(
        f'<span class="br-key"><span class="br-swatch" style="background:{colour}"></span>'
        f"{html_text(label)}</span>"
        for colour, label in legend
    )
    return (
        f"<style>{_STYLE}</style>"
        f'<div class="br" role="img" aria-label="{html_text(alt)}">'
        f'<div class="ch-title" aria-hidden="true">{html_text(title)}</div>'
        f'<div class="br-grid" aria-hidden="true">{"".join(drawn)}</div>'
        + (f'<div class="br-legend" aria-hidden="true">{keys}</div>' if keys else "")
        + "</div>"
    )


def _bar(bar: Bar, scale: float, line: float | None) -> str:
    """One bar of a row and its figure: after the bar, unless the marker's line (at ``line``
    percent of the track) would cross it; then inside the bar, or after the line."""
    width = max(bar.value, 0.0) / scale * BAR_ROOM if math.isfinite(bar.value) else 0.0
    where = f"left:calc({width:.3f}% + 6px)"
    if line is not None and width <= line < width + FIGURE_ROOM:
        if width >= FIGURE_ROOM:
            where = f"right:calc({100 - width:.3f}% + 6px);color:{text_colour_on(bar.colour)}"
        else:
            where = f"left:calc({line:.3f}% + 6px)"
    return (
        f'<div class="br-track {html_text(bar.kind)}">'
        f'<div class="br-bar" style="width:{width:.3f}%;background:{bar.colour}"></div>'
        f'<span class="br-figure" style="{where}">{html_text(bar.text)}</span></div>'
    )


#: Constants only: classes scoped by the ``br`` prefix, sizes from the page's own font.
_STYLE = TITLE_STYLE + (
    ".br{font-size:0.875rem;line-height:1.3}"
    ".br-grid{display:grid;grid-template-columns:minmax(5rem,max-content) minmax(8rem,1fr);"
    "column-gap:0.75rem;row-gap:0.7rem;align-items:center}"
    ".br-name{overflow-wrap:anywhere;text-align:right}"
    ".br-bars{position:relative;display:flex;flex-direction:column;gap:2px;"
    "border-left:1px solid rgba(128,128,128,.5)}"
    ".br-track{position:relative;height:18px}"
    ".br-bar{position:absolute;left:0;top:0;height:18px;border-radius:0 3px 3px 0}"
    ".br-figure{position:absolute;top:50%;transform:translateY(-50%);white-space:nowrap;"
    "font-variant-numeric:tabular-nums}"
    ".br-marker{position:absolute;top:-0.4rem;bottom:-0.4rem;border-left:2px dashed}"
    ".br-marker-label{position:relative;height:1.1rem;font-size:0.8rem}"
    ".br-marker-label span{position:absolute;white-space:nowrap}"
    ".br-legend{display:flex;flex-wrap:wrap;gap:0.25rem 1rem;margin-top:0.8rem;justify-content:center}"
    ".br-key{display:inline-flex;align-items:center;gap:0.35rem}"
    ".br-swatch{display:inline-block;width:0.8rem;height:0.8rem;border-radius:2px}"
)
