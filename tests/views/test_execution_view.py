"""The watch page's view of an execution, derived from real histories of the ASL interpreter.

Each history comes from ``run_state_machine`` (with ``on_event`` collecting the events) or from
a real local run of the workflow on the sample, so the statuses, step runs and event table are
checked against what the engine really records, not against hand-written events; only the
elapsed-time test crafts timestamps, to pin the arithmetic past one second.
"""

from __future__ import annotations

import datetime as dt
import threading

import pandas as pd
import pytest
from support.asl_support import LAMBDA, BlockingResources, FakeResources, fail, machine, run
from support.run_support import start_unchecked

from pipeline.backends.local import LocalBackend
from pipeline.local.asl.interpreter import run_state_machine
from pipeline.local.client import LocalStepFunctionsClient, wait_for_status
from pipeline.views.execution_view import (
    ABORTED,
    CAUGHT_ERROR,
    FAILED,
    IN_PROGRESS,
    SUCCEEDED,
    drawn_bars,
    event_details,
    history_table,
    state_statuses,
    step_runs,
    timeline,
    timeline_figure,
)
from pipeline.views.graph import STATUS_COLOURS
from pipeline.workflows.clustering.parameters import ClusteringParameters
from pipeline.workflows.clustering.steps import (
    CHOICE_STATE,
    FAILED_STATE,
    PREPARE_STATE,
    QUALITY_FAIL_STATE,
)

TASK = {"Type": "Task", "Resource": LAMBDA}


def chain() -> dict:
    return machine(
        {
            "Start": {"Type": "Pass", "Result": {"n": 1}, "Next": "Work"},
            "Work": {**TASK, "Parameters": {"value.$": "$.n"}, "Next": "Done"},
            "Done": {"Type": "Succeed"},
        }
    )


def caught() -> dict:
    return machine(
        {
            "Work": {
                **TASK,
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Recover"}],
                "Next": "Done",
            },
            "Recover": {"Type": "Pass", "End": True},
            "Done": {"Type": "Succeed"},
        }
    )


def test_a_succeeding_chain_has_every_state_succeeded_in_order_of_entry():
    result, events = run(chain(), {})

    runs = step_runs(events, result.status)

    assert result.status == "SUCCEEDED"
    assert [(r.name, r.state_type, r.status) for r in runs] == [
        ("Start", "Pass", SUCCEEDED),
        ("Work", "Task", SUCCEEDED),
        ("Done", "Succeed", SUCCEEDED),
    ]
    work = runs[1]
    assert work.input == {"n": 1}
    assert work.output == {"value": 1}  # the fake resource echoes its parameters
    assert work.resource == "lambda:invoke"
    assert work.attempts == 1
    assert work.error is None
    assert all(r.exited is not None and r.duration_seconds >= 0 for r in runs)


def test_a_failure_caught_by_catch_is_a_caught_error_with_its_error_and_cause():
    resources = FakeResources(failures=[fail("DataError", "no customers in Atlantis")])
    result, events = run(caught(), {}, resources)

    runs = {r.name: r for r in step_runs(events, result.status)}

    assert result.status == "SUCCEEDED"
    assert runs["Work"].status == CAUGHT_ERROR
    assert (runs["Work"].error, runs["Work"].cause) == ("DataError", "no customers in Atlantis")
    assert runs["Work"].output["error"] == {"Error": "DataError", "Cause": "no customers in Atlantis"}
    assert runs["Recover"].status == SUCCEEDED
    assert "Done" not in state_statuses(events, result.status)  # not reached


def test_a_fail_state_is_failed_and_carries_the_executions_error_and_cause():
    definition = machine(
        {
            "Check": {"Type": "Pass", "Next": "Stop"},
            "Stop": {"Type": "Fail", "Error": "ClusterQualityTooLow", "Cause": "silhouette 0.1 < 0.5"},
        }
    )
    result, events = run(definition, {})

    runs = {r.name: r for r in step_runs(events, result.status)}

    assert result.status == "FAILED"
    assert runs["Check"].status == SUCCEEDED
    assert runs["Stop"].status == FAILED
    assert (runs["Stop"].error, runs["Stop"].cause) == ("ClusterQualityTooLow", "silhouette 0.1 < 0.5")
    assert runs["Stop"].duration_seconds == 0


def test_an_uncaught_task_failure_is_failed_and_ends_at_the_failure():
    definition = machine({"Work": {**TASK, "End": True}})
    result, events = run(definition, {}, FakeResources(failures=[fail("States.TaskFailed", "boom")]))

    (work,) = step_runs(events, result.status)

    assert result.status == "FAILED"
    assert work.status == FAILED
    assert (work.error, work.cause) == ("States.TaskFailed", "boom")
    failed_at = next(e["timestamp"] for e in events if e["type"] == "TaskFailed")
    assert work.exited == failed_at


def test_a_retry_that_succeeds_is_succeeded_with_two_attempts_and_no_error():
    definition = machine(
        {"Work": {**TASK, "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}], "End": True}}
    )
    result, events = run(definition, {}, FakeResources(failures=[fail("Lambda.ServiceException", "x")]))

    (work,) = step_runs(events, result.status)

    assert result.status == "SUCCEEDED"
    assert (work.status, work.attempts, work.error) == (SUCCEEDED, 2, None)


def run_until_cancelled(definition: dict) -> tuple[str, list[dict]]:
    """Run with a blocking Task, cancel once it started; returns (status, events)."""
    resources, cancel, events = BlockingResources(), threading.Event(), []
    outcome = {}

    def go():
        outcome["result"] = run_state_machine(
            definition, {}, resources=resources, on_event=events.append, cancel=cancel
        )

    thread = threading.Thread(target=go)
    thread.start()
    try:
        assert resources.started.wait(10)
        cancel.set()
        thread.join(10)
    finally:
        resources.release.set()
    return outcome["result"].status, events


def test_a_run_aborted_by_cancel_shows_the_running_task_cancelled_and_later_states_unreached():
    status, events = run_until_cancelled(
        machine({"Work": {**TASK, "Next": "After"}, "After": {"Type": "Succeed"}})
    )

    runs = step_runs(events, status)

    assert status == "ABORTED"
    assert [(r.name, r.status) for r in runs] == [("Work", ABORTED)]
    assert runs[0].exited is not None  # a finished run's bar does not grow in the timeline


def test_a_running_execution_shows_the_current_task_in_progress_until_now():
    definition = machine({"Work": {**TASK, "End": True}})
    resources, events = BlockingResources(), []
    thread = threading.Thread(
        target=run_state_machine,
        args=(definition, {}),
        kwargs={"resources": resources, "on_event": events.append},
    )
    thread.start()
    try:
        assert resources.started.wait(10)
        snapshot = list(events)
    finally:
        resources.release.set()
        thread.join(10)

    (work,) = step_runs(snapshot, "RUNNING")
    now = work.entered + dt.timedelta(seconds=4)
    frame = timeline([work], now=now)

    assert work.status == IN_PROGRESS and work.exited is None
    assert frame.loc[0, "Finish"] == now
    assert frame.loc[0, "Seconds"] == pytest.approx(4.0)
    assert work.duration_seconds is None
    assert work.elapsed_seconds(now) == pytest.approx(4.0)  # the time so far, shown on the page


def test_parallel_branch_states_get_their_own_statuses_and_a_caught_branch_failure_is_orange():
    definition = machine(
        {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    machine({"Left": {**TASK, "End": True}}),
                    machine({"Right": {"Type": "Pass", "End": True}}),
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handled"}],
                "End": True,
            },
            "Handled": {"Type": "Pass", "End": True},
        }
    )
    result, events = run(definition, {}, FakeResources(failures=[fail("Boom", "left failed")]))

    statuses = state_statuses(events, result.status)

    assert result.status == "SUCCEEDED"
    assert statuses["Left"] == FAILED
    assert statuses["Both"] == CAUGHT_ERROR
    assert statuses["Handled"] == SUCCEEDED


def test_map_iterations_are_one_step_run_each_and_their_events_name_the_map():
    definition = machine(
        {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": machine({"Double": {"Type": "Pass", "End": True}}),
                "End": True,
            }
        }
    )
    result, events = run(definition, {"items": [1, 2, 3]})

    runs = step_runs(events, result.status)
    table = history_table(events)

    assert result.status == "SUCCEEDED"
    assert [r.name for r in runs].count("Double") == 3
    assert all(r.status == SUCCEEDED for r in runs)
    iteration_steps = table.loc[table["Type"].str.startswith("MapIteration"), "Step"]
    assert len(iteration_steps) == 6 and set(iteration_steps) == {"Each"}


def test_the_event_table_has_the_console_columns_and_names_each_events_step():
    _, events = run(chain(), {})

    table = history_table(events)

    assert list(table.columns) == ["ID", "Type", "Step", "Resource", "Elapsed (ms)", "Timestamp"]
    assert table["ID"].tolist() == [e["id"] for e in events]
    by_type = dict(zip(table["Type"], table["Step"], strict=False))
    assert by_type["TaskScheduled"] == "Work"
    assert by_type["ExecutionSucceeded"] == ""  # the execution's own events belong to no step
    assert table.loc[table["Type"] == "TaskScheduled", "Resource"].item() == "lambda:invoke"
    assert table["Elapsed (ms)"].is_monotonic_increasing


def test_elapsed_milliseconds_count_whole_seconds():
    # The SDK's own table uses timedelta.microseconds, which drops the seconds: 2.5 s -> 500 ms.
    result, events = run(chain(), {})
    start = events[0]["timestamp"]
    spaced = [{**e, "timestamp": start + dt.timedelta(seconds=2.5 * i)} for i, e in enumerate(events)]

    table = history_table(spaced)
    runs = step_runs(spaced, result.status)

    assert table["Elapsed (ms)"].tolist()[:3] == [0, 2500, 5000]
    assert runs[0].duration_seconds == 2.5  # Start entered at event 2, exited at event 3
    assert runs[0].elapsed_seconds() == 2.5  # a finished state's elapsed time is its duration


def test_event_details_decode_the_json_payloads():
    _, events = run(chain(), {"shop": "Zoë's"})

    scheduled = next(e for e in events if e["type"] == "TaskScheduled")
    details = event_details(scheduled)

    assert details["parameters"] == {"value": 1}
    assert details["resourceType"] == "lambda"
    assert event_details(events[0])["input"] == {"shop": "Zoë's"}


def test_the_timeline_has_one_bar_a_state_visit_and_a_gantt_figure():
    result, events = run(chain(), {})
    frame = timeline(step_runs(events, result.status))

    figure = timeline_figure(frame)

    assert frame["Step"].tolist() == ["Start", "Work", "Done"]
    assert (frame["Finish"] >= frame["Start"]).all()
    assert {trace.name for trace in figure.data} == {SUCCEEDED}
    # Each bar starts at its visit's start and is at least the drawn span long, in milliseconds
    # on a date axis (as px.timeline draws it); its hover gives the true seconds.
    (bars,) = figure.data
    drawn = drawn_bars(frame)
    assert list(bars.y) == ["Start", "Work", "Done"] and bars.orientation == "h"
    assert [pd.Timestamp(base) for base in bars.base] == drawn["Start"].tolist()
    expected_ms = ((drawn["Finish"] - drawn["Start"]).dt.total_seconds() * 1000).tolist()
    assert list(bars.x) == pytest.approx(expected_ms)
    assert min(bars.x) > 0  # a visit of no time still shows
    assert [row[0] for row in bars.customdata] == pytest.approx(frame["Seconds"].tolist())
    assert figure.layout.xaxis.type == "date" and figure.layout.yaxis.autorange == "reversed"


def test_the_timeline_colours_each_status_and_shows_state_names_as_plain_text():
    """A failed visit gets the failed colour; a state named like markup is shown as its text."""
    start = pd.Timestamp("2026-01-01 10:00:00", tz="UTC")
    frame = pd.DataFrame(
        {
            "Step": ["<b>Prepare</b>", "Train"],
            "Status": [SUCCEEDED, FAILED],
            "Start": [start, start + pd.Timedelta(seconds=2)],
            "Finish": [start + pd.Timedelta(seconds=2), start + pd.Timedelta(seconds=5)],
            "Seconds": [2.0, 3.0],
        }
    )

    figure = timeline_figure(frame)

    by_status = {trace.name: trace for trace in figure.data}
    assert set(by_status) == {SUCCEEDED, FAILED}
    assert by_status[FAILED].marker.color == STATUS_COLOURS[FAILED][1]
    assert list(by_status[FAILED].x) == pytest.approx([3000.0])
    assert "<b>" not in by_status[SUCCEEDED].y[0] and "Prepare" in by_status[SUCCEEDED].y[0]
    # A run of a few seconds gets ticks half a second apart: those show their milliseconds, so
    # no two ticks read the same time.
    stops = {tuple(stop.dtickrange): stop.value for stop in figure.layout.xaxis.tickformatstops}
    assert stops[(None, 1000)].endswith(".%L") and stops[(1000, None)] == "%H:%M:%S"


# A real local run of the SDK workflow on the sample --------------------------------------------


@pytest.fixture(scope="module")
def workflow_runs(sample_dataset, tmp_path_factory):
    """One succeeded and one failed (country with no customers) run of the real workflow."""
    home = tmp_path_factory.mktemp("view-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RFM_STUDIO_HOME", str(home))
        path = home / "sample.parquet"
        sample_dataset.transactions.to_parquet(path, index=False)
        backend = LocalBackend(LocalStepFunctionsClient(mode="thread"))
        arns = {
            "ok": backend.launch(
                path, ClusteringParameters(k=3, quality_threshold=-1.0), dataset_name="sample"
            ),
            # Refused at launch; started as another client could, it fails at its first step.
            "bad": start_unchecked(
                backend, path, ClusteringParameters(k=3, country="Atlantis"), dataset_name="sample"
            ),
        }
        out = {}
        for key, arn in arns.items():
            description = wait_for_status(backend.client, arn, 180)
            out[key] = (description, backend.history(arn), backend.definition())
        yield out


def test_a_succeeded_workflow_run_has_every_visited_state_green_and_the_failure_states_unreached(
    workflow_runs,
):
    description, events, definition = workflow_runs["ok"]

    statuses = state_statuses(events, description["status"])

    assert description["status"] == "SUCCEEDED"
    visited = {e["stateEnteredEventDetails"]["name"] for e in events if e["type"].endswith("StateEntered")}
    assert statuses == dict.fromkeys(visited, SUCCEEDED)
    assert {QUALITY_FAIL_STATE, FAILED_STATE}.isdisjoint(statuses)
    assert set(statuses) < set(definition["States"])


def test_a_workflow_run_whose_prepare_step_fails_is_caught_and_ends_in_the_fail_state(workflow_runs):
    description, events, _ = workflow_runs["bad"]

    runs = {r.name: r for r in step_runs(events, description["status"])}

    assert description["status"] == "FAILED"
    assert runs[PREPARE_STATE].status == CAUGHT_ERROR
    assert runs[PREPARE_STATE].error == "DataError"
    assert "Atlantis" in runs[PREPARE_STATE].cause
    assert runs[FAILED_STATE].status == FAILED
    assert runs[FAILED_STATE].cause == description["cause"]
    assert CHOICE_STATE not in runs


def test_the_workflow_runs_event_table_matches_its_history(workflow_runs):
    _, events, _ = workflow_runs["ok"]

    table = history_table(events)

    assert len(table) == len(events)
    assert table["Type"].iloc[-1] == "ExecutionSucceeded"
    stamps = pd.to_datetime([e["timestamp"] for e in events], utc=True)
    expected_ms = [round((s - stamps[0]).total_seconds() * 1000) for s in stamps]
    assert table["Elapsed (ms)"].tolist() == expected_ms
    scheduled = table[table["Type"] == "TaskScheduled"]
    assert scheduled.loc[scheduled["Step"] == PREPARE_STATE, "Resource"].item() == "lambda:invoke"
