"""Executions' workflow graph: the SVG of ``pipeline.views.graph_svg`` with each state a button.

Why a component and not ``st.plotly_chart``: Streamlit makes a chart's identity from its figure,
so a run whose graph differed in one colour (any run of the other workflow, a failed run) was a
new chart that Plotly.js drew from scratch on every switch to it. A ``st.components.v2``
component keyed once keeps its identity whatever its data: a switch sends the new SVG, and the
script below swaps it in (a few milliseconds). A click, or Enter or Space on a focused state,
sends the state's name as a trigger value: it reaches the server once, for one rerun, so a
second click on the same state is a click again (Plotly's selection toggled it off).

The SVG is built on the server from escaped text (``graph_svg``); the script only parses it and
reads ``data-state`` back. Launch draws its preview with it too, without clicks: ``st.html``
sanitises an SVG away. Styles are not isolated (``isolate_styles=False``) so that the step
part's style sheet (``ui.executions.outline_style``) can outline the chosen state.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ui.component_trigger import trigger_text

#: The component's name (unique in the app) and the trigger its clicks send.
COMPONENT_NAME = "rfm_workflow_graph"
CLICK_EVENT = "clicked"

#: Swaps the SVG in when it changed, and turns a click or a key on a state into a trigger. The
#: listeners are attached once to the host element; they call the newest ``setTriggerValue``.
SCRIPT = """
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let holder = parentElement.querySelector(".wg-holder");
  if (!holder) {
    holder = document.createElement("div");
    holder.className = "wg-holder";
    parentElement.appendChild(holder);
    const send = (event) => {
      const state = event.target.closest("[data-state][role=button]");
      if (state && holder.contains(state)) holder.wgSend(state.getAttribute("data-state"));
    };
    holder.addEventListener("click", send);
    holder.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        send(event);
      }
    });
  }
  holder.wgSend = (name) => setTriggerValue("clicked", name);
  const svg = (data && data.svg) || "";
  if (holder.wgSvg !== svg) {
    holder.wgSvg = svg;
    const focused = document.activeElement && holder.contains(document.activeElement)
      ? document.activeElement.getAttribute("data-state") : null;
    holder.innerHTML = svg;
    if (focused !== null) {
      for (const state of holder.querySelectorAll("[data-state]")) {
        if (state.getAttribute("data-state") === focused) { state.focus(); break; }
      }
    }
  }
}
"""

#: A state that is a button shows it can be clicked, and where the keyboard is (Launch's preview
#: has none: nothing there looks clickable). The card and the SVG's size are the markup's own
#: (``graph_svg.CARD_STYLE``).
STYLE = """
.wg-holder [role=button] { cursor: pointer; outline: none; }
.wg-holder [role=button]:hover rect { stroke-width: 3; }
.wg-holder [role=button]:focus-visible rect { stroke: #1565c0; stroke-width: 4; stroke-dasharray: 6 3; }
"""


#: Registered once, at import (registering again under the same name logs a warning); Streamlit
#: registers it again on a runtime that lacks it when it is mounted (AppTest makes one a test).
_RENDERER = st.components.v2.component(COMPONENT_NAME, js=SCRIPT, css=STYLE, isolate_styles=False)


def workflow_graph(svg: str, *, key: str, on_click: Callable[[], None] | None = None) -> None:
    """Draw the graph ``svg`` (``graph_svg.workflow_drawing(..., fluid=True)``).

    With ``on_click`` (and a drawing made ``selectable``), it runs when a state is clicked, and
    :func:`clicked` names the state during that rerun; without, the graph is a picture (Launch's
    preview: ``st.html`` sanitises SVG away)."""
    if on_click is None:
        _RENDERER(data={"svg": svg}, key=key)
    else:
        _RENDERER(data={"svg": svg}, key=key, on_clicked_change=on_click)


def clicked(key: str) -> str | None:
    """The state a click on the graph ``key`` named, during the rerun the click caused; else None."""
    return trigger_text(key, CLICK_EVENT)
