"""AWS's quotas, with AWS's errors: payload size, history length, and bounds that end runaway runs.

Every hostile case here ends in a ``DefinitionError`` or a ``States.*`` error; none may raise
anything else or hang.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from support.asl_support import LAMBDA, FakeResources, SleepRecorder, fail, machine, run, types

from pipeline.local.asl.errors import DefinitionError
from pipeline.local.asl.interpreter import run_state_machine
from pipeline.local.asl.limits import DEFINITION_DEPTH_LIMIT, HISTORY_EVENT_LIMIT, PAYLOAD_LIMIT_BYTES

HISTORY_CAUSE = "The execution reached the maximum number of history events (25000)."


def padded(size: int) -> dict:
    """An object whose compact JSON is exactly ``size`` bytes."""
    return {"s": "x" * (size - len('{"s":""}'))}


# -- 256 KiB payloads ---------------------------------------------------------------------------
def test_a_state_output_of_exactly_256_kib_passes():
    result, _ = run(machine({"P": {"Type": "Pass", "End": True}}), padded(PAYLOAD_LIMIT_BYTES))
    assert result.status == "SUCCEEDED"


def test_a_state_output_one_byte_over_256_kib_fails_with_data_limit_exceeded():
    state = {"Type": "Pass", "Result": "yy", "ResultPath": "$.t", "End": True}  # adds ,"t":"yy"
    result, events = run(machine({"Grow": state}), padded(PAYLOAD_LIMIT_BYTES - 8))
    assert (result.status, result.error) == ("FAILED", "States.DataLimitExceeded")
    assert result.cause == (
        "The state/task 'Grow' returned a result with a size exceeding the maximum number of bytes "
        "service limit."
    )
    assert "PassStateExited" not in types(events)


def test_data_limit_exceeded_is_not_caught_by_states_all():
    task = {
        "Type": "Task",
        "Resource": LAMBDA,
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
        "End": True,
    }
    resources = FakeResources(respond=lambda params: "x" * PAYLOAD_LIMIT_BYTES)
    result, events = run(machine({"T": task, "Caught": {"Type": "Succeed"}}), {}, resources)
    assert (result.status, result.error) == ("FAILED", "States.DataLimitExceeded")
    failed = next(e for e in events if e["type"] == "TaskFailed")["taskFailedEventDetails"]
    assert failed["error"] == "States.DataLimitExceeded"
    assert failed["cause"].startswith("The state/task 'lambda' returned a result with a size exceeding")


def test_an_execution_input_over_256_kib_fails_before_any_state():
    result, events = run(machine({"P": {"Type": "Pass", "End": True}}), padded(PAYLOAD_LIMIT_BYTES + 1))
    assert (result.status, result.error) == ("FAILED", "States.DataLimitExceeded")
    assert types(events) == ["ExecutionStarted", "ExecutionFailed"]
    assert events[0]["executionStartedEventDetails"]["inputDetails"] == {"truncated": True}


def test_a_50_mb_string_split_never_starts():
    definition = machine(
        {"P": {"Type": "Pass", "Parameters": {"v.$": "States.StringSplit($.s, ',')"}, "End": True}}
    )
    result, events = run(definition, {"s": "a," * 25_000_000})
    assert (result.status, result.error) == ("FAILED", "States.DataLimitExceeded")
    assert "PassStateEntered" not in types(events)


def test_parameters_that_copy_the_input_many_times_fail_before_the_copies_exist():
    parameters = {f"copy{i}.$": "$.s" for i in range(1000)}
    result, _ = run(
        machine({"P": {"Type": "Pass", "Parameters": parameters, "End": True}}), {"s": "x" * 100_000}
    )
    assert (result.status, result.error) == ("FAILED", "States.DataLimitExceeded")
    assert "Parameters of state 'P'" in result.cause


# -- 25,000 history events ----------------------------------------------------------------------
def assert_ended_by_the_history_quota(result, events):
    assert (result.status, result.error, result.cause) == ("FAILED", "States.Runtime", HISTORY_CAUSE)
    assert len(events) == HISTORY_EVENT_LIMIT
    assert [event["id"] for event in events] == list(range(1, HISTORY_EVENT_LIMIT + 1))
    last = events[-1]
    assert (last["type"], last["id"], last["previousEventId"]) == ("ExecutionFailed", 25_000, 24_999)
    assert last["executionFailedEventDetails"] == {"error": "States.Runtime", "cause": HISTORY_CAUSE}


@pytest.mark.timeout(120)
def test_an_endless_pass_loop_fails_at_25000_events_as_on_aws():
    result, events = run(machine({"Spin": {"Type": "Pass", "Next": "Spin"}}), {"spin": True})
    assert_ended_by_the_history_quota(result, events)


@pytest.mark.timeout(120)
def test_an_endless_choice_loop_fails_at_25000_events_as_on_aws():
    loop = {"Type": "Choice", "Choices": [{"Variable": "$.spin", "BooleanEquals": True, "Next": "Loop"}]}
    result, events = run(machine({"Loop": loop}), {"spin": True})
    assert_ended_by_the_history_quota(result, events)


@pytest.mark.timeout(120)
def test_endless_loops_in_concurrent_map_iterations_end_the_execution_too():
    processor = machine({"Spin": {"Type": "Pass", "Next": "Spin"}})
    definition = machine({"M": {"Type": "Map", "ItemProcessor": processor, "End": True}})
    result, events = run(definition, [1, 2, 3, 4])
    assert_ended_by_the_history_quota(result, events)


def test_a_history_already_started_by_the_caller_counts_its_first_event():
    events: list[dict] = []
    result = run_state_machine(
        machine({"P": {"Type": "Pass", "End": True}}),
        {},
        resources=FakeResources(),
        on_event=events.append,
        started_event_id=1,
    )
    assert result.status == "SUCCEEDED"
    assert types(events)[0] == "PassStateEntered"
    assert [(e["id"], e["previousEventId"]) for e in events[:2]] == [(2, 1), (3, 2)]


# -- Bounds that keep hostile definitions and values from crashing the engine --------------------
def nested_parallel(levels: int) -> dict:
    inner = {"StartAt": "P0", "States": {"P0": {"Type": "Pass", "Result": "deep", "End": True}}}
    for level in range(1, levels + 1):
        state = {"Type": "Parallel", "Branches": [inner], "End": True}
        inner = {"StartAt": f"P{level}", "States": {f"P{level}": state}}
    return inner


def test_parallel_nested_to_the_engines_depth_runs():
    levels = (DEFINITION_DEPTH_LIMIT - 3) // 4
    result, _ = run(nested_parallel(levels), {})
    expected = "deep"
    for _ in range(levels):
        expected = [expected]
    assert (result.status, result.output) == ("SUCCEEDED", expected)


def test_parallel_300_deep_as_json_text_is_a_definition_error():
    text = '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}'
    for level in range(300):
        state = f'{{"Type":"Parallel","Branches":[{text}],"End":true}}'
        text = f'{{"StartAt":"X{level}","States":{{"X{level}":{state}}}}}'
    with pytest.raises(DefinitionError, match="nests more than 200 levels deep"):
        run_state_machine(text, {}, resources=FakeResources())


def test_an_input_nested_thousands_of_levels_deep_fails_with_a_states_error():
    deep: object = 1
    for _ in range(5000):
        deep = [deep]
    result, _ = run(machine({"P": {"Type": "Pass", "End": True}}), {"deep": deep})
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert "nests more than 150 levels deep" in result.cause


def test_a_task_result_nested_thousands_of_levels_deep_fails_with_a_states_error():
    deep: object = 1
    for _ in range(5000):
        deep = {"d": deep}
    resources = FakeResources(respond=lambda params: deep)
    result, _ = run(machine({"T": {"Type": "Task", "Resource": LAMBDA, "End": True}}), {}, resources)
    assert (result.status, result.error) == ("FAILED", "States.Runtime")


def test_seconds_path_beyond_aws_bound_fails_with_states_runtime():
    wait = {"Type": "Wait", "SecondsPath": "$.s", "End": True}
    result, _ = run(machine({"W": wait}), {"s": 100_000_000_000})
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert "from 0 to 99999999" in result.cause


@pytest.mark.timeout(30)
def test_a_wait_until_year_9999_is_interruptible_and_overflows_nothing():
    cancel = threading.Event()

    def on_event(event):
        if event["type"] == "WaitStateEntered":
            cancel.set()

    wait = {"Type": "Wait", "TimestampPath": "$.when", "End": True}
    result = run_state_machine(
        machine({"W": wait}),
        {"when": "9999-12-31T23:59:59Z"},
        resources=FakeResources(),
        on_event=on_event,
        cancel=cancel,
    )
    assert result.status == "ABORTED"
    assert datetime(9999, 12, 31, tzinfo=UTC) > datetime.now(UTC)


def test_retry_backoff_over_99999999_attempts_is_capped_instead_of_overflowing():
    resources = FakeResources(failures=[fail("Flaky")] * 1100)
    retrier = {"ErrorEquals": ["Flaky"], "MaxAttempts": 99_999_999, "BackoffRate": 2.0}
    sleep = SleepRecorder()
    task = {"Type": "Task", "Resource": LAMBDA, "Retry": [retrier], "End": True}
    result, _ = run(machine({"T": task}), {}, resources, sleep=sleep)
    assert result.status == "SUCCEEDED"
    assert len(sleep.intervals) == 1100
    assert sleep.intervals[:3] == [1, 2, 4]
    assert max(sleep.intervals) == sleep.intervals[-1] == 31_622_401
