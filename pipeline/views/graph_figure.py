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
from pipeline.views.graph import LEGEND_ORDER, NOT_REACHED, STATUS_COLOURS
from pipeline.views.graph_layout import END_ID, START_ID, GraphLayout, layout_workflow
from pipeline.views.text import plain_text

#: Pixels a rank takes (box, gap and edge label).
RANK_HEIGHT = 66
#: Half a box's width and height, in layout units (a rank is 1 high, two states SPREAD apart).
BOX_HALF_WIDTH = 0.55
BOX_HALF_HEIGHT = 0.27
#: Half the height of a box with a note under its type (a Map's iterations): three lines.
NOTED_HALF_HEIGHT = 0.4
#: Font sizes in px: state names, their type, edge labels.
NAME_SIZE = 13
LABEL_SIZE = 12
SELECTED_BORDER = "#111111"


def _box(
    x: float, y: float, fill: str, border: str, width: float, rounded: bool, half_height: float
) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "type": "rect",
        "xref": "x",
        "yref": "y",
        "x0": x - BOX_HALF_WIDTH,
        "x1": x + BOX_HALF_WIDTH,
        "y0": y - half_height,
        "y1": y + half_height,
        "fillcolor": fill,
        "line": {"color": border, "width": width},
        "layer": "below",
    }
    if rounded:
        shape["type"] = "path"
        shape["path"] = _rounded_path(x, y, half_height)
    return shape


def _rounded_path(x: float, y: float, half_height: float, r: float = 0.08) -> str:
    left, right = x - BOX_HALF_WIDTH, x + BOX_HALF_WIDTH
    top, bottom = y - half_height, y + half_height
    return (
        f"M {left + r},{top} L {right - r},{top} Q {right},{top} {right},{top + r} "
        f"L {right},{bottom - r} Q {right},{bottom} {right - r},{bottom} "
        f"L {left + r},{bottom} Q {left},{bottom} {left},{bottom - r} "
        f"L {left},{top + r} Q {left},{top} {left + r},{top} Z"
    )


def _edge_end(
    layout: GraphLayout, source: str, target: str, kind: str, heights: Mapping[str, float]
) -> tuple[float, float, float, float]:
    """Where an arrow leaves its source box and reaches its target box (their borders).

    An arrow into a branch (drawn a rank lower, on the left) leaves the bottom of its parent
    near its left corner and reaches the top of the branch's first state.
    """
    a, b = layout.node(source), layout.node(target)
    a_half, b_half = heights.get(source, BOX_HALF_HEIGHT), heights.get(target, BOX_HALF_HEIGHT)
    if kind == "branch" and b.y > a.y:
        return a.x - BOX_HALF_WIDTH * 0.5, a.y + a_half, b.x, b.y - b_half
    if abs(a.y - b.y) < 1e-9 or abs(b.x - a.x) > 2 * BOX_HALF_WIDTH:
        # Side by side (a catch into the failure lane): leave and arrive through the sides.
        direction = 1 if b.x > a.x else -1
        return a.x + direction * BOX_HALF_WIDTH, a.y, b.x - direction * BOX_HALF_WIDTH, b.y
    down = 1 if b.y > a.y else -1
    return a.x, a.y + down * a_half, b.x, b.y - down * b_half


_PATH = re.compile(r"\$(?:\.[A-Za-z_][\w]*|\[[^\]]*\])+")


def short_label(label: str) -> str:
    """A Choice rule's label with each JSONPath cut to its last field (``silhouette >= QualityThreshold``)."""
    return _PATH.sub(lambda match: re.split(r"[.\[]", match.group(0))[-1].strip("]'\""), label)


def workflow_figure(
    definition: Mapping[str, Any],
    statuses: Mapping[str, str] | None = None,
    selected: str | None = None,
    notes: Mapping[str, str] | None = None,
) -> go.Figure:
    """The definition's states coloured by ``statuses`` (state name -> status), ``selected`` outlined.

    ``notes`` (state name -> a few words) follow a state's type under its name: a Map state's
    iterations so far (``map_iterations.progress_labels``), as the console's Map view counts them.
    """
    statuses, notes = statuses or {}, notes or {}
    layout = layout_workflow(definition)
    # A note belongs to a top-level state (inner states of a Map share names with nothing above).
    noted = {n.node_id: notes[n.name] for n in layout.nodes if n.node_id == n.name and n.name in notes}
    heights = {node_id: NOTED_HALF_HEIGHT for node_id in noted}
    figure = go.Figure()
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    for edge in layout.edges:
        x0, y0, x1, y1 = _edge_end(layout, edge.source, edge.target, edge.kind, heights)
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
            _box(
                node.x,
                node.y,
                fill,
                SELECTED_BORDER if chosen else border,
                4 if chosen else 2,
                True,
                heights.get(node.node_id, BOX_HALF_HEIGHT),
            )
        )
        xs.append(node.x)
        ys.append(node.y)
        name = plain_text(node.name)
        note = noted.get(node.node_id)
        under = _note_lines(node.state_type, note) if note else node.state_type
        texts.append(f"<b>{name}</b><br><span style='font-size:{LABEL_SIZE - 1}px'>{under}</span>")
        names.append(node.name)
        iterations = f"Iterations {plain_text(note)}<br>" if note else ""
        hovers.append(f"{name} ({node.state_type}): {status}<br>{iterations}Click for its details")
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


def _note_lines(state_type: str, note: str) -> str:
    """``Map: 3/9 done`` then the rest of the note (``1 failed, 2 running``) on a line of its own,
    so the box stays as narrow as the others and legible at 800 px."""
    first, _, rest = note.partition(", ")
    lines = [plain_text(f"{state_type}: {first}")] + ([plain_text(rest)] if rest else [])
    return "<br>".join(lines)


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
