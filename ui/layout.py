"""Charts side by side on a wide page, one under the other on a narrow one.

``st.columns`` keeps its columns side by side down to a 640 px viewport, so at 800 px with the
sidebar open (a main area of about 470 px) two columns gave each chart about 225 px: titles
were cut, subplot titles overlapped and ticks ran into each other. Here each chart of a row
has a fixed width in a horizontal container that wraps: two fit beside each other in the
main area of a 1400 px window (about 940 px), and at 800 px the second goes under the first,
each still ``CHART_WIDTH`` wide. Streamlit gives a stretch-width element in a horizontal
container no minimum width (it only shrinks), so the width must be fixed for the row to wrap.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from pipeline.views.chart_alt import chart_alt

#: Pounds in a grid (``st.column_config.NumberColumn(format=MONEY)``): thousands separators and two
#: decimals; "localized" dropped a trailing zero ("6,897.6").
MONEY = "%,.2f"
#: Width of a chart in a row, in pixels: two and the gap fit in a 1400 px window's main area
#: even with a scrollbar (925 px), one fits at 800 px with the sidebar open (468 px).
CHART_WIDTH = 450


def row() -> DeltaGenerator:
    """A row whose elements, each ``CHART_WIDTH`` wide, wrap onto a new line where they do not fit."""
    return st.container(horizontal=True, gap="small")


def plotly(figure: go.Figure, *, alt: str | None = None, **options: Any) -> Any:
    """``st.plotly_chart`` with the chart's text alternative for screen readers: ``alt``, else
    what ``pipeline.views.chart_alt`` reads from the figure (its title, or the workflow graph's
    states and statuses). Every Plotly chart of the app is drawn through here (the HTML ones,
    ``pipeline.views.*_html``, carry their own text alternative)."""
    return st.plotly_chart(figure, alt=alt or chart_alt(figure), **options)


#: Scrolls the page's main area (Streamlit's ``stMain``, which scrolls inside the window) to its top.
SCROLL_TO_TOP_SCRIPT = (
    "<script>document.querySelector('[data-testid=\"stMain\"]')?.scrollTo({top: 0});</script>"
)


def scroll_to_top() -> None:
    """Show the page from its top: ``st.switch_page`` keeps the scroll of the page it leaves (a
    sidebar link does not), so Executions opened ~800 px down after Launch's button. A constant
    script, nothing from the user; it is an element at the point it is called, so call it last."""
    st.html(SCROLL_TO_TOP_SCRIPT, unsafe_allow_javascript=True)


@contextmanager
def drawn_when_open(label: str, key: str) -> Iterator[bool]:
    """A closed expander whose content is drawn only while it is open (issue 10).

    A closed expander's elements are still sent to the browser and mounted, on every run that
    draws it: the step panel's worker log (a code block of up to 6,000 characters), files grid and
    JSON views on each step or run change, Clusters' table of averages on each run change.
    Opening the expander reruns the fragment it is in (or the page) and draws them; it stays open
    as long as its ``key`` is drawn.
    """
    box = st.expander(label, key=key, on_change="rerun")
    with box:
        yield bool(box.open)
