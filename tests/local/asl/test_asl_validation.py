"""Definitions are checked before they run; every problem is listed, naming its state."""

from __future__ import annotations

import pytest
from stepfunctions import steps

from pipeline.local.asl.errors import DefinitionError
from pipeline.local.asl.interpreter import run_state_machine
from pipeline.local.asl.validation import validate_definition


def problems_of(definition) -> list[str]:
    with pytest.raises(DefinitionError) as raised:
        validate_definition(definition)
    return raised.value.problems


def one_problem(definition) -> str:
    problems = problems_of(definition)
    assert len(problems) == 1, problems
    return problems[0]


def test_a_valid_definition_passes():
    validate_definition({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})


def test_missing_start_at_and_states_are_both_reported():
    problems = problems_of({})
    assert any("StartAt is missing" in p for p in problems)
    assert any("States is missing" in p for p in problems)


def test_start_at_naming_an_unknown_state():
    assert "StartAt names the state 'Nope'" in one_problem(
        {"StartAt": "Nope", "States": {"P": {"Type": "Pass", "End": True}}}
    )


def test_next_naming_an_unknown_state():
    problem = one_problem({"StartAt": "P", "States": {"P": {"Type": "Pass", "Next": "Gone"}}})
    assert "State 'P'" in problem and "'Gone'" in problem


def test_a_state_without_next_or_end():
    assert "neither Next nor End" in one_problem({"StartAt": "P", "States": {"P": {"Type": "Pass"}}})


def test_a_terminal_state_with_next_is_rejected():
    definition = {"StartAt": "S", "States": {"S": {"Type": "Succeed", "Next": "S"}}}
    assert "a Succeed state does not take the field 'Next'" in one_problem(definition)


def test_choice_without_choices():
    definition = {"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": []}}}
    assert "Choice without Choices" in one_problem(definition)


def test_choice_rule_without_an_operator_and_default_to_unknown_state():
    definition = {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "Next": "S"}], "Default": "Missing"},
            "S": {"Type": "Succeed"},
        },
    }
    problems = problems_of(definition)
    assert any("exactly one comparison operator" in p for p in problems)
    assert any("Default names the state 'Missing'" in p for p in problems)


def test_a_path_comparison_whose_value_is_not_a_path_is_rejected():
    rule = {"Variable": "$.a", "NumericGreaterThanEqualsPath": "threshold", "Next": "End"}
    choice = {"Type": "Choice", "Choices": [rule]}
    problem = one_problem({"StartAt": "C", "States": {"C": choice, "End": {"Type": "Succeed"}}})
    assert "State 'C'" in problem and "NumericGreaterThanEqualsPath" in problem and "'threshold'" in problem


def test_unknown_state_type():
    assert "unknown Type 'Paus'" in one_problem(
        {"StartAt": "P", "States": {"P": {"Type": "Paus", "End": True}}}
    )


def test_problems_inside_parallel_branches_and_map_processors_are_found():
    broken = {"StartAt": "X", "States": {"X": {"Type": "Pass"}}}
    definition = {
        "StartAt": "P",
        "States": {
            "P": {"Type": "Parallel", "Branches": [broken], "Next": "M"},
            "M": {"Type": "Map", "ItemProcessor": broken, "End": True},
        },
    }
    problems = problems_of(definition)
    assert any(p.startswith("State 'P' branch 1: State 'X'") for p in problems)
    assert any(p.startswith("State 'M' ItemProcessor: State 'X'") for p in problems)


@pytest.mark.parametrize(
    ("retrier", "message"),
    [
        ({"ErrorEquals": []}, "ErrorEquals must be a non-empty list"),
        ({"ErrorEquals": ["E"], "MaxAttempts": -1}, "MaxAttempts"),
        ({"ErrorEquals": ["E"], "IntervalSeconds": 0}, "IntervalSeconds"),
        ({"ErrorEquals": ["E"], "BackoffRate": 0.5}, "BackoffRate"),
        ({"ErrorEquals": ["E"], "JitterStrategy": "SOME"}, "JitterStrategy"),
    ],
)
def test_bad_retry_fields(retrier, message):
    definition = {
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Resource": "r", "Retry": [retrier], "End": True}},
    }
    assert message in one_problem(definition)


def test_states_all_must_be_alone_and_last():
    catch = [{"ErrorEquals": ["States.ALL"], "Next": "H"}, {"ErrorEquals": ["E"], "Next": "H"}]
    definition = {
        "StartAt": "T",
        "States": {
            "T": {"Type": "Task", "Resource": "r", "Catch": catch, "End": True},
            "H": {"Type": "Succeed"},
        },
    }
    assert "States.ALL must appear alone and in the last" in one_problem(definition)


def test_catch_to_an_unknown_state_and_retry_on_a_pass_state():
    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "r",
                "Catch": [{"ErrorEquals": ["E"], "Next": "Nowhere"}],
                "Next": "P",
            },
            "P": {"Type": "Pass", "Retry": [{"ErrorEquals": ["E"]}], "End": True},
        },
    }
    problems = problems_of(definition)
    assert any("catcher 1 Next names the state 'Nowhere'" in p for p in problems)
    assert any("Retry and Catch are allowed only" in p for p in problems)


def test_wait_needs_exactly_one_duration_field():
    definition = {
        "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": True}},
    }
    assert "exactly one of Seconds" in one_problem(definition)


def test_bad_paths_and_intrinsics_in_parameters():
    parameters = {"a.$": "not-a-path", "b.$": "States.Format('x'"}
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": parameters, "End": True}}}
    problems = problems_of(definition)
    assert len(problems) == 2
    path_problem, intrinsic_problem = sorted(problems)
    assert "State 'P'" in path_problem and "'a.$'" in path_problem and "'not-a-path'" in path_problem
    assert "State 'P'" in intrinsic_problem and "'b.$'" in intrinsic_problem


def test_unreachable_states_are_reported():
    definition = {"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "Lonely": {"Type": "Succeed"}}}
    assert "State 'Lonely' is not reachable" in one_problem(definition)


def test_every_problem_is_listed_in_one_error_message():
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass"}, "B": {"Type": "Nope"}}}
    with pytest.raises(DefinitionError) as raised:
        validate_definition(definition)
    assert len(raised.value.problems) >= 3
    assert all(problem in str(raised.value) for problem in raised.value.problems)


def test_a_definition_built_by_the_stepfunctions_sdk_validates_and_runs():
    ready = steps.Pass("Ready", parameters={"n.$": "$.n"})
    check = steps.Choice("Big?")
    big = steps.Pass("Big", result={"size": "big"})
    small = steps.Pass("Small", result={"size": "small"})
    check.add_choice(steps.ChoiceRule.NumericGreaterThan(variable="$.n", value=10), next_step=big)
    check.default_choice(small)
    parallel = steps.Parallel("Both")
    parallel.add_branch(steps.Pass("Left"))
    parallel.add_branch(steps.Wait("Pause", seconds=0))
    definition = steps.Graph(
        steps.Chain([parallel, steps.Pass("First", input_path="$[0]"), ready, check])
    ).to_json()
    result = run_state_machine(definition, {"n": 42}, resources=None)
    assert (result.status, result.output) == ("SUCCEEDED", {"size": "big"})


# -- As strict as CreateStateMachine --------------------------------------------------------
def task(**fields) -> dict:
    return {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True, **fields}


def test_a_misspelt_field_is_refused_with_the_field_it_was_probably_meant_to_be():
    problem = one_problem({"StartAt": "T", "States": {"T": task(ResultsPath="$.r")}})
    assert "State 'T'" in problem and "'ResultsPath' is not a field of a Task state" in problem
    assert "did you mean 'ResultPath'?" in problem


@pytest.mark.parametrize(
    ("state", "field"),
    [
        ({"Type": "Pass", "ResultSelector": {"a.$": "$"}, "End": True}, "ResultSelector"),
        ({"Type": "Fail", "Error": "E", "OutputPath": "$.x"}, "OutputPath"),
        ({"Type": "Succeed", "Next": "S"}, "Next"),
        (
            {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "S"}],
                "ResultPath": "$",
            },
            "ResultPath",
        ),
        ({"Type": "Wait", "Seconds": 1, "Parameters": {}, "End": True}, "Parameters"),
        ({"Type": "Task", "Resource": "r", "ItemsPath": "$", "End": True}, "ItemsPath"),
    ],
)
def test_a_field_the_state_type_does_not_take_is_refused(state, field):
    definition = {"StartAt": "S", "States": {"S": state}}
    problems = problems_of(definition)
    assert any(f"does not take the field '{field}'" in p for p in problems), problems


def test_next_inside_a_nested_choice_rule_is_refused():
    rule = {"And": [{"Variable": "$.x", "IsPresent": True, "Next": "Done"}], "Next": "Done"}
    definition = {
        "StartAt": "C",
        "States": {"C": {"Type": "Choice", "Choices": [rule]}, "Done": {"Type": "Succeed"}},
    }
    assert "Next belongs on the top-level rules of Choices" in one_problem(definition)


def test_a_comparison_with_a_value_of_the_wrong_type_is_refused():
    rule = {"Variable": "$.x", "NumericEquals": "5", "Next": "Done"}
    definition = {
        "StartAt": "C",
        "States": {"C": {"Type": "Choice", "Choices": [rule]}, "Done": {"Type": "Succeed"}},
    }
    assert "the value of NumericEquals has the wrong type" in one_problem(definition)


def test_an_unreachable_state_inside_a_branch_is_reported():
    inner = {"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "Orphan": {"Type": "Succeed"}}}
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [inner], "End": True}}}
    assert "State 'Orphan' is not reachable from StartAt 'A'" in one_problem(definition)


def test_state_names_are_unique_across_branches():
    inner = {"StartAt": "P", "States": {"P": {"Type": "Succeed"}}}
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [inner], "End": True}}}
    assert "the name is used twice" in one_problem(definition)


def test_a_state_name_has_at_most_80_characters():
    name = "N" * 81
    assert "at most 80 characters" in one_problem({"StartAt": name, "States": {name: {"Type": "Succeed"}}})


def test_fields_aws_accepts_but_the_local_engine_does_not_run_are_refused_saying_so():
    processor = {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}
    state = {"Type": "Map", "ItemProcessor": processor, "ItemReader": {"Resource": "arn:x"}, "End": True}
    problem = one_problem({"StartAt": "M", "States": {"M": state}})
    assert "'ItemReader' is valid on AWS but the local engine does not run it" in problem


def test_a_distributed_map_is_refused_saying_so():
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED"},
        "StartAt": "I",
        "States": {"I": {"Type": "Succeed"}},
    }
    state = {"Type": "Map", "ItemProcessor": processor, "End": True}
    assert "only the INLINE Map runs locally" in one_problem({"StartAt": "M", "States": {"M": state}})


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"TimeoutSeconds": 100_000_000_000}, "TimeoutSeconds must be an integer from 1 to 99999999"),
        ({"TimeoutSeconds": 1e11}, "TimeoutSeconds must be an integer from 1 to 99999999"),
        (
            {"TimeoutSeconds": 10, "HeartbeatSeconds": 10},
            "HeartbeatSeconds must be smaller than TimeoutSeconds",
        ),
        ({"Parameters": ["not", "an", "object"]}, "Parameters must be a JSON object"),
        ({"ResultPath": "$.items[*]"}, "must be a reference path"),
        ({"Comment": 7}, "Comment must be a string"),
    ],
)
def test_task_field_values_are_checked(fields, message):
    assert message in one_problem({"StartAt": "T", "States": {"T": task(**fields)}})


def test_a_machine_timeout_of_1e11_seconds_is_a_definition_error():
    definition = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "End": True}},
        "TimeoutSeconds": 100_000_000_000,
    }
    assert "TimeoutSeconds must be an integer from 1 to 99999999" in one_problem(definition)


def test_a_wait_of_1e11_seconds_is_a_definition_error():
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100_000_000_000, "End": True}}}
    assert "Seconds must be an integer from 0 to 99999999" in one_problem(definition)


@pytest.mark.parametrize(
    ("retrier", "message"),
    [
        (
            {"ErrorEquals": ["E"], "MaxAttempts": 100_000_000},
            "MaxAttempts must be an integer from 0 to 99999999",
        ),
        ({"ErrorEquals": ["E"], "MaxDelaySeconds": 31_622_402}, "MaxDelaySeconds must be an integer from 1"),
        ({"ErrorEquals": ["E"], "Interval": 1}, "did you mean 'IntervalSeconds'?"),
    ],
)
def test_retrier_bounds_and_fields_are_aws_s(retrier, message):
    assert message in one_problem({"StartAt": "T", "States": {"T": task(Retry=[retrier])}})


def test_a_definition_nested_past_the_engines_depth_is_refused_in_one_sentence():
    machine = {"StartAt": "P0", "States": {"P0": {"Type": "Pass", "End": True}}}
    for level in range(1, 60):
        state = {"Type": "Parallel", "Branches": [machine], "End": True}
        machine = {"StartAt": f"P{level}", "States": {f"P{level}": state}}
    assert "nests more than 200 levels deep" in one_problem(machine)


def test_a_definition_over_one_mebibyte_is_refused():
    big = {"Type": "Pass", "Result": "x" * 1_048_576, "End": True}
    assert "larger than 1048576 bytes" in one_problem({"StartAt": "P", "States": {"P": big}})


def test_a_path_of_5000_segments_is_refused_not_a_traceback():
    path = "$" + ".a" * 5000
    problem = one_problem({"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": path, "End": True}}})
    assert "State 'P': InputPath" in problem and "5000 segments" in problem


def test_the_clustering_workflow_built_by_the_sdk_is_valid():
    from pipeline.workflows.clustering.build import workflow_definition

    validate_definition(workflow_definition(region="eu-west-1", bucket="my-bucket", prefix="studio"))
