"""Streamlit's grid code loaded ahead, on pages whose first view has no grid but other views do.

The first ``st.dataframe`` a browser tab draws waits for Streamlit to load its grid's code (its
``DataFrame`` chunk, about 0.5 MB, and the Arrow formatting chunk it imports, 0.7 MB) and to run
it: Clusters' Customers view opened in a new tab took 0.34-0.41 s, against 0.10-0.11 s in a tab
that had drawn a grid before (benchmarks/README.md, round 27). Clusters opens on Profiles and
Prices on Errors, both plain HTML, so nothing had loaded it. This element, drawn at the end of
those pages, imports the chunk once the browser is idle (``AHEAD_DELAY_MS`` after the page,
``requestIdleCallback``), once per tab: Streamlit's own import of the same file then finds it
loaded (a module is loaded once per document), and the first grid took 0.24-0.27 s.

The element draws nothing. With a Streamlit that has no such chunk it is not drawn at all.
"""

from __future__ import annotations

import streamlit as st

from ui.streamlit_chunks import chunk_path

#: The component's name (unique in the app) and its element's key.
COMPONENT_NAME = "rfm_grid_ahead"
KEY = "grid_ahead"

#: Streamlit's grid chunk (``static/js/DataFrame.<hash>.js``).
GRID_CHUNK = "DataFrame"

#: Milliseconds after the page is drawn before the browser, once idle, loads the grid's code:
#: the page's own first frames come first.
AHEAD_DELAY_MS = 300

SCRIPT = (
    f"const AHEAD_DELAY_MS = {AHEAD_DELAY_MS};"
    + """
// Loaded once per tab (a flag on the window: the element is drawn again on every full rerun and
// on every page that has it); a failed import is tried again on the next drawing.
export default function (component) {
  const chunk = component.data && component.data.chunk;
  if (!chunk || window.rfmGridAhead) return;
  window.rfmGridAhead = true;
  const load = () => import(new URL(chunk, document.baseURI).href)
    .then(() => { window.rfmGridLoaded = true; })
    .catch(() => { window.rfmGridAhead = false; });
  setTimeout(() => {
    if (window.requestIdleCallback) requestIdleCallback(load, { timeout: 2000 });
    else load();
  }, AHEAD_DELAY_MS);
}
"""
)

_RENDERER = st.components.v2.component(COMPONENT_NAME, js=SCRIPT)


def grid_chunk() -> str | None:
    """Streamlit's grid chunk as a URL relative to the app's address, or None when this Streamlit
    has none (``ui.streamlit_chunks``)."""
    return chunk_path(GRID_CHUNK)


def load_grid_ahead() -> None:
    """Draw the element that loads the grid's code ahead (at a page's end: it draws nothing)."""
    chunk = grid_chunk()
    if chunk is not None:
        _RENDERER(data={"chunk": chunk}, key=KEY)
