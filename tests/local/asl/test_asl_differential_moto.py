"""Differential tests: our interpreter against moto's own ASL interpreter, used as an oracle.

moto (with ``execute_state_machine`` on) runs the LocalStack interpreter in a background
thread. For machines without service tasks both engines must give the same status, the
same output, and the same error for failures.
"""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from pipeline.local.asl.interpreter import run_state_machine
from pipeline.local.client import wait_for_status

ROLE = "arn:aws:iam::123456789012:role/sfn"
DEADLINE_SECONDS = 30


def end(state: dict) -> dict:
    return {**state, "End": True}


def single(state: dict) -> dict:
    return {"StartAt": "S", "States": {"S": end(state)}}


PROCESSOR = {
    "StartAt": "X",
    "States": {"X": end({"Type": "Pass", "Parameters": {"v.$": "$.value", "i.$": "$.index"}})},
}

CASES = {
    "pass_parameters_result_path": (
        single(
            {
                "Type": "Pass",
                "Parameters": {"id.$": "$.order.id", "fixed": [1, {"k": "v"}]},
                "ResultPath": "$.out",
            }
        ),
        {"order": {"id": 7, "lines": [1, 2]}},
    ),
    "pass_result_output_path": (
        single({"Type": "Pass", "Result": {"a": {"b": 1}}, "ResultPath": "$.r", "OutputPath": "$.r.a"}),
        {"x": 1},
    ),
    "pass_input_path_result_path_null": (
        single({"Type": "Pass", "InputPath": "$.inner", "Result": 5, "ResultPath": None}),
        {"inner": {"keep": True}},
    ),
    "intrinsics": (
        single(
            {
                "Type": "Pass",
                "Parameters": {
                    "greeting.$": "States.Format('Hi {} #{}', $.name, $.n)",
                    "parsed.$": "States.StringToJson($.text)",
                    "text.$": "States.JsonToString($.obj)",
                    "array.$": "States.Array($.n, 'x', $.obj)",
                    "length.$": "States.ArrayLength($.list)",
                    "sum.$": "States.MathAdd($.n, 5)",
                    "contains.$": "States.ArrayContains($.list, 2)",
                },
            }
        ),
        {"name": "Ana", "n": 3, "text": '{"a": [1, 2]}', "obj": {"k": [1, "two"]}, "list": [1, 2, 3]},
    ),
    "intrinsics_round_non_integers": (
        single(
            {
                "Type": "Pass",
                "Parameters": {
                    "sum.$": "States.MathAdd($.half, 1)",
                    "negative.$": "States.MathAdd($.minus_half, 0)",
                    "range.$": "States.ArrayRange($.low, $.high, $.step)",
                    "chunks.$": "States.ArrayPartition($.items, $.size)",
                },
            }
        ),
        {
            "half": 1.5,
            "minus_half": -1.5,
            "low": 0.4,
            "high": 3.6,
            "step": 1.2,
            "items": [1, 2, 3, 4, 5],
            "size": 1.6,
        },
    ),
    "context_object": (
        single(
            {
                "Type": "Pass",
                "Parameters": {"job.$": "$$.Execution.Input.JobName", "state.$": "$$.State.Name"},
            }
        ),
        {"JobName": "job-1"},
    ),
    "choice_strings_and_numbers": (
        {
            "StartAt": "C",
            "States": {
                "C": {
                    "Type": "Choice",
                    "Choices": [
                        {
                            "And": [
                                {"Variable": "$.s", "StringGreaterThanEquals": "b"},
                                {"Variable": "$.n", "NumericLessThanPath": "$.limit"},
                            ],
                            "Next": "Yes",
                        }
                    ],
                    "Default": "No",
                },
                "Yes": end({"Type": "Pass", "Result": {"took": "yes"}}),
                "No": end({"Type": "Pass", "Result": {"took": "no"}}),
            },
        },
        {"s": "c", "n": 2, "limit": 3},
    ),
    "choice_type_tests_and_not": (
        {
            "StartAt": "C",
            "States": {
                "C": {
                    "Type": "Choice",
                    "Choices": [
                        {
                            "Or": [
                                {"Not": {"Variable": "$.maybe", "IsPresent": True}},
                                {"Variable": "$.maybe", "IsNull": True},
                            ],
                            "Next": "Absent",
                        },
                        {"Variable": "$.flag", "BooleanEquals": True, "Next": "Flag"},
                    ],
                    "Default": "Absent",
                },
                "Absent": end({"Type": "Pass", "Result": {"took": "absent"}}),
                "Flag": end({"Type": "Pass", "Result": {"took": "flag"}}),
            },
        },
        {"maybe": 1, "flag": True},
    ),
    "choice_timestamps_and_matches": (
        {
            "StartAt": "C",
            "States": {
                "C": {
                    "Type": "Choice",
                    "Choices": [
                        {
                            "And": [
                                {"Variable": "$.when", "TimestampGreaterThan": "2024-01-01T00:00:00Z"},
                                {"Variable": "$.file", "StringMatches": "data-*.csv"},
                                {"Variable": "$.when", "IsTimestamp": True},
                            ],
                            "Next": "Yes",
                        }
                    ],
                    "Default": "No",
                },
                "Yes": end({"Type": "Pass", "Result": {"took": "yes"}}),
                "No": end({"Type": "Pass", "Result": {"took": "no"}}),
            },
        },
        {"when": "2024-06-01T12:00:00Z", "file": "data-2024.csv"},
    ),
    "map_item_selector": (
        single(
            {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemSelector": {"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
                "ItemProcessor": PROCESSOR,
                "MaxConcurrency": 2,
                "ResultPath": "$.mapped",
            }
        ),
        {"items": ["a", "b", "c"]},
    ),
    "map_max_concurrency_path": (
        single(
            {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemSelector": {"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
                "ItemProcessor": PROCESSOR,
                "MaxConcurrencyPath": "$.limit",
            }
        ),
        {"items": ["a", "b", "c"], "limit": 2},
    ),
    "map_max_concurrency_path_not_a_number": (
        single(
            {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": PROCESSOR,
                "MaxConcurrencyPath": "$.limit",
            }
        ),
        {"items": [{"value": 1, "index": 0}], "limit": "two"},
    ),
    "map_item_selector_formats_names": (
        single(
            {
                "Type": "Map",
                "ItemsPath": "$.ks",
                "Parameters": {
                    "k.$": "$$.Map.Item.Value",
                    "K.$": "States.Format('{}', $$.Map.Item.Value)",
                    "job.$": "States.Format('{}{}', $.prefix, $$.Map.Item.Value)",
                },
                "Iterator": {"StartAt": "Y", "States": {"Y": end({"Type": "Pass"})}},
            }
        ),
        {"ks": [2, 3, 10], "prefix": "run-k"},
    ),
    "parallel_result_selector": (
        single(
            {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "A", "States": {"A": end({"Type": "Pass", "Result": {"a": 1}})}},
                    {"StartAt": "B", "States": {"B": end({"Type": "Pass", "InputPath": "$.x"})}},
                ],
                "ResultSelector": {"first.$": "$[0]", "all.$": "$"},
            }
        ),
        {"x": {"y": 2}},
    ),
    "fail_with_error_and_cause": (
        {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Custom.Error", "Cause": "it broke"}}},
        {},
    ),
    "parallel_branch_failure": (
        single(
            {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "A", "States": {"A": end({"Type": "Pass"})}},
                    {
                        "StartAt": "F",
                        "States": {"F": {"Type": "Fail", "Error": "Branch.Failed", "Cause": "b"}},
                    },
                ],
            }
        ),
        {},
    ),
    "parallel_failure_caught": (
        {
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Parallel",
                    "Branches": [
                        {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E1", "Cause": "c1"}}}
                    ],
                    "Catch": [{"ErrorEquals": ["E1"], "ResultPath": "$.err", "Next": "Done"}],
                    "End": True,
                },
                "Done": end({"Type": "Pass"}),
            },
        },
        {"keep": 1},
    ),
    "wait_zero_then_succeed": (
        {
            "StartAt": "W",
            "States": {
                "W": {"Type": "Wait", "Seconds": 0, "Next": "S"},
                "S": {"Type": "Succeed", "OutputPath": "$.a"},
            },
        },
        {"a": [1, 2]},
    ),
    "missing_path_runtime_error": (single({"Type": "Pass", "Parameters": {"x.$": "$.missing"}}), {"a": 1}),
}


def run_on_moto(client, name: str, definition: dict, execution_input) -> dict:
    machine_arn = client.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)[
        "stateMachineArn"
    ]
    execution_arn = client.start_execution(
        stateMachineArn=machine_arn, name=f"{name}-run", input=json.dumps(execution_input)
    )["executionArn"]
    # moto has no completion callback: poll describe_execution against a wall-clock deadline
    return wait_for_status(client, execution_arn, DEADLINE_SECONDS, poll_seconds=0.02)


@pytest.fixture
def moto_client():
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield boto3.client("stepfunctions", region_name="us-east-1")


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_status_output_and_error_as_moto(case, moto_client):
    definition, execution_input = CASES[case]
    oracle = run_on_moto(moto_client, case.replace("_", "-"), definition, execution_input)
    ours = run_state_machine(definition, execution_input, resources=None)
    assert ours.status == oracle["status"]
    if oracle["status"] == "SUCCEEDED":
        assert ours.output == json.loads(oracle["output"])
    else:
        assert ours.error == oracle.get("error")
        if case != "missing_path_runtime_error":  # both say States.Runtime; the wording differs
            assert ours.cause == oracle.get("cause")


# A sweep-shaped Map: each iteration catches its own failure and records it; MaxConcurrency 1
# makes both engines run the iterations in the same order, so their Map events can be compared.
CAUGHT_IN_ITERATION = single(
    {
        "Type": "Map",
        "ItemsPath": "$.ks",
        "MaxConcurrency": 1,
        "ItemProcessor": {
            "StartAt": "Try",
            "States": {
                "Try": {
                    "Type": "Parallel",
                    "Branches": [
                        {
                            "StartAt": "Check",
                            "States": {
                                "Check": {
                                    "Type": "Choice",
                                    "Choices": [
                                        {"Variable": "$.k", "NumericGreaterThan": 3, "Next": "TooBig"}
                                    ],
                                    "Default": "Fit",
                                },
                                "TooBig": {"Type": "Fail", "Error": "K.TooBig", "Cause": "more ks than rows"},
                                "Fit": end({"Type": "Pass"}),
                            },
                        }
                    ],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Marked"}],
                    "ResultPath": None,
                    "Next": "Scored",
                },
                "Scored": end({"Type": "Pass", "Parameters": {"k.$": "$.k", "status": "SUCCEEDED"}}),
                "Marked": end(
                    {
                        "Type": "Pass",
                        "Parameters": {"k.$": "$.k", "status": "FAILED", "error.$": "$.error.Error"},
                    }
                ),
            },
        },
    }
)


KS_INPUT = {"ks": [{"k": 2}, {"k": 3}, {"k": 4}, {"k": 5}]}


def map_events(events: list[dict]) -> list[tuple[str, dict]]:
    """The Map events of a history, in order, with their details."""
    return [
        (event["type"], next((v for k, v in event.items() if k.endswith("EventDetails")), {}))
        for event in sorted(events, key=lambda event: event["id"])
        if event["type"].startswith("Map") and event["type"] not in ("MapStateEntered", "MapStateExited")
    ]


def test_a_map_whose_iterations_catch_their_failures_records_the_same_map_events_as_moto(moto_client):
    oracle = run_on_moto(moto_client, "caught-in-iteration", CAUGHT_IN_ITERATION, KS_INPUT)
    oracle_events = moto_client.get_execution_history(executionArn=oracle["executionArn"], maxResults=1000)[
        "events"
    ]
    ours_events: list[dict] = []
    ours = run_state_machine(CAUGHT_IN_ITERATION, KS_INPUT, resources=None, on_event=ours_events.append)

    assert ours.status == oracle["status"] == "SUCCEEDED"
    assert ours.output == json.loads(oracle["output"])
    assert ours.output[1] == {"k": 3, "status": "SUCCEEDED"}
    assert ours.output[2] == {"k": 4, "status": "FAILED", "error": "K.TooBig"}
    assert map_events(ours_events) == map_events(oracle_events)
    assert map_events(ours_events)[0] == ("MapStateStarted", {"length": 4})
    assert [kind for kind, _ in map_events(ours_events)].count("MapIterationSucceeded") == 4
