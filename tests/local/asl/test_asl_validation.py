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
    assert "must not have Next" in one_problem(definition)


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
