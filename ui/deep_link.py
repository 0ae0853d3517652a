"""``?run=NAME``: a bookmarkable link to a run, so a demo can start from it.

Opening the app with ``?run=NAME`` lands on Executions (app.py asks :func:`run_link` and
switches a root address to ``/executions?run=NAME``) and selects the run of that name, once per link:
afterwards the user's own clicks decide (``/clusters?run=NAME`` and ``/prices?run=NAME`` select it
the same way). While a run is shown on Executions, Clusters or Prices the address bar carries its
name, so the page's address is the link to share and a reload opens the same run.
"""

from __future__ import annotations

import streamlit as st

from ui.names import RUN_QUERY_PARAM, Key
from ui.runs import Listing


def run_link() -> str | None:
    """The run name the address asks for (``?run=NAME``), or None."""
    name = st.query_params.get(RUN_QUERY_PARAM)
    return name.strip() or None if isinstance(name, str) else None


def apply_run_link(listing: Listing) -> str | None:
    """Select the run the link names (once per link); a message when no listed run has that name."""
    name = run_link()
    if name is None or st.session_state.get(Key.RUN_LINK_APPLIED) == name:
        return None
    st.session_state[Key.RUN_LINK_APPLIED] = name
    arn = next((item["executionArn"] for item in listing.items if item["name"] == name), None)
    if arn is None:
        return f"No listed run is named {name}: the link may be from another machine or backend."
    st.session_state[Key.SELECTED_EXECUTION] = arn
    st.session_state.pop(Key.CLUSTERS_RUN, None)  # the Clusters selector follows the link
    st.session_state.pop(Key.PRICES_RUN, None)  # and the Prices one
    return None


def show_in_address(execution_arn: str) -> None:
    """Put the selected run's name in the address (``?run=NAME``), the page's shareable link."""
    name = execution_arn.rsplit(":", 1)[-1]
    st.session_state[Key.RUN_LINK_APPLIED] = name
    if st.query_params.get(RUN_QUERY_PARAM) != name:
        st.query_params[RUN_QUERY_PARAM] = name
