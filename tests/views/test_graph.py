"""The graph's vocabulary: step statuses and colours as the Step Functions console shows them,
the legend's order, Choice rule labels, and the statuses a real run gives each state."""

from __future__ import annotations

from support.asl_support import LAMBDA, FakeResources, fail, machine, run

from pipeline.views.execution_view import state_statuses
from pipeline.views.graph import (
    ABORTED,
    CAUGHT_ERROR,
    FAILED,
    IN_PROGRESS,
    LEGEND_ORDER,
    NOT_REACHED,
    STATUS_COLOURS,
    SUCCEEDED,
    choice_label,
)
from pipeline.workflows.clustering.build import workflow_definition
from pipeline.workflows.clustering.steps import CHOICE_STATE, QUALITY_FAIL_STATE, SUCCEED_STATE

TASK = {"Type": "Task", "Resource": LAMBDA}


def rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def test_the_palette_follows_the_console_green_red_blue_orange_grey_and_blank():
    red, green, blue = rgb(STATUS_COLOURS[SUCCEEDED][1])
    assert green > red and green > blue
    red, green, blue = rgb(STATUS_COLOURS[FAILED][1])
    assert red > green and red > blue
    red, green, blue = rgb(STATUS_COLOURS[IN_PROGRESS][1])
    assert blue > red and blue > green
    red, green, blue = rgb(STATUS_COLOURS[CAUGHT_ERROR][1])
    assert red > green > blue
    red, green, blue = rgb(STATUS_COLOURS[ABORTED][1])
    assert max(red, green, blue) - min(red, green, blue) < 16
    assert STATUS_COLOURS[NOT_REACHED][0] == "#ffffff"


def test_the_legend_lists_every_status_once():
    assert sorted(LEGEND_ORDER) == sorted(STATUS_COLOURS)


def test_the_sdk_quality_choice_reads_as_a_comparison_and_its_default():
    choice = workflow_definition()["States"][CHOICE_STATE]

    labels = {rule["Next"]: choice_label(rule) for rule in choice["Choices"]}

    assert ">=" in labels[SUCCEED_STATE]
    assert choice["Default"] == QUALITY_FAIL_STATE


def test_combined_and_negated_rules_are_spelled_out():
    rule = {
        "And": [
            {"Variable": "$.k", "NumericGreaterThanEquals": 2},
            {"Not": {"Variable": "$.name", "StringEquals": "x"}},
        ],
        "Next": "Go",
    }

    assert choice_label(rule) == '$.k >= 2 and not ($.name == "x")'


def test_a_real_caught_error_run_gives_caught_failed_and_not_reached():
    definition = machine(
        {
            "Work": {**TASK, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}], "Next": "Done"},
            "Recover": {"Type": "Fail", "Error": "Handled", "Cause": "recovered"},
            "Done": {"Type": "Succeed"},
        }
    )
    result, events = run(definition, {}, FakeResources(failures=[fail("Boom", "bad")]))

    statuses = state_statuses(events, result.status)

    assert statuses["Work"] == CAUGHT_ERROR
    assert statuses["Recover"] == FAILED
    assert statuses.get("Done", NOT_REACHED) == NOT_REACHED


def test_branch_states_of_parallel_and_map_get_their_own_status():
    definition = machine(
        {
            "Both": {
                "Type": "Parallel",
                "Branches": [machine({"Left": {"Type": "Pass", "End": True}})],
                "Next": "Each",
            },
            "Each": {
                "Type": "Map",
                "ItemProcessor": machine({"Item": {"Type": "Pass", "End": True}}),
                "End": True,
            },
        }
    )
    result, events = run(definition, [1, 2])

    statuses = state_statuses(events, result.status)

    assert statuses == {"Both": SUCCEEDED, "Left": SUCCEEDED, "Each": SUCCEEDED, "Item": SUCCEEDED}
