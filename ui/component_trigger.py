"""The text a ``st.components.v2`` component sent as a trigger value, read in the rerun it caused.

Executions' workflow graph and runs table each send one trigger on a click (a state's name, a
run's ARN). Streamlit keeps a component's triggers in session state under its key, as an object
with one attribute a trigger (a dict in some runs); a trigger lasts one rerun, so a second click on
the same thing is a click again.
"""

from __future__ import annotations

import streamlit as st


def trigger_text(key: str, event: str) -> str | None:
    """The text the component ``key`` sent as its ``event`` trigger during this rerun; else None
    (nothing sent, or not text: the value comes from the browser)."""
    value = st.session_state.get(key)
    sent = getattr(value, event, None)
    if sent is None and isinstance(value, dict):
        sent = value.get(event)
    return sent if isinstance(sent, str) else None
