"""The workflow graph as inline SVG, each state coloured by how it ended and labelled with its time.

One drawing for every place the graph is shown: the run report (which must open anywhere with
nothing but the file), Launch's preview (``st.html``) and Executions' live graph (the
``ui.graph_component`` component, which makes each state a button). It draws the layout of
``graph_layout`` (ranks, the failure lane, Map and Parallel branches, edges routed clear of the
boxes they do not connect). Catch edges are dashed, Choice rules are labelled, every text is
escaped. Under a top-level state's name: its type, how it ended and the time it took; a Map
state's box also carries its iterations' counts ("3/3 done").

Why SVG and not a plotly figure on the page: Streamlit 1.67 makes a chart's identity from its
figure, so a run whose graph differs in one colour was a new chart, drawn from scratch by
Plotly.js on every switch to it (benchmarks/README.md, round 17). An SVG string is replaced in a
few milliseconds, and the states are real elements a keyboard can reach.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.views.execution_view import StepRun
from pipeline.views.graph import (
    CAUGHT_ERROR,
    FRAME_COLOUR,
    LEGEND_ORDER,
    NOT_REACHED,
    STATUS_COLOURS,
    STATUS_MARKS,
    short_label,
)
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
from pipeline.views.text import html_text as esc
from pipeline.views.text import seconds_text

#: The report's drawing: pixels per layout unit across (a box is 1.1 units: 264 px) and per rank down.
X_PX, Y_PX = 240, 90
MARGIN = 16
#: A box's width in px (the app's names and notes are sized for 13 and 11 px type in such a box).
BOX_PX = 2 * BOX_HALF_WIDTH * X_PX
#: The app's drawing: as wide as its container (x in percent of it), a rank 80 px down, names
#: wrapped for the narrowest container it is drawn in (``graph_layout.NARROW_WIDTH``), as the
#: plotly graph had it: the text keeps its size at any width and only the boxes narrow.
FLUID_Y_PX = 80
#: Percent of the width left clear at each side of the app's drawing.
FLUID_PAD = 0.5
#: The app's drawing sits on a white card (as in the report, and in the dark theme too), and
#: scrolls sideways in a container narrower than this, where its boxes would be too narrow.
CARD_STYLE = "background:#fff;border:1px solid #d9dee5;border-radius:8px;padding:8px;overflow-x:auto"
FLUID_MIN_WIDTH = 420
#: Height of the legend's row above the graph.
LEGEND_HEIGHT = 28
#: Pixels between two lines of a box's text, and the font sizes: names, the line under them, labels.
LINE_PX = 16
NAME_SIZE, DETAIL_SIZE, LABEL_SIZE = 13, 11, 12
EDGE_COLOUR = "#616161"


def _seconds(value: float | None) -> str:
    return "" if value is None else seconds_text(value)


def _details(
    definition: Mapping[str, Any],
    visits: Mapping[str, list[StepRun]],
    progress: Mapping[str, str],
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
    """Layout units to SVG coordinates: y in px from half a rank above the first rank; x in px
    from the layout's left edge (the report), or in percent of the drawing's width (the app),
    which an SVG without a viewBox resolves against the width it is given."""

    def __init__(self, left: float, right: float, top: float, *, fluid: bool) -> None:
        self.left, self.right, self.top, self.fluid = left, right, top, fluid
        self.y_px = FLUID_Y_PX if fluid else Y_PX

    def x(self, x: float) -> str:
        if self.fluid:
            share = (x - self.left) / (self.right - self.left)
            return f"{FLUID_PAD + share * (100 - 2 * FLUID_PAD):.2f}%"
        return f"{MARGIN + (x - self.left) * X_PX:.0f}"

    def dx(self, width: float) -> str:
        """A width of ``width`` layout units."""
        if self.fluid:
            return f"{width / (self.right - self.left) * (100 - 2 * FLUID_PAD):.2f}%"
        return f"{width * X_PX:.0f}"

    def y(self, y: float) -> float:
        return self.top + (y + 0.5) * self.y_px


def _edge(edge: Edge, canvas: _Canvas) -> str:
    """An edge as one line a leg (percentages are not allowed in a polyline's points), the
    arrowhead on the last; a Choice rule's label at its first leg's middle."""
    catch = edge.kind == "catch"
    style = (
        f'stroke="{STATUS_COLOURS[CAUGHT_ERROR][1]}" stroke-dasharray="5 4"'
        if catch
        else f'stroke="{EDGE_COLOUR}"'
    )
    marker = "catch-arrow" if catch else "arrow"
    legs = list(itertools.pairwise(edge.points))
    lines = "".join(
        f'<line x1="{canvas.x(x0)}" y1="{canvas.y(y0):.0f}" x2="{canvas.x(x1)}" y2="{canvas.y(y1):.0f}"'
        + (f' marker-end="url(#{marker})"' if i == len(legs) - 1 else "")
        + "/>"
        for i, ((x0, y0), (x1, y1)) in enumerate(legs)
    )
    line = f'<g class="edge" fill="none" {style} stroke-width="1.5">{lines}</g>'
    if not (edge.label and edge.kind in {"choice", "default"}):
        return line
    (x0, y0), (x1, y1) = edge.points[0], edge.points[1]
    x, y = canvas.x((x0 + x1) / 2), canvas.y((y0 + y1) / 2)
    anchor = "end" if x1 < x0 else "start" if x1 > x0 else "middle"
    texts = wrap(short_label(edge.label), LABEL_CHARS)
    spans = "".join(
        f'<tspan x="{x}" dy="{0 if i == 0 else LINE_PX}">{esc(text)}</tspan>' for i, text in enumerate(texts)
    )
    top = y - (len(texts) - 1) * LINE_PX / 2 + 4
    return (
        f'{line}<text class="edge-label" y="{top:.0f}" text-anchor="{anchor}" font-size="{LABEL_SIZE}" '
        f'fill="#424242" stroke="#fff" stroke-width="4" paint-order="stroke">{spans}</text>'
    )


def _frame(frame: Frame, canvas: _Canvas) -> str:
    """A branch's dashed frame and its caption, bottom left inside it (as the app draws them)."""
    top, bottom = canvas.y(frame.top), canvas.y(frame.bottom)
    return (
        f'<g class="branch-frame"><rect x="{canvas.x(frame.left)}" y="{top:.0f}" '
        f'width="{canvas.dx(frame.right - frame.left)}" height="{bottom - top:.0f}" fill="none" '
        f'stroke="{FRAME_COLOUR}" stroke-dasharray="6 4"/>'
        f'<text x="{canvas.x(frame.left)}" dx="6" y="{bottom - 6:.0f}" font-size="{LABEL_SIZE}" '
        f'fill="#616161">'
        f"{esc(frame.label)}</text></g>"
    )


def _marker_node(node: Node, canvas: _Canvas) -> str:
    x, y = canvas.x(node.x), canvas.y(node.y)
    rx, ry = canvas.dx(MARKER_HALF[0]), MARKER_HALF[1] * canvas.y_px
    return (
        f'<ellipse cx="{x}" cy="{y:.0f}" rx="{rx}" ry="{ry:.0f}" fill="#eeeeee" '
        f'stroke="{EDGE_COLOUR}" stroke-width="1.5"/><text x="{x}" y="{y + 4:.0f}" '
        f'text-anchor="middle" font-size="{LABEL_SIZE}" fill="#424242">{esc(node.name)}</text>'
    )


def _text_line(x: str, y: float, text: str, bold: bool) -> str:
    """One line of a box: the name's lines bold and larger, the lines under it grey."""
    look = (
        f'class="name" font-size="{NAME_SIZE}" font-weight="600" fill="#1f2933"'
        if bold
        else f'font-size="{DETAIL_SIZE}" fill="#52606d"'
    )
    return f'<text x="{x}" y="{y:.0f}" text-anchor="middle" {look}>{esc(text)}</text>'


def _state_node(
    node: Node, status: str, canvas: _Canvas, index: int | None = None, summary: str | None = None
) -> str:
    """A state's box and text; with an ``index``, a button (``data-state``, focusable) whose
    ``data-index`` a style sheet can outline (``ui.executions.outline_style``). ``summary``
    (how it ended and its time) goes in the tooltip where the box has no room for it."""
    fill, border = STATUS_COLOURS.get(status, STATUS_COLOURS[NOT_REACHED])
    x, y = canvas.x(node.x), canvas.y(node.y)
    half_height = node.half_height * canvas.y_px
    under = [node.state_type] if not node.note_lines else [f"{node.state_type} · {node.note_lines[0]}"]
    lines = [(text, True) for text in node.name_lines] + [
        (text, False) for text in under + list(node.note_lines[1:])
    ]
    first = y - (len(lines) - 1) * LINE_PX / 2 + 5
    texts = "".join(_text_line(x, first + i * LINE_PX, text, bold) for i, (text, bold) in enumerate(lines))
    title = f"{node.name}: " + " · ".join(text for text, bold in lines if not bold)
    if summary:
        title += f" · {summary}"
    # The state's name and status for the page's script (a click sends the name) and its tests.
    button = f' data-state="{esc(node.name)}" data-status="{esc(status)}"'
    if index is not None:
        what = "Did not run" if status == NOT_REACHED else "Show its details"
        button += f' data-index="{index}" tabindex="0" role="button" aria-label="{esc(f"{title}. {what}")}"'
    return (
        f'<g class="state"{button}><title>{esc(title)}</title>'
        f'<rect x="{canvas.x(node.x - BOX_HALF_WIDTH)}" y="{y - half_height:.0f}" '
        f'width="{canvas.dx(2 * BOX_HALF_WIDTH)}" '
        f'height="{2 * half_height:.0f}" rx="8" fill="{fill}" stroke="{border}" stroke-width="2"/>{texts}</g>'
    )


#: The status mark's badge: its radius, and how far in from the box's left edge it sits on the
#: box's top border (px).
MARK_RADIUS = 9
MARK_INSET = 16


def _status_mark(node: Node, status: str, canvas: _Canvas) -> str:
    """How a state ended as a mark on its box's top border (the app's boxes: the colour alone
    said it). Outside the state's group, so the box's text stays its own, and hidden from screen
    readers, whose button label already says the status; clicks go through to the box."""
    mark = STATUS_MARKS.get(status)
    if mark is None:
        return ""
    fill, border = STATUS_COLOURS[status]
    left = canvas.x(node.x - BOX_HALF_WIDTH)
    top = canvas.y(node.y) - node.half_height * canvas.y_px
    return (
        f'<g class="status-mark" data-status="{esc(status)}" aria-hidden="true" pointer-events="none" '
        f'transform="translate({MARK_INSET} 0)"><circle cx="{left}" cy="{top:.0f}" r="{MARK_RADIUS}" '
        f'fill="{fill}" stroke="{border}" stroke-width="1.5"/><text x="{left}" y="{top + 4:.0f}" '
        f'text-anchor="middle" font-size="12" font-weight="700" fill="{border}">{mark}</text></g>'
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


@dataclass(frozen=True)
class WorkflowSvg:
    """The graph's markup and, when its states are buttons, each state's ``data-index``."""

    markup: str
    indices: dict[str, int] = field(default_factory=dict)


def _legend_html() -> str:
    """The legend as HTML for the app's drawing: its keys wrap onto a second line in a narrow
    container, where a row of SVG would be cut off."""
    swatch = (
        "display:inline-flex;align-items:center;justify-content:center;width:18px;height:18px;"
        "box-sizing:border-box;font-size:12px;font-weight:700;line-height:1"
    )
    # Aligned by their middles: an empty swatch (not reached) sat 4 px above the others.
    items = "".join(
        f'<span style="display:inline-flex;align-items:center;gap:6px;margin-right:14px;'
        f'vertical-align:middle">'
        f'<span aria-hidden="true" style="{swatch};background:{fill};border:2px solid {border};'
        f'color:{border}">{STATUS_MARKS.get(status, "")}</span>'
        f"{esc(status)}</span>"
        for status in LEGEND_ORDER
        for fill, border in [STATUS_COLOURS[status]]
    )
    look = f"font-size:{LABEL_SIZE}px;color:#424242;line-height:1.8"
    return f'<div class="wg-legend" style="{look}">{items}</div>'


def workflow_svg(
    definition: Mapping[str, Any], steps: Sequence[StepRun], notes: Mapping[str, str] | None = None
) -> str:
    """The SVG: a box a state (fill and border by status), its type, status and total time under its name.

    ``notes`` (state name -> a few words: ``map_iterations.progress_labels``) add the iterations'
    counts to that state's box ("3/3 done").
    """
    return workflow_drawing(definition, steps, notes).markup


def workflow_drawing(
    definition: Mapping[str, Any],
    steps: Sequence[StepRun],
    notes: Mapping[str, str] | None = None,
    *,
    selectable: bool = False,
    preview: bool = False,
    fluid: bool = False,
    drawing_id: str = "",
) -> WorkflowSvg:
    """:func:`workflow_svg`, and its states buttons when ``selectable`` (Executions).

    ``preview``: the workflow before any run (Launch): each box shows its type alone, and there
    is no status legend. ``fluid``: as wide as its container, the text at its size, on a card
    (the app); else fixed in pixels, scaled down as a whole where it does not fit (the report).
    """
    visits: dict[str, list[StepRun]] = {}
    for step in steps:
        visits.setdefault(step.name, []).append(step)
    # The app's narrow boxes carry the type and a Map's progress; how a state ended is its colour
    # and its mark (``_status_mark``), and its time is in its tooltip (and on the page's timeline).
    summaries = {} if preview else _details(definition, visits, {})
    if preview:
        details: dict[str, str] = {}
    elif fluid:
        details = dict(notes or {})
    else:
        details = _details(definition, visits, notes or {})
    layout = layout_workflow(definition, details, box_px=None if fluid else BOX_PX)
    left, right = layout.x_range()
    legend_row = 0 if preview or fluid else LEGEND_HEIGHT
    canvas = _Canvas(left, right, MARGIN + legend_row, fluid=fluid)
    width = round(2 * MARGIN + (right - left) * X_PX)
    height = round(canvas.top + layout.ranks * canvas.y_px + MARGIN)
    frames = "".join(_frame(frame, canvas) for frame in layout.frames)
    edges = [_edge(edge, canvas) for edge in layout.edges]
    nodes: list[str] = []
    marks: list[str] = []
    indices: dict[str, int] = {}
    for node in layout.nodes:
        if node.node_id in {START_ID, END_ID}:
            nodes.append(_marker_node(node, canvas))
            continue
        runs = visits.get(node.name, [])
        index = len(indices) if selectable else None
        if index is not None:
            indices[node.name] = index
        status = runs[-1].status if runs else NOT_REACHED
        summary = summaries.get(node.name) if fluid else None
        nodes.append(_state_node(node, status, canvas, index, summary))
        if fluid:
            marks.append(_status_mark(node, status, canvas))
    markers = "".join(
        f'<marker id="{marker_id}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="{colour}"/></marker>'
        for marker_id, colour in (("arrow", EDGE_COLOUR), ("catch-arrow", STATUS_COLOURS[CAUGHT_ERROR][1]))
    )
    legend = "" if preview or fluid else _legend()
    # A picture to a screen reader, unless its states are buttons: then a group they are read in.
    role = (
        'role="group" aria-label="Workflow graph: each state is a button that shows its details"'
        if selectable
        else 'role="img" aria-label="Workflow graph"'
    )
    size = (
        f'width="100%" height="{height}" style="display:block;min-width:{FLUID_MIN_WIDTH}px"'
        if fluid
        else f'width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
    )
    named = f' data-drawing="{esc(drawing_id)}"' if drawing_id else ""
    markup = (
        f'<svg class="workflow-graph"{named} xmlns="http://www.w3.org/2000/svg" {size} {role}>'
        f"<defs>{markers}</defs>{legend}{frames}{''.join(edges)}{''.join(nodes)}{''.join(marks)}</svg>"
    )
    if fluid:
        legend = "" if preview else _legend_html()
        markup = f'<div class="wg-card" style="{CARD_STYLE}">{legend}{markup}</div>'
    return WorkflowSvg(markup, indices)
