"""The Map state's iteration counts drawn on its box in the Executions graph, from a real sweep run.

A real local sweep of k 2-4 on the sample gives the history; the label is checked on the whole
history (the finished run) and on each prefix of it that ends just after an iteration started or
ended (what the page, refreshing while the run goes, reads at that moment). Expected counts are
read from the raw events; the label comes from the same parse as the page's Map section.
"""

from __future__ import annotations

import pytest
from support.graph_support import read_svg

from pipeline.backends.local import LocalBackend
from pipeline.views.execution_view import step_runs
from pipeline.views.graph_layout import NOTED_HALF_HEIGHT
from pipeline.views.graph_svg import FLUID_Y_PX, workflow_drawing
from pipeline.views.map_iterations import SUCCEEDED, map_runs, progress_label, progress_labels
from pipeline.workflows.clustering.sweep_steps import SWEEP_STATE

K_RANGE = (2, 4)  # the k range of conftest.py's finished_sweep run
KS = K_RANGE[1] - K_RANGE[0] + 1


@pytest.fixture(scope="module")
def sweep_history(finished_sweep):
    """The definition and the full event history of a real sweep run (k 2-4) that SUCCEEDED."""
    finished = finished_sweep
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RFM_STUDIO_HOME", str(finished.home))
        backend = LocalBackend()
        arn = finished.arns["sweep"]
        machine_arn = backend.describe(arn)["stateMachineArn"]
        return backend.state_machine_definition(machine_arn), backend.history(arn)


def app_graph(definition, events, status: str):
    """The graph as Executions draws it from ``events`` (its states, read back from the SVG)."""
    steps = step_runs(events, status)
    return read_svg(
        workflow_drawing(definition, steps, progress_labels(events), selectable=True, fluid=True).markup
    ).states


def test_the_finished_sweeps_map_box_says_every_k_is_done(sweep_history):
    definition, events = sweep_history
    assert progress_labels(events) == {SWEEP_STATE: f"{KS}/{KS} done"}
    states = app_graph(definition, events, "SUCCEEDED")
    assert f"Map · {KS}/{KS} done" in states[SWEEP_STATE].lines


def test_while_the_sweep_runs_the_label_counts_the_iterations_started_and_ended_so_far(sweep_history):
    _, events = sweep_history
    moments = [e["id"] for e in events if e["type"] in {"MapIterationStarted", "MapIterationSucceeded"}]
    assert len(moments) == 2 * KS
    seen = set()
    for moment in moments:
        so_far = [e for e in events if e["id"] <= moment]
        started = sum(e["type"] == "MapIterationStarted" for e in so_far)
        done = sum(e["type"] == "MapIterationSucceeded" for e in so_far)
        running = f", {started - done} running" if started > done else ""
        label = progress_labels(so_far)[SWEEP_STATE]
        assert label == f"{done}/{KS} done{running}"
        seen.add(label)
    assert f"0/{KS} done, 1 running" in seen and f"{KS}/{KS} done" in seen


def test_the_label_agrees_with_the_counts_of_the_pages_map_section(sweep_history):
    _, events = sweep_history
    halfway = next(e["id"] for e in events if e["type"] == "MapIterationSucceeded")
    [run] = map_runs([e for e in events if e["id"] <= halfway])
    counts = run.counts()
    assert progress_label(run).startswith(f"{counts[SUCCEEDED]}/{run.length} done")
    assert counts[SUCCEEDED] == 1 and run.length == KS


def test_a_running_maps_box_is_taller_and_keeps_each_line_short_for_800_px(sweep_history):
    definition, events = sweep_history
    first_ended = next(e["id"] for e in events if e["type"] == "MapIterationSucceeded")
    so_far = [e for e in events if e["id"] <= first_ended]
    states = app_graph(definition, so_far, "RUNNING")
    lines = states[SWEEP_STATE].lines
    assert lines[1] == f"Map · 1/{KS} done"
    assert "running" in lines[2]
    assert all(len(line) <= 20 for line in lines[1:])
    heights = {round(float(state.box["height"])) for state in states.values()}
    assert round(2 * NOTED_HALF_HEIGHT * FLUID_Y_PX) in heights
