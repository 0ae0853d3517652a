"""Clusters' 3-D scatter, drawn by Plotly scenes that stay in the page across run switches.

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

The scene is drawn ahead while its tab is closed (round 23): its first opening in a tab took 2.4 s
without a GPU, most of it Plotly.js, the WebGL scene and its axes' text. The page sends a closed
tab's scene no figure (it is not kept waiting for one); once the page has been idle for
:data:`AHEAD_DELAY_MS` the browser loads Plotly.js and asks for the figure (the ``wanted`` trigger,
which reruns the scene's fragment alone), and draws it when idle. A closed tab's panel is not laid
out, so the scene waits in a parking spot of its own (``#sc-parking``: off the screen, ``inert``,
hidden from readers) at the width it will have, and moves into its tab the moment the tab shows:
the tab opens on the scene already drawn. It is drawn at the screen's own pixel ratio (Plotly's
default is twice it, four times the pixels). The element goes with the page, the scenes with it.

While the tab is open, the runs next to the one shown in the box (``spares``, at most
:data:`SPARES`) are drawn ahead behind it, each in a WebGL scene of its own in the parking spot
(round 24): the browser asks for each figure by the same trigger once idle, and a switch to one of
those runs swaps its element in, drawn, where updating the scene in place took 0.1-0.2 s of WebGL
in software (a run switch on the 3-D view: 0.45 s at the median, 0.25 s since). The scene shown
goes to the spares as it is, so a switch back is a swap too; a spare no longer next to the run
shown is handed another run's figure (``Plotly.react``: a fraction of making a new WebGL scene).
A switch to any other run updates the scene shown in place, as before.

The figure is ``cluster_charts.rfm_scatter_3d``'s, the same the run report draws: its text from
the data is made plain there (``plain_columns``), and Plotly draws hover text as text. The
script colours it for the page's theme (light or dark, read from the element's own computed
style), keeps the camera a user turned across runs, leaves out Plotly's "Share chart" button (it
uploads the figure to Plotly's cloud; ``st.plotly_chart`` leaves it out too) and keeps a text
alternative on the element.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go
import streamlit as st

from pipeline.views.chart_alt import chart_alt
from ui.component_trigger import trigger_text
from ui.layout import plotly
from ui.streamlit_chunks import chunk_path

#: The component's name (unique in the app).
COMPONENT_NAME = "rfm_scene"

#: Streamlit's Plotly chunk (``static/js/PlotlyChart.<hash>.js``).
PLOTLY_CHUNK = "PlotlyChart"

#: Imports Streamlit's Plotly chunk once per tab unless a chart has (a promise kept on the window,
#: so a page switch reuses it) and draws or updates the scene with ``Plotly.react``, at the width
#: the element has (a resize observer follows it: a scene drawn before the window narrowed was
#: blank in round 8). Theme colours come from the page: the element's computed text colour and
#: font, and the first background behind it (light or dark theme).
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
#: Milliseconds a closed tab's scene waits, once the page is drawn, before it loads Plotly.js and
#: asks for its figure: loading Plotly.js takes the browser's main thread for about a second, and
#: drawing the scene a second or two more without a GPU, better spent after the user's first look.
AHEAD_DELAY_MS = 1000
#: Scenes the browser draws ahead behind the one shown (its "spares"), for the runs next to it in
#: the box: each is a WebGL scene of its own, and an idle one costs about 0.7% of the browser's main
#: thread (Plotly's animation-frame loop; benchmarks/README.md, round 24). Three, so every switch
#: in a box of four runs is a swap: a switch between its first and last run took 0.49 s with two
#: (an update in place), 0.27 s with three (round 26).
SPARES = 3
#: How many times the browser asks for a figure it was not sent, and how long it waits for an
#: answer before asking again (a user's rerun can overtake the request's, and its answer is lost).
ASK_TRIES = 2
ASK_PATIENCE_MS = 5000

SCRIPT = (
    LOAD_PLOTLY
    + f"const AHEAD_DELAY_MS = {AHEAD_DELAY_MS}; const SPARES = {SPARES};"
    + f"const ASK_TRIES = {ASK_TRIES}; const ASK_PATIENCE_MS = {ASK_PATIENCE_MS};"
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

// What the scene's colours and font come from: the page's theme, read where the element is (the
// scene drawn ahead waits out of the page, see ``place``).
function lookOf(element) {
  const style = getComputedStyle(element);
  return [style.color, style.fontFamily, background(element).join(",")].join("|");
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
// customers' IDs in its hover text, to Plotly's cloud). The scene is drawn at the screen's own
// pixel ratio: Plotly draws WebGL at twice it by default, four times the pixels on a common
// screen, which a browser without a GPU draws one by one.
const CONFIG = {
  displaylogo: false, showSendToCloud: false, showLink: false, responsive: true,
  modeBarButtonsToRemove: ["sendDataToCloud"],
  plotGlPixelRatio: Math.min(Math.max(window.devicePixelRatio || 1, 1), 4),
};

// The scenes of one element (``stage``): ``active``, the run shown, in its tab (or parked while
// the tab is closed), and ``spares``, scenes drawn ahead behind it for the runs next to it in the
// box. A switch to a spare's run swaps the two elements: no drawing at all, where updating the
// scene in place took 0.1-0.2 s of WebGL in software. A spare no longer next to the run shown
// is given another run's figure (``Plotly.react``, a fraction of making a new WebGL scene).

// Work ahead (a request for a figure, a drawing), one at a time: ``delay`` ms, then once the
// browser is idle (or ``patience`` ms have passed), so it takes little from what the user does.
function later(stage, work, delay, patience) {
  cancelLater(stage);
  stage.pending = true;
  stage.timer = setTimeout(() => {
    stage.timer = null;
    const run = () => { stage.idle = null; stage.pending = false; work(); };
    if (window.requestIdleCallback) stage.idle = requestIdleCallback(run, { timeout: patience });
    else run();
  }, delay);
}

function cancelLater(stage) {
  if (stage.timer) clearTimeout(stage.timer);
  if (stage.idle && window.cancelIdleCallback) cancelIdleCallback(stage.idle);
  stage.timer = stage.idle = null;
  stage.pending = false;
}

// Milliseconds left before work ahead may start: a second after the last render the user caused.
function aheadDelay(stage) {
  return Math.max(0, stage.userAt + AHEAD_DELAY_MS - performance.now());
}

// A closed tab's panel is not laid out: a scene drawn in it had no size, and was drawn again at
// its size on opening (0.2-0.3 s without a GPU). While its tab is closed the scene waits in a
// spot of its own instead, out of sight and out of reach (``inert``), as wide as it will be; the
// spares wait there too.
function parkingSpot() {
  let spot = document.getElementById("sc-parking");
  if (!spot) {
    spot = document.createElement("div");
    spot.id = "sc-parking";
    spot.inert = true;
    spot.setAttribute("aria-hidden", "true");
    spot.style.cssText = "position: fixed; left: -20000px; top: 0; pointer-events: none;";
    document.body.appendChild(spot);
  }
  return spot;
}

// The width of the nearest box that is laid out around ``home`` (the tabs' own, while the scene's
// tab is closed).
function widthAround(home) {
  for (let node = home; node && node.nodeType === 1; node = node.parentElement) {
    if (node.offsetWidth > 0) return node.clientWidth;
  }
  return 700;
}

// The active scene in its tab when the tab is open (seen by its width, before the browser paints
// the tab, not a rerun later), else in the parking spot; the spares in the parking spot, at the
// width the tab has. Called when the tab's panel or the tabs around it change size (a tab opened
// or closed, the window or the sidebar), and when a switch swaps two scenes.
function place(stage) {
  const home = stage.home;
  const spot = parkingSpot();
  spot.style.width = widthAround(home) + "px";
  if (home.offsetWidth > 0) {
    if (stage.active.parentElement !== home) home.appendChild(stage.active);
  } else if (stage.active.parentElement !== spot) {
    spot.appendChild(stage.active);
  }
  for (const spare of stage.spares) if (spare.parentElement !== spot) spot.appendChild(spare);
}

// One scene's element. ``scLatest`` is the newest figure sent for it (the run it is for), kept
// across renders without one; ``scFigure`` and ``scToken`` what it has drawn.
function newHolder(stage) {
  const holder = document.createElement("div");
  holder.className = "sc-holder";
  holder.setAttribute("role", "img");
  holder.setAttribute("aria-label", "The 3-D scatter of the customers, being drawn");
  holder.scStage = stage;
  // Whether work for the scenes is to come or under way (a benchmark waits for it to end).
  holder.scBusy = () => busy(stage);
  // The layout's width is the scene's own (set at each draw), so Plotly's resize, which keeps a
  // layout's width, would not follow the page: the width is followed here.
  holder.scFollowing = new ResizeObserver(() => {
    const width = holder.offsetWidth;
    if (holder.scDrawn && !holder.scGone && !holder.scDrawing && width > 0 && width !== holder.scWidth) {
      holder.scWidth = width;
      window.Plotly.relayout(holder, { width }).catch(() => {});
    }
  });
  holder.scFollowing.observe(holder);
  return holder;
}

function holders(stage) {
  return [stage.active].concat(stage.spares);
}

function busy(stage) {
  return Boolean(stage.pending || stage.awaiting || holders(stage).some((holder) => holder.scDrawing));
}

// Whether ``holder`` shows ``data``'s run and figure in the page's look (the theme may have
// changed). Two runs may have the same figure (the same data and k): each is its own.
function drawnWith(stage, holder, data) {
  return Boolean(holder.scDrawn && data && data.token === holder.scToken && data.figure === holder.scFigure
    && holder.scLook === lookOf(stage.home));
}

function runOf(holder) {
  return holder.scLatest ? holder.scLatest.token : holder.scToken;
}

// Draws ``data``'s figure in ``holder``, one drawing at a time: a figure that comes while one is
// drawn waits for it, and only the newest is drawn next. Then the next work ahead is planned.
function drawFigure(holder, data) {
  const stage = holder.scStage;
  holder.scWanted = data;
  if (holder.scDrawing) return;
  holder.scDrawing = true;
  loadPlotly(data.plotly).then((Plotly) => {
    if (holder.scGone) return null;
    const look = lookOf(stage.home);
    const figure = JSON.parse(data.figure);
    const layout = themed(figure.layout || {}, stage.home);
    // The camera a user turned stays across runs (to compare them from one angle), in the scene
    // shown and in the spares drawn behind it; the rest of what a user changed (a cluster hidden
    // from the legend) is the run's own. Carried by hand: a drag updates the element's layout
    // but not Plotly's full layout, which is what ``uirevision`` restores from.
    const turned = cameraOf(stage.active);
    if (turned) layout.scene.camera = JSON.parse(turned);
    layout.width = holder.scWidth = holder.offsetWidth || 700;
    return Plotly.react(holder, figure.data, layout, CONFIG).then(() => {
      holder.scDrawn = true;
      holder.scFigure = data.figure;
      holder.scLook = look;
      holder.scToken = data.token;
      holder.setAttribute("aria-label", data.alt);
      holder.scDraws = (holder.scDraws || 0) + 1;
      holder.setAttribute("data-drawn", data.token);
    });
  }).then(() => {
    holder.scDrawing = false;
    const wanted = holder.scWanted;
    if (!holder.scGone && wanted !== data && wanted.figure !== holder.scFigure) drawFigure(holder, wanted);
    else plan(stage);
  }).catch((error) => {
    holder.scDrawing = false;
    holder.scDrawn = false;
    holder.scFigure = null;
    holder.scFailed = true;
    try { window.Plotly && window.Plotly.purge(holder); } catch (ignored) { /* already broken */ }
    holder.textContent = "The 3-D scatter could not be drawn (" + error.message +
      "). Reload the page to try again.";
    plan(stage);
  });
}

// The camera of a drawn scene as JSON (where a user's drag puts it), else null.
function cameraOf(holder) {
  const scene = holder.scDrawn && holder.layout && holder.layout.scene;
  return scene && scene.camera ? JSON.stringify(scene.camera) : null;
}

// The run shown became ``spare``'s: the two elements change places, the scene shown goes to the
// spares as it is, and the spare takes the camera the user turned to.
function swapIn(stage, spare) {
  const shown = stage.active;
  stage.spares[stage.spares.indexOf(spare)] = shown;
  stage.active = spare;
  place(stage);
  const turned = cameraOf(shown);
  if (turned && turned !== cameraOf(spare)) {
    window.Plotly.relayout(spare, { "scene.camera": JSON.parse(turned) }).catch(() => {});
  }
}

// The spare that holds ``token``'s figure, else one free for it (one holding a run no longer next
// to the one shown, or a new one while there are fewer than SPARES), else null.
function spareFor(stage, token) {
  const kept = stage.spares.find((holder) => runOf(holder) === token);
  if (kept) return kept;
  const free = stage.spares.find((holder) => !holder.scDrawing && !holder.scFailed
    && runOf(holder) !== stage.data.token && !stage.upcoming.includes(runOf(holder)));
  if (free) return free;
  if (stage.spares.length >= SPARES) return null;
  const made = newHolder(stage);
  stage.spares.push(made);
  place(stage);
  return made;
}

// Asks the server for ``token``'s figure (the ``wanted`` trigger, which reruns the scene's
// fragment alone), with Plotly.js loaded first so the answer is drawn without waiting for it.
// A request is made at most ASK_TRIES times, ASK_PATIENCE_MS apart: an answer may be lost (a
// user's rerun overtook the request's), and a server with nothing to send is not asked forever.
function ask(stage, token) {
  loadPlotly(stage.data.plotly).then(() => {
    if (stage.gone) return;
    const asked = stage.asked.get(token);
    stage.asked.set(token, { tries: (asked ? asked.tries : 0) + 1, at: performance.now() });
    stage.awaiting = true;
    stage.setTriggerValue("wanted", token);
  }).catch(() => {});
}

// When ``token``'s figure may be asked for (ms from now), or null when it has been asked for
// ASK_TRIES times already.
function askDelay(stage, token) {
  const asked = stage.asked.get(token);
  if (asked && asked.tries >= ASK_TRIES) return null;
  const patience = asked ? asked.at + ASK_PATIENCE_MS - performance.now() : 0;
  return Math.max(aheadDelay(stage), patience);
}

// What to do next, in order: draw the run shown (at once if its tab is open, once idle if not);
// for a closed tab without its figure, ask for it once idle; for an open tab whose scene is drawn,
// ask for and draw, once idle, each spare the server named (``spares``), one at a time.
function plan(stage) {
  cancelLater(stage);
  const data = stage.data, active = stage.active;
  if (stage.gone || active.scFailed) return;  // an error stays on the element until a reload
  const latest = active.scLatest && active.scLatest.token === data.token ? active.scLatest : null;
  if (latest && !drawnWith(stage, active, latest)) {
    if (data.shown) drawFigure(active, latest);
    else later(stage, () => drawFigure(active, active.scLatest), 0, 1000);
    return;
  }
  if (!latest) {
    const delay = data.shown ? null : askDelay(stage, data.token);
    if (delay !== null) later(stage, () => ask(stage, data.token), delay, 2000);
    return;
  }
  if (!data.shown || holders(stage).some((holder) => holder.scDrawing)) return;  // planned again after
  for (const token of stage.upcoming) {
    const spare = stage.spares.find((holder) => runOf(holder) === token);
    if (spare && (spare.scFailed || drawnWith(stage, spare, spare.scLatest))) continue;
    if (spare && spare.scLatest) {
      later(stage, () => drawFigure(spare, spare.scLatest), aheadDelay(stage), 1000);
      return;
    }
    const delay = askDelay(stage, token);
    if (delay === null) continue;  // asked, and the server had nothing
    if (!spare && stage.spares.length >= SPARES && !spareFor(stage, token)) return;
    later(stage, () => ask(stage, token), delay, 2000);
    return;
  }
}

// Made once per element, kept on it across renders: the scenes, the observers that place them.
function stageOf(parentElement) {
  if (parentElement.scStage) return parentElement.scStage;
  const stage = parentElement.scStage = {
    home: parentElement, spares: [], asked: new Map(), upcoming: [], userAt: 0,
  };
  stage.active = newHolder(stage);
  place(stage);
  stage.placing = new ResizeObserver(() => place(stage));
  stage.placing.observe(parentElement);
  stage.placing.observe(parentElement.closest('[data-testid="stTabs"]') || document.body);
  return stage;
}

// Lets a scene go: Plotly's, then its WebGL context, which the browser would free only once the
// canvas is garbage collected (with three scenes a visit, a few visits to the page and back
// reached chromium's limit on live contexts: "Oldest context will be lost").
function release(holder) {
  holder.scGone = true;
  holder.scFollowing.disconnect();
  const canvases = [...holder.querySelectorAll(".gl-container canvas")];
  try { if (window.Plotly && holder.scDrawn) window.Plotly.purge(holder); } catch (ignored) { /* gone */ }
  for (const canvas of canvases) {
    const gl = canvas.getContext("webgl") || canvas.getContext("experimental-webgl");
    const losing = gl && gl.getExtension("WEBGL_lose_context");
    if (losing) losing.loseContext();
  }
  holder.remove();
}

// ``data``: the figure of the run shown (JSON, or null when the server has not built it yet or
// its tab is closed), the run (``token``), whether its tab is open (``shown``), its text
// alternative and Plotly's chunk; ``spares``, the runs next to it, and ``spare``, the figure of
// one of them the browser asked for. A closed tab's scene is drawn ahead: the server is asked for
// the figure and it is drawn once the browser is idle, so the tab opens on a scene already made.
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const stage = stageOf(parentElement);
  stage.data = data;
  stage.setTriggerValue = setTriggerValue;
  stage.upcoming = (data.spares || []).filter((token) => token !== data.token);
  if (!stage.awaiting) stage.userAt = performance.now();  // else the answer to a request
  stage.awaiting = false;
  // what was asked for and not answered is remembered only while still wanted
  const wanted = (token) => token === data.token || stage.upcoming.includes(token);
  stage.asked = new Map([...stage.asked].filter(([token]) => wanted(token)));
  // Another run shown: its scene drawn ahead is swapped in first, before an answer that came
  // with this render is given a spare (which might otherwise be that very scene).
  if (runOf(stage.active) !== data.token) {
    const drawn = stage.spares.find((holder) => holder.scToken === data.token && runOf(holder) === data.token
      && !holder.scDrawing && drawnWith(stage, holder, holder.scLatest));
    if (drawn) swapIn(stage, drawn);
  }
  if (data.spare && data.spare.token !== data.token && stage.upcoming.includes(data.spare.token)) {
    const spare = spareFor(stage, data.spare.token);
    if (spare) spare.scLatest = Object.assign({ plotly: data.plotly }, data.spare);
    stage.asked.delete(data.spare.token);
  }
  if (data.figure) {
    stage.active.scLatest = data;
    stage.asked.delete(data.token);
  }
  stage.spares.forEach((spare) => { spare.scShown = false; });
  stage.active.scShown = data.shown;  // whether the scene is in view (a test reads it)
  plan(stage);
  // Streamlit calls this when the element goes (the page left), and when a newer render overtook
  // this one: the scenes are let go only if their element has left the page.
  return () => setTimeout(() => {
    if (parentElement.isConnected || parentElement.scStage !== stage) return;
    stage.gone = true;
    cancelLater(stage);
    stage.placing.disconnect();
    holders(stage).forEach(release);
  }, 0);
}
"""
)

STYLE = """
.sc-holder { width: 100%; }
"""

_RENDERER = st.components.v2.component(COMPONENT_NAME, js=SCRIPT, css=STYLE, isolate_styles=False)


def plotly_chunk() -> str | None:
    """Streamlit's Plotly chunk as a URL relative to the app's address, or None when this
    Streamlit has none (then ``draw`` falls back on ``st.plotly_chart``; ``ui.streamlit_chunks``)."""
    return chunk_path(PLOTLY_CHUNK)


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


def draw(
    scene: Scene | None,
    *,
    token: str,
    shown: bool,
    key: str,
    spares: Sequence[str] = (),
    spare: Scene | None = None,
) -> None:
    """Draw ``scene`` (the run ``token``'s) in the Plotly scene kept under ``key``, updated in place
    when it changes.

    ``shown`` says whether the scene's tab is open. A closed tab's scene is drawn all the same,
    ahead, once the browser is idle: its first opening in a tab took 2.4 s without a GPU, most of
    it making the WebGL scene and its axes' text (benchmarks/README.md, round 23). Given no scene
    (not built yet), the browser asks for it, once idle, by the ``wanted`` trigger (:func:`asked`).

    ``spares`` names the runs whose scenes the browser draws ahead behind an open tab's (at most
    :data:`SPARES`; it asks for each figure by the same trigger), and ``spare`` is the scene of
    the one it asked for: a switch to one of them swaps its scene in, already drawn, where
    updating the scene took 0.1-0.2 s of WebGL in software (benchmarks/README.md, round 24)."""
    chunk = plotly_chunk()
    if chunk is None:  # drawn by st.plotly_chart, which cannot be drawn ahead
        if shown and scene is not None:
            plotly(scene.figure, alt=scene.alt, key=key)
        return
    _RENDERER(
        data={
            "figure": None if scene is None else scene.figure_json,
            "alt": "" if scene is None else scene.alt,
            "plotly": chunk,
            "token": token,
            "shown": shown,
            "spares": list(spares)[:SPARES],
            "spare": None
            if spare is None
            else {"token": spare.token, "figure": spare.figure_json, "alt": spare.alt},
        },
        key=key,
        on_wanted_change=lambda: None,  # a trigger reruns the fragment the scene is in
    )


def asked(key: str) -> str | None:
    """The run whose scene the browser asked for in this rerun (the ``wanted`` trigger of the
    scene kept under ``key``), else None. It comes from the browser: check it before use."""
    return trigger_text(key, "wanted")
