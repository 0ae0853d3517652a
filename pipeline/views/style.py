"""The charts' common look: plotly's ``plotly_white`` template as the process's default, with the
titles placed under a strip kept for the charts' toolbars.

Set once here rather than as ``update_layout(template="plotly_white")`` on each figure: plotly
assigns its default template to a new figure without validating it, while a template passed to
``update_layout`` is validated and deep-copied per figure. Measured on the Segments page's four
figures (benchmarks/README.md, round 3): 0.090 s instead of 0.251 s, the figures' JSON the same.
Every chart module imports this module, so any figure built by the views gets the template.

The toolbars: on hover Plotly's modebar (2 px from the top, 26 px tall, up to ~225 px wide) and
Streamlit's fullscreen button sit in a chart's top right corner. With the title in the middle of
the top margin, as plotly places it, a title longer than half a 450 px chart ran under them
("RMSE by split against the threshold", "Cluster sizes and revenue share", seen in chromium at
800 and 1400 px). So the template hangs every title from ``TOOLBAR_STRIP`` px below the chart's top
(``yref="container"``, ``y=1``, ``yanchor="top"``, ``pad.t``), and :func:`top_margin` makes the top
margin hold the strip and the title; the charts keep their look, only lower by a few pixels.
Hiding the modebar instead would take its zoom, pan and PNG download off the scatter and bars.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from plotly.colors import sample_colorscale

#: Pixels at the top of a chart left to the toolbars (Plotly's modebar ends 28 px down; plotly
#: draws a title's text box from 5 px above its pad).
TOOLBAR_STRIP = 34
#: Height of a title's first line (Streamlit draws it in a 16 px bold font) and of each further
#: line (a plotly subtitle, or the subplot titles of the top row), and the gap above the plot.
TITLE_LINE = 22
NOTE_LINE = 22
TITLE_GAP = 4

#: The title's place: hung from the strip's bottom, whatever the chart's height.
TITLE_PLACE = {"yref": "container", "y": 1, "yanchor": "top", "pad": {"t": TOOLBAR_STRIP}}

_template = go.layout.Template(pio.templates["plotly_white"])
_template.layout.title.update(TITLE_PLACE)
pio.templates["studio"] = _template
pio.templates.default = "studio"


def top_margin(title_lines: int = 1) -> int:
    """The top margin a chart needs for the toolbars' strip and a title of ``title_lines`` lines:
    the title, then its subtitle and the subplot titles of its top row (drawn just above the plot),
    a line each."""
    return TOOLBAR_STRIP + TITLE_LINE + NOTE_LINE * max(title_lines - 1, 0) + TITLE_GAP


#: Margins every titled chart uses (room for the toolbars and a one-line title, nothing wasted at
#: the sides); a chart whose title has a note, or whose top row has subplot titles, takes
#: ``top_margin(2)``.
MARGINS = {"margin": {"l": 10, "r": 10, "t": top_margin(), "b": 10}}


def scale_colour(scale: str | Sequence[Sequence[Any]], position: float) -> str:
    """The colour of a Plotly colour scale (its name or its stops) at ``position`` (0 its first
    colour, 1 its last; clamped), for the charts drawn as HTML that shade a cell by its value."""
    return str(sample_colorscale(scale, [min(max(position, 0.0), 1.0)])[0])
