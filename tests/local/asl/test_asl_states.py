"""One behaviour a test for each state type: Task, Pass, Wait, Succeed, Fail, Parallel, Map."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from support.asl_support import LAMBDA, BlockingResources, FakeResources, SleepRecorder, machine, run, types

from pipeline.local.asl.errors import DefinitionError
from pipeline.local.asl.interpreter import run_state_machine


def branch(state: dict, name: str = "B") -> dict:
    """A machine of one state; inner machines need other names (names are unique machine-wide)."""
    return machine({name: {**state, "End": True}})


# -- Task ---------------------------------------------------------------------------------
def test_task_invokes_the_resource_with_parameters_state_name_and_timeout():
    resources = FakeResources(respond=lambda params: {"got": params})
    task = {
        "Type": "Task",
        "Resource": LAMBDA,
        "Parameters": {"x.$": "$.x"},
        "TimeoutSeconds": 30,
        "End": True,
    }
    result, _ = run(machine({"Work": task}), {"x": 1}, resources)
    assert resources.calls[0].resource == LAMBDA
    assert (resources.calls[0].state_name, resources.calls[0].timeout) == ("Work", 30)
    assert result.output == {"got": {"x": 1}}


def test_timeout_seconds_path_reads_the_timeout_from_the_input():
    resources = FakeResources()
    task = {"Type": "Task", "Resource": LAMBDA, "TimeoutSecondsPath": "$.t", "End": True}
    run(machine({"T": task}), {"t": 12}, resources)
    assert resources.calls[0].timeout == 12


def test_a_plain_exception_from_the_resource_becomes_states_task_failed_with_its_message():
    resources = FakeResources(failures=[RuntimeError("disk full")])
    result, _ = run(machine({"T": {"Type": "Task", "Resource": LAMBDA, "End": True}}), {}, resources)
    assert (result.status, result.error, result.cause) == ("FAILED", "States.TaskFailed", "disk full")


def test_a_resource_raising_a_base_exception_fails_the_task_instead_of_timing_it_out():
    resources = FakeResources(failures=[SystemExit(3)])
    task = {"Type": "Task", "Resource": LAMBDA, "TimeoutSeconds": 60, "End": True}
    result, _ = run(machine({"T": task}), {}, resources)
    assert (result.status, result.error) == ("FAILED", "States.TaskFailed")
    assert "SystemExit" in result.cause


@pytest.mark.timeout(30)
def test_a_task_running_past_timeout_seconds_fails_with_states_timeout():
    resources = BlockingResources()
    task = {"Type": "Task", "Resource": LAMBDA, "TimeoutSeconds": 1, "End": True}
    try:
        result, events = run(machine({"T": task}), {}, resources)
    finally:
        resources.release.set()
    assert (result.status, result.error) == ("FAILED", "States.Timeout")
    assert "TaskTimedOut" in types(events)


# -- Pass, Succeed, Fail ------------------------------------------------------------------
def test_pass_result_replaces_the_input_by_default():
    assert run(branch({"Type": "Pass", "Result": {"r": 1}}), {"a": 1})[0].output == {"r": 1}


def test_pass_without_result_passes_its_input_through():
    assert run(branch({"Type": "Pass"}), {"a": 1})[0].output == {"a": 1}


def test_succeed_ends_the_execution_successfully_with_its_input():
    states = {"S": {"Type": "Succeed"}}
    assert run(machine(states), {"a": 1})[0].output == {"a": 1}


def test_fail_ends_the_execution_with_its_error_and_cause():
    result, events = run(machine({"F": {"Type": "Fail", "Error": "Bad.Data", "Cause": "no rows"}}))
    assert (result.status, result.error, result.cause) == ("FAILED", "Bad.Data", "no rows")
    assert types(events)[-2:] == ["FailStateEntered", "ExecutionFailed"]


def test_fail_error_path_and_cause_path_read_the_input():
    fail = {"Type": "Fail", "ErrorPath": "$.e", "CausePath": "States.Format('rows: {}', $.n)"}
    result, _ = run(machine({"F": fail}), {"e": "Too.Few", "n": 3})
    assert (result.error, result.cause) == ("Too.Few", "rows: 3")


# -- Wait ---------------------------------------------------------------------------------
def test_wait_seconds_waits_that_long():
    sleep = SleepRecorder()
    result, _ = run(branch({"Type": "Wait", "Seconds": 7}), {"a": 1}, sleep=sleep)
    assert (result.output, sleep.intervals) == ({"a": 1}, [7])


def test_wait_seconds_path_reads_the_interval():
    sleep = SleepRecorder()
    run(branch({"Type": "Wait", "SecondsPath": "$.s"}), {"s": 3}, sleep=sleep)
    assert sleep.intervals == [3]


def test_wait_until_a_past_timestamp_does_not_wait():
    sleep = SleepRecorder()
    run(branch({"Type": "Wait", "Timestamp": "2001-01-01T00:00:00Z"}), sleep=sleep)
    assert sleep.intervals == []


def test_wait_timestamp_path_waits_until_that_time():
    sleep = SleepRecorder()
    when = (datetime.now(UTC) + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    run(branch({"Type": "Wait", "TimestampPath": "$.when"}), {"when": when}, sleep=sleep)
    assert len(sleep.intervals) == 1 and 3000 < sleep.intervals[0] <= 3600


def test_wait_with_a_bad_timestamp_fails_with_states_runtime():
    result, _ = run(branch({"Type": "Wait", "TimestampPath": "$.when"}), {"when": "tomorrow"})
    assert (result.status, result.error) == ("FAILED", "States.Runtime")


# -- Parallel -----------------------------------------------------------------------------
def test_parallel_gives_each_branch_the_input_and_collects_results_in_branch_order():
    parallel = {
        "Type": "Parallel",
        "Branches": [
            branch({"Type": "Pass", "Parameters": {"first.$": "$.x"}}, "First"),
            branch({"Type": "Pass", "Result": "second"}, "Second"),
        ],
    }
    assert run(branch(parallel), {"x": 1})[0].output == [{"first": 1}, "second"]


def test_a_failing_branch_fails_the_parallel_state_with_the_branch_error():
    parallel = {
        "Type": "Parallel",
        "Branches": [
            branch({"Type": "Pass"}, "Fine"),
            machine({"F": {"Type": "Fail", "Error": "Branch.Broke"}}),
        ],
    }
    result, events = run(branch(parallel))
    assert (result.status, result.error) == ("FAILED", "Branch.Broke")
    assert "ParallelStateFailed" in types(events)


# -- Map ----------------------------------------------------------------------------------
def map_state(**fields) -> dict:
    return {"Type": "Map", "ItemProcessor": branch({"Type": "Pass"}, "Item"), **fields}


def test_map_runs_the_processor_on_each_item_of_items_path():
    result, _ = run(branch(map_state(ItemsPath="$.xs")), {"xs": [1, 2, 3]})
    assert result.output == [1, 2, 3]


def test_map_item_selector_sees_the_item_value_index_and_the_input():
    selector = {"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index", "tag.$": "$.tag"}
    result, _ = run(
        branch(map_state(ItemsPath="$.xs", ItemSelector=selector)), {"xs": ["a", "b"], "tag": "t"}
    )
    assert result.output == [{"value": "a", "index": 0, "tag": "t"}, {"value": "b", "index": 1, "tag": "t"}]


def test_map_accepts_the_legacy_iterator_and_parameters_fields():
    legacy = {
        "Type": "Map",
        "Iterator": branch({"Type": "Pass"}, "Item"),
        "Parameters": {"v.$": "$$.Map.Item.Value"},
    }
    assert run(branch(legacy), [5])[0].output == [{"v": 5}]


def test_map_over_an_empty_array_gives_an_empty_array():
    assert run(branch(map_state()), [])[0].output == []


def test_map_over_a_non_array_fails_with_states_runtime():
    result, _ = run(branch(map_state(ItemsPath="$.x")), {"x": 1})
    assert (result.status, result.error) == ("FAILED", "States.Runtime")


def test_a_failing_iteration_fails_the_map_with_its_error():
    processor = machine(
        {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "F"}],
                "Default": "P",
            },
            "F": {"Type": "Fail", "Error": "Item.Bad", "Cause": "two"},
            "P": {"Type": "Pass", "End": True},
        }
    )
    result, events = run(branch({"Type": "Map", "ItemProcessor": processor, "MaxConcurrency": 1}), [1, 2, 3])
    assert (result.status, result.error, result.cause) == ("FAILED", "Item.Bad", "two")
    assert "MapIterationFailed" in types(events) and "MapStateFailed" in types(events)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("limit", [1, 2])
def test_map_max_concurrency_bounds_the_iterations_running_at_once(limit):
    resources = BlockingResources()
    processor = branch({"Type": "Task", "Resource": LAMBDA}, "Work")
    definition = branch({"Type": "Map", "ItemProcessor": processor, "MaxConcurrency": limit})

    def release_once_the_limit_is_reached():
        assert resources.wait_until_running(limit)
        # Had the limit been ignored, the other iterations would start within this grace time.
        resources.release.wait(0.3)
        resources.release.set()

    releaser = threading.Thread(target=release_once_the_limit_is_reached)
    releaser.start()
    result, _ = run(definition, list(range(6)), resources)
    releaser.join(30)
    assert result.output == list(range(6))
    assert resources.max_running == limit


# -- whole execution ----------------------------------------------------------------------
@pytest.mark.timeout(30)
def test_cancel_during_a_wait_aborts_the_execution():
    cancel = threading.Event()

    def on_event(event):
        if event["type"] == "WaitStateEntered":
            cancel.set()

    definition = branch({"Type": "Wait", "Seconds": 3600})
    events: list = []
    result = run_state_machine(
        definition,
        {},
        resources=FakeResources(),
        cancel=cancel,
        on_event=lambda e: (events.append(e), on_event(e)),
    )
    assert result.status == "ABORTED"
    assert types(events)[-1] == "ExecutionAborted"


@pytest.mark.timeout(30)
def test_cancel_during_a_task_aborts_and_records_task_state_aborted():
    resources = BlockingResources()
    cancel = threading.Event()
    events: list = []

    def on_event(event):
        events.append(event)
        if event["type"] == "TaskStarted":
            cancel.set()

    try:
        result = run_state_machine(
            branch({"Type": "Task", "Resource": LAMBDA}),
            {},
            resources=resources,
            cancel=cancel,
            on_event=on_event,
        )
    finally:
        resources.release.set()
    assert result.status == "ABORTED"
    assert types(events)[-2:] == ["TaskStateAborted", "ExecutionAborted"]


@pytest.mark.timeout(30)
def test_machine_timeout_seconds_ends_the_execution_timed_out():
    definition = machine({"W": {"Type": "Wait", "Seconds": 3600, "End": True}}, TimeoutSeconds=1)
    events: list = []
    result = run_state_machine(definition, {}, resources=FakeResources(), on_event=events.append)
    assert (result.status, result.error) == ("TIMED_OUT", "States.Timeout")
    assert types(events)[-1] == "ExecutionTimedOut"


def test_an_invalid_definition_raises_before_any_event():
    events: list = []
    with pytest.raises(DefinitionError):
        run_state_machine(
            {"StartAt": "Nope", "States": {}}, {}, resources=FakeResources(), on_event=events.append
        )
    assert events == []


def test_definition_may_be_given_as_json_text():
    result = run_state_machine(
        '{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}', 3, resources=None
    )
    assert (result.status, result.output) == ("SUCCEEDED", 3)
