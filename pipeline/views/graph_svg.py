"""The workflow graph as inline SVG, each state coloured by how it ended and labelled with its time.

A report must open anywhere with nothing but the file, so it cannot use the app's plotly graph
(``pipeline.views.graph_figure``); it draws the very same layout (``graph_layout``: ranks, the
failure lane, Map and Parallel branches, edges routed clear of the boxes they do not connect)
as SVG, so the report and the Executions page show one picture. Catch edges are dashed, Choice
rules are labelled, names are escaped. Under a top-level state's name: its type, how it ended
and the time it took; a Map state's box also carries its iterations' counts ("3/3 done").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.report.page import esc
from pipeline.views.execution_view import StepRun
from pipeline.views.graph import CAUGHT_ERROR, LEGEND_ORDER, NOT_REACHED, STATUS_COLOURS
from pipeline.views.graph_figure import FRAME_COLOUR, short_label
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

#: Pixels per layout unit across (a box is 1.1 units: 264 px) and per rank down.
X_PX, Y_PX = 240, 90
MARGIN = 16
#: A box's width in px (the app's names and notes are sized for 13 and 11 px type in such a box).
BOX_PX = 2 * BOX_HALF_WIDTH * X_PX
#: Height of the legend's row above the graph.
LEGEND_HEIGHT = 28
#: Pixels between two lines of a box's text, and the font sizes: names, the line under them, labels.
LINE_PX = 16
NAME_SIZE, DETAIL_SIZE, LABEL_SIZE = 13, 11, 12
EDGE_COLOUR = "#616161"


def _seconds(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.1f} s" if value >= 0.1 else f"{value * 1000:.0f} ms"


def _details(
    definition: Mapping[str, Any], visits: Mapping[str, list[StepRun]], progress: Mapping[str, str]
) -> dict[str, str]:
    """What each top-level state's box says under its type, as ``graph_layout`` notes: how it
    ended and its time (``succeeded · 1.2 s``), then a Map's iteration counts as the next part."""
    details = {}
    for name in definition.get("States", {}):
        runs = visits.get(name, [])
        status = runs[-1].status if runs else NOT_REACHED
        detail = status
        if runs:
            took = sum(run.duration_seconds or 0.0 for run in runs)
            detail += f" · {_seconds(took)}" + (f" ({len(runs)} visits)" if len(runs) > 1 else "")
        details[name] = f"{detail}, {progress[name]}" if name in progress else detail
    return details


class _Canvas:
    """Layout units to pixels: x from the layout's left edge, y from half a rank above the first."""

    def __init__(self, left: float, top: float) -> None:
        self.left, self.top = left, top

    def point(self, x: float, y: float) -> tuple[float, float]:
        return MARGIN + (x - self.left) * X_PX, self.top + (y + 0.5) * Y_PX


def _edge(edge: Edge, canvas: _Canvas) -> str:
    catch = edge.kind == "catch"
    points = " ".join("{:.0f},{:.0f}".format(*canvas.point(x, y)) for x, y in edge.points)
    style = (
        f'stroke="{STATUS_COLOURS[CAUGHT_ERROR][1]}" stroke-dasharray="5 4"'
        if catch
        else f'stroke="{EDGE_COLOUR}"'
    )
    marker = "catch-arrow" if catch else "arrow"
    line = (
        f'<polyline class="edge" points="{points}" fill="none" {style} stroke-width="1.5" '
        f'marker-end="url(#{marker})"/>'
    )
    if not (edge.label and edge.kind in {"choice", "default"}):
        return line
    (x0, y0), (x1, y1) = canvas.point(*edge.points[0]), canvas.point(*edge.points[1])
    x, y = (x0 + x1) / 2, (y0 + y1) / 2
    anchor = "end" if x1 < x0 else "start" if x1 > x0 else "middle"
    lines = wrap(short_label(edge.label), LABEL_CHARS)
    spans = "".join(
        f'<tspan x="{x:.0f}" dy="{0 if i == 0 else LINE_PX}">{esc(text)}</tspan>'
        for i, text in enumerate(lines)
    )
    top = y - (len(lines) - 1) * LINE_PX / 2 + 4
    return (
        f'{line}<text class="edge-label" y="{top:.0f}" text-anchor="{anchor}" font-size="{LABEL_SIZE}" '
        f'fill="#424242" stroke="#fff" stroke-width="4" paint-order="stroke">{spans}</text>'
    )


def _frame(frame: Frame, canvas: _Canvas) -> str:
    """A branch's dashed frame and its caption, bottom left inside it (as the app draws them)."""
    (x0, y0), (x1, y1) = canvas.point(frame.left, frame.top), canvas.point(frame.right, frame.bottom)
    return (
        f'<g class="branch-frame"><rect x="{x0:.0f}" y="{y0:.0f}" '
        f'width="{x1 - x0:.0f}" height="{y1 - y0:.0f}" fill="none" '
        f'stroke="{FRAME_COLOUR}" stroke-dasharray="6 4"/>'
        f'<text x="{x0 + 6:.0f}" y="{y1 - 6:.0f}" font-size="{LABEL_SIZE}" fill="#616161">'
        f"{esc(frame.label)}</text></g>"
    )


def _marker_node(node: Node, canvas: _Canvas) -> str:
    x, y = canvas.point(node.x, node.y)
    rx, ry = MARKER_HALF[0] * X_PX, MARKER_HALF[1] * Y_PX
    return (
        f'<ellipse cx="{x:.0f}" cy="{y:.0f}" rx="{rx:.0f}" ry="{ry:.0f}" fill="#eeeeee" '
        f'stroke="{EDGE_COLOUR}" stroke-width="1.5"/><text x="{x:.0f}" y="{y + 4:.0f}" '
        f'text-anchor="middle" font-size="{LABEL_SIZE}" fill="#424242">{esc(node.name)}</text>'
    )


def _text_line(x: float, y: float, text: str, bold: bool) -> str:
    """One line of a box: the name's lines bold and larger, the lines under it grey."""
    look = (
        f'class="name" font-size="{NAME_SIZE}" font-weight="600" fill="#1f2933"'
        if bold
        else f'font-size="{DETAIL_SIZE}" fill="#52606d"'
    )
    return f'<text x="{x:.0f}" y="{y:.0f}" text-anchor="middle" {look}>{esc(text)}</text>'


def _state_node(node: Node, status: str, canvas: _Canvas) -> str:
    fill, border = STATUS_COLOURS.get(status, STATUS_COLOURS[NOT_REACHED])
    x, y = canvas.point(node.x, node.y)
    half_width, half_height = BOX_HALF_WIDTH * X_PX, node.half_height * Y_PX
    under = [node.state_type] if not node.note_lines else [f"{node.state_type} · {node.note_lines[0]}"]
    lines = [(text, True) for text in node.name_lines] + [
        (text, False) for text in under + list(node.note_lines[1:])
    ]
    first = y - (len(lines) - 1) * LINE_PX / 2 + 5
    texts = "".join(_text_line(x, first + i * LINE_PX, text, bold) for i, (text, bold) in enumerate(lines))
    title = f"{node.name}: " + " · ".join(text for text, bold in lines if not bold)
    return (
        f'<g class="state"><title>{esc(title)}</title>'
        f'<rect x="{x - half_width:.0f}" y="{y - half_height:.0f}" width="{2 * half_width:.0f}" '
        f'height="{2 * half_height:.0f}" rx="8" fill="{fill}" stroke="{border}" stroke-width="2"/>{texts}</g>'
    )


def _legend() -> str:
    items, x = [], MARGIN
    for status in LEGEND_ORDER:
        fill, border = STATUS_COLOURS[status]
        items.append(
            f'<rect x="{x}" y="{MARGIN - 2}" width="14" height="14" fill="{fill}" stroke="{border}" '
            f'stroke-width="2"/><text x="{x + 20}" y="{MARGIN + 10}" font-size="{LABEL_SIZE}" '
            f'fill="#424242">{esc(status)}</text>'
        )
        x += 34 + 7 * len(status)
    return f'<g class="legend">{"".join(items)}</g>'


def workflow_svg(
    definition: Mapping[str, Any], steps: Sequence[StepRun], notes: Mapping[str, str] | None = None
) -> str:
    """The SVG: a box a state (fill and border by status), its type, status and total time under its name.

    ``notes`` (state name -> a few words: ``map_iterations.progress_labels``) add the iterations'
    counts to that state's box ("3/3 done").
    """
    visits: dict[str, list[StepRun]] = {}
    for step in steps:
        visits.setdefault(step.name, []).append(step)
    layout = layout_workflow(definition, _details(definition, visits, notes or {}), box_px=BOX_PX)
    left, right = layout.x_range()
    canvas = _Canvas(left, MARGIN + LEGEND_HEIGHT)
    width = round(2 * MARGIN + (right - left) * X_PX)
    height = round(canvas.top + layout.ranks * Y_PX + MARGIN)
    frames = "".join(_frame(frame, canvas) for frame in layout.frames)
    edges = [_edge(edge, canvas) for edge in layout.edges]
    nodes = []
    for node in layout.nodes:
        if node.node_id in {START_ID, END_ID}:
            nodes.append(_marker_node(node, canvas))
            continue
        runs = visits.get(node.name, [])
        nodes.append(_state_node(node, runs[-1].status if runs else NOT_REACHED, canvas))
    markers = "".join(
        f'<marker id="{marker_id}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="{colour}"/></marker>'
        for marker_id, colour in (("arrow", EDGE_COLOUR), ("catch-arrow", STATUS_COLOURS[CAUGHT_ERROR][1]))
    )
    return (
        f'<svg class="workflow-graph" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Workflow graph">'
        f"<defs>{markers}</defs>{_legend()}{frames}{''.join(edges)}{''.join(nodes)}</svg>"
    )
