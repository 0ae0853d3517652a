"""The workflow graph as SVG: laid out like the console, legible at any width, its states buttons."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from support.asl_support import machine
from support.graph_support import read_svg

from pipeline.views.execution_view import StepRun
from pipeline.views.graph import (
    CAUGHT_ERROR,
    FAILED,
    NOT_REACHED,
    STATUS_COLOURS,
    STATUS_MARKS,
    SUCCEEDED,
    short_label,
)
from pipeline.views.graph_layout import END_ID, NOTED_HALF_HEIGHT, START_ID, layout_workflow
from pipeline.views.graph_svg import (
    FLUID_Y_PX,
    LABEL_SIZE,
    MARK_INSET,
    NAME_SIZE,
    workflow_drawing,
    workflow_svg,
)
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


def visits(statuses: dict[str, str]) -> list[StepRun]:
    """One visit of each state, ending with ``statuses``' status, a second each."""
    began = datetime(2026, 11, 27, 12, 0, 0)
    return [
        StepRun(name, "Task", status, began, began + timedelta(seconds=1))
        for name, status in statuses.items()
    ]


def app_drawing(definition, statuses: dict[str, str] | None = None, **options):
    """The graph as Executions draws it."""
    return workflow_drawing(definition, visits(statuses or {}), selectable=True, fluid=True, **options)


def test_the_apps_graph_is_as_wide_as_its_container_with_text_at_its_size():
    # As the plotly graph was: across, the boxes and edges take percentages of the width the
    # browser gives the SVG; down, and in its type, pixels. No viewBox, so nothing is scaled.
    # (The parser reads attribute names in lower case, as HTML does.)
    drawing = read_svg(app_drawing(workflow_definition()).markup)

    assert drawing.svg["width"] == "100%" and "viewbox" not in drawing.svg
    assert int(drawing.svg["height"]) >= FLUID_Y_PX * 9  # a rank every 80 px, never a thumbnail
    box = drawing.states[PREPARE_STATE].box
    assert box["x"].endswith("%") and box["width"].endswith("%") and not box["y"].endswith("%")
    assert all(leg["x1"].endswith("%") and leg["x2"].endswith("%") for leg in drawing.legs)
    assert NAME_SIZE == 13 and LABEL_SIZE == 12
    markup = app_drawing(workflow_definition()).markup
    assert {int(size) for size in re.findall(r'font-size="(\d+)"', markup)} >= {NAME_SIZE, LABEL_SIZE}


def test_the_reports_graph_keeps_its_pixel_size_and_scales_as_a_whole():
    drawing = read_svg(workflow_svg(workflow_definition(), []))

    assert drawing.svg["viewbox"] == f"0 0 {drawing.svg['width']} {drawing.svg['height']}"
    assert not any(leg["x1"].endswith("%") for leg in drawing.legs)
    assert not any(state.attributes.get("role") for state in drawing.states.values())  # a picture


def test_every_state_is_a_button_carrying_its_name_status_and_index():
    statuses = {PREPARE_STATE: SUCCEEDED, "Train KMeans": CAUGHT_ERROR, FAILED_STATE: FAILED}
    definition = workflow_definition()

    made = app_drawing(definition, statuses)

    states = read_svg(made.markup).states
    inner = (
        definition["States"][SWEEP_STATE].get("ItemProcessor")
        or definition["States"][SWEEP_STATE]["Iterator"]
    )
    assert set(states) == set(definition["States"]) | set(inner["States"])
    for name, state in states.items():
        assert state.attributes["role"] == "button" and state.attributes["tabindex"] == "0"
        assert int(state.attributes["data-index"]) == made.indices[name]
        status = statuses.get(name, NOT_REACHED)
        assert state.attributes["data-status"] == status
        assert state.box["fill"] == STATUS_COLOURS[status][0]
    assert sorted(made.indices.values()) == list(range(len(states)))
    trained = states["Train KMeans"].attributes["aria-label"]
    assert trained == "Train KMeans: Task · caught error · 1.0 s. Show its details"
    assert states[QUALITY_FAIL_STATE].attributes["aria-label"].endswith("not reached. Did not run")


def test_the_apps_boxes_carry_the_type_and_the_tooltip_the_status_and_time():
    # The narrow boxes show the name and the type (a Map's progress too); how a state ended is
    # its colour, and its time is in its tooltip.
    markup = app_drawing(workflow_definition(), {PREPARE_STATE: SUCCEEDED}).markup

    prepare = read_svg(markup).states[PREPARE_STATE]
    assert prepare.lines[-1] == "Task" and " ".join(prepare.lines[:-1]) == PREPARE_STATE
    assert f"<title>{PREPARE_STATE}: Task · succeeded · 1.0 s</title>" in markup


def test_the_outline_style_sheet_styles_the_box_of_the_index_it_is_given():
    # Executions outlines the chosen state without sending the graph again: a style sheet whose
    # selector names the state's data-index (numbers only, nothing from the run's data).
    from ui.executions import GRAPH_BOX_KEY, outline_style

    # Named by the drawing's id: the style sheet reaches the page before the component swaps the
    # next run's SVG in, and would outline a box of the run shown before.
    made = app_drawing(workflow_definition(), drawing_id="0f3a9c")
    style = outline_style(made.indices["Train KMeans"], "0f3a9c")

    [(drawing, index)] = re.findall(r'svg\[data-drawing="(\w+)"\] \[data-index="(\d+)"\] > rect', style)
    svg = read_svg(made.markup)
    assert svg.svg["data-drawing"] == drawing
    chosen = [n for n, s in svg.states.items() if s.attributes["data-index"] == index]
    assert chosen == ["Train KMeans"]
    assert style.startswith(f"<style>.st-key-{GRAPH_BOX_KEY} ")
    with pytest.raises(ValueError):
        outline_style(1, '"]{}*{display:none}')


def test_launchs_preview_has_no_legend_no_buttons_and_every_state_not_started():
    markup = workflow_drawing(workflow_definition(), [], preview=True, fluid=True).markup

    drawing = read_svg(markup)
    assert "wg-legend" not in markup
    assert not any("role" in state.attributes for state in drawing.states.values())
    assert {state.box["fill"] for state in drawing.states.values()} == {STATUS_COLOURS[NOT_REACHED][0]}
    assert drawing.svg["role"] == "img"


def test_the_legend_names_every_status_in_the_apps_drawing():
    markup = app_drawing(workflow_definition()).markup

    legend = markup.split('class="wg-legend"', 1)[1].split("</div>", 1)[0]
    assert [status for status in STATUS_COLOURS if f">{status}</span>" in legend] == list(STATUS_COLOURS)


def test_how_a_state_ended_is_a_mark_on_its_box_as_well_as_its_colour():
    # The colour alone said it (WCAG 1.4.1): a mark on the box's top border, the legend's too.
    statuses = {PREPARE_STATE: SUCCEEDED, "Train KMeans": FAILED, FAILED_STATE: CAUGHT_ERROR}
    markup = app_drawing(workflow_definition(), statuses).markup

    drawing = read_svg(markup)
    marks = re.findall(
        r'<g class="status-mark" data-status="([^"]+)" aria-hidden="true" pointer-events="none" '
        r'transform="translate\((\d+) 0\)"><circle cx="([\d.]+%)" cy="(\d+)".*?>(.)</text></g>',
        markup,
    )
    assert [(status, glyph) for status, *_, glyph in marks] == [
        (statuses[name], STATUS_MARKS[statuses[name]]) for name in drawing.states if name in statuses
    ]  # one a state that ran, none on those not reached
    boxes = {state.attributes["data-status"]: state.box for state in drawing.states.values()}
    for status, inset, left, top, _ in marks:
        assert (left, top) == (boxes[status]["x"], boxes[status]["y"])  # its box's top left corner
        assert int(inset) == MARK_INSET  # ... moved in along the top border
    # The box's own lines stay its name and type: the mark is outside its group, for the eye only.
    assert drawing.states[PREPARE_STATE].lines[-1] == "Task"
    legend = markup.split('class="wg-legend"', 1)[1].split("</div>", 1)[0]
    for status, glyph in STATUS_MARKS.items():
        assert re.search(rf">{glyph}</span>{status}</span>", legend), status
    assert re.search(rf'"></span>{NOT_REACHED}</span>', legend)  # no mark: the plain white box
    report = workflow_svg(workflow_definition(), visits(statuses))
    assert "status-mark" not in report  # the report's boxes say it in words: "succeeded · 1.0 s"


def test_choice_labels_name_the_fields_not_whole_json_paths():
    assert short_label("$.evaluation.Payload.silhouette >= $.QualityThreshold") == (
        "silhouette >= QualityThreshold"
    )


def test_state_names_and_labels_from_a_definition_are_text_never_markup():
    hostile = "<a href='x' onclick=\"alert(1)\">go</a>"
    definition = machine(
        {
            hostile: {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.x", "StringEquals": "<img src=x onerror=alert(1)>", "Next": "Done"}
                ],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        }
    )

    for markup in (app_drawing(definition, {hostile: SUCCEEDED}).markup, workflow_svg(definition, [])):
        drawing = read_svg(markup)
        assert not {"a", "img", "script"} & set(drawing.tags)
        texts = [" ".join(state.lines) for state in drawing.states.values()]
        assert any(text.startswith("<a href='x' onclick=") for text in texts)  # read back as text
        assert any("<img src=x" in text for text in drawing.texts)
    assert read_svg(app_drawing(definition).markup).states[hostile].attributes["data-state"] == hostile


def test_every_transition_ends_in_an_arrowhead_on_its_last_leg():
    definition = workflow_definition()
    edges = layout_workflow(definition).edges

    drawing = read_svg(app_drawing(definition, {PREPARE_STATE: SUCCEEDED}).markup)

    ends = [leg for leg in drawing.legs if "marker-end" in leg]
    assert len(ends) == len(edges)
    assert len(drawing.legs) == sum(len(edge.points) - 1 for edge in edges)
    catches = sum(edge.kind == "catch" for edge in edges)
    assert sum(leg["marker-end"] == "url(#catch-arrow)" for leg in ends) == catches
