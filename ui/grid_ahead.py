"""Streamlit's grid code loaded ahead, on pages whose first view has no grid but other views do.

The first ``st.dataframe`` a browser tab draws waits for Streamlit to load its grid's code (its
``DataFrame`` chunk, about 0.5 MB, and the Arrow formatting chunk it imports, 0.7 MB) and to run
it: Clusters' Customers view opened in a new tab took 0.34-0.41 s, against 0.10-0.11 s in a tab
that had drawn a grid before (benchmarks/README.md, round 27). Clusters opens on Profiles and
Prices on Errors, both plain HTML, so nothing had loaded it. This element, drawn at the end of
those pages, imports the chunk once the browser is idle (``AHEAD_DELAY_MS`` after the page,
``requestIdleCallback``), once per tab: Streamlit's own import of the same file then finds it
loaded (a module is loaded once per document), and the first grid took 0.28-0.38 s.

That first grid still waited for two more things Streamlit loads on an element's first drawing
in a tab (round 28): the grid's stylesheet (its import waits for the ``<link>`` to load), and on
Clusters the code of the widgets Customers draws beside its grid (a text input and a multiselect,
five chunks fetched one after another). The element loads those ahead too: the stylesheet as the
``<link>`` Streamlit would add (its loader finds it and does not wait), the widgets' chunks as
the grid's.

The element draws nothing. With a Streamlit that has no grid chunk it is not drawn at all.
"""

from __future__ import annotations

import streamlit as st

from ui.streamlit_chunks import chunk_path, style_path

#: The component's name (unique in the app) and its element's key.
COMPONENT_NAME = "rfm_grid_ahead"
KEY = "grid_ahead"

#: Streamlit's grid chunk (``static/js/DataFrame.<hash>.js``) and its stylesheet
#: (``static/css/DataFrame.<hash>.css``).
GRID_CHUNK = "DataFrame"
GRID_STYLE = "DataFrame"
#: The chunks of the widgets Clusters' Customers view draws beside its grid (its search box and
#: cluster filter): Streamlit loads a widget's code on its first drawing in a tab, as the grid's.
CUSTOMERS_WIDGETS = ("TextInput", "Multiselect")

#: Milliseconds after the page is drawn before the browser, once idle, loads the grid's code:
#: the page's own first frames come first.
AHEAD_DELAY_MS = 300

SCRIPT = (
    f"const AHEAD_DELAY_MS = {AHEAD_DELAY_MS};"
    + """
// Each file once per tab (a set on the window: the element is drawn again on every full rerun and
// on every page that has it); a file that failed is tried again on the next drawing.
export default function (component) {
  const data = component.data || {};
  const ahead = window.rfmAhead || (window.rfmAhead = new Set());
  const absolute = (path) => new URL(path, document.baseURI).href;
  const chunks = (data.chunks || []).map(absolute).filter((url) => !ahead.has(url));
  const styles = (data.styles || []).map(absolute).filter((url) => !ahead.has(url));
  if (!chunks.length && !styles.length) return;
  for (const url of chunks.concat(styles)) ahead.add(url);
  const load = () => {
    // The <link> Streamlit's loader would add for the grid: it looks for one with this address.
    const linked = [...document.querySelectorAll('link[rel="stylesheet"]')].map((link) => link.href);
    for (const href of styles) {
      if (linked.includes(href)) continue;
      const link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = href;
      link.onerror = () => { ahead.delete(href); link.remove(); };
      document.head.appendChild(link);
    }
    Promise.all(chunks.map((url) => import(url).catch((error) => { ahead.delete(url); throw error; })))
      .then(() => { window.rfmGridLoaded = true; })
      .catch(() => {});
  };
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


def files_ahead(widgets: tuple[str, ...] = ()) -> dict[str, list[str]] | None:
    """What the element loads: ``chunks``, the grid's then ``widgets``' (those this Streamlit has),
    and ``styles``, the grid's stylesheet; None without a grid chunk."""
    grid = grid_chunk()
    if grid is None:
        return None
    widget_chunks = [path for path in map(chunk_path, widgets) if path is not None]
    style = style_path(GRID_STYLE)
    return {"chunks": [grid, *widget_chunks], "styles": [style] if style is not None else []}


def load_grid_ahead(widgets: tuple[str, ...] = ()) -> None:
    """Draw the element that loads the grid's code ahead, with the code of ``widgets`` (Streamlit's
    chunk names of the widgets the page's grid views draw) (at a page's end: it draws nothing)."""
    files = files_ahead(widgets)
    if files is not None:
        _RENDERER(data=files, key=KEY)
