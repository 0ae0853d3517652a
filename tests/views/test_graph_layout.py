"""The workflow graph's edges run clear of the boxes they do not connect, and names are wrapped
to fit their boxes at the narrowest width the app draws the graph (an 800 px window).

Each edge's drawn polyline is walked in small steps and no step may fall inside a box other
than the edge's own two ends: a plain sampling, independent of the router's clipping maths.
"""

from __future__ import annotations

import functools
import itertools

import pytest

from pipeline.views.graph_layout import END_ID, MARKER_HALF, NARROW_WIDTH, START_ID, layout_workflow
from pipeline.views.routing import BOX_HALF_WIDTH
from pipeline.workflows.clustering.build import workflow_definition as clustering_definition
from pipeline.workflows.clustering.sweep_steps import PICK_STATE, SWEEP_STATE
from pipeline.workflows.price_regression.build import workflow_definition as regression_definition

clustering = functools.cache(clustering_definition)  # the SDK builds each workflow once here
regression = functools.cache(regression_definition)
WORKFLOWS = {
    "clustering": lambda: (clustering(), {}),
    # A sweep run under way: its Map box is taller, carrying the iterations on two more lines.
    "clustering while sweeping": lambda: (clustering(), {SWEEP_STATE: "4/9 done, 1 failed, 2 running"}),
    "price regression": lambda: (regression(), {}),
}
STEP = 0.01  # layout units; a box is 1.1 wide and at least 0.5 high


def inside(point, node, margin: float = 0.02) -> bool:
    half_width, half_height = (
        MARKER_HALF if node.node_id in {START_ID, END_ID} else (BOX_HALF_WIDTH, node.half_height)
    )
    return abs(point[0] - node.x) < half_width - margin and abs(point[1] - node.y) < half_height - margin


def walk(points):
    """Points every ``STEP`` along a polyline."""
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        steps = max(1, int(max(abs(x1 - x0), abs(y1 - y0)) / STEP))
        for i in range(steps + 1):
            yield x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps


@pytest.mark.parametrize("workflow", WORKFLOWS)
def test_no_edge_crosses_a_box_it_does_not_connect(workflow):
    definition, notes = WORKFLOWS[workflow]()
    layout = layout_workflow(definition, notes)

    crossings = []
    for edge in layout.edges:
        assert len(edge.points) >= 2, edge
        others = [n for n in layout.nodes if n.node_id not in {edge.source, edge.target}]
        for node in others:
            if any(inside(point, node) for point in walk(edge.points)):
                crossings.append(f"{edge.source} -> {edge.target} crosses {node.node_id}")
    assert not crossings, crossings


def test_the_fixed_k_arrow_to_save_model_runs_beside_pick_k_not_through_it():
    layout = layout_workflow(clustering())
    edge = next(e for e in layout.edges if (e.source, e.target) == ("Train KMeans", "Save model"))
    pick_k = layout.node(PICK_STATE)

    assert not any(inside(point, pick_k, margin=-0.05) for point in walk(edge.points))
    # it still leaves Train KMeans and reaches Save model
    assert edge.points[0][1] > layout.node("Train KMeans").y
    assert edge.points[-1][1] < layout.node("Save model").y


@pytest.mark.parametrize("workflow", WORKFLOWS)
def test_each_edge_starts_and_ends_on_the_borders_of_its_own_boxes(workflow):
    definition, notes = WORKFLOWS[workflow]()
    layout = layout_workflow(definition, notes)

    for edge in layout.edges:
        for end, node_id in ((edge.points[0], edge.source), (edge.points[-1], edge.target)):
            node = layout.node(node_id)
            half_width, half_height = (
                MARKER_HALF if node_id in {START_ID, END_ID} else (BOX_HALF_WIDTH, node.half_height)
            )
            on_side = abs(abs(end[0] - node.x) - half_width) < 1e-6 and abs(end[1] - node.y) <= half_height
            on_top_or_bottom = abs(abs(end[1] - node.y) - half_height) < 1e-6
            assert on_side or on_top_or_bottom, (edge.source, edge.target, end)


@pytest.mark.parametrize("workflow", WORKFLOWS)
def test_at_the_narrow_width_every_name_line_fits_its_box_in_13px_bold(workflow):
    """At ``NARROW_WIDTH`` px a box is a fixed share of the drawing; a line of a name in 13 px
    bold Source Sans (the app's font) takes at most 6.8 px a character for these names, 7.4
    with a margin (tests/browser/test_browser_graph.py measures the real text)."""
    definition, notes = WORKFLOWS[workflow]()
    layout = layout_workflow(definition, notes)
    left, right = layout.x_range()
    box_px = NARROW_WIDTH * 2 * BOX_HALF_WIDTH / (right - left)

    states = [n for n in layout.nodes if n.node_id not in {START_ID, END_ID}]
    for node in states:
        assert " ".join(node.name_lines) == " ".join(node.name.split())
        for line in node.name_lines:
            assert len(line) * 7.4 <= box_px - 8, (node.name, line, box_px)
    # and the wider drawing keeps names on one line where they fit
    assert any(len(node.name_lines) == 1 for node in states)


def segments(points):
    return list(itertools.pairwise(points))


def cross(a, b) -> bool:
    """Whether segments ``a`` and ``b`` cross at a point inside both (touching ends do not count)."""
    (x1, y1), (x2, y2) = a
    (x3, y3), (x4, y4) = b
    denominator = (x1 - x2) * (y3 - y4) - (y1 - y2) * (x3 - x4)
    if abs(denominator) < 1e-12:
        return False
    t = ((x1 - x3) * (y3 - y4) - (y1 - y3) * (x3 - x4)) / denominator
    u = ((x1 - x3) * (y1 - y2) - (y1 - y3) * (x1 - x2)) / denominator
    return 1e-6 < t < 1 - 1e-6 and 1e-6 < u < 1 - 1e-6


@pytest.mark.parametrize("workflow", ["clustering", "clustering while sweeping"])
def test_the_maps_branch_sits_in_a_frame_of_its_own_that_no_other_box_enters(workflow):
    definition, notes = WORKFLOWS[workflow]()
    layout = layout_workflow(definition, notes)

    [frame] = layout.frames
    assert (frame.parent, frame.label) == (SWEEP_STATE, "once per item")
    branch = [n for n in layout.nodes if n.node_id.startswith(f"{SWEEP_STATE}/0/")]
    assert {n.name for n in branch} == {"Train k", "Score k", "k failed"}
    for node in layout.nodes:
        left, right = node.x - BOX_HALF_WIDTH, node.x + BOX_HALF_WIDTH
        top, bottom = node.y - node.half_height, node.y + node.half_height
        within = frame.left < left and right < frame.right and frame.top < top and bottom < frame.bottom
        apart = right < frame.left or left > frame.right or bottom < frame.top or top > frame.bottom
        assert within if node in branch else apart, node.node_id
    assert frame.bottom - 0.5 < layout.ranks  # the caption is inside the drawing


@pytest.mark.parametrize("workflow", ["clustering", "clustering while sweeping"])
def test_the_arrow_into_the_maps_branch_crosses_no_other_arrow_of_the_flow(workflow):
    definition, notes = WORKFLOWS[workflow]()
    layout = layout_workflow(definition, notes)

    [into_branch] = [e for e in layout.edges if e.kind == "branch"]
    flow = [e for e in layout.edges if e.kind != "catch" and e is not into_branch]
    crossed = [
        f"{e.source} -> {e.target}"
        for e in flow
        if any(cross(a, b) for a in segments(into_branch.points) for b in segments(e.points))
    ]
    assert not crossed, crossed
