"""Clusters' 3-D scatter, drawn by one Plotly scene that stays in the page across run switches.

Why a component and not ``st.plotly_chart``: Streamlit 1.67 makes a Plotly chart's identity from
its figure (even with a key), so another run's scatter was a new chart, and a new ``scatter3d``
is a new WebGL scene: 0.5-1.6 s to set up in a browser without a GPU (headless chromium renders
WebGL in software), whatever the figure holds (benchmarks/README.md, rounds 8, 9 and 19). A
``st.components.v2`` component keyed once keeps its element whatever its data, so a switch hands
the new figure to ``Plotly.react``, which updates the scene it already has.

Plotly.js is Streamlit's own: its Plotly chunk (the one ``st.plotly_chart`` loads, which sets
``window.Plotly``) is imported by the script when no chart of the tab has loaded it yet. The
browser keeps that file (Streamlit serves its hashed bundles as immutable), and the scene is
drawn by the very Plotly.js every other chart of the app is. Round 8 put every chart in its own
frame, each with a second copy of Plotly.js, and every page opened slower; this is one chart, in
the page, with no second copy. Should a Streamlit version have no such chunk, the scatter is
drawn by ``st.plotly_chart`` as before.

The figure is ``cluster_charts.rfm_scatter_3d``'s, the same the run report draws: its text from
the data is made plain there (``plain_columns``), and Plotly draws hover text as text. The
script colours it for the page's theme (light or dark, read from the element's own computed
style), keeps the camera a user turned across runs, leaves out Plotly's "Share chart" button (it
uploads the figure to Plotly's cloud; ``st.plotly_chart`` leaves it out too) and keeps a text
alternative on the element.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

from pipeline.views.chart_alt import chart_alt
from ui.layout import plotly

#: The component's name (unique in the app).
COMPONENT_NAME = "rfm_scene"

#: Streamlit's Plotly chunk, as a path under its static folder (``static/js/PlotlyChart.<hash>.js``).
_STREAMLIT_STATIC = Path(st.__file__).parent / "static"
_PLOTLY_CHUNK = "static/js/PlotlyChart.*.js"

#: Imports Streamlit's Plotly chunk once per tab unless a chart has (a promise kept on the window,
#: so a page switch reuses it) and draws or updates the scene with ``Plotly.react``; a resize
#: observer keeps the scene the element's width (a scene drawn while its tab was hidden, or before
#: the window narrowed, was blank in round 8). Theme colours come from the page: the element's
#: computed text colour and font, and the first background behind it (light or dark theme).
LOAD_PLOTLY = """
function loadPlotly(chunk) {
  if (!window.rfmPlotly) {
    const loaded = window.Plotly ? Promise.resolve() : import(new URL(chunk, document.baseURI).href);
    window.rfmPlotly = loaded.then(() => {
      if (!window.Plotly) throw new Error("Plotly.js is not in " + chunk);
      return window.Plotly;
    }).catch((error) => { window.rfmPlotly = null; throw error; });
  }
  return window.rfmPlotly;
}
"""
SCRIPT = (
    LOAD_PLOTLY
    + """

function rgb(colour) {
  const parts = (colour || "").match(/[0-9.]+/g) || [];
  const alpha = parts.length > 3 ? Number(parts[3]) : 1;
  return parts.length >= 3 && alpha > 0 ? parts.slice(0, 3).map(Number) : null;
}

function background(element) {
  for (let node = element; node && node.nodeType === 1; node = node.parentElement) {
    const colour = rgb(getComputedStyle(node).backgroundColor);
    if (colour) return colour;
  }
  return [255, 255, 255];
}

// ``share`` of the text colour on the background, opaque: WebGL drew a translucent grid line
// on the light theme's white as nothing at all.
function mix(ink, paper, share) {
  return "rgb(" + ink.map((value, i) => Math.round(value * share + paper[i] * (1 - share))).join(",") + ")";
}

// Streamlit's chart look, as ``st.plotly_chart`` gives it: the title bold at the left, muted
// axis text, faint grid lines, no background of its own.
function themed(layout, holder) {
  const style = getComputedStyle(holder);
  const ink = rgb(style.color) || [49, 51, 63];
  const paper = background(holder);
  const text = mix(ink, paper, 1), muted = mix(ink, paper, 0.6), grid = mix(ink, paper, 0.12);
  layout.paper_bgcolor = "rgba(0,0,0,0)";
  layout.plot_bgcolor = "rgba(0,0,0,0)";
  layout.font = Object.assign({}, layout.font, { color: text, family: style.fontFamily });
  layout.title = Object.assign({ x: 0, xanchor: "left" }, layout.title);
  layout.title.font = Object.assign({ weight: 600, color: text }, layout.title.font);
  if (layout.title.subtitle) {
    layout.title.subtitle.font = Object.assign({ color: muted }, layout.title.subtitle.font);
  }
  const scene = layout.scene || (layout.scene = {});
  for (const name of ["xaxis", "yaxis", "zaxis"]) {
    scene[name] = Object.assign({}, scene[name], {
      showbackground: false, gridcolor: grid, zerolinecolor: grid, linecolor: grid, color: muted,
    });
  }
  return layout;
}

// As st.plotly_chart's: no Plotly logo, and no "Share chart" button (it uploads the figure,
// customers' IDs in its hover text, to Plotly's cloud).
const CONFIG = {
  displaylogo: false, showSendToCloud: false, showLink: false, responsive: true,
  modeBarButtonsToRemove: ["sendDataToCloud"],
};

export default function (component) {
  const { data, parentElement } = component;
  let holder = parentElement.querySelector(".sc-holder");
  if (!holder) {
    holder = document.createElement("div");
    holder.className = "sc-holder";
    holder.setAttribute("role", "img");
    parentElement.appendChild(holder);
    new ResizeObserver(() => {
      if (holder.scDrawn && holder.offsetWidth > 0) window.Plotly.Plots.resize(holder);
    }).observe(holder);
  }
  holder.setAttribute("aria-label", data.alt);
  holder.scWanted = data.figure;
  loadPlotly(data.plotly).then((Plotly) => {
    if (holder.scWanted !== data.figure) return null;  // a newer figure came meanwhile
    const figure = JSON.parse(data.figure);
    const layout = themed(figure.layout || {}, holder);
    // The camera a user turned to stays across runs (to compare them from one angle); the rest
    // of what a user changed (a cluster hidden from the legend) is the run's own. Carried by
    // hand: a drag updates the element's layout but not Plotly's full layout, which is what
    // ``uirevision`` restores from.
    const turned = holder.scDrawn && holder.layout && holder.layout.scene && holder.layout.scene.camera;
    if (turned) layout.scene.camera = JSON.parse(JSON.stringify(turned));
    return Plotly.react(holder, figure.data, layout, CONFIG)
      .then(() => {
        holder.scDrawn = true;
        holder.scDraws = (holder.scDraws || 0) + 1;
        holder.setAttribute("data-drawn", data.token);
      });
  }).catch((error) => {
    holder.textContent = "The 3-D scatter could not be drawn (" + error.message +
      "). Reload the page to try again.";
  });
}
"""
)

STYLE = """
.sc-holder { width: 100%; }
"""

_RENDERER = st.components.v2.component(COMPONENT_NAME, js=SCRIPT, css=STYLE, isolate_styles=False)


@functools.cache
def plotly_chunk() -> str | None:
    """Streamlit's Plotly chunk as a URL relative to the app's address (so a
    ``server.baseUrlPath`` holds), or None when this Streamlit has none (then ``draw`` falls
    back on ``st.plotly_chart``). Looked up once a process: the installed files do not change."""
    found = sorted(_STREAMLIT_STATIC.glob(_PLOTLY_CHUNK))
    return found[0].relative_to(_STREAMLIT_STATIC).as_posix() if len(found) == 1 else None


#: Milliseconds a page waits before it loads Plotly.js ahead (:func:`preload_plotly`): the load
#: takes the browser's main thread for about a second, better spent after the user's first look.
PRELOAD_DELAY_MS = 1000


def preload_plotly() -> None:
    """Have the browser load Streamlit's Plotly chunk ahead, once the page has been idle for
    :data:`PRELOAD_DELAY_MS`, unless a chart of the tab has: the 3-D scatter's first opening in a
    tab waited 1.3-1.7 s for it, 3.6-4.5 s in all against 1.7-1.9 s with it loaded
    (benchmarks/README.md, round 22). The file is fetched and compiled at once
    (``modulepreload``, off the main thread), and run when the browser is idle. The script is a
    constant but for the chunk's path, which the installed Streamlit names."""
    chunk = plotly_chunk()
    if chunk is None:
        return
    st.html(
        "<script>(() => {"
        + LOAD_PLOTLY
        + f"const chunk = {json.dumps(chunk)};"
        + """
if (window.Plotly || window.rfmPlotly) return;
const link = document.createElement("link");
link.rel = "modulepreload";
link.href = new URL(chunk, document.baseURI).href;
document.head.appendChild(link);
const idle = window.requestIdleCallback || ((run) => setTimeout(run, 0));
setTimeout(() => idle(() => loadPlotly(chunk).catch(() => {}), { timeout: 5000 }), """
        + f"{PRELOAD_DELAY_MS});"
        + "})();</script>",
        unsafe_allow_javascript=True,
    )


@dataclass(frozen=True)
class Scene:
    """One scatter as the page draws it: the figure, the figure as JSON (written once, not on each
    rerun), its text alternative, and ``token``, the name of what is drawn (a run's ARN). The
    element carries the token as ``data-drawn`` once the browser has drawn it: that is how a
    browser test knows the run shown is the run drawn."""

    figure: go.Figure
    figure_json: str
    alt: str
    token: str


def scene_of(figure: go.Figure, token: str) -> Scene:
    """``figure`` (one with a 3-D scene) as the page draws it."""
    return Scene(figure=figure, figure_json=figure.to_json(), alt=chart_alt(figure), token=token)


def draw(scene: Scene, *, key: str) -> None:
    """Draw ``scene`` in the Plotly scene kept under ``key`` (updated in place when it changes)."""
    chunk = plotly_chunk()
    if chunk is None:
        plotly(scene.figure, alt=scene.alt, key=key)
        return
    _RENDERER(
        data={"figure": scene.figure_json, "alt": scene.alt, "plotly": chunk, "token": scene.token},
        key=key,
    )
