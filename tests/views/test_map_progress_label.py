"""The Map state's iteration counts drawn on its box in the Executions graph, from a real sweep run.

A real local sweep of k 2-4 on the sample gives the history; the label is checked on the whole
history (the finished run) and on each prefix of it that ends just after an iteration started or
ended (what the page, refreshing while the run goes, reads at that moment). Expected counts are
read from the raw events; the label comes from the same parse as the page's Map section.
"""

from __future__ import annotations

import pytest

from pipeline.backends.local import LocalBackend
from pipeline.views.execution_view import state_statuses
from pipeline.views.graph_figure import workflow_figure
from pipeline.views.graph_layout import NOTED_HALF_HEIGHT
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


def state_text(figure, name: str) -> str:
    states = next(trace for trace in figure.data if trace.name == "states")
    return states.text[list(states.customdata).index(name)]


def test_the_finished_sweeps_map_box_says_every_k_is_done(sweep_history):
    definition, events = sweep_history
    assert progress_labels(events) == {SWEEP_STATE: f"{KS}/{KS} done"}
    figure = workflow_figure(definition, state_statuses(events, "SUCCEEDED"), None, progress_labels(events))
    assert f"Map: {KS}/{KS} done" in state_text(figure, SWEEP_STATE)


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
    figure = workflow_figure(definition, state_statuses(so_far, "RUNNING"), None, progress_labels(so_far))
    text = state_text(figure, SWEEP_STATE)
    lines = text.split("<br>")
    assert lines[1].endswith(f"Map: 1/{KS} done")
    assert "running" in lines[2]
    assert all(len(line.split(">")[-1].split("<")[0]) <= 20 for line in lines[1:])
    heights = {round(s.y1 - s.y0, 6) for s in figure.layout.shapes if s.type == "path" and s.fillcolor}
    assert round(2 * NOTED_HALF_HEIGHT, 6) in heights
