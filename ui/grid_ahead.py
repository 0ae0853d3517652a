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

Loaded code is not yet a drawn element: Streamlit's elements are React "lazy" components, and
the first of each kind a tab draws shows a placeholder while React resolves its code, a frame or
two even when the file is loaded (the Customers view: a skeleton, its widgets 30-60 ms later and
its grid 35-80 ms after them; benchmarks/README.md, round 28). So once its files are loaded the
element sends a trigger (``loaded``), and that rerun of its fragment (at the end of the
sidebar) draws each kind once, hidden (``display: none``, out of reach of readers and keyboards:
a one-row grid and the views' widgets, :data:`WARM_UPS`); the next rerun draws them no more. The
first view then draws its grid and widgets at once, as a second view does.

The element draws nothing. With a Streamlit that has no grid chunk it is not drawn at all.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from ui.component_trigger import trigger_text
from ui.streamlit_chunks import chunk_path, style_path

#: The component's name (unique in the app) and its element's key.
COMPONENT_NAME = "rfm_grid_ahead"
KEY = "grid_ahead"
#: The key of the hidden container the warm-up draws in (its CSS class ``st-key-grid_ahead_warm``,
#: hidden by a rule the element adds before it asks for the warm-up).
WARM_KEY = "grid_ahead_warm"

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
    f"const AHEAD_DELAY_MS = {AHEAD_DELAY_MS}; const WARM_KEY = {WARM_KEY!r};"
    + """
// Each file once per tab (a set on the window: the element is drawn again on every full rerun and
// on every page that has it); a file that failed is tried again on the next drawing.
export default function (component) {
  // ``rfmGridWarming``: from the trigger to this element's next drawing (the warm-up's rerun) or
  // its removal with the page, so a test or a benchmark can wait for the warm-up to be over.
  window.rfmGridWarming = false;
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
      .then(() => {
        window.rfmGridLoaded = true;
        if (!document.getElementById("grid-ahead-hidden")) {
          const rule = document.createElement("style");
          rule.id = "grid-ahead-hidden";
          rule.textContent = ".st-key-" + WARM_KEY + " { display: none !important; }";
          document.head.appendChild(rule);
        }
        window.rfmGridWarming = true;
        component.setTriggerValue("loaded", String(chunks.length));
      })
      .catch(() => {});
  };
  setTimeout(() => {
    if (window.requestIdleCallback) requestIdleCallback(load, { timeout: 2000 });
    else load();
  }, AHEAD_DELAY_MS);
  return () => { window.rfmGridWarming = false; };
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


#: How the warm-up draws one kind of element, by the chunk that holds its code: the grid, and
#: the widgets a view draws beside one (labels of their own, so no key of the page's is taken).
WARM_UPS: dict[str, Callable[[], object]] = {
    GRID_CHUNK: lambda: st.dataframe(pd.DataFrame({"warm-up": [1]}), hide_index=True),
    "TextInput": lambda: st.text_input("Grid warm-up text", label_visibility="collapsed"),
    "Multiselect": lambda: st.multiselect("Grid warm-up choice", ["warm-up"], label_visibility="collapsed"),
}


def load_grid_ahead(widgets: tuple[str, ...] = ()) -> None:
    """Draw the element that loads the grid's code ahead, with the code of ``widgets`` (Streamlit's
    chunk names of the widgets the page's grid views draw), at a page's end: it draws nothing.

    It is drawn at the end of the sidebar, so the hidden warm-up is never among the page's own
    elements (a page's tests and a reader's tools count the grids of its content)."""
    files = files_ahead(widgets)
    if files is None:
        return
    with st.sidebar:
        _ahead_part(files, widgets)


@st.fragment
def _ahead_part(files: dict[str, list[str]], widgets: tuple[str, ...]) -> None:
    """The element; in the rerun its ``loaded`` trigger causes (this fragment's alone), each kind of
    element drawn once, hidden."""
    _RENDERER(data=files, key=KEY, on_loaded_change=lambda: None)  # a trigger reruns this fragment
    if trigger_text(KEY, "loaded") is not None:
        with st.container(key=WARM_KEY):
            for name in (GRID_CHUNK, *widgets):
                WARM_UPS[name]()
