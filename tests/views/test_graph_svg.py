"""The workflow graph drawn with plotly: laid out like the console, legible, clickable."""

from __future__ import annotations

from support.asl_support import machine

from pipeline.views.graph import CAUGHT_ERROR, FAILED, STATUS_COLOURS, SUCCEEDED
from pipeline.views.graph_figure import (
    LABEL_SIZE,
    NAME_SIZE,
    SELECTED_BORDER,
    clicked_state,
    short_label,
    state_box_indices,
    workflow_figure,
)
from pipeline.views.graph_layout import END_ID, NOTED_HALF_HEIGHT, START_ID, layout_workflow
from pipeline.views.routing import BOX_HALF_WIDTH
from pipeline.workflows.clustering.build import workflow_definition
from pipeline.workflows.clustering.steps import (
    CHOICE_STATE,
    FAILED_STATE,
    PREPARE_STATE,
    QUALITY_FAIL_STATE,
    SUCCEED_STATE,
)
from pipeline.workflows.clustering.sweep_steps import PICK_STATE, SWEEP_CHOICE_STATE, SWEEP_STATE


def positions(definition) -> dict[str, tuple[float, float]]:
    return {node.node_id: (node.x, node.y) for node in layout_workflow(definition).nodes}


def test_the_clustering_workflow_runs_top_down_with_the_choice_outcomes_side_by_side():
    placed = positions(workflow_definition())

    chain = [
        START_ID,
        PREPARE_STATE,
        SWEEP_CHOICE_STATE,
        SWEEP_STATE,
        PICK_STATE,
        "Save model",
        "Assign clusters",
        "Evaluate clusters",
        CHOICE_STATE,
    ]
    ranks = [placed[name][1] for name in chain]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    fixed_k, sweep = placed["Train KMeans"], placed[SWEEP_STATE]
    assert fixed_k[1] == sweep[1] and fixed_k[0] != sweep[0]  # the two outcomes of "Sweep k?"
    succeed, quality = placed[SUCCEED_STATE], placed[QUALITY_FAIL_STATE]
    assert succeed[1] == quality[1] and succeed[0] != quality[0]
    # a rank below (and room for the rules' labels)
    assert placed[CHOICE_STATE][1] + 1 <= succeed[1] < placed[CHOICE_STATE][1] + 2
    assert placed[END_ID][1] == succeed[1] + 1


def test_the_state_only_a_catch_reaches_sits_in_a_lane_beside_the_tasks_that_lead_to_it():
    placed = positions(workflow_definition())

    lane_x, lane_y = placed[FAILED_STATE]
    assert lane_x > max(x for name, (x, _) in placed.items() if name != FAILED_STATE)
    assert 1 <= lane_y <= 5  # level with the five tasks whose Catch leads there


def test_a_loop_back_does_not_push_ranks_forever():
    definition = machine(
        {
            "Try": {"Type": "Pass", "Next": "Again?"},
            "Again?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.again", "BooleanEquals": True, "Next": "Try"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        }
    )

    placed = positions(definition)

    assert placed["Try"][1] < placed["Again?"][1] < placed["Done"][1]


def test_map_branch_states_are_drawn_left_of_their_parent_a_rank_below():
    definition = machine(
        {
            "Each k": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "Train one",
                    "States": {"Train one": {"Type": "Pass", "End": True}},
                },
                "End": True,
            }
        }
    )

    placed = positions(definition)

    assert placed["Each k/0/Train one"][0] < placed["Each k"][0]
    assert placed["Each k/0/Train one"][1] == placed["Each k"][1] + 1


def test_no_two_boxes_of_the_sweep_workflow_overlap():
    """The sweep's "k failed" (reached only by a Catch inside the Map) sits in the branch's own lane,
    not on the boxes of the Choice outcomes beside the Map."""
    layout = layout_workflow(workflow_definition())
    boxes = [node for node in layout.nodes if node.node_id not in {START_ID, END_ID}]
    assert any(node.name == "k failed" for node in boxes)
    for index, one in enumerate(boxes):
        for other in boxes[index + 1 :]:
            apart_across = abs(one.x - other.x) >= 2 * BOX_HALF_WIDTH
            apart_down = abs(one.y - other.y) >= 2 * NOTED_HALF_HEIGHT
            assert apart_across or apart_down, (one, other)


def test_names_are_13px_and_labels_12px_so_they_read_at_any_width():
    figure = workflow_figure(workflow_definition())

    states = next(trace for trace in figure.data if trace.name == "states")
    assert states.textfont.size == NAME_SIZE >= 12
    assert all(a.font.size >= 12 for a in figure.layout.annotations if a.text)
    assert LABEL_SIZE >= 12
    assert figure.layout.height >= 66 * 9  # a rank every 66 px, never a thumbnail


def test_every_state_is_a_clickable_point_carrying_its_name_and_status():
    statuses = {PREPARE_STATE: SUCCEEDED, "Train KMeans": CAUGHT_ERROR, FAILED_STATE: FAILED}

    figure = workflow_figure(workflow_definition(), statuses)

    states = next(trace for trace in figure.data if trace.name == "states")
    definition = workflow_definition()
    inner = (
        definition["States"][SWEEP_STATE].get("ItemProcessor")
        or definition["States"][SWEEP_STATE]["Iterator"]
    )
    assert set(states.customdata) == set(definition["States"]) | set(inner["States"])
    hover = dict(zip(states.customdata, states.hovertext, strict=True))
    assert f": {CAUGHT_ERROR}<br>" in hover["Train KMeans"]
    fills = {shape.fillcolor for shape in figure.layout.shapes}
    assert {STATUS_COLOURS[s][0] for s in statuses.values()} <= fills


def test_each_state_maps_to_the_box_the_figure_outlines_when_it_is_selected():
    # The Executions page outlines the chosen state by styling shape i of the unoutlined figure.
    boxes = state_box_indices(workflow_figure(workflow_definition()))

    assert {PREPARE_STATE, FAILED_STATE} <= set(boxes) and len(set(boxes.values())) == len(boxes)
    for state, index in boxes.items():
        outlined = workflow_figure(workflow_definition(), {}, selected=state).layout.shapes
        assert [i for i, shape in enumerate(outlined) if shape.line.color == SELECTED_BORDER] == [index]


def test_the_selected_state_has_a_thick_dark_outline():
    figure = workflow_figure(workflow_definition(), {}, selected=PREPARE_STATE)

    outlined = [shape for shape in figure.layout.shapes if shape.line.color == SELECTED_BORDER]
    assert len(outlined) == 1 and outlined[0].line.width >= 4


def test_a_click_reports_the_state_under_it_and_nothing_else_does():
    click = {"selection": {"points": [{"customdata": "Train KMeans", "point_index": 2}]}}

    assert clicked_state(click) == "Train KMeans"
    assert clicked_state({"selection": {"points": []}}) is None
    assert clicked_state(None) is None


def test_choice_labels_name_the_fields_not_whole_json_paths():
    assert short_label("$.evaluation.Payload.silhouette >= $.QualityThreshold") == (
        "silhouette >= QualityThreshold"
    )


def test_state_names_from_a_definition_are_escaped_for_plotly():
    definition = machine({"<a href='x'>go</a>": {"Type": "Succeed"}})

    figure = workflow_figure(definition)

    states = next(trace for trace in figure.data if trace.name == "states")
    assert "<a href" not in states.text[0] and "&lt;a href" in states.text[0]


def test_every_transition_ends_in_an_arrowhead_marker_pointing_along_its_last_segment():
    # Arrowheads are markers, not annotation arrows: Plotly.js measures each annotation arrow's
    # path, a layout of the page an arrow whenever the graph is drawn (benchmarks/README.md).
    definition = workflow_definition()
    figure = workflow_figure(definition, {PREPARE_STATE: SUCCEEDED})
    edges = layout_workflow(definition).edges

    assert not [annotation for annotation in figure.layout.annotations if annotation.showarrow]
    heads = [trace for trace in figure.data if trace.name in {"arrows", "catch arrows"}]
    drawn = {
        (round(x, 6), round(y, 6))
        for trace in heads
        for x, y, size in zip(trace.x, trace.y, trace.marker.size, strict=True)
        if size > 0
    }
    ends = {(round(edge.points[-1][0], 6), round(edge.points[-1][1], 6)) for edge in edges}
    assert drawn == ends
    for trace in heads:
        assert trace.marker.angleref == "previous" and trace.hoverinfo == "skip"
        assert list(trace.marker.size[::2]) == [0] * (len(trace.x) // 2)  # each edge's bend: no marker
    catch_colour = STATUS_COLOURS[CAUGHT_ERROR][1]
    assert {trace.name: trace.marker.color for trace in heads}["catch arrows"] == catch_colour
    # Each edge's line runs to its end: the path shapes end where the arrowheads point.
    path_ends = {
        tuple(round(float(value), 6) for value in shape.path.rsplit("L", 1)[-1].split(","))
        for shape in figure.layout.shapes
        if shape.type == "path" and shape.path and not set(shape.path) & {"Q", "Z"}  # not a box
    }
    assert ends <= path_ends
