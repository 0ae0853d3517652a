"""The workflow graph as Graphviz DOT, coloured by step status like the Step Functions console."""

from __future__ import annotations

import json
import re

import pytest
from support.asl_support import LAMBDA, FakeResources, fail, machine, run

from pipeline.views.execution_view import state_statuses
from pipeline.views.graph import (
    CANCELLED,
    CAUGHT_ERROR,
    FAILED,
    IN_PROGRESS,
    NOT_REACHED,
    STATUS_COLOURS,
    SUCCEEDED,
    legend_dot,
    workflow_dot,
)
from pipeline.workflows.clustering.build import workflow_definition
from pipeline.workflows.clustering.steps import (
    CHOICE_STATE,
    FAILED_STATE,
    PREPARE_STATE,
    QUALITY_FAIL_STATE,
    SUCCEED_STATE,
)
from pipeline.workflows.clustering.sweep_steps import SWEEP_STATE

TASK = {"Type": "Task", "Resource": LAMBDA}


def node(dot: str, node_id: str) -> dict[str, str]:
    """The attributes of the node declared with ``node_id`` (quoted as DOT quotes it)."""
    quoted = re.escape(json.dumps(node_id, ensure_ascii=False))
    match = re.search(rf"^\s*{quoted} \[(.*)\];$", dot, re.MULTILINE)
    assert match, f"no node {node_id!r} in\n{dot}"
    return dict(re.findall(r'(\w+)=("(?:[^"\\]|\\.)*"|[\w.]+)', match.group(1)))


def fill(dot: str, node_id: str) -> str:
    return node(dot, node_id)["fillcolor"].strip('"')


def edges(dot: str) -> list[str]:
    return [line.strip() for line in dot.splitlines() if "->" in line]


def rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def test_the_palette_follows_the_console_green_red_blue_orange_grey_and_blank():
    def dominant(status):
        red, green, blue = rgb(STATUS_COLOURS[status][1])
        return red, green, blue

    red, green, blue = dominant(SUCCEEDED)
    assert green > red and green > blue
    red, green, blue = dominant(FAILED)
    assert red > green and red > blue
    red, green, blue = dominant(IN_PROGRESS)
    assert blue > red and blue > green
    red, green, blue = dominant(CAUGHT_ERROR)
    assert red > green > blue
    red, green, blue = dominant(CANCELLED)
    assert max(red, green, blue) - min(red, green, blue) < 16
    assert STATUS_COLOURS[NOT_REACHED][0] == "#ffffff"


def test_every_state_of_the_sdk_workflow_is_a_node_coloured_by_its_status():
    definition = workflow_definition()
    statuses = {PREPARE_STATE: SUCCEEDED, CHOICE_STATE: IN_PROGRESS}

    dot = workflow_dot(definition, statuses)

    for name in definition["States"]:
        status = statuses.get(name, NOT_REACHED)
        assert fill(dot, name) == STATUS_COLOURS[status][0], name
        assert node(dot, name)["color"].strip('"') == STATUS_COLOURS[status][1]
    assert node(dot, CHOICE_STATE)["shape"] == "diamond"
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")


def states_with_catch(states: dict) -> list[str]:
    """Every state with a Catch, those inside Map iterators included."""
    found = []
    for name, state in states.items():
        if "Catch" in state:
            found.append(name)
        processor = state.get("ItemProcessor") or state.get("Iterator") or {}
        found += states_with_catch(processor.get("States", {}))
    return found


def test_the_sdk_workflow_edges_follow_next_choices_and_catch():
    definition = workflow_definition()

    lines = edges(workflow_dot(definition))

    q = json.dumps
    assert f"{q('__start__')} -> {q(PREPARE_STATE)};" in lines
    catch_edges = [line for line in lines if line.endswith('style=dashed, color="#ef6c00"];')]
    assert len(catch_edges) == len(states_with_catch(definition["States"]))
    # The sweep's iterations catch into their own "k failed"; every other catch ends the run.
    inner = [line for line in catch_edges if "/" in line.split(" -> ")[0]]
    assert len(inner) == 2 and all(line.split(" -> ")[1].startswith(f'"{SWEEP_STATE}/') for line in inner)
    assert all(f"-> {q(FAILED_STATE)}" in line for line in catch_edges if line not in inner)
    choice_edges = [line for line in lines if line.startswith(q(CHOICE_STATE))]
    assert any(f"-> {q(SUCCEED_STATE)}" in line and ">=" in line for line in choice_edges)
    assert any(f"-> {q(QUALITY_FAIL_STATE)}" in line and "default" in line for line in choice_edges)
    assert f"{q(SUCCEED_STATE)} -> {q('__end__')};" in lines


def test_statuses_from_a_real_caught_error_run_colour_the_graph():
    definition = machine(
        {
            "Work": {**TASK, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}], "Next": "Done"},
            "Recover": {"Type": "Fail", "Error": "Handled", "Cause": "recovered"},
            "Done": {"Type": "Succeed"},
        }
    )
    result, events = run(definition, {}, FakeResources(failures=[fail("Boom", "bad")]))

    dot = workflow_dot(definition, state_statuses(events, result.status))

    assert fill(dot, "Work") == STATUS_COLOURS[CAUGHT_ERROR][0]
    assert fill(dot, "Recover") == STATUS_COLOURS[FAILED][0]
    assert fill(dot, "Done") == STATUS_COLOURS[NOT_REACHED][0]


def test_parallel_and_map_branches_are_clusters_whose_states_do_not_jump_to_the_end():
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

    dot = workflow_dot(definition, state_statuses(events, result.status))

    assert len(re.findall(r"subgraph \"cluster_", dot)) == 2
    assert fill(dot, "Both/0/Left") == STATUS_COLOURS[SUCCEEDED][0]
    assert fill(dot, "Each/0/Item") == STATUS_COLOURS[SUCCEEDED][0]
    to_end = [line for line in edges(dot) if line.endswith('"__end__";')]
    assert to_end == ['"Each" -> "__end__";']


@pytest.mark.parametrize("name", ['Say "hi"', "Zoë's step", "back\\slash"])
def test_state_names_are_quoted_so_any_name_is_one_node(name):
    definition = machine({name: {"Type": "Pass", "End": True}})

    dot = workflow_dot(definition, {name: SUCCEEDED})

    assert fill(dot, name) == STATUS_COLOURS[SUCCEEDED][0]
    assert "\\u00eb" not in dot  # non-ASCII stays readable, not an escape Graphviz would print


def test_the_legend_shows_every_status_with_its_colours():
    dot = legend_dot()

    for status, (fill_colour, border) in STATUS_COLOURS.items():
        attributes = node(dot, status)
        assert attributes["fillcolor"].strip('"') == fill_colour
        assert attributes["color"].strip('"') == border
        assert attributes["label"].strip('"').lower() == status
