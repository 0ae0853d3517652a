"""The sidebar every page shows: the active dataset and the backend that runs workflows.

app.py draws it in two parts around the page: the backend's name before the page runs and the
dataset summary after, into a container made above it, so a dataset loaded by this very run
already shows and the summary stays at the top. Both are text: the backend is chosen on Launch
(ui/backend.py says why it is not a radio here).
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from pipeline.views.wording import counted
from ui.backend import LABELS, active_backend_name
from ui.state import get_active
from ui.text import middle_truncated, plain

#: The longest dataset name the sidebar shows whole on one line (about 30 fit at its 272 px; a longer name
#: is cut in the middle, the full name in its tooltip).
SIDEBAR_NAME_CHARS = 30
#: The sidebar's width in pixels when a session starts (``st.set_page_config``): the name above
#: and "Local engine (this machine)" each fit on one line.
SIDEBAR_WIDTH = 272


def render_dataset(container: DeltaGenerator) -> None:
    """Draw the dataset summary (name, rows, customers, date range) into ``container``.

    The name comes from the user's file or URL, so it is shown with ``st.text`` (never parsed
    as Markdown or HTML); a long one is cut in the middle, the whole name in the tooltip (which
    is Markdown, hence ``plain``).
    """
    active = get_active()
    with container:
        st.subheader("Dataset")
        if active is None:
            st.caption("No dataset loaded yet: choose one on the Data page.")
        else:
            shown = middle_truncated(active.name, SIDEBAR_NAME_CHARS)
            st.text(shown, help=plain(active.name) if shown != active.name else None)
            st.text(
                f"{active.rows_kept:,} of {counted(active.rows_read, 'row')} kept\n"
                f"{counted(active.customers, 'customer')}\n"
                f"{active.first_invoice:%Y-%m-%d} to {active.last_invoice:%Y-%m-%d}"
            )


def render_backend() -> None:
    """Name the session's backend in the sidebar, below whatever the sidebar already holds."""
    with st.sidebar:
        st.subheader("Backend")
        st.text(LABELS[active_backend_name()])
        st.caption("Chosen on the Launch page.")
