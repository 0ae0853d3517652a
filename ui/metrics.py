"""A row of headline figures that never cuts a value off.

``st.columns`` gives each metric a fixed share of the page, and at a laptop width (1000 px with
the sidebar open) values such as "602,850", "SUCCEEDED" or a date were cut to "602…". Here the
metrics sit in a horizontal flex container that wraps: each takes the width its value needs and
the row continues on a second line when the page is narrow.

A row can keep its metrics together in groups (``group_size``): the groups wrap, the metrics of
a group do not. Four metrics in pairs read as one row at 1400 px and as two rows of two at 800 px,
where a plain wrapping row left the fourth alone on a line of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

#: (label, value) or (label, value, help).
MetricItem = tuple[str, str] | tuple[str, str, str | None]


def metric_row(
    items: Sequence[MetricItem], container: DeltaGenerator | None = None, *, group_size: int = 0
) -> None:
    """Draw ``items`` as metrics side by side, wrapping instead of truncating on narrow pages;
    with ``group_size`` > 1, every ``group_size`` consecutive metrics wrap as one block."""
    parent = container if container is not None else st
    # "medium", not "large": a wrapping row's gap is also the space between its lines, and the
    # large one (64 px) set a wrapped line ~80 px under the first at 800 px, the second pair apart
    # from the first instead of under it.
    if group_size <= 1:
        with parent.container(horizontal=True, gap="medium"):
            for item in items:
                _metric(item)
        return
    with parent.container(horizontal=True, gap="medium"):
        for start in range(0, len(items), group_size):
            with st.container(horizontal=True, wrap=False, gap="medium", width="content"):
                for item in items[start : start + group_size]:
                    _metric(item)


def _metric(item: MetricItem) -> None:
    label, value, *rest = item
    st.metric(label, value, help=rest[0] if rest else None, width="content")
