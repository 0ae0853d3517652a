"""Executions' timeline of state visits as a small HTML Gantt chart (issue 10).

The page drew it with Plotly (``execution_view.timeline_figure``, which the run report keeps).
On Executions the timeline changes with every run shown, so its chart was mounted anew on
each switch to another run: ~0.06-0.09 s of the browser's time in paired measurements
(benchmarks/README.md, round 15), a fifth of the switch. Here it is a grid of plain elements:
each visit a row, its name, a bar placed on the run's span by percentages, and its seconds
written beside the bar, so nothing waits for a hover. The browser lays it out in a few
milliseconds, at any width; the text takes the page's font and colour (light or dark theme).

Every text comes from the run (state names) and is escaped here; ``st.html`` sanitises again.
No script, no link, nothing fetched.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from pipeline.views.execution_view import drawn_bars, timeline_alt
from pipeline.views.graph import STATUS_COLOURS
from pipeline.views.text import html_text

#: A seconds label sits after its bar unless the bar ends past this share of the span; then
#: before it, or in it when the bar also starts before ``100 - LABEL_ROOM``.
LABEL_ROOM = 78.0
#: Height of a bar, px.
BAR_HEIGHT = 18
FALLBACK_COLOUR = "#9e9e9e"


def _colour(status: str) -> str:
    """A status's bar colour: its border colour on the workflow graph."""
    return STATUS_COLOURS.get(status, ("", FALLBACK_COLOUR))[1]


def _seconds(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:,.0f} s"


def _label_style(left: float, width: float) -> str:
    """Where a bar's seconds go: after it, before it, or inside it (white) for a long bar."""
    end = left + width
    if end <= LABEL_ROOM:
        return f"left:calc({end:.3f}% + 6px)"
    if left >= 100 - LABEL_ROOM:
        return f"right:calc({100 - left:.3f}% + 6px)"
    return f"left:calc({left:.3f}% + 6px);color:#fff;font-weight:600"


def timeline_html(
    frame: pd.DataFrame, began: dt.datetime | None = None, ended: dt.datetime | None = None
) -> str:
    """``frame`` (``execution_view.timeline``: Step, Status, Start, Finish, Seconds) as HTML.

    A bar's left edge and width are its start and length as percentages of the run's span: from
    ``began`` to ``ended`` (the execution's start and stop, so the axis reads as the page's
    Started and Duration do; a review found the first state's start and the states' span beside
    them confusing), else from the first visit to the last. Zero-length visits get
    ``drawn_bars``'s shortest bar; a bar's colour is its status's border colour on the workflow
    graph; a legend names the statuses shown. The whole is one image to screen readers, read as
    ``timeline_alt`` says it.
    """
    if frame.empty:
        return ""
    drawn = drawn_bars(frame)
    start = drawn["Start"].min() if began is None else min(drawn["Start"].min(), pd.Timestamp(began))
    end = drawn["Finish"].max() if ended is None else max(drawn["Finish"].max(), pd.Timestamp(ended))
    span = max((end - start).total_seconds(), 1e-9)
    rows = []
    for visit, bar in zip(frame.itertuples(index=False), drawn.itertuples(index=False), strict=True):
        left = (bar.Start - start).total_seconds() / span * 100
        width = max((bar.Finish - bar.Start).total_seconds() / span * 100, 0.0)
        width = min(width, 100 - left)
        status = str(visit.Status)
        offset = (visit.Start - start).total_seconds()
        tip = f"{visit.Step}: {status.lower()}, {float(visit.Seconds):.3f} s from +{offset:.3f} s"
        rows.append(
            f'<div class="tl-name">{html_text(visit.Step)}</div>'
            f'<div class="tl-track" title="{html_text(tip)}">'
            f'<div class="tl-bar" style="left:{left:.3f}%;width:{width:.3f}%;'
            f'background:{_colour(status)}"></div>'
            f'<span class="tl-seconds" style="{_label_style(left, width)}">'
            f"{html_text(_seconds(float(visit.Seconds)))}</span></div>"
        )
    statuses = list(dict.fromkeys(str(status) for status in frame["Status"]))
    legend = "".join(
        f'<span class="tl-key"><span class="tl-swatch" style="background:{_colour(status)}"></span>'
        f"{html_text(status.capitalize())}</span>"
        for status in statuses
    )
    clock = pd.Timestamp(start).strftime("%H:%M:%S")
    axis = (
        '<div></div><div class="tl-axis">'
        f"<span>{html_text(clock)} UTC</span><span>+{html_text(_seconds(span))}</span></div>"
    )
    return (
        f"<style>{_STYLE}</style>"
        f'<div class="tl" role="img" aria-label="{html_text(timeline_alt(frame))}">'
        f'<div class="tl-legend" aria-hidden="true">{legend}</div>'
        f'<div class="tl-grid" aria-hidden="true">{"".join(rows)}{axis}</div></div>'
    )


#: Constants only: classes scoped by the ``tl`` prefix, sizes from the page's own font.
_STYLE = (
    ".tl{font-size:0.875rem;line-height:1.3}"
    ".tl-legend{display:flex;flex-wrap:wrap;gap:0.25rem 1rem;margin-bottom:0.5rem}"
    ".tl-key{display:inline-flex;align-items:center;gap:0.35rem}"
    ".tl-swatch{display:inline-block;width:0.8rem;height:0.8rem;border-radius:2px}"
    ".tl-grid{display:grid;grid-template-columns:minmax(6rem,max-content) minmax(8rem,1fr);"
    "column-gap:0.75rem;row-gap:0.35rem;align-items:center}"
    ".tl-name{overflow-wrap:anywhere;text-align:right}"
    f".tl-track{{position:relative;height:{BAR_HEIGHT + 4}px;border-left:1px solid rgba(128,128,128,.5)}}"
    f".tl-bar{{position:absolute;top:2px;height:{BAR_HEIGHT}px;border-radius:3px;min-width:2px}}"
    ".tl-seconds{position:absolute;top:50%;transform:translateY(-50%);white-space:nowrap;"
    "font-variant-numeric:tabular-nums}"
    ".tl-axis{display:flex;justify-content:space-between;opacity:0.7;font-size:0.8rem;"
    "border-top:1px solid rgba(128,128,128,.5);padding-top:0.2rem}"
)
