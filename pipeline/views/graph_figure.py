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

from pipeline.views.graph import LEGEND_ORDER, NOT_REACHED, STATUS_COLOURS
from pipeline.views.graph_layout import END_ID, START_ID, GraphLayout, layout_workflow
from pipeline.views.text import plain_text

#: Pixels a rank takes (box, gap and edge label).
RANK_HEIGHT = 66
#: Half a box's width and height, in layout units (a rank is 1 high, two states SPREAD apart).
BOX_HALF_WIDTH = 0.55
BOX_HALF_HEIGHT = 0.27
#: Font sizes in px: state names, their type, edge labels.
NAME_SIZE = 13
LABEL_SIZE = 12
SELECTED_BORDER = "#111111"


def _box(x: float, y: float, fill: str, border: str, width: float, rounded: bool) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "type": "rect",
        "xref": "x",
        "yref": "y",
        "x0": x - BOX_HALF_WIDTH,
        "x1": x + BOX_HALF_WIDTH,
        "y0": y - BOX_HALF_HEIGHT,
        "y1": y + BOX_HALF_HEIGHT,
        "fillcolor": fill,
        "line": {"color": border, "width": width},
        "layer": "below",
    }
    if rounded:
        shape["type"] = "path"
        shape["path"] = _rounded_path(x, y)
    return shape


def _rounded_path(x: float, y: float, r: float = 0.08) -> str:
    left, right = x - BOX_HALF_WIDTH, x + BOX_HALF_WIDTH
    top, bottom = y - BOX_HALF_HEIGHT, y + BOX_HALF_HEIGHT
    return (
        f"M {left + r},{top} L {right - r},{top} Q {right},{top} {right},{top + r} "
        f"L {right},{bottom - r} Q {right},{bottom} {right - r},{bottom} "
        f"L {left + r},{bottom} Q {left},{bottom} {left},{bottom - r} "
        f"L {left},{top + r} Q {left},{top} {left + r},{top} Z"
    )


def _edge_end(layout: GraphLayout, source: str, target: str) -> tuple[float, float, float, float]:
    """Where an arrow leaves its source box and reaches its target box (their borders)."""
    a, b = layout.node(source), layout.node(target)
    if abs(a.y - b.y) < 1e-9 or abs(b.x - a.x) > 2 * BOX_HALF_WIDTH:
        # Side by side (a catch into the failure lane): leave and arrive through the sides.
        direction = 1 if b.x > a.x else -1
        return a.x + direction * BOX_HALF_WIDTH, a.y, b.x - direction * BOX_HALF_WIDTH, b.y
    down = 1 if b.y > a.y else -1
    return a.x, a.y + down * BOX_HALF_HEIGHT, b.x, b.y - down * BOX_HALF_HEIGHT


_PATH = re.compile(r"\$(?:\.[A-Za-z_][\w]*|\[[^\]]*\])+")


def short_label(label: str) -> str:
    """A Choice rule's label with each JSONPath cut to its last field (``silhouette >= QualityThreshold``)."""
    return _PATH.sub(lambda match: re.split(r"[.\[]", match.group(0))[-1].strip("]'\""), label)


def workflow_figure(
    definition: Mapping[str, Any],
    statuses: Mapping[str, str] | None = None,
    selected: str | None = None,
) -> go.Figure:
    """The definition's states coloured by ``statuses`` (state name -> status), ``selected`` outlined."""
    statuses = statuses or {}
    layout = layout_workflow(definition)
    figure = go.Figure()
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    for edge in layout.edges:
        x0, y0, x1, y1 = _edge_end(layout, edge.source, edge.target)
        catch = edge.kind == "catch"
        colour = STATUS_COLOURS["caught error"][1] if catch else "#616161"
        annotations.append(
            {
                "x": x1,
                "y": y1,
                "ax": x0,
                "ay": y0,
                "xref": "x",
                "yref": "y",
                "axref": "x",
                "ayref": "y",
                "text": "",
                "showarrow": True,
                "arrowhead": 2,
                "arrowsize": 1.2,
                "arrowwidth": 1.2 if catch else 1.6,
                "arrowcolor": colour,
                "opacity": 0.55 if catch else 1.0,
            }
        )
        if edge.label and edge.kind in {"choice", "default"}:
            annotations.append(
                {
                    "x": x0 + (x1 - x0) * 0.62,
                    "y": y0 + (y1 - y0) * 0.62,
                    "xanchor": "right" if x1 < x0 else "left" if x1 > x0 else "center",
                    "xref": "x",
                    "yref": "y",
                    "text": plain_text(short_label(edge.label)),
                    "showarrow": False,
                    "font": {"size": LABEL_SIZE, "color": "#424242"},
                    "bgcolor": "rgba(255,255,255,0.85)",
                }
            )
    xs, ys, texts, names, hovers = [], [], [], [], []
    for node in layout.nodes:
        if node.node_id in {START_ID, END_ID}:
            shapes.append(
                {
                    "type": "circle",
                    "x0": node.x - 0.16,
                    "x1": node.x + 0.16,
                    "y0": node.y - 0.2,
                    "y1": node.y + 0.2,
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
        status = statuses.get(node.name, NOT_REACHED)
        fill, border = STATUS_COLOURS[status]
        chosen = selected is not None and node.name == selected
        shapes.append(
            _box(node.x, node.y, fill, SELECTED_BORDER if chosen else border, 4 if chosen else 2, True)
        )
        xs.append(node.x)
        ys.append(node.y)
        name = plain_text(node.name)
        texts.append(f"<b>{name}</b><br><span style='font-size:{LABEL_SIZE - 1}px'>{node.state_type}</span>")
        names.append(node.name)
        hovers.append(f"{name} ({node.state_type}): {status}<br>Click for its details")
    figure.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers+text",
            text=texts,
            textposition="middle center",
            textfont={"size": NAME_SIZE, "color": "#212121"},
            customdata=names,
            hovertext=hovers,
            hoverinfo="text",
            marker={"symbol": "square", "size": 46, "color": "rgba(0,0,0,0)", "line": {"width": 0}},
            showlegend=False,
            name="states",
        )
    )
    # The legend: one invisible point a status, so plotly draws its coloured keys in a row.
    for status in LEGEND_ORDER:
        fill, border = STATUS_COLOURS[status]
        figure.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker={"symbol": "square", "size": 14, "color": fill, "line": {"color": border, "width": 2}},
                name=status.capitalize(),
                hoverinfo="skip",
            )
        )
    x_values = [node.x for node in layout.nodes]
    figure.update_layout(
        shapes=shapes,
        annotations=annotations,
        height=RANK_HEIGHT * (layout.ranks + 1) + 40,
        margin={"l": 4, "r": 4, "t": 36, "b": 4},
        plot_bgcolor="white",
        paper_bgcolor="white",
        dragmode=False,
        clickmode="event+select",
        hovermode="closest",
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom", "font": {"size": LABEL_SIZE}},
    )
    figure.update_xaxes(
        visible=False,
        range=[min(x_values) - BOX_HALF_WIDTH - 0.05, max(x_values) + BOX_HALF_WIDTH + 0.05],
        fixedrange=True,
    )
    figure.update_yaxes(visible=False, range=[layout.ranks - 0.5, -0.5], fixedrange=True)
    return figure


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
