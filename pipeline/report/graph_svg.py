"""The workflow graph as inline SVG, each state coloured by how it ended and labelled with its time.

The app draws the graph with Graphviz in the browser (``pipeline.views.graph``); a report must
open anywhere with nothing but the file, so this draws the states itself: one row a step of
the main path (``StartAt`` then Next, Choices and Default, breadth first), states reached only
through Catch in a column on the right, Catch edges dashed. Names are escaped. A Map state's box
carries the iterations' counts ("Map: 3/3 done"), as the Executions graph does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.report.page import esc
from pipeline.views.execution_view import StepRun
from pipeline.views.graph import NOT_REACHED, STATUS_COLOURS

NODE_WIDTH, NODE_HEIGHT = 230, 46
#: How much taller a box with a note (a Map's iteration counts) is: one more line.
NOTE_HEIGHT = 16
COLUMN_GAP, ROW_GAP, MARGIN = 40, 34, 16


def _main_targets(state: Mapping[str, Any]) -> list[str]:
    targets = [rule.get("Next") for rule in state.get("Choices", []) or []]
    targets += [state.get("Next"), state.get("Default")]
    return [t for t in targets if isinstance(t, str)]


def _catch_targets(state: Mapping[str, Any]) -> list[str]:
    return [c.get("Next") for c in state.get("Catch", []) or [] if isinstance(c.get("Next"), str)]


def layout(definition: Mapping[str, Any]) -> dict[str, tuple[int, int]]:
    """(row, column) of every top-level state: main path breadth first, Catch-only states on the right."""
    states: Mapping[str, Any] = definition.get("States", {})
    rows: dict[str, int] = {}
    start = definition.get("StartAt")
    queue: list[str] = [start] if isinstance(start, str) and start in states else []
    if queue:
        rows[queue[0]] = 0
    while queue:
        name = queue.pop(0)
        for target in _main_targets(states[name]):
            if target in states and target not in rows:
                rows[target] = rows[name] + 1
                queue.append(target)
    by_row: dict[int, list[str]] = {}
    for name, row in rows.items():
        by_row.setdefault(row, []).append(name)
    places = {name: (row, by_row[row].index(name)) for name, row in rows.items()}
    width = max((len(names) for names in by_row.values()), default=1)
    side = [name for name in states if name not in rows]
    middle = max(rows.values(), default=0) // 2
    for offset, name in enumerate(side):
        places[name] = (middle + offset, width)
    return places


def _centre(place: tuple[int, int]) -> tuple[float, float]:
    row, column = place
    x = MARGIN + column * (NODE_WIDTH + COLUMN_GAP) + NODE_WIDTH / 2
    y = MARGIN + row * (NODE_HEIGHT + ROW_GAP) + NODE_HEIGHT / 2
    return x, y


def _half_height(name: str, notes: Mapping[str, str]) -> float:
    return (NODE_HEIGHT + (NOTE_HEIGHT if name in notes else 0)) / 2


def _seconds(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.1f} s" if value >= 0.1 else f"{value * 1000:.0f} ms"


def workflow_svg(
    definition: Mapping[str, Any], steps: Sequence[StepRun], notes: Mapping[str, str] | None = None
) -> str:
    """The SVG: a box a state (fill and border by status), its type and total time under its name.

    ``notes`` (state name -> a few words: ``map_iterations.progress_labels``) add a line under
    that, prefixed with the state's type ("Map: 3/3 done").
    """
    notes = notes or {}
    states: Mapping[str, Any] = definition.get("States", {})
    places = layout(definition)
    visits: dict[str, list[StepRun]] = {}
    for step in steps:
        visits.setdefault(step.name, []).append(step)
    columns = max((column for _, column in places.values()), default=0) + 1
    rows = max((row for row, _ in places.values()), default=0) + 1
    width = 2 * MARGIN + columns * NODE_WIDTH + (columns - 1) * COLUMN_GAP
    height = 2 * MARGIN + rows * NODE_HEIGHT + (rows - 1) * ROW_GAP
    edges, nodes = [], []
    for name, state in states.items():
        x1, y1 = _centre(places[name])
        for target, dashed in [(t, False) for t in _main_targets(state)] + [
            (t, True) for t in _catch_targets(state)
        ]:
            if target not in places:
                continue
            x2, y2 = _centre(places[target])
            start_y = y1 + _half_height(name, notes) if y2 > y1 else y1
            end_y = y2 - _half_height(target, notes) if y2 > y1 else y2
            start_x = x1 + NODE_WIDTH / 2 if dashed else x1
            end_x = x2 - NODE_WIDTH / 2 if dashed else x2
            style = ' stroke-dasharray="5 4" stroke="#ef6c00"' if dashed else ' stroke="#52606d"'
            edges.append(
                f'<line x1="{start_x:.0f}" y1="{start_y:.0f}" x2="{end_x:.0f}" y2="{end_y:.0f}"{style} '
                'stroke-width="1.5" marker-end="url(#arrow)"/>'
            )
        runs = visits.get(name, [])
        status = runs[-1].status if runs else NOT_REACHED
        fill, border = STATUS_COLOURS.get(status, STATUS_COLOURS[NOT_REACHED])
        took = sum(run.duration_seconds or 0.0 for run in runs)
        detail = f"{state.get('Type', '')} · {status}"
        if runs:
            detail += f" · {_seconds(took)}" + (f" ({len(runs)} visits)" if len(runs) > 1 else "")
        half = _half_height(name, notes)
        left, top = x1 - NODE_WIDTH / 2, y1 - half
        shift = half - NODE_HEIGHT / 2  # a noted box's lines start higher
        note = ""
        if name in notes:
            note = f"{state.get('Type', '')}: {notes[name]}"
            detail_title = f"{detail} · {note}"
        else:
            detail_title = detail
        nodes.append(
            f'<g class="state"><title>{esc(name)}: {esc(detail_title)}</title>'
            f'<rect x="{left:.0f}" y="{top:.0f}" width="{NODE_WIDTH}" height="{2 * half:.0f}" rx="8" '
            f'fill="{fill}" stroke="{border}" stroke-width="2"/>'
            f'<text x="{x1:.0f}" y="{y1 - 4 - shift:.0f}" text-anchor="middle" font-size="14" '
            f'font-weight="600" fill="#1f2933">{esc(name)}</text>'
            f'<text x="{x1:.0f}" y="{y1 + 14 - shift:.0f}" text-anchor="middle" font-size="12" '
            f'fill="#52606d">{esc(detail)}</text>'
            + (
                f'<text class="note" x="{x1:.0f}" y="{y1 + 30 - shift:.0f}" text-anchor="middle" '
                f'font-size="12" fill="#52606d">{esc(note)}</text>'
                if note
                else ""
            )
            + "</g>"
        )
    marker = (
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#52606d"/></marker></defs>'
    )
    return (
        f'<svg class="workflow-graph" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Workflow graph">'
        f"{marker}{''.join(edges)}{''.join(nodes)}</svg>"
    )
