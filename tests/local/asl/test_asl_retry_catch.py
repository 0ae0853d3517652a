"""Retry (intervals, backoff, caps, error matching) and Catch (routing, ResultPath)."""

from __future__ import annotations

import pytest
from support.asl_support import LAMBDA, FakeResources, SleepRecorder, fail, machine, run, types


def task(**fields) -> dict:
    return {"Type": "Task", "Resource": LAMBDA, "End": True, **fields}


def caught_by(error_equals: list[str], **catcher) -> dict:
    return machine(
        {
            "T": task(Catch=[{"ErrorEquals": error_equals, "Next": "Handled", **catcher}]),
            "Handled": {"Type": "Pass", "End": True},
        }
    )


def test_a_failing_handler_is_retried_with_the_configured_backoff_then_succeeds():
    resources = FakeResources(failures=[fail("Lambda.ServiceException")] * 3, respond=lambda p: "ok")
    sleep = SleepRecorder()
    retry = [
        {"ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 3}
    ]
    result, _ = run(machine({"T": task(Retry=retry)}), {}, resources, sleep=sleep)
    assert (result.status, result.output) == ("SUCCEEDED", "ok")
    assert sleep.intervals == [2, 6, 18]
    assert len(resources.calls) == 4


def test_retry_defaults_are_one_second_three_attempts_backoff_two():
    resources = FakeResources(failures=[fail("E")] * 10)
    sleep = SleepRecorder()
    result, _ = run(machine({"T": task(Retry=[{"ErrorEquals": ["E"]}])}), {}, resources, sleep=sleep)
    assert (result.status, result.error) == ("FAILED", "E")
    assert sleep.intervals == [1, 2, 4]
    assert len(resources.calls) == 4


def test_retries_exhausted_then_the_error_is_caught():
    resources = FakeResources(failures=[fail("E", "boom")] * 10)
    sleep = SleepRecorder()
    definition = machine(
        {
            "T": task(
                Retry=[{"ErrorEquals": ["E"], "MaxAttempts": 2, "IntervalSeconds": 1}],
                Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Handled"}],
            ),
            "Handled": {"Type": "Pass", "End": True},
        }
    )
    result, events = run(definition, {"in": 1}, resources, sleep=sleep)
    assert result.output == {"in": 1, "error": {"Error": "E", "Cause": "boom"}}
    assert (len(resources.calls), sleep.intervals) == (3, [1, 2])
    assert types(events).count("TaskFailed") == 3


def test_max_attempts_zero_never_retries():
    resources = FakeResources(failures=[fail("E")] * 2)
    result, _ = run(machine({"T": task(Retry=[{"ErrorEquals": ["E"], "MaxAttempts": 0}])}), {}, resources)
    assert (result.error, len(resources.calls)) == ("E", 1)


def test_max_delay_seconds_caps_the_backoff():
    resources = FakeResources(failures=[fail("E")] * 4)
    sleep = SleepRecorder()
    retry = [
        {
            "ErrorEquals": ["E"],
            "IntervalSeconds": 3,
            "MaxAttempts": 4,
            "BackoffRate": 4,
            "MaxDelaySeconds": 20,
        }
    ]
    run(machine({"T": task(Retry=retry)}), {}, resources, sleep=sleep)
    assert sleep.intervals == [3, 12, 20, 20]


def test_full_jitter_waits_at_most_the_backoff_interval():
    resources = FakeResources(failures=[fail("E")] * 3)
    sleep = SleepRecorder()
    retry = [{"ErrorEquals": ["E"], "IntervalSeconds": 4, "JitterStrategy": "FULL"}]
    run(machine({"T": task(Retry=retry)}), {}, resources, sleep=sleep)
    assert [0 <= got <= cap for got, cap in zip(sleep.intervals, [4, 8, 16], strict=True)] == [True] * 3


def test_each_retrier_counts_its_own_attempts():
    resources = FakeResources(failures=[fail("A"), fail("B"), fail("A"), fail("B")])
    sleep = SleepRecorder()
    retry = [
        {"ErrorEquals": ["A"], "IntervalSeconds": 1, "MaxAttempts": 2},
        {"ErrorEquals": ["B"], "IntervalSeconds": 10, "MaxAttempts": 2},
    ]
    result, _ = run(machine({"T": task(Retry=retry)}), {}, resources, sleep=sleep)
    assert result.status == "SUCCEEDED"
    assert sleep.intervals == [1, 10, 2, 20]


def test_retry_count_is_visible_in_the_context_object():
    resources = FakeResources(failures=[fail("E")] * 2)
    definition = machine(
        {"T": task(Parameters={"n.$": "$$.State.RetryCount"}, Retry=[{"ErrorEquals": ["E"]}])}
    )
    run(definition, {}, resources)
    assert [call.parameters["n"] for call in resources.calls] == [0, 1, 2]


def test_task_failed_matches_task_errors_but_not_timeouts():
    matched, _ = run(caught_by(["States.TaskFailed"]), {}, FakeResources(failures=[fail("Custom.Error")]))
    timeout, _ = run(caught_by(["States.TaskFailed"]), {}, FakeResources(failures=[fail("States.Timeout")]))
    assert matched.status == "SUCCEEDED"
    assert (timeout.status, timeout.error) == ("FAILED", "States.Timeout")


def test_states_all_catches_timeouts():
    result, _ = run(caught_by(["States.ALL"]), {}, FakeResources(failures=[fail("States.Timeout", "slow")]))
    assert result.output == {"Error": "States.Timeout", "Cause": "slow"}


def test_states_runtime_is_neither_retried_nor_caught_by_states_all():
    definition = machine(
        {
            "T": task(
                Parameters={"x.$": "$.missing"},
                Retry=[{"ErrorEquals": ["States.ALL"]}],
                Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Handled"}],
            ),
            "Handled": {"Type": "Pass", "End": True},
        }
    )
    resources = FakeResources()
    result, _ = run(definition, {}, resources)
    assert (result.status, result.error, resources.calls) == ("FAILED", "States.Runtime", [])


def test_only_the_first_matching_catcher_applies():
    definition = machine(
        {
            "T": task(
                Catch=[
                    {"ErrorEquals": ["Other"], "Next": "Wrong"},
                    {"ErrorEquals": ["E"], "Next": "Right"},
                    {"ErrorEquals": ["States.ALL"], "Next": "Wrong"},
                ]
            ),
            "Wrong": {"Type": "Pass", "Result": "wrong", "End": True},
            "Right": {"Type": "Pass", "Result": "right", "End": True},
        }
    )
    assert run(definition, {}, FakeResources(failures=[fail("E")]))[0].output == "right"


def test_catch_result_path_null_keeps_the_input():
    result, _ = run(caught_by(["States.ALL"], ResultPath=None), {"a": 1}, FakeResources(failures=[fail("E")]))
    assert result.output == {"a": 1}


def test_an_uncaught_error_fails_the_execution_with_error_and_cause():
    result, events = run(machine({"T": task()}), {}, FakeResources(failures=[fail("Lambda.Unknown", "why")]))
    assert (result.status, result.error, result.cause) == ("FAILED", "Lambda.Unknown", "why")
    assert events[-1]["executionFailedEventDetails"] == {"error": "Lambda.Unknown", "cause": "why"}


@pytest.mark.parametrize("kind", ["Parallel", "Map"])
def test_parallel_and_map_states_retry_and_catch_their_branch_errors(kind):
    inner = machine({"T": task(Retry=[{"ErrorEquals": ["E"], "MaxAttempts": 0}])})
    state = {"Type": kind, "End": True}
    state.update(
        {"Branches": [inner]} if kind == "Parallel" else {"ItemProcessor": inner, "ItemsPath": "$.xs"}
    )
    state["Retry"] = [{"ErrorEquals": ["E"], "MaxAttempts": 1}]
    state["Catch"] = [{"ErrorEquals": ["E"], "Next": "Handled", "ResultPath": "$.caught"}]
    state.pop("End")
    state["Next"] = "Done"
    definition = machine(
        {"S": state, "Done": {"Type": "Pass", "End": True}, "Handled": {"Type": "Pass", "End": True}}
    )
    resources = FakeResources(failures=[fail("E", "first"), fail("E", "second")])
    sleep = SleepRecorder()
    result, _ = run(definition, {"xs": [1]}, resources, sleep=sleep)
    assert result.output == {"xs": [1], "caught": {"Error": "E", "Cause": "second"}}
    assert (len(resources.calls), sleep.intervals) == (2, [1])
