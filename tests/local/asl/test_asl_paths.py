"""InputPath, Parameters, ResultSelector, ResultPath, OutputPath and the context object."""

from __future__ import annotations

import pytest
from support.asl_support import LAMBDA, FakeResources, machine, run

from pipeline.local.asl.paths import MISSING, find


def pass_state(**fields):
    return machine({"P": {"Type": "Pass", "End": True, **fields}})


def test_input_path_selects_part_of_the_input():
    result, _ = run(pass_state(InputPath="$.order"), {"order": {"id": 7}, "other": 1})
    assert result.output == {"id": 7}


def test_null_input_path_gives_an_empty_object():
    result, _ = run(pass_state(InputPath=None), {"a": 1})
    assert result.output == {}


def test_parameters_copy_static_values_and_fill_dollar_keys():
    parameters = {"fixed": "x", "nested": {"id.$": "$.order.id"}, "list": [{"n.$": "$.n"}]}
    result, _ = run(pass_state(Parameters=parameters), {"order": {"id": 7}, "n": 2})
    assert result.output == {"fixed": "x", "nested": {"id": 7}, "list": [{"n": 2}]}


def test_bracket_paths_read_keys_with_spaces():
    result, _ = run(pass_state(Parameters={"v.$": "$['Job Name']"}), {"Job Name": "j1"})
    assert result.output == {"v": "j1"}


def test_context_object_gives_execution_input_and_names():
    context = {"Execution": {"Name": "run-1"}, "StateMachine": {"Name": "rfm"}}
    parameters = {
        "job.$": "$$.Execution.Input['JobName']",
        "execution.$": "$$.Execution.Name",
        "machine.$": "$$.StateMachine.Name",
        "state.$": "$$.State.Name",
    }
    result, _ = run(pass_state(Parameters=parameters), {"JobName": "job-9"}, context=context)
    assert result.output == {"job": "job-9", "execution": "run-1", "machine": "rfm", "state": "P"}


def test_a_path_that_matches_nothing_fails_with_states_runtime_worded_like_aws():
    result, _ = run(pass_state(Parameters={"y.$": "$.x"}), {"a": 1})
    assert result.status == "FAILED"
    assert result.error == "States.Runtime"
    assert "The JSONPath '$.x' specified for the field 'y.$' could not be found in the input '{\"a\":1}'" in (
        result.cause
    )
    assert "An error occurred while executing the state 'P'" in result.cause


def test_wildcard_and_filter_paths_give_lists():
    data = {"items": [{"n": 1, "ok": True}, {"n": 2, "ok": False}, {"n": 3, "ok": True}]}
    parameters = {"all.$": "$.items[*].n", "big.$": "$.items[?(@.n > 1)].n"}
    result, _ = run(pass_state(Parameters=parameters), data)
    assert result.output == {"all": [1, 2, 3], "big": [2, 3]}


def test_result_path_puts_the_result_inside_the_input_creating_parents():
    result, _ = run(pass_state(Result={"k": 1}, ResultPath="$.out.result"), {"a": 1})
    assert result.output == {"a": 1, "out": {"result": {"k": 1}}}


def test_result_path_null_keeps_the_input_unchanged():
    result, _ = run(pass_state(Result={"k": 1}, ResultPath=None), {"a": 1})
    assert result.output == {"a": 1}


def test_result_path_into_a_non_object_input_fails_with_states_runtime():
    result, _ = run(pass_state(Result=1, ResultPath="$.r"), [1, 2])
    assert (result.status, result.error) == ("FAILED", "States.Runtime")


def test_output_path_selects_the_output_and_null_gives_empty_object():
    selected, _ = run(pass_state(Result={"k": 1}, ResultPath="$.r", OutputPath="$.r.k"), {"a": 1})
    emptied, _ = run(pass_state(OutputPath=None), {"a": 1})
    assert (selected.output, emptied.output) == (1, {})


def test_task_filters_apply_in_aws_order():
    task = {
        "Type": "Task",
        "Resource": LAMBDA,
        "InputPath": "$.payload",
        "Parameters": {"Payload.$": "$"},
        "ResultSelector": {"body.$": "$.Payload.v"},
        "ResultPath": "$.result",
        "OutputPath": "$.result",
        "End": True,
    }
    resources = FakeResources(respond=lambda params: {"Payload": params["Payload"], "StatusCode": 200})
    result, _ = run(machine({"T": task}), {"payload": {"v": 5}, "keep": 1}, resources)
    assert resources.calls[0].parameters == {"Payload": {"v": 5}}
    assert result.output == {"body": 5}


def test_find_distinguishes_null_from_missing():
    assert find({"a": None}, "$.a") is None
    assert find({"a": None}, "$.b") is MISSING


@pytest.mark.parametrize("path", ["a.b", "$.a[", ""])
def test_invalid_paths_are_rejected(path):
    with pytest.raises(ValueError):
        find({}, path)
