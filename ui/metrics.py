"""A row of headline figures that never cuts a value off.

``st.columns`` gives each metric a fixed share of the page, and at a laptop width (1000 px with
the sidebar open) values such as "602,850", "SUCCEEDED" or a date were cut to "602…". Here the
metrics sit in a horizontal flex container that wraps: each takes the width its value needs and
the row continues on a second line when the page is narrow.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

#: (label, value) or (label, value, help).
MetricItem = tuple[str, str] | tuple[str, str, str | None]


def metric_row(items: Sequence[MetricItem], container: DeltaGenerator | None = None) -> None:
    """Draw ``items`` as metrics side by side, wrapping instead of truncating on narrow pages."""
    parent = container if container is not None else st
    with parent.container(horizontal=True, gap="large"):
        for item in items:
            label, value, *rest = item
            st.metric(label, value, help=rest[0] if rest else None, width="content")
