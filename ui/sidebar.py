"""The sidebar every page shows: the active dataset and the backend that runs workflows."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ui.backend import render_selector
from ui.state import get_active


def render(container: DeltaGenerator | None = None) -> None:
    """Draw the dataset summary (name, rows, customers, date range) and the backend in the sidebar.

    app.py passes a sidebar container made before the page ran and fills it afterwards, so a
    dataset loaded by this very run already shows and the block stays at the top.

    The name comes from the user's file or URL, so it is shown with ``st.text`` (never parsed
    as Markdown or HTML).
    """
    active = get_active()
    with container if container is not None else st.sidebar:
        st.subheader("Dataset")
        if active is None:
            st.caption("No dataset loaded yet: choose one on the Data page.")
        else:
            st.text(active.name)
            st.text(
                f"{active.rows_kept:,} of {active.rows_read:,} rows kept\n"
                f"{active.customers:,} customers\n"
                f"{active.first_invoice:%Y-%m-%d} to {active.last_invoice:%Y-%m-%d}"
            )
        st.subheader("Backend")
        render_selector()
