"""History events: get_execution_history shape, ids, previousEventId, details keyed like AWS."""

from __future__ import annotations

import json
from datetime import UTC, timedelta

from support.asl_support import LAMBDA, FakeResources, fail, machine, run, types

TRAINING = "arn:aws:states:::sagemaker:createTrainingJob.sync"


def by_type(events: list[dict], event_type: str) -> list[dict]:
    return [event for event in events if event["type"] == event_type]


def test_ids_increase_from_one_and_timestamps_are_utc_aware():
    _, events = run(machine({"P": {"Type": "Pass", "Next": "S"}, "S": {"Type": "Succeed"}}))
    assert [event["id"] for event in events] == list(range(1, len(events) + 1))
    assert all(event["timestamp"].utcoffset() == timedelta(0) for event in events)
    assert events[0]["timestamp"].tzinfo is not None and events[0]["timestamp"].tzinfo == UTC


def test_a_sequential_run_chains_previous_event_ids():
    _, events = run(machine({"P": {"Type": "Pass", "Next": "S"}, "S": {"Type": "Succeed"}}), {"a": 1})
    assert types(events) == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "SucceedStateEntered",
        "SucceedStateExited",
        "ExecutionSucceeded",
    ]
    assert [event["previousEventId"] for event in events] == [0, 1, 2, 3, 4, 5]


def test_inputs_and_outputs_are_json_strings_in_aws_detail_keys():
    context = {"Execution": {"RoleArn": "arn:aws:iam::1:role/r"}}
    _, events = run(
        machine({"P": {"Type": "Pass", "Result": {"r": 1}, "End": True}}), {"a": 1}, context=context
    )
    started, entered, exited, succeeded = events
    assert started["executionStartedEventDetails"] == {
        "input": '{"a":1}',
        "inputDetails": {"truncated": False},
        "roleArn": "arn:aws:iam::1:role/r",
    }
    assert entered["stateEnteredEventDetails"] == {
        "name": "P",
        "input": '{"a":1}',
        "inputDetails": {"truncated": False},
    }
    assert exited["stateExitedEventDetails"]["output"] == '{"r":1}'
    assert json.loads(succeeded["executionSucceededEventDetails"]["output"]) == {"r": 1}


def test_lambda_task_events_name_resource_type_lambda_and_resource_invoke():
    task = {
        "Type": "Task",
        "Resource": LAMBDA,
        "Parameters": {"FunctionName": "f"},
        "TimeoutSeconds": 9,
        "End": True,
    }
    context = {"Execution": {"Id": "arn:aws:states:eu-west-1:123:execution:m:e"}}
    _, events = run(
        machine({"T": task}), {}, FakeResources(respond=lambda p: {"StatusCode": 200}), context=context
    )
    assert types(events)[1:6] == [
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
    ]
    assert by_type(events, "TaskScheduled")[0]["taskScheduledEventDetails"] == {
        "resourceType": "lambda",
        "resource": "invoke",
        "region": "eu-west-1",
        "parameters": '{"FunctionName":"f"}',
        "timeoutInSeconds": 9,
    }
    assert by_type(events, "TaskStarted")[0]["taskStartedEventDetails"] == {
        "resourceType": "lambda",
        "resource": "invoke",
    }
    succeeded = by_type(events, "TaskSucceeded")[0]["taskSucceededEventDetails"]
    assert (succeeded["resourceType"], succeeded["resource"], succeeded["output"]) == (
        "lambda",
        "invoke",
        '{"StatusCode":200}',
    )


def test_sagemaker_task_events_name_the_service_and_the_sync_action():
    _, events = run(machine({"T": {"Type": "Task", "Resource": TRAINING, "End": True}}))
    details = by_type(events, "TaskScheduled")[0]["taskScheduledEventDetails"]
    assert (details["resourceType"], details["resource"]) == ("sagemaker", "createTrainingJob.sync")


def test_task_failed_and_execution_failed_carry_error_and_cause():
    resources = FakeResources(failures=[fail("ValueError", '{"errorMessage": "bad"}')])
    _, events = run(machine({"T": {"Type": "Task", "Resource": LAMBDA, "End": True}}), {}, resources)
    assert by_type(events, "TaskFailed")[0]["taskFailedEventDetails"] == {
        "resourceType": "lambda",
        "resource": "invoke",
        "error": "ValueError",
        "cause": '{"errorMessage": "bad"}',
    }
    assert events[-1]["executionFailedEventDetails"] == {
        "error": "ValueError",
        "cause": '{"errorMessage": "bad"}',
    }


def test_map_events_give_length_and_iteration_indexes_each_thread_starting_at_map_started():
    processor = machine({"X": {"Type": "Pass", "End": True}})
    definition = machine({"M": {"Type": "Map", "ItemProcessor": processor, "MaxConcurrency": 1, "End": True}})
    _, events = run(definition, ["a", "b"])
    started = by_type(events, "MapStateStarted")[0]
    assert started["mapStateStartedEventDetails"] == {"length": 2}
    iterations = by_type(events, "MapIterationStarted")
    assert [event["mapIterationStartedEventDetails"] for event in iterations] == [
        {"name": "M", "index": 0},
        {"name": "M", "index": 1},
    ]
    assert all(event["previousEventId"] == started["id"] for event in iterations)
    succeeded = by_type(events, "MapIterationSucceeded")
    assert [event["mapIterationSucceededEventDetails"]["index"] for event in succeeded] == [0, 1]
    assert types(events)[-3:] == ["MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]


def test_parallel_branch_events_follow_parallel_state_started():
    branches = [machine({n: {"Type": "Pass", "End": True}}) for n in ("A", "B")]
    _, events = run(machine({"P": {"Type": "Parallel", "Branches": branches, "End": True}}))
    started = by_type(events, "ParallelStateStarted")[0]
    branch_entries = [e for e in events if e["type"] == "PassStateEntered"]
    assert all(event["previousEventId"] == started["id"] for event in branch_entries)
    assert "ParallelStateSucceeded" in types(events)


def test_choice_and_wait_states_record_entered_and_exited():
    states = {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.go", "BooleanEquals": True, "Next": "W"}]},
        "W": {"Type": "Wait", "Seconds": 1, "End": True},
    }
    _, events = run(machine(states), {"go": True})
    assert types(events)[1:5] == [
        "ChoiceStateEntered",
        "ChoiceStateExited",
        "WaitStateEntered",
        "WaitStateExited",
    ]


def test_a_caught_task_exits_with_the_catcher_output_before_the_handler_runs():
    definition = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "H"}],
                "End": True,
            },
            "H": {"Type": "Pass", "End": True},
        }
    )
    _, events = run(definition, {}, FakeResources(failures=[fail("E", "c")]))
    assert types(events)[1:7] == [
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskFailed",
        "TaskStateExited",
        "PassStateEntered",
    ]
    assert json.loads(events[5]["stateExitedEventDetails"]["output"]) == {"Error": "E", "Cause": "c"}
