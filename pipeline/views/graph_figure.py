"""The workflow graph as a plotly figure: legible at any width, coloured by status, clickable.

Each state is a rounded box (a layout shape) with its name in 13 px type; a transparent
square marker over each box carries the state's name as ``customdata``, so a click on a box
selects that point and ``st.plotly_chart(on_select=...)`` reports which state was clicked
(:func:`clicked_state`). The figure fills its container's width and takes a height from the
number of ranks, so it never shrinks to a thumbnail the way a fixed-size SVG does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go

from pipeline.views import style  # noqa: F401 - the charts' template
from pipeline.views.graph import CAUGHT_ERROR, LEGEND_ORDER, NOT_REACHED, STATUS_COLOURS
from pipeline.views.graph_layout import (
    END_ID,
    LABEL_CHARS,
    MARKER_HALF,
    START_ID,
    Edge,
    Frame,
    Node,
    layout_workflow,
    wrap,
)
from pipeline.views.routing import BOX_HALF_WIDTH
from pipeline.views.text import plain_text

#: Pixels a rank takes (box, gap and edge label).
RANK_HEIGHT = 80
#: Font sizes in px: state names, their type, edge labels.
NAME_SIZE = 13
LABEL_SIZE = 12
SELECTED_BORDER = "#111111"
#: The dashed frame round a Map's or Parallel's branch.
FRAME_COLOUR = "#9e9e9e"


def _frame_marks(frame: Frame) -> tuple[dict[str, Any], dict[str, Any]]:
    """A branch's dashed frame (under everything) and its caption, bottom left inside it."""
    shape = {
        "type": "rect",
        "xref": "x",
        "yref": "y",
        "x0": frame.left,
        "x1": frame.right,
        "y0": frame.top,
        "y1": frame.bottom,
        "line": {"color": FRAME_COLOUR, "width": 1, "dash": "dash"},
        "fillcolor": "rgba(0,0,0,0)",
        "layer": "below",
    }
    caption = {
        "x": frame.left,
        "y": frame.bottom,
        "xanchor": "left",
        "yanchor": "bottom",
        "xshift": 4,
        "yshift": 2,
        "text": plain_text(frame.label),
        "showarrow": False,
        "font": {"size": LABEL_SIZE, "color": "#616161"},
    }
    return shape, caption


def _box(node: Node, fill: str, border: str, width: float) -> dict[str, Any]:
    """A rounded box around a state (a path shape: plotly has no rounded rectangles)."""
    r = 0.08
    left, right = node.x - BOX_HALF_WIDTH, node.x + BOX_HALF_WIDTH
    top, bottom = node.y - node.half_height, node.y + node.half_height
    path = (
        f"M {left + r},{top} L {right - r},{top} Q {right},{top} {right},{top + r} "
        f"L {right},{bottom - r} Q {right},{bottom} {right - r},{bottom} "
        f"L {left + r},{bottom} Q {left},{bottom} {left},{bottom - r} "
        f"L {left},{top + r} Q {left},{top} {left + r},{top} Z"
    )
    return {
        "type": "path",
        "path": path,
        "xref": "x",
        "yref": "y",
        "x0": left,
        "x1": right,
        "y0": top,
        "y1": bottom,
        "fillcolor": fill,
        "line": {"color": border, "width": width},
        "layer": "below",
    }


#: The arrowheads' size and how far their tip stays off the box it points at (px).
ARROW_SIZE = 10
ARROW_STANDOFF = 5


def _edge_style(edge: Edge) -> tuple[str, float, float]:
    """An edge's colour, line width and opacity: a Catch's path fainter than the flow's."""
    if edge.kind == "catch":
        return STATUS_COLOURS[CAUGHT_ERROR][1], 1.2, 0.55
    return "#616161", 1.6, 1.0


def _edge_marks(edge: Edge) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The edge's line (a path shape through its bends) and its Choice label (an annotation).

    Its arrowhead is a marker of ``_arrowheads``, not an annotation's arrow: Plotly.js measures
    each annotation arrow's path (``getTotalLength``), which makes the browser lay the page out
    again once an arrow, ~85 ms a graph of a dozen edges when a run's graph is drawn.
    """
    colour, width, opacity = _edge_style(edge)
    points = list(edge.points)
    path = "M " + " L ".join(f"{x},{y}" for x, y in points)
    shapes = [
        {
            "type": "path",
            "path": path,
            "xref": "x",
            "yref": "y",
            "line": {"color": colour, "width": width},
            "opacity": opacity,
            "layer": "below",
        }
    ]
    annotations: list[dict[str, Any]] = []
    if edge.label and edge.kind in {"choice", "default"}:
        (x0, y0), (x1, y1) = points[0], points[1]
        label = "<br>".join(plain_text(line) for line in wrap(short_label(edge.label), LABEL_CHARS))
        annotations.append(
            {
                "x": x0 + (x1 - x0) * 0.5,
                "y": y0 + (y1 - y0) * 0.5,
                "xanchor": "right" if x1 < x0 else "left" if x1 > x0 else "center",
                "xref": "x",
                "yref": "y",
                "text": label,
                "showarrow": False,
                "font": {"size": LABEL_SIZE, "color": "#424242"},
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        )
    return shapes, annotations


def _arrowheads(edges: list[Edge]) -> list[dict[str, Any]]:
    """One marker trace per edge style with every edge's arrowhead: each edge gives two points,
    its last bend (an invisible marker) and its end, whose arrow points away from the point
    before it (``angleref="previous"``), its tip ``ARROW_STANDOFF`` px off the end."""
    traces = []
    for catch in (False, True):
        mine = [edge for edge in edges if (edge.kind == "catch") == catch]
        if not mine:
            continue
        colour, _, opacity = _edge_style(mine[0])
        xs: list[float] = []
        ys: list[float] = []
        for edge in mine:
            (x0, y0), (x1, y1) = edge.points[-2], edge.points[-1]
            xs += [x0, x1]
            ys += [y0, y1]
        traces.append(
            {
                "type": "scatter",
                "x": xs,
                "y": ys,
                "mode": "markers",
                "marker": {
                    "symbol": "triangle-up",
                    "angleref": "previous",
                    "standoff": ARROW_STANDOFF,
                    "size": [0, ARROW_SIZE] * len(mine),
                    "color": colour,
                    "line": {"width": 0},
                },
                "opacity": opacity,
                "hoverinfo": "skip",
                "showlegend": False,
                "name": "catch arrows" if catch else "arrows",
            }
        )
    return traces


_PATH = re.compile(r"\$(?:\.[A-Za-z_][\w]*|\[[^\]]*\])+")


def short_label(label: str) -> str:
    """A Choice rule's label with each JSONPath cut to its last field (``silhouette >= QualityThreshold``)."""
    return _PATH.sub(lambda match: re.split(r"[.\[]", match.group(0))[-1].strip("]'\""), label)


def workflow_figure(
    definition: Mapping[str, Any],
    statuses: Mapping[str, str] | None = None,
    selected: str | None = None,
    notes: Mapping[str, str] | None = None,
    *,
    preview: bool = False,
) -> go.Figure:
    """The definition's states coloured by ``statuses`` (state name -> status), ``selected`` outlined.

    ``notes`` (state name -> a few words) follow a state's type under its name: a Map state's
    iterations so far (``map_iterations.progress_labels``), as the console's Map view counts them.
    ``preview``: the workflow before any run (Launch): every state not started, no status
    legend, and no "click for its details" (there are none yet).
    """
    statuses = statuses or {}
    layout = layout_workflow(definition, notes)
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    for frame in layout.frames:
        frame_shape, caption = _frame_marks(frame)
        shapes.append(frame_shape)
        annotations.append(caption)
    for edge in layout.edges:
        edge_shapes, edge_annotations = _edge_marks(edge)
        shapes.extend(edge_shapes)
        annotations.extend(edge_annotations)
    traces = _arrowheads(list(layout.edges))
    xs, ys, texts, names, hovers = [], [], [], [], []
    for node in layout.nodes:
        if node.node_id in {START_ID, END_ID}:
            half_width, half_height = MARKER_HALF
            shapes.append(
                {
                    "type": "circle",
                    "x0": node.x - half_width,
                    "x1": node.x + half_width,
                    "y0": node.y - half_height,
                    "y1": node.y + half_height,
                    "fillcolor": "#eeeeee",
                    "line": {"color": "#616161", "width": 1.5},
                    "layer": "below",
                }
            )
            annotations.append(
                {
                    "x": node.x,
                    "y": node.y,
                    "text": node.name,
                    "showarrow": False,
                    "font": {"size": LABEL_SIZE, "color": "#424242"},
                }
            )
            continue
        status = NOT_REACHED if preview else statuses.get(node.name, NOT_REACHED)
        fill, border = STATUS_COLOURS[status]
        chosen = selected is not None and node.name == selected
        shapes.append(_box(node, fill, SELECTED_BORDER if chosen else border, 4 if chosen else 2))
        xs.append(node.x)
        ys.append(node.y)
        name = "<br>".join(plain_text(line) for line in node.name_lines)
        texts.append(f"<b>{name}</b><br><span style='font-size:{LABEL_SIZE - 1}px'>{_under(node)}</span>")
        names.append(node.name)
        what = f"{plain_text(node.name)} ({node.state_type})"
        if preview:
            hovers.append(what)
            continue
        note = notes.get(node.name) if notes and node.note_lines else None
        iterations = f"Iterations {plain_text(note)}<br>" if note else ""
        # A state the run never reached has no details to show.
        click = "" if status == NOT_REACHED else "Click for its details"
        hovers.append(f"{what}: {status}<br>{iterations}{click}")
    traces.append(
        {
            "type": "scatter",
            "x": xs,
            "y": ys,
            "mode": "markers+text",
            "text": texts,
            "textposition": "middle center",
            "textfont": {"size": NAME_SIZE, "color": "#212121"},
            "customdata": names,
            "hovertext": hovers,
            "hoverinfo": "text",
            "marker": {"symbol": "square", "size": 46, "color": "rgba(0,0,0,0)", "line": {"width": 0}},
            # A click selects its point, and Plotly fades the others' text: every name stays
            # legible (the chosen state is outlined by the page instead).
            "selected": {"textfont": {"color": "#212121"}},
            "unselected": {"textfont": {"color": "#212121"}},
            "showlegend": False,
            "name": "states",
        }
    )
    if not preview:
        # The legend: one invisible point a status, so plotly draws its coloured keys in a row.
        for status in LEGEND_ORDER:
            fill, border = STATUS_COLOURS[status]
            traces.append(
                {
                    "type": "scatter",
                    "x": [None],
                    "y": [None],
                    "mode": "markers",
                    "marker": {
                        "symbol": "square",
                        "size": 14,
                        "color": fill,
                        "line": {"color": border, "width": 2},
                    },
                    "name": status.capitalize(),
                    "hoverinfo": "skip",
                }
            )
    top = 4 if preview else 36
    figure_layout = {
        "shapes": shapes,
        "annotations": annotations,
        "height": RANK_HEIGHT * (layout.ranks + 1) + top,
        "margin": {"l": 4, "r": 4, "t": top, "b": 4},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "dragmode": False,
        "clickmode": "none" if preview else "event+select",
        "hovermode": "closest",
        "showlegend": not preview,
        "legend": {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom", "font": {"size": LABEL_SIZE}},
        "xaxis": {"visible": False, "range": list(layout.x_range()), "fixedrange": True},
        "yaxis": {"visible": False, "range": [layout.ranks - 0.5, -0.5], "fixedrange": True},
    }
    # Given to the figure whole: built up trace by trace and update by update, plotly validated
    # and copied the growing figure each time (~25 ms a graph, on every switch to another run).
    return go.Figure({"data": traces, "layout": figure_layout})


def _under(node: Node) -> str:
    """What a box shows under the name: its type, with a Map's progress (``Map: 3/9 done``)
    and the rest of the note on a line of its own."""
    if not node.note_lines:
        return plain_text(node.state_type)
    first, *rest = node.note_lines
    return "<br>".join([plain_text(f"{node.state_type}: {first}"), *(plain_text(line) for line in rest)])


def clicked_state(selection: Any) -> str | None:
    """The state name a click on the graph selected, from ``st.plotly_chart``'s selection state."""
    try:
        points = selection["selection"]["points"]
    except (KeyError, TypeError):
        return None
    for point in points or []:
        data = point.get("customdata")
        if isinstance(data, list):
            data = data[0] if data else None
        if isinstance(data, str):
            return data
    return None


def state_box_indices(figure: go.Figure) -> dict[str, int]:
    """State name -> the index, in ``figure.layout.shapes``, of the box drawn around it.

    Plotly.js draws shape ``i`` as an SVG path with ``data-index="i"``: the Executions page
    outlines the chosen state by styling that path, without drawing the figure again.
    """
    spec = figure.to_plotly_json()  # plain dicts: plotly's property objects are ~4x slower to read
    states = next(trace for trace in spec["data"] if trace.get("name") == "states")
    centres = {
        (round(x, 6), round(y, 6)): name
        for name, x, y in zip(states["customdata"], states["x"], states["y"], strict=True)
    }
    indices = {}
    for index, shape in enumerate(spec["layout"].get("shapes", ())):
        if shape.get("type") == "path" and shape.get("x0") is not None and shape.get("y0") is not None:
            centre = (round((shape["x0"] + shape["x1"]) / 2, 6), round((shape["y0"] + shape["y1"]) / 2, 6))
            if centre in centres:
                indices[centres[centre]] = index
    return indices
